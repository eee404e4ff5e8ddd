// crisis-desk side panel: plain JS over the crisis-desk HTTP API (see extension/README.md).
// Only this page talks to the API (the service worker and the content script never do). The key
// lives in chrome.storage.local and is never handed to the social network's page. All text from the
// public or the server is shown with textContent (never innerHTML). Nothing is ever posted: the user
// copies the approved text.
"use strict";

const { PENDING_KEY, GET_SELECTION, platformOf } = globalThis.CRISIS_DESK;
const DEFAULT_API = "http://127.0.0.1:8000";
const DEFAULT_INCIDENT = "recall-2026-11";
// Hard reply limits per platform (characters), as in assistant/models.py PLATFORM_LIMITS.
const LIMITS = { x: 280, facebook: 8000, instagram: 2200, linkedin: 1250, tiktok: 150, youtube: 10000,
  website: 5000, email: 10000, other: 2000 };
const SEVERITY_ORDER = { critical: 0, high: 1, medium: 2, low: 3, info: 4 };

const $ = (id) => document.getElementById(id);
const state = { apiBase: DEFAULT_API, apiKey: "", me: null, draft: null, stream: null };

// ------------------------------------------------------------------ helpers

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function notice(text) {
  $("notice").textContent = text || "";
}

function clearError() {
  $("error").hidden = true;
  $("error").replaceChildren();
}

// A problem+json (RFC 9457) error as the user sees it: title, detail and the stable code.
function showError(err) {
  notice("");
  const body = (err && err.body) || {};
  const status = err && err.status ? err.status : body.status;
  const code = body.code || (status ? `http_${status}` : "error");
  const box = $("error");
  box.replaceChildren();
  const head = el("p", "error-head");
  head.append(el("strong", "", body.title || "Error"), document.createTextNode(" "),
    el("code", "error-code", status ? `${code} · ${status}` : code));
  box.append(head, el("p", "error-detail", body.detail || (err && err.message) || String(err)));
  if (Array.isArray(body.errors) && body.errors.length > 1) {
    const list = el("ul");
    for (const e of body.errors.slice(0, 5)) list.append(el("li", "", `${(e.loc || []).slice(1).join(".")}: ${e.msg}`));
    box.append(list);
  }
  const hint = { 401: "Check the API key in Settings.", 403: "Your key's role may not do this.",
    429: "Too many requests with this key: wait a moment." }[status];
  if (hint) box.append(el("p", "error-hint", hint));
  const dismiss = el("button", "dismiss", "×");
  dismiss.type = "button";
  dismiss.setAttribute("aria-label", "Dismiss the error");
  dismiss.addEventListener("click", clearError);
  box.append(dismiss);
  box.hidden = false;
}

function networkError(err) {
  return new ApiError(0, {
    title: "API unreachable", code: "network_error",
    detail: `Could not reach ${state.apiBase} (${err && err.message ? err.message : err}). Is the server running, ` +
      `is the URL right, and does the server's CRISIS_CORS_ORIGINS include ${location.origin}?`,
  });
}

function headers(json) {
  const h = { Authorization: `Bearer ${state.apiKey}`, Accept: "application/json, application/problem+json" };
  if (json) h["Content-Type"] = "application/json";
  return h;
}

async function readBody(res) {
  const text = await res.text();
  if (!text) return null;
  try { return JSON.parse(text); } catch (_) { return { detail: text.slice(0, 500) }; }
}

