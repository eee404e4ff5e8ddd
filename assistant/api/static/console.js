// crisis-desk review console: plain JS over the HTTP API. All untrusted text goes through
// textContent (never innerHTML): comments are written by the public.
"use strict";

const KEY = "crisis-desk-key";
const $ = (id) => document.getElementById(id);
const state = { me: null, draft: null, cursor: null, items: [] };

class ApiError extends Error {
  constructor(status, body) {
    super((body && body.detail) || `HTTP ${status}`);
    this.status = status;
    this.body = body || {};
  }
}

async function api(method, path, body) {
  const headers = { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ""}` };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  const res = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  let data = null;
  try { data = await res.json(); } catch (_) { data = null; }
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

function say(text, kind = "") {
  const m = $("message");
  m.textContent = text;
  m.className = kind;
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

// ------------------------------------------------------------------ sign in

async function signIn(key) {
  sessionStorage.setItem(KEY, key);
  try {
    state.me = await api("GET", "/v1/me");
  } catch (err) {
    sessionStorage.removeItem(KEY);
    state.me = null;
    say(err.status === 401 ? "That key is not valid (or was revoked)." : `Sign-in failed: ${err.message}`, "error");
    return;
  }
  $("login").hidden = true;
  $("who").hidden = false;
  $("who-name").textContent = `${state.me.name || state.me.key_id} · ${state.me.role}`;
  $("app").hidden = false;
  say("");
  await loadQueue(true);
}

function signOut() {
  sessionStorage.removeItem(KEY);
  location.reload();
}

// ------------------------------------------------------------------ queue

async function loadQueue(reset) {
  if (reset) { state.cursor = null; state.items = []; }
  const params = new URLSearchParams({ status: $("status-filter").value, order: $("order").value, limit: "50" });
  if (state.cursor) params.set("cursor", state.cursor);
  try {
    const page = await api("GET", `/v1/queue?${params}`);
    state.items = state.items.concat(page.data);
    state.cursor = page.next_cursor;
    $("queue-count").textContent = `${page.count} in the queue`;
    $("more").hidden = !page.next_cursor;
    renderQueue();
  } catch (err) { report(err); }
}

function renderQueue() {
  const list = $("queue");
  list.replaceChildren();
  for (const item of state.items) {
    const d = item.draft;
    const li = el("li");
    li.dataset.id = d.id;
    if (state.draft && state.draft.id === d.id) li.classList.add("active");
    const line1 = el("span", "line1");
    const who = item.comment ? `${item.comment.author || item.comment.author_handle || "anonymous"} · ${item.comment.platform}` : d.kind;
    line1.append(el("span", "", who), el("span", `badge ${d.status}`, `${d.status} · p${Math.round(item.priority)}`));
    const text = el("span", "text", item.comment ? item.comment.text : d.text);
    li.append(line1, text);
    li.addEventListener("click", () => openDraft(d.id, item.comment));
    list.append(li);
  }
}

// ------------------------------------------------------------------ one draft

async function openDraft(id, comment) {
  try {
    const draft = await api("GET", `/v1/drafts/${encodeURIComponent(id)}`);
    if (comment !== undefined) state.comment = comment;
    show(draft);
    $("conflict").hidden = true;
    say("");
  } catch (err) { report(err); }
}

function show(draft) {
  state.draft = draft;
  $("draft-pane").hidden = false;
  $("status").textContent = draft.status;
  $("status").className = `badge ${draft.status}`;
  $("version").textContent = `version ${draft.version}`;
  $("provider").textContent = `${draft.provider} / ${draft.model}${draft.fallback ? " (fallback)" : ""}`;
  $("comment").textContent = state.comment ? state.comment.text : "(no comment: public update)";
  $("draft-text").value = draft.text;
  updateChars();

  const flags = $("flags");
  flags.replaceChildren();
  for (const f of draft.flags) {
    const li = el("li");
    li.dataset.code = f.code;
    li.append(el("span", `sev ${f.severity}`, f.severity), el("code", "", f.code), document.createTextNode(` ${f.message}`));
    flags.append(li);
  }
  if (!draft.flags.length) flags.append(el("li", "muted", "no flags"));

  const cites = $("citations");
  cites.replaceChildren();
  for (const c of draft.citations) {
    const li = el("li");
    li.append(el("strong", "", c.title), document.createTextNode(" "), el("q", "", c.quote));
    cites.append(li);
  }
  if (!draft.citations.length) cites.append(el("li", "muted", "no sources cited"));

  const open = draft.status === "draft" || draft.status === "edited";
  const high = draft.flags.some((f) => f.severity === "high");
  const lead = state.me && (state.me.role === "lead" || state.me.role === "admin");
  $("save").disabled = draft.status === "posted";
  $("approve").disabled = !open;
  $("reject").disabled = !(open || draft.status === "approved");
  $("override").hidden = !(open && high && lead);
  $("posted").hidden = draft.status !== "approved";
  for (const li of $("queue").children) li.classList.toggle("active", li.dataset.id === draft.id);
}

function updateChars() {
  $("chars").textContent = `${$("draft-text").value.length} characters`;
}

async function act(label, method, path, body) {
  const d = state.draft;
  if (!d) return;
  const mine = $("draft-text").value;
  try {
    const updated = await api(method, `/v1/drafts/${encodeURIComponent(d.id)}${path}`, { ...body, version: d.version });
    show(updated);
    $("conflict").hidden = true;
    say(`${label}: now ${updated.status} (version ${updated.version}).`, "ok");
    await loadQueue(true);
  } catch (err) {
    if (err.status === 409 && err.body.current) {
      if (err.body.code === "approval_blocked") {
        $("override").hidden = !err.body.can_override;
        say(err.message, "error");
        return;
      }
      show(err.body.current); // reload the current version, keep the user's text aside
      if (mine !== err.body.current.text) {
        $("mine").textContent = mine;
        $("conflict").hidden = false;
      }
      say(`Conflict: ${err.message}`, "error");
      return;
    }
    report(err);
  }
}

function report(err) {
  if (err.status === 401) { say("Your key is no longer accepted: sign in again.", "error"); return; }
  if (err.status === 429) { say("Too many requests: wait a moment.", "error"); return; }
  say(err.message || String(err), "error");
}

// ------------------------------------------------------------------ wiring

document.addEventListener("DOMContentLoaded", () => {
  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    const key = $("key").value.trim();
    if (key) signIn(key);
  });
  $("logout").addEventListener("click", signOut);
  $("refresh").addEventListener("click", () => loadQueue(true));
  $("status-filter").addEventListener("change", () => loadQueue(true));
  $("order").addEventListener("change", () => loadQueue(true));
  $("more").addEventListener("click", () => loadQueue(false));
  $("draft-text").addEventListener("input", updateChars);
  $("save").addEventListener("click", () => act("Saved", "PATCH", "", { text: $("draft-text").value }));
  $("approve").addEventListener("click", async () => {
    const d = state.draft;
    if (d && $("draft-text").value !== d.text) {
      say("Save your edit first: approval is bound to the saved text.", "error");
      return;
    }
    await act("Approved", "POST", "/approve", {});
  });
  $("approve-override").addEventListener("click", () => {
    const reason = $("override-reason").value.trim();
    if (!reason) { say("Give a reason for the override.", "error"); return; }
    act("Approved with override", "POST", "/approve", { override_reason: reason });
  });
  $("reject").addEventListener("click", () => {
    const reason = $("reject-reason").value.trim();
    if (!reason) { say("Say why you reject it.", "error"); return; }
    act("Rejected", "POST", "/reject", { reason });
  });
  $("mark-posted").addEventListener("click", () => act("Recorded as posted", "POST", "/posted", { url: $("posted-url").value.trim() }));
  $("use-mine").addEventListener("click", () => { $("draft-text").value = $("mine").textContent; updateChars(); });
  const saved = sessionStorage.getItem(KEY);
  if (saved) signIn(saved);
});