async function api(method, path, body) {
  let res;
  try {
    res = await fetch(state.apiBase + path, {
      method, headers: headers(body !== undefined), body: body === undefined ? undefined : JSON.stringify(body),
      credentials: "omit",
    });
  } catch (err) {
    throw networkError(err);
  }
  const data = await readBody(res);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function configured() {
  return Boolean(state.apiBase && state.apiKey);
}

// ------------------------------------------------------------------ settings

function normaliseBase(raw) {
  const value = String(raw || "").trim().replace(/\/+$/, "");
  let url;
  try { url = new URL(value); } catch (_) { return null; }
  if (url.protocol !== "http:" && url.protocol !== "https:") return null;
  return url.origin + url.pathname.replace(/\/+$/, "");
}

function insecureRemote(base) {
  const url = new URL(base);
  return url.protocol === "http:" && !["127.0.0.1", "localhost", "[::1]"].includes(url.hostname);
}

async function loadSettings() {
  const saved = await chrome.storage.local.get(["apiBase", "apiKey", "incident"]);
  state.apiBase = saved.apiBase || DEFAULT_API;
  state.apiKey = saved.apiKey || "";
  $("api-base").value = state.apiBase;
  $("api-key").value = state.apiKey;
  $("incident").value = saved.incident === undefined ? DEFAULT_INCIDENT : saved.incident;
}

async function saveSettings(event) {
  event.preventDefault();
  clearError();
  const base = normaliseBase($("api-base").value);
  if (!base) {
    showError(new ApiError(0, { title: "Invalid setting", code: "invalid_url",
      detail: "The API base URL must be an http(s) address such as http://127.0.0.1:8000." }));
    return;
  }
  state.apiBase = base;
  state.apiKey = $("api-key").value.trim();
  $("api-base").value = base;
  await chrome.storage.local.set({ apiBase: state.apiBase, apiKey: state.apiKey });
  if (await testConnection()) {
    $("settings").open = false;
    notice(`Connected to ${state.apiBase}.` +
      (insecureRemote(base) ? " Warning: plain http to a remote host sends the key unencrypted; use https." : ""));
  }
}

async function forgetKey() {
  state.apiKey = "";
  state.me = null;
  $("api-key").value = "";
  await chrome.storage.local.remove("apiKey");
  showWho();
  notice("The key was removed from this browser.");
}

function showWho() {
  const me = state.me;
  $("who").textContent = me ? `${me.name || me.key_id} · ${me.role}` : "not connected";
  $("who").classList.toggle("ok", Boolean(me));
}

async function testConnection() {
  if (!configured()) {
    state.me = null;
    showWho();
    showError(new ApiError(0, { title: "Not configured", code: "no_api_key",
      detail: "Enter the API base URL and an API key in Settings." }));
    $("settings").open = true;
    return false;
  }
  try {
    state.me = await api("GET", "/v1/me");
    showWho();
    clearError();
    return true;
  } catch (err) {
    state.me = null;
    showWho();
    showError(err);
    $("settings").open = true;
    return false;
  }
}

// ------------------------------------------------------------------ the comment

function fillComment(sel) {
  $("comment-text").value = sel.text || "";
  if (sel.platform && $("platform").querySelector(`option[value="${CSS.escape(sel.platform)}"]`)) {
    $("platform").value = sel.platform;
  }
  $("author").value = "";
  $("followers").value = "";
  const link = $("source-url");
  if (sel.url && /^https?:\/\//.test(sel.url)) {
    link.href = sel.url;
    link.textContent = sel.url.length > 80 ? `${sel.url.slice(0, 77)}…` : sel.url;
    $("source").hidden = false;
  } else {
    link.removeAttribute("href");
    link.textContent = "";
    $("source").hidden = true;
  }
  clearError();
  let where = sel.platform || "the page";
  try { if (sel.url) where = new URL(sel.url).hostname; } catch (_) { /* keep the platform name */ }
  notice(`Comment taken from ${where}: add the author's name if you know it, then Draft.`);
  $("author").focus();
}

// The tab the side panel sits beside (or, when the panel is open as a tab, the last other tab used).
async function targetTab() {
  const self = await chrome.tabs.getCurrent();
  const [active] = await chrome.tabs.query({ active: true, currentWindow: true });
  if (active && (!self || active.id !== self.id)) return active;
  const others = (await chrome.tabs.query({})).filter((t) => !self || t.id !== self.id);
  others.sort((a, b) => (b.lastAccessed || 0) - (a.lastAccessed || 0));
  return others[0] || null;
}

async function askTab(tabId) {
  try {
    return await chrome.tabs.sendMessage(tabId, { type: GET_SELECTION });
  } catch (_) {
    return null;
  }
}

async function useSelection() {
  clearError();
  const tab = await targetTab();
  let sel = tab ? await askTab(tab.id) : null;
  if (!sel && tab) {
    // Page opened before the extension was installed: inject the content script (activeTab).
    try {
      await chrome.scripting.executeScript({ target: { tabId: tab.id }, files: ["platforms.js", "content.js"] });
      sel = await askTab(tab.id);
    } catch (_) { sel = null; }
  }
  if (!sel) {
    showError(new ApiError(0, { title: "No comment page", code: "no_page",
      detail: "Open the comment on x.com, facebook.com, instagram.com or linkedin.com, select its text, then click again (or paste it)." }));
    return;
  }
  if (!sel.text) {
    showError(new ApiError(0, { title: "Nothing selected", code: "no_selection",
      detail: "Select the comment's text on the page first (or paste it here)." }));
    return;
  }
  fillComment(sel);
}

async function takePending() {
  const got = await chrome.storage.session.get(PENDING_KEY);
  const pending = got[PENDING_KEY];
  if (!pending || !pending.text) return;
  await chrome.storage.session.remove(PENDING_KEY);
  fillComment({ ...pending, platform: pending.platform || platformOf(pending.url) });
}

function buildRequest(force) {
  const text = $("comment-text").value;
  if (!text.trim()) {
    showError(new ApiError(0, { title: "No comment", code: "empty_comment",
      detail: "Paste the comment's text, or select it on the page and click “Use selection from page”." }));
    $("comment-text").focus();
    return null;
  }
  const comment = { text, platform: $("platform").value };
  const author = $("author").value.trim();
  if (author) comment.author = author;
  const followers = $("followers").value.trim();
  if (followers) {
    const n = Number(followers);
    if (!Number.isInteger(n) || n < 0) {
      showError(new ApiError(0, { title: "Invalid input", code: "invalid_input",
        detail: "Followers must be a whole number (or left empty)." }));
      return null;
    }
    comment.followers = n;
  }
  const url = $("source-url").getAttribute("href");
  if (!$("source").hidden && url) comment.url = url;
  const request = { comment };
  const incident = $("incident").value.trim();
  if (incident) request.incident = incident;
  if (force) request.force = true;
  return request;
}

// ------------------------------------------------------------------ drafting (SSE over fetch)

// One Server-Sent Events block -> {event, data}. Comment lines (":") are ignored.
function parseEvent(block) {
  let event = "message";
  const data = [];
  for (const line of block.split("\n")) {
    if (!line || line.startsWith(":")) continue;
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") data.push(value);
  }
  return { event, data: data.join("\n") };
}

function setStreaming(on) {
  $("draft-button").disabled = on;
  $("stop").hidden = !on;
  $("stream-text").setAttribute("aria-busy", on ? "true" : "false");
}

async function draft(force) {
  if (state.stream) return; // one draft at a time (Stop cancels it)
  clearError();
  if (!configured()) { await testConnection(); return; }
  const request = buildRequest(force);
  if (!request) return;
  chrome.storage.local.set({ incident: $("incident").value.trim() });
  const controller = new AbortController();
  state.stream = controller;

  const out = $("stream-text");
  out.replaceChildren();
  out.dataset.tokens = "0";
  $("streaming").hidden = false;
  $("result").hidden = true;
  setStreaming(true);
  $("streaming").scrollIntoView({ block: "nearest" });
  notice("Drafting…");

  let final = null;
  let failure = null;
  try {
    let res;
    try {
      res = await fetch(`${state.apiBase}/v1/drafts/stream`, {
        method: "POST", headers: { ...headers(true), Accept: "text/event-stream, application/problem+json" },
        body: JSON.stringify(request), signal: controller.signal, credentials: "omit",
      });
    } catch (err) {
      if (controller.signal.aborted) throw err;
      throw networkError(err);
    }
    if (!res.ok) throw new ApiError(res.status, await readBody(res));

    const reader = res.body.getReader();
    const decoder = new TextDecoder();
    let buffer = "";
    let tokens = 0;
    const handle = (block) => {
      const { event, data } = parseEvent(block);
      if (!data) return;
      const payload = JSON.parse(data);
      if (event === "token") {
        out.append(document.createTextNode(payload.text || ""));
        out.dataset.tokens = String(++tokens);
      } else if (event === "reset") {
        // The model failed mid-stream: what was shown is withdrawn; the offline draft follows.
        out.textContent = "";
        out.dataset.tokens = String(tokens = 0);
        notice(payload.reason || "The model's reply was withdrawn.");
      } else if (event === "draft") {
        final = payload;
      } else if (event === "error") {
        failure = new ApiError(payload.status || 500, { title: "Drafting failed", ...payload });
      }
    };
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        handle(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
      }
    }
    buffer += decoder.decode();
    if (buffer.trim()) handle(buffer);
    if (failure) throw failure;
    if (!final) {
      throw new ApiError(0, { title: "Incomplete answer", code: "stream_incomplete",
        detail: "The stream ended before the draft arrived (server stopped?). Try again." });
    }
  } catch (err) {
    setStreaming(false);
    state.stream = null;
    if (controller.signal.aborted) { notice("Stopped."); return; }
    notice("");
    showError(err instanceof ApiError ? err : networkError(err));
    return;
  }
  setStreaming(false);
  state.stream = null;
  $("streaming").hidden = true;
  $("conflict").hidden = true;
  showDraft(final);
  notice(final.no_reply_reason ? "No reply drafted (see why below)."
    : "Draft ready: check the flags and sources, edit if needed, then approve.");
}

// ------------------------------------------------------------------ showing a draft

// The draft's sentences as the server's guards count them (assistant/guards_text.py
// split_sentences): a citation's `sentence` is an index into this list.
const TITLES = new Set("mr mrs ms dr st mme mlle mm m prof e.g i.e eg ie cf vs p.ex av ave bd blvd".split(" "));
const BEFORE_DIGIT = new Set("no nr n tel p fig art".split(" "));
const OTHER_ABBREV = new Set(("etc approx env min max ex jan feb mar apr jun jul aug sep sept oct nov dec janv " +
  "fevr avr juil inc ltd co corp sa sarl ste dept rd").split(" "));

function fold(s) {
  return s.normalize("NFD").replace(/\p{M}/gu, "").toLowerCase();
}

function isAbbreviation(text, start, dot, after) {
  const m = /([\p{L}\p{N}_.]+)$/u.exec(fold(text.slice(start, dot)));
  const token = m ? m[1].replace(/^\.+|\.+$/g, "") : "";
  const next = text.slice(after).trimStart().slice(0, 1);
  if (TITLES.has(token) || (token.length === 1 && /\p{L}/u.test(token))) return true;
  if (BEFORE_DIGIT.has(token)) return /\d/.test(next);
  const upper = next !== "" && next === next.toUpperCase() && next !== next.toLowerCase();
  return OTHER_ABBREV.has(token) && !upper;
}

function splitSentences(text) {
  const out = [];
  const re = /(?<![.!?\u2026])[.!?\u2026]+["')\]]*(?=\s)|\n+/g;
  const push = (s) => { if (s.trim()) out.push(s.trim()); };
  let start = 0;
  let m;
  while ((m = re.exec(text)) !== null) {
    const end = m.index + m[0].length;
    if (m[0][0] === "." && isAbbreviation(text, start, m.index, end)) continue;
    push(text.slice(start, end));
    start = end;
  }
  push(text.slice(start));
  return out;
}

function sameWords(a, b) {
  const norm = (s) => fold(s).replace(/[^\p{L}\p{N}]+/gu, " ").trim();
  return norm(a) === norm(b);
}

function showDraft(d) {
  state.draft = d;
  $("result").hidden = false;
  $("result").dataset.id = d.id;
  $("status").textContent = d.status;
  $("status").className = `badge status-${d.status}`;
  $("version").textContent = `version ${d.version}`;
  $("provider").textContent = `Provider: ${d.provider}${d.model && d.model !== d.provider ? ` · ${d.model}` : ""}`;
  $("fallback").hidden = !d.fallback;
  $("fallback").title = d.fallback_reason || "";
  $("fallback-reason").hidden = !(d.fallback && d.fallback_reason);
  $("fallback-reason").textContent = d.fallback_reason
    ? `The configured model failed (${d.fallback_reason}); the offline composer wrote this draft.` : "";
  $("draft-id").textContent = `id ${d.id}`;

  const noReply = $("no-reply");
  noReply.replaceChildren();
  noReply.hidden = !d.no_reply_reason;
  if (d.no_reply_reason) {
    const anyway = el("button", "secondary", "Draft anyway");
    anyway.type = "button";
    anyway.addEventListener("click", () => draft(true));
    noReply.append(el("span", "", `No reply drafted: ${d.no_reply_reason}. `), anyway);
  }

  const t = d.triage;
  $("triage").hidden = !t;
  if (t) {
    $("tri-intent").textContent = t.intent;
    $("tri-severity").textContent = t.severity;
    $("tri-severity").className = `sev ${t.severity}`;
    $("tri-escalate").textContent = t.escalate_to && t.escalate_to.length ? t.escalate_to.join(", ") : "no";
    const reasons = $("tri-reasons");
    reasons.replaceChildren(...(t.reasons || []).map((r) => el("li", "", r)));
    $("tri-why").querySelector("summary").textContent = `Why (${(t.reasons || []).length})`;
  }

  const flags = $("flags");
  flags.replaceChildren();
  const sorted = [...(d.flags || [])].sort((a, b) => (SEVERITY_ORDER[a.severity] ?? 9) - (SEVERITY_ORDER[b.severity] ?? 9));
  for (const f of sorted) {
    const li = el("li", `flag ${f.severity}`);
    li.dataset.code = f.code;
    li.dataset.severity = f.severity;
    li.append(el("span", `sev ${f.severity}`, f.severity), el("code", "", f.code),
      document.createTextNode(" "), el("span", "", f.message));
    flags.append(li);
  }
  if (!sorted.length) flags.append(el("li", "muted", "No flags."));

  const sentences = splitSentences(d.original_text || d.text || "");
  const cites = $("citations");
  cites.replaceChildren();
  for (const c of d.citations || []) {
    const li = el("li", "citation");
    li.dataset.chunk = c.chunk_id;
    if (c.sentence !== null && c.sentence !== undefined) {
      const supported = sentences[c.sentence];
      const n = c.sentence + 1;
      let line = `Sentence ${n}`;
      if (supported && sameWords(supported, c.quote)) line = `Sentence ${n}, in the source's own words:`;
      else if (supported) line = `Sentence ${n}: “${supported}”`;
      li.append(el("span", "supports", line));
    }
    li.append(el("strong", "source-title", c.title), el("q", "quote", c.quote));
    cites.append(li);
  }
  if (!(d.citations || []).length) cites.append(el("li", "muted", "No sources cited."));

  $("unknowns-box").hidden = !(d.unknowns || []).length;
  $("unknowns").replaceChildren(...(d.unknowns || []).map((u) => el("li", "", u)));

  $("draft-text").value = d.text || "";
  $("override-reason").value = "";
  const high = (d.flags || []).some((f) => f.severity === "high");
  const lead = state.me && (state.me.role === "lead" || state.me.role === "admin");
  const open = d.status === "draft" || d.status === "edited";
  if (open && high && lead) {
    showOverride({ can_override: true, detail: "A high-severity flag is present: approving needs an override reason." });
  } else {
    $("override").hidden = true; // an agent sees it when the API answers approval_blocked
  }
  refreshButtons();
}

function refreshButtons() {
  const d = state.draft;
  if (!d) return;
  const text = $("draft-text").value;
  const changed = text !== (d.text || "");
  const open = d.status === "draft" || d.status === "edited";
  const limit = LIMITS[d.platform] || LIMITS.other;
  $("chars").textContent = `${text.length} / ${limit} characters (${d.platform})${changed ? " · unsaved edit" : ""}`;
  $("chars").classList.toggle("over", text.length > limit);
  $("save-edit").disabled = !changed || d.status === "posted" || !text.trim();
  $("approve").disabled = d.status === "posted" || !text.trim() || !(open || changed);
  $("reject").disabled = !(open || d.status === "approved");
  $("copy").disabled = !((d.status === "approved" || d.status === "posted") && !changed);
}

function showOverride(problem) {
  $("override").hidden = false;
  $("override-text").textContent = problem.detail || "A high-severity flag blocks approval.";
  const can = Boolean(problem.can_override);
  for (const id of ["override-reason", "approve-override"]) $(id).hidden = !can;
  $("override").querySelector('label[for="override-reason"]').hidden = !can;
}

// ------------------------------------------------------------------ review actions

function draftPath(suffix = "") {
  return `/v1/drafts/${encodeURIComponent(state.draft.id)}${suffix}`;
}

// 409 version_conflict: someone changed the draft; show the current one, keep the user's text aside.
async function onConflict(err, mine) {
  let current = err.body && err.body.current;
  if (!current) {
    try { current = await api("GET", draftPath()); } catch (_) { current = null; }
  }
  if (current) {
    showDraft(current);
    if (mine && mine !== current.text) {
      $("mine").textContent = mine;
      $("conflict").hidden = false;
    }
  }
  showError(err);
}

async function saveEdit() {
  const d = state.draft;
  const text = $("draft-text").value;
  if (text === d.text) return d;
  clearError();
  try {
    const updated = await api("PATCH", draftPath(), { text, version: d.version });
    showDraft(updated);
    $("conflict").hidden = true;
    notice(`Saved (version ${updated.version}).`);
    return updated;
  } catch (err) {
    if (err.status === 409) await onConflict(err, text);
    else showError(err);
    return null;
  }
}

async function approve(overrideReason) {
  if (!state.draft) return;
  const saved = await saveEdit(); // approval is bound to the saved text
  if (!saved) return;
  clearError();
  const body = { version: saved.version };
  if (overrideReason) body.override_reason = overrideReason;
  try {
    const updated = await api("POST", draftPath("/approve"), body);
    showDraft(updated);
    $("override").hidden = true;
    $("conflict").hidden = true;
    notice("Approved. Copy it and post it yourself on the page.");
    $("copy").focus();
  } catch (err) {
    if (err.body && err.body.code === "approval_blocked") {
      showOverride(err.body);
      showError(err);
      if (!$("approve-override").hidden) $("override-reason").focus();
    } else if (err.status === 409) {
      await onConflict(err, $("draft-text").value);
    } else {
      showError(err);
    }
  }
}

async function reject() {
  if (!state.draft) return;
  const reason = $("reject-reason").value.trim();
  if (!reason) {
    showError(new ApiError(0, { title: "Reason needed", code: "invalid_input", detail: "Say why you reject the draft." }));
    $("reject-reason").focus();
    return;
  }
  clearError();
  try {
    const updated = await api("POST", draftPath("/reject"), { version: state.draft.version, reason });
    showDraft(updated);
    $("reject-reason").value = "";
    $("reject-box").open = false;
    notice("Rejected.");
  } catch (err) {
    if (err.status === 409) await onConflict(err, $("draft-text").value);
    else showError(err);
  }
}

async function copyApproved() {
  const d = state.draft;
  if (!d || $("copy").disabled) return;
  try {
    await navigator.clipboard.writeText(d.text);
  } catch (_) {
    const area = $("draft-text");
    area.focus();
    area.select();
    if (!document.execCommand("copy")) {
      showError(new ApiError(0, { title: "Copy failed", code: "clipboard",
        detail: "The browser refused the clipboard: the text is selected, press Ctrl+C." }));
      return;
    }
  }
  notice("Copied. Paste it on the page and post it yourself.");
}

// ------------------------------------------------------------------ wiring

document.addEventListener("DOMContentLoaded", async () => {
  $("ext-origin").textContent = location.origin;
  $("settings-form").addEventListener("submit", saveSettings);
  $("forget-key").addEventListener("click", forgetKey);
  $("comment-form").addEventListener("submit", (e) => { e.preventDefault(); draft(false); });
  $("comment-text").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); draft(false); }
  });
  $("stop").addEventListener("click", () => { if (state.stream) state.stream.abort(); });
  $("use-selection").addEventListener("click", useSelection);
  $("draft-text").addEventListener("input", refreshButtons);
  $("save-edit").addEventListener("click", () => { if (state.draft) saveEdit(); });
  $("approve").addEventListener("click", () => approve(null));
  $("approve-override").addEventListener("click", () => {
    const reason = $("override-reason").value.trim();
    if (!reason) {
      showError(new ApiError(0, { title: "Reason needed", code: "invalid_input", detail: "Give a reason for the override." }));
      $("override-reason").focus();
      return;
    }
    approve(reason);
  });
  $("reject").addEventListener("click", reject);
  $("copy").addEventListener("click", copyApproved);
  $("use-mine").addEventListener("click", () => {
    $("draft-text").value = $("mine").textContent;
    $("conflict").hidden = true;
    refreshButtons();
  });
  chrome.storage.onChanged.addListener((changes, area) => {
    if (area === "session" && changes[PENDING_KEY] && changes[PENDING_KEY].newValue) takePending();
  });

  await loadSettings();
  if (configured()) {
    $("settings").open = false;
    await testConnection();
  } else {
    $("settings").open = true;
    notice("Set the API URL and key to start.");
  }
  await takePending();
});
