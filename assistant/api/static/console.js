// crisis-desk review console: plain JS over the HTTP API (i18n.js is loaded first: tr, applyI18n).
// All untrusted text goes through textContent (never innerHTML): comments are written by the public.
"use strict";

const KEY = "crisis-desk-key";
const INCIDENT_KEY = "crisis-desk-incident";
const POLL_MS = 5000;
const SEVERITY_ORDER = { high: 0, medium: 1, low: 2, info: 3 };
const $ = (id) => document.getElementById(id);
const state = {
  me: null, incident: "", tab: "queue", cursor: null, items: [], updates: [],
  draft: null, view: null, comment: null, source: null, alerts: null, alertIds: null, timer: null, batch: null,
};

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

function report(err) {
  if (err.status === 401) { say(tr("msg.unauthorized"), "error"); return; }
  if (err.status === 429) { say(tr("msg.rateLimited"), "error"); return; }
  say(err.message || String(err), "error");
}

function el(tag, cls, text) {
  const node = document.createElement(tag);
  if (cls) node.className = cls;
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function button(cls, text, onClick) {
  const b = el("button", cls, text);
  b.type = "button";
  b.addEventListener("click", onClick);
  return b;
}

const isLead = () => Boolean(state.me && (state.me.role === "lead" || state.me.role === "admin"));
const isOpen = (d) => d.status === "draft" || d.status === "edited";
const listOf = (numbers) => numbers.join(", ");

// ------------------------------------------------------------------ sign in

async function signIn(key) {
  sessionStorage.setItem(KEY, key);
  try {
    state.me = await api("GET", "/v1/me");
  } catch (err) {
    sessionStorage.removeItem(KEY);
    state.me = null;
    say(err.status === 401 ? tr("login.invalid") : tr("login.failed", { error: err.message }), "error");
    return;
  }
  $("login").hidden = true;
  $("who").hidden = false;
  $("who-name").textContent = `${state.me.name || state.me.key_id} · ${state.me.role}`;
  $("app").hidden = false;
  $("new-incident").hidden = !isLead();
  say("");
  state.incident = sessionStorage.getItem(INCIDENT_KEY) || "";
  await loadIncidents();
  await Promise.all([loadQueue(true), loadAlerts(), loadMetrics()]);
  clearInterval(state.timer);
  state.timer = setInterval(poll, POLL_MS);
}

function signOut() {
  sessionStorage.removeItem(KEY);
  location.reload();
}

// Alerts (and the incident's figures) change while nobody clicks: refresh them in the background.
async function poll() {
  if (document.hidden || !state.me) return;
  await Promise.all([loadAlerts(), loadMetrics()]);
}

// ------------------------------------------------------------------ incidents and metrics

async function loadIncidents() {
  const select = $("incident");
  try {
    const page = await api("GET", "/v1/incidents?limit=200");
    const ids = new Set(page.data.map((i) => i.id));
    if (state.incident && !ids.has(state.incident)) page.data.push({ id: state.incident, title: "" });
    select.replaceChildren(el("option", "", tr("incident.all")));
    select.firstChild.value = "";
    for (const inc of page.data) {
      const opt = el("option", "", inc.title ? `${inc.title} (${inc.id})` : inc.id);
      opt.value = inc.id;
      select.append(opt);
    }
    select.value = state.incident;
  } catch (err) { report(err); }
}

async function registerIncident(event) {
  event.preventDefault();
  const body = { id: $("new-incident-id").value.trim(), title: $("new-incident-title").value.trim(),
    severity: $("new-incident-severity").value };
  try {
    const incident = await api("POST", "/v1/incidents", body);
    state.incident = incident.id;
    await loadIncidents();
    await chooseIncident(incident.id);
    $("new-incident").open = false;
    say(tr("incident.created", { id: incident.id }), "ok");
  } catch (err) { report(err); }
}

async function chooseIncident(id) {
  state.incident = id;
  sessionStorage.setItem(INCIDENT_KEY, id);
  state.alerts = null;
  await Promise.all([loadQueue(true), loadAlerts(), loadMetrics(), loadUpdates()]);
  if (state.tab === "gaps") loadGaps();
}

function percent(x) { return x === null || x === undefined ? "–" : `${Math.round(x * 100)} %`; }

function duration(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  return `${(seconds / 3600).toFixed(1)} h`;
}

async function loadMetrics() {
  const box = $("metrics");
  $("open-report").hidden = !state.incident;
  if (!state.incident) { box.hidden = true; return; }
  let m;
  try {
    m = await api("GET", `/v1/incidents/${encodeURIComponent(state.incident)}/metrics`);
  } catch (err) {
    if (err.status !== 404) { report(err); return; }
    box.replaceChildren(el("dd", "muted", tr("metrics.none")));
    box.hidden = false;
    return;
  }
  const open = (m.by_status.draft || 0) + (m.by_status.edited || 0);
  const rows = [["comments", m.comments], ["drafts", m.drafts], ["open", open], ["approved", m.approved],
    ["rejected", m.rejected], ["posted", m.posted], ["approvalRate", percent(m.approval_rate)],
    ["acceptance", percent(m.acceptance_rate)], ["editDistance", percent(m.mean_edit_distance)],
    ["timeToApproval", duration(m.median_time_to_approval_s)], ["overrides", m.overrides]];
  box.replaceChildren();
  for (const [name, value] of rows) {
    const pair = el("div", "metric");
    pair.dataset.metric = name;
    pair.append(el("dt", "", tr(`metrics.${name}`)), el("dd", "", value));
    box.append(pair);
  }
  box.hidden = false;
}

// The report needs the bearer token, so it is fetched here and shown from a blob: URL (same origin,
// no token in any URL). The window opens on the click itself, so no popup blocker stops it.
async function openReport() {
  if (!state.incident) return;
  const win = window.open("", "_blank");
  say(tr("report.opening"));
  try {
    const res = await fetch(`/v1/incidents/${encodeURIComponent(state.incident)}/report`, {
      headers: { Authorization: `Bearer ${sessionStorage.getItem(KEY) || ""}` } });
    if (!res.ok) {
      let body = null;
      try { body = await res.json(); } catch (_) { body = null; }
      throw new ApiError(res.status, body);
    }
    const url = URL.createObjectURL(new Blob([await res.text()], { type: "text/html" }));
    if (win) win.location.href = url; else window.location.href = url;
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
    say("");
  } catch (err) {
    if (win) win.close();
    report(err);
  }
}

// ------------------------------------------------------------------ triage badges

function escalationBadges(triage) {
  return (triage.escalate_to || []).map((target) => {
    const b = el("span", `badge esc esc-${target}`, `⚑ ${tr(`esc.${target}`)}`);
    b.dataset.esc = target;
    return b;
  });
}

function triageBadges(triage, full) {
  const out = escalationBadges(triage);
  const intent = el("span", `badge intent intent-${triage.intent}`, tr(`intent.${triage.intent}`));
  intent.dataset.intent = triage.intent;
  out.push(intent);
  if (full || triage.severity !== "low") {
    const severity = el("span", `badge sev-${triage.severity}`, tr(`severity.${triage.severity}`));
    severity.dataset.severity = triage.severity;
    out.push(severity);
  }
  if (full || triage.sentiment === "negative") {
    out.push(el("span", `badge sentiment-${triage.sentiment}`, tr(`sentiment.${triage.sentiment}`)));
  }
  out.push(el("span", "badge lang", (triage.language || "?").toUpperCase()));
  if (triage.influencer) out.push(el("span", "badge influencer", `★ ${tr("triage.influencer")}`));
  if (full && triage.injection_suspected) out.push(el("span", "badge sev-high", tr("triage.injection")));
  return out;
}

// ------------------------------------------------------------------ lists (queue, updates)

function queueParams() {
  const params = new URLSearchParams({ status: $("status-filter").value, order: $("order").value, limit: "50" });
  if (state.incident) params.set("incident", state.incident);
  if ($("escalate-filter").value) params.set("escalate", $("escalate-filter").value);
  if ($("intent-filter").value) params.set("intent", $("intent-filter").value);
  return params;
}

// Filters change faster than answers come: only the latest load may fill the list.
const latest = { queue: 0, updates: 0, alerts: 0 };

async function loadQueue(reset) {
  const ticket = reset ? ++latest.queue : latest.queue;
  const params = queueParams();
  if (!reset && state.cursor) params.set("cursor", state.cursor);
  try {
    const page = await api("GET", `/v1/queue?${params}`);
    if (ticket !== latest.queue) return;
    state.items = reset ? page.data : state.items.concat(page.data);
    state.cursor = page.next_cursor;
    $("queue-count").textContent = page.count ? tr("queue.count", { n: page.count }) : tr("queue.empty");
    $("more").hidden = !page.next_cursor;
    renderList($("queue"), state.items);
  } catch (err) { report(err); }
}

function renderList(list, items) {
  list.replaceChildren(...items.map((item) => listItem(item)));
}

function listItem(item) {
  const d = item.draft;
  const li = el("li", "item");
  li.dataset.id = d.id;
  const open = el("button", "item-open");
  open.type = "button";
  const tri = d.triage;
  if (tri && (tri.escalate_to || []).length) li.classList.add("escalated");
  if (state.draft && state.draft.id === d.id) { li.classList.add("active"); open.setAttribute("aria-current", "true"); }
  const line1 = el("span", "line1");
  const who = item.comment
    ? `${item.comment.author || item.comment.author_handle || tr("queue.anonymous")} · ${item.comment.platform}`
    : tr("draft.kindUpdate", { channel: d.platform });
  const status = el("span", `badge status-${d.status}`, tr(`status.${d.status}`) +
    (d.kind === "reply" ? ` · p${Math.round(item.priority)}` : ""));
  line1.append(el("span", "who", who), status);
  open.append(line1);
  if (tri) {
    const badges = el("span", "badges");
    badges.append(...triageBadges(tri, false));
    open.append(badges);
  }
  open.append(el("span", "text", item.comment ? item.comment.text : d.text));
  open.addEventListener("click", () => openDraft(d.id, item.comment || null));
  li.append(open);
  return li;
}

function markActive() {
  for (const list of [$("queue"), $("updates")]) {
    for (const li of list.children) {
      const active = Boolean(state.draft) && li.dataset.id === state.draft.id;
      li.classList.toggle("active", active);
      const open = li.querySelector(".item-open");
      if (active) open.setAttribute("aria-current", "true"); else open.removeAttribute("aria-current");
    }
  }
}

// j / k: the next or previous item of the list on screen.
function step(delta) {
  const list = state.tab === "updates" ? $("updates") : $("queue");
  const items = [...list.children];
  if (!items.length) return;
  const at = items.findIndex((li) => state.draft && li.dataset.id === state.draft.id);
  const next = items[Math.min(items.length - 1, Math.max(0, at < 0 ? 0 : at + delta))];
  const open = next.querySelector(".item-open");
  open.click();
  open.focus();
}

// ------------------------------------------------------------------ one draft

async function openDraft(id, comment) {
  try {
    const view = await api("GET", `/v1/drafts/${encodeURIComponent(id)}/sentences`);
    if (comment !== undefined) state.comment = comment;
    show(view);
    $("conflict").hidden = true;
    say("");
  } catch (err) { report(err); }
}

function show(view) {
  const draft = view.draft;
  state.view = view;
  state.draft = draft;
  state.source = null;
  $("draft-pane").hidden = false;
  $("status").textContent = tr(`status.${draft.status}`);
  $("status").className = `badge status-${draft.status}`;
  $("edit-label").textContent = tr(draft.kind === "update" ? "draft.editUpdate" : "draft.edit");
  $("reply-h").textContent = tr(draft.kind === "update" ? "draft.update" : "draft.reply");
  $("kind").textContent = draft.kind === "update" ? tr("draft.kindUpdate", { channel: draft.platform })
    : draft.kind === "brief" ? tr("draft.kindBrief") : tr("draft.kindReply");
  $("version").textContent = tr("draft.version", { n: draft.version });
  $("provider").textContent = `${draft.provider} / ${draft.model}${draft.fallback ? " (fallback)" : ""}`;
  showTriage(draft);
  showComment(view);
  renderSentences(view);
  $("sentence-source").replaceChildren();
  showFlags(view);
  showSources(view);
  $("unknowns-box").hidden = !(draft.unknowns || []).length;
  $("unknowns").replaceChildren(...(draft.unknowns || []).map((u) => el("li", "", u)));
  $("draft-text").value = draft.text;
  updateChars();

  const open = isOpen(draft);
  const high = draft.flags.some((f) => f.severity === "high");
  const leadOnly = (draft.kind === "update" || draft.kind === "brief") && !isLead();
  $("save").disabled = draft.status === "posted";
  $("approve").disabled = !open || leadOnly;
  $("reject").disabled = !(open || draft.status === "approved") || leadOnly;
  $("lead-only").hidden = !leadOnly;
  $("override").hidden = !(open && high && isLead());
  $("posted").hidden = draft.status !== "approved";
  markActive();
}

function showTriage(draft) {
  const tri = draft.triage;
  $("triage").hidden = !tri;
  const banner = $("escalation");
  banner.hidden = !(tri && (tri.escalate_to || []).length);
  $("influencer").hidden = !(tri && tri.influencer && draft.kind === "reply" && draft.comment_id && draft.incident);
  $("no-reply").hidden = !draft.no_reply_reason;
  $("no-reply").textContent = draft.no_reply_reason ? tr("triage.noReply", { reason: draft.no_reply_reason }) : "";
  if (!tri) return;
  if (!banner.hidden) {
    banner.textContent = tr("triage.escalated", { targets: tri.escalate_to.map((x) => tr(`esc.${x}`)).join(", ") });
  }
  $("triage-badges").replaceChildren(...triageBadges(tri, true));
  $("triage-reasons").replaceChildren(...(tri.reasons || []).map((r) => el("li", "", r)));
  $("triage-why-summary").textContent = tr("triage.why", { n: (tri.reasons || []).length });
}

async function draftBrief() {
  const d = state.draft;
  if (!d || !d.comment_id || !d.incident) return;
  $("draft-brief").disabled = true;
  try {
    const out = await api("POST", `/v1/incidents/${encodeURIComponent(d.incident)}/influencer-brief`,
      { comment_id: d.comment_id });
    await openDraft(out.draft.id);
    say(tr("brief.done"), "ok");
    loadQueue(true);
  } catch (err) { report(err); } finally { $("draft-brief").disabled = false; }
}

// The words a flag is about, wrapped in <mark> (several flags may cover the same words).
function appendMarked(parent, text, start, end, flags) {
  const cuts = new Set([start, end]);
  for (const [, f] of flags) {
    cuts.add(Math.min(end, Math.max(start, f.span[0])));
    cuts.add(Math.min(end, Math.max(start, f.span[1])));
  }
  const points = [...cuts].sort((a, b) => a - b);
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const over = flags.filter(([, f]) => f.span[0] <= a && f.span[1] >= b);
    if (!over.length) { parent.append(document.createTextNode(text.slice(a, b))); continue; }
    const worst = over.map(([, f]) => f.severity).sort((x, y) => SEVERITY_ORDER[x] - SEVERITY_ORDER[y])[0];
    const mark = el("mark", `flag-mark sev-${worst}`, text.slice(a, b));
    mark.dataset.flags = over.map(([i]) => i).join(" ");
    mark.title = over.map(([, f]) => `${f.code}: ${f.message}`).join("\n");
    parent.append(mark);
  }
}

function showComment(view) {
  const box = $("comment");
  box.replaceChildren();
  const comment = state.draft.kind === "reply" ? state.comment : null;
  $("comment-box").hidden = state.draft.kind !== "reply";
  if (!comment) { box.textContent = tr("draft.noComment"); return; }
  const flags = view.comment_flags.map((i) => [i, view.draft.flags[i]])
    .filter(([, f]) => f.span && f.span[1] <= comment.text.length);
  appendMarked(box, comment.text, 0, comment.text.length, flags);
}

// Sources are numbered by chunk, in the order the reply first cites them.
function sourceGroups(view) {
  const groups = new Map();
  view.draft.citations.forEach((c, i) => {
    if (!groups.has(c.chunk_id)) groups.set(c.chunk_id, { n: groups.size + 1, title: c.title, doc: c.doc_id, quotes: [], sentences: [], citations: [] });
    const g = groups.get(c.chunk_id);
    if (!g.quotes.includes(c.quote)) g.quotes.push(c.quote);
    g.citations.push(i);
  });
  for (const s of view.sentences) {
    for (const i of s.citations) {
      const g = groups.get(view.draft.citations[i].chunk_id);
      if (!g.sentences.includes(s.index)) g.sentences.push(s.index);
    }
  }
  return groups;
}

function renderSentences(view) {
  const box = $("sentences");
  box.replaceChildren();
  const text = view.draft.text;
  const groups = sourceGroups(view);
  let pos = 0;
  for (const s of view.sentences) {
    if (s.start > pos) box.append(document.createTextNode(text.slice(pos, s.start)));
    const span = el("span", "sent");
    span.tabIndex = 0;
    span.dataset.index = s.index;
    const flags = s.flags.map((i) => [i, view.draft.flags[i]]);
    appendMarked(span, text, s.start, s.end, flags);
    const numbers = [...new Set(s.citations.map((i) => groups.get(view.draft.citations[i].chunk_id).n))];
    for (const n of numbers) {
      const g = [...groups.values()].find((x) => x.n === n);
      const ref = button("ref", String(n), (e) => { e.stopPropagation(); selectSource(n); });
      ref.dataset.source = n;
      ref.setAttribute("aria-label", tr("draft.sourceRef", { n, title: g.title }));
      span.append(ref);
    }
    if (!numbers.length) {
      span.classList.add("nosource");
      span.append(el("span", "nosrc", tr("draft.noSource")));
    }
    if (flags.length) span.classList.add(`flagged-${flags.map(([, f]) => f.severity).sort((x, y) => SEVERITY_ORDER[x] - SEVERITY_ORDER[y])[0]}`);
    span.addEventListener("mouseenter", () => describeSentence(s));
    span.addEventListener("focus", () => describeSentence(s));
    box.append(span);
    pos = s.end;
  }
  if (pos < text.length) box.append(document.createTextNode(text.slice(pos)));
}

function describeSentence(s) {
  const view = state.view;
  const box = $("sentence-source");
  box.replaceChildren(el("p", "box-title", tr("draft.sentence", { n: s.index + 1 })));
  if (!s.citations.length) box.append(el("p", "nosource-text", tr("draft.noSourceLong")));
  for (const i of s.citations) {
    const c = view.draft.citations[i];
    const p = el("p", "source-quote");
    p.append(el("strong", "", c.title), document.createTextNode(" "), el("q", "", c.quote), document.createTextNode(" "),
      el("span", "muted", c.doc_id));
    box.append(p);
  }
  if (s.flags.length) {
    const ul = el("ul", "sentence-flags");
    ul.setAttribute("aria-label", tr("draft.flagsHere"));
    for (const i of s.flags) {
      const f = view.draft.flags[i];
      ul.append(el("li", `sev-text ${f.severity}`, `${f.severity} · ${f.code}: ${f.message}`));
    }
    box.append(ul);
  }
}

function selectSource(n) {
  const groups = [...sourceGroups(state.view).values()];
  const g = groups.find((x) => x.n === n);
  state.source = state.source === n ? null : n;
  for (const span of $("sentences").querySelectorAll(".sent")) {
    span.classList.toggle("supports", state.source !== null && g.sentences.includes(Number(span.dataset.index)));
  }
  for (const li of $("citations").children) li.classList.toggle("selected", Number(li.dataset.source) === state.source);
  if (state.source === null) { $("sentence-source").replaceChildren(); return; }
  const box = $("sentence-source");
  box.replaceChildren(el("p", "box-title", tr("draft.sourceSelected", { n, list: listOf(g.sentences.map((x) => x + 1)) })));
  for (const q of g.quotes) {
    const p = el("p", "source-quote");
    p.append(el("strong", "", g.title), document.createTextNode(" "), el("q", "", q));
    box.append(p);
  }
}

function showSources(view) {
  const list = $("citations");
  list.replaceChildren();
  for (const g of sourceGroups(view).values()) {
    const li = el("li");
    li.dataset.source = g.n;
    const pick = button("source-pick", "", () => selectSource(g.n));
    pick.append(el("strong", "", g.title), document.createTextNode(" "));
    for (const q of g.quotes) pick.append(el("q", "", q), document.createTextNode(" "));
    pick.append(el("span", "supports-line", g.sentences.length
      ? tr("draft.supports", { list: listOf(g.sentences.map((x) => x + 1)) }) : tr("draft.supportsNone")));
    li.append(pick);
    list.append(li);
  }
  if (!list.children.length) list.append(el("li", "muted", tr("draft.noSources")));
}

function showFlags(view) {
  const draft = view.draft;
  const list = $("flags");
  list.replaceChildren();
  const inComment = new Set(view.comment_flags);
  const placed = new Set(view.sentences.flatMap((s) => s.flags));
  const order = draft.flags.map((f, i) => i)
    .sort((a, b) => SEVERITY_ORDER[draft.flags[a].severity] - SEVERITY_ORDER[draft.flags[b].severity]);
  for (const i of order) {
    const f = draft.flags[i];
    const li = el("li", `flag ${f.severity}`);
    li.dataset.code = f.code;
    li.dataset.severity = f.severity;
    li.append(el("span", `sev ${f.severity}`, f.severity), el("code", "", f.code), document.createTextNode(` ${f.message}`));
    const source = inComment.has(i) ? (state.comment && state.draft.kind === "reply" ? state.comment.text : "") : draft.text;
    if (f.span && (placed.has(i) || inComment.has(i)) && source) {
      const words = source.slice(f.span[0], f.span[1]);
      const quote = el("q", "flag-words", words.length > 90 ? `${words.slice(0, 87)}…` : words);
      li.append(document.createTextNode(" "), quote);
      if (inComment.has(i)) li.append(el("span", "muted", ` (${tr("draft.inComment")})`));
      li.append(document.createTextNode(" "), button("linkish", tr("draft.showSpan"), () => pointAt(i, inComment.has(i))));
    }
    list.append(li);
  }
  if (!draft.flags.length) list.append(el("li", "muted", tr("draft.noFlags")));
}

// A flag's words: highlighted where they are shown, and selected in the editor when they are the reply's.
function pointAt(i, inComment) {
  const root = inComment ? $("comment") : $("sentences");
  const marks = [...root.querySelectorAll("mark")].filter((m) => m.dataset.flags.split(" ").includes(String(i)));
  for (const m of document.querySelectorAll("mark.pointed")) m.classList.remove("pointed");
  for (const m of marks) m.classList.add("pointed");
  if (marks.length) marks[0].scrollIntoView({ block: "nearest" });
  const f = state.draft.flags[i];
  const area = $("draft-text");
  if (!inComment && area.value === state.draft.text) {
    area.focus();
    area.setSelectionRange(f.span[0], f.span[1]);
  }
}

function updateChars() {
  const text = $("draft-text").value;
  $("chars").textContent = tr("draft.chars", { n: text.length });
  $("unsaved").hidden = !state.draft || text === state.draft.text;
}

// ------------------------------------------------------------------ review actions

async function act(done, method, path, body) {
  const d = state.draft;
  if (!d) return;
  const mine = $("draft-text").value;
  try {
    const updated = await api(method, `/v1/drafts/${encodeURIComponent(d.id)}${path}`, { ...body, version: d.version });
    await openDraft(updated.id);
    $("conflict").hidden = true;
    say(tr(done, { status: tr(`status.${updated.status}`), version: updated.version }), "ok");
    await Promise.all([d.kind === "update" ? loadUpdates() : loadQueue(true), loadMetrics()]);
  } catch (err) {
    if (err.status === 409 && err.body.current) {
      if (err.body.code === "approval_blocked") {
        $("override").hidden = !err.body.can_override;
        say(err.message, "error");
        return;
      }
      await openDraft(err.body.current.id); // the current version; the user's text is kept aside
      if (mine !== err.body.current.text) {
        $("mine").textContent = mine;
        $("conflict").hidden = false;
      }
      say(tr("msg.conflict", { error: err.message }), "error");
      return;
    }
    report(err);
  }
}

function save() {
  return act("msg.saved", "PATCH", "", { text: $("draft-text").value });
}

function approve() {
  const d = state.draft;
  if (!d || $("approve").disabled) return;
  if ($("draft-text").value !== d.text) { say(tr("msg.saveFirst"), "error"); return; }
  act("msg.approved", "POST", "/approve", {});
}

function reject() {
  if ($("reject").disabled) return;
  const reason = $("reject-reason").value.trim();
  if (!reason) { say(tr("msg.rejectReason"), "error"); $("reject-reason").focus(); return; }
  act("msg.rejected", "POST", "/reject", { reason }).then(() => { $("reject-reason").value = ""; });
}

// ------------------------------------------------------------------ alerts

function alertItem(a, openIds) {
  const li = el("li", `alert alert-${a.kind}`);
  li.dataset.id = a.id;
  li.dataset.kind = a.kind;
  const head = el("p", "alert-head");
  head.append(el("span", `badge alert-kind ${a.kind}`, tr(`alert.${a.kind}`) + (a.term ? ` · ${a.term}` : "")),
    el("span", "muted", `${a.incident || tr("alerts.allIncidents")} · ${tr("alerts.since", {
      time: new Date(a.started_at).toLocaleTimeString(LANG, { hour: "2-digit", minute: "2-digit" }) })}`));
  li.append(head, el("p", "alert-message", a.message));
  // Volume is comments per bucket; the negative and topic alerts measure a share.
  const fmt = (x) => (a.kind === "volume_spike" ? String(Math.round(x * 10) / 10) : `${Math.round(x * 100)} %`);
  li.append(el("p", "muted", tr("alerts.numbers", { current: fmt(a.current), baseline: fmt(a.baseline), ratio: a.ratio.toFixed(1) })));
  if ((a.examples || []).length) {
    const details = el("details", "examples");
    details.open = openIds.has(a.id);
    details.append(el("summary", "", tr("alerts.examples", { n: a.examples.length })));
    const ul = el("ul");
    for (const ex of a.examples) ul.append(el("li", "", ex.text));
    details.append(ul);
    li.append(details);
  }
  return li;
}

async function loadAlerts() {
  const params = new URLSearchParams({ limit: "50" });
  if (state.incident) params.set("incident", state.incident);
  const ticket = ++latest.alerts;
  let page;
  try { page = await api("GET", `/v1/alerts?${params}`); } catch (err) { report(err); return; }
  if (ticket !== latest.alerts) return;
  const key = JSON.stringify(page.data);
  if (key === state.alerts) return;
  const first = state.alerts === null;
  state.alerts = key;
  const list = $("alerts");
  const openIds = new Set([...list.querySelectorAll("li")].filter((li) => li.querySelector("details[open]"))
    .map((li) => li.dataset.id));
  list.replaceChildren(...page.data.map((a) => alertItem(a, openIds)));
  const known = state.alertIds || new Set();
  const fresh = page.data.filter((a) => !known.has(a.id));
  state.alertIds = new Set(page.data.map((a) => a.id));
  const count = $("alert-count");
  count.hidden = !page.count;
  count.textContent = String(page.count);
  $("tab-alerts").classList.toggle("alerting", page.count > 0);
  $("alerts-status").textContent = !page.count ? tr("alerts.none")
    : (!first && fresh.length ? tr("alerts.new", { message: fresh[0].message }) : tr("alerts.count", { n: page.count }));
}

// ------------------------------------------------------------------ public updates

async function loadUpdates() {
  const ticket = ++latest.updates;
  $("draft-updates").disabled = !state.incident;
  $("updates-hint").textContent = state.incident ? "" : tr("updates.pickIncident");
  if (!state.incident) { state.updates = []; $("updates").replaceChildren(); return; }
  const params = new URLSearchParams({ kind: "update", status: "all", order: "created", limit: "200",
    incident: state.incident });
  try {
    const page = await api("GET", `/v1/queue?${params}`);
    if (ticket !== latest.updates) return;
    state.updates = page.data.reverse(); // newest first
    renderList($("updates"), state.updates);
    if (!page.count) $("updates-hint").textContent = tr("updates.none");
  } catch (err) { report(err); }
}

async function draftUpdates(event) {
  event.preventDefault();
  if (!state.incident) { say(tr("updates.pickIncident"), "error"); return; }
  const channels = [...document.querySelectorAll('input[name="channel"]:checked')].map((c) => c.value);
  if (!channels.length) { say(tr("updates.noChannel"), "error"); return; }
  $("draft-updates").disabled = true;
  try {
    const out = await api("POST", `/v1/incidents/${encodeURIComponent(state.incident)}/updates`,
      { kind: $("update-kind").value, channels, language: $("update-language").value });
    await loadUpdates();
    const first = out.updates.find((u) => u.draft_id);
    if (first) await openDraft(first.draft_id, null);
    say(tr("updates.drafted", { n: out.updates.length }), "ok");
  } catch (err) { report(err); } finally { $("draft-updates").disabled = !state.incident; }
}

// ------------------------------------------------------------------ batches

function batchLine(c) {
  return tr("batches.counts", { done: c.drafted + c.held + c.skipped, total: c.total, drafted: c.drafted,
    held: c.held, skipped: c.skipped, failed: c.failed, waiting: c.queued + c.running });
}

async function loadBatches() {
  try {
    const q = state.incident ? `?incident=${encodeURIComponent(state.incident)}` : "";
    const page = await api("GET", `/v1/batches${q}`);
    const list = $("batches");
    list.replaceChildren();
    if (!page.data.length) list.append(el("li", "muted", tr("batches.empty")));
    for (const b of page.data) {
      const li = el("li", "item");
      const open = button("item-open", "", () => openBatch(b.id));
      open.append(el("span", "line1", `${b.id} · ${b.source || ""}`), el("span", "text", batchLine(b.counts)));
      li.append(open);
      list.append(li);
    }
  } catch (err) { report(err); }
}

async function openBatch(id) {
  try {
    const path = `/v1/batches/${encodeURIComponent(id)}`;
    const [b, groups] = await Promise.all([api("GET", path), api("GET", `${path}/groups?members=true&limit=50`)]);
    state.batch = id;
    $("batch-view").hidden = false;
    $("batch-title").textContent = b.id;
    const done = b.counts.drafted + b.counts.held + b.counts.skipped;
    $("batch-progress").value = b.counts.total ? done / b.counts.total : 0;
    $("batch-counts").textContent = batchLine(b.counts);
    const list = $("groups");
    list.replaceChildren();
    if (!groups.data.length) list.append(el("li", "muted", tr("batches.noGroups")));
    for (const g of groups.data) list.append(groupItem(id, g));
  } catch (err) { report(err); }
}

function groupItem(batchId, g) {
  const li = el("li", "item group");
  li.append(el("span", "line1", tr("batches.group", { size: g.size, status: g.status, held: g.counts.held })));
  li.append(el("p", "core", g.core_text || tr("batches.noCore")));
  if (g.core_text && g.status !== "approved") {
    li.append(button("approve-core", tr("batches.approveCore"), () => approveCore(batchId, g)));
  }
  const members = el("ul", "members");
  for (const m of g.members) {
    const item = el("li");
    const label = `${m.author || tr("queue.anonymous")} · ${tr(`batchItem.${m.status}`)}`;
    if (m.draft_id) {
      item.append(button("member", label, () => openDraft(m.draft_id, { text: m.text, author: m.author })));
    } else {
      item.append(el("span", "muted", label));
    }
    members.append(item);
  }
  li.append(members);
  return li;
}

async function approveCore(batchId, g) {
  try {
    const path = `/v1/batches/${encodeURIComponent(batchId)}/groups/${g.id}/approve`;
    const result = await api("POST", path, { version: g.version });
    const count = (o) => result.outcomes.filter((x) => x.outcome === o).length;
    say(tr("batches.approved", { approved: count("approved"), held: count("held"), kept: count("kept") }), "ok");
    openBatch(batchId);
    loadQueue(true);
  } catch (err) { report(err); }
}

// ------------------------------------------------------------------ knowledge gaps

async function loadGaps() {
  const list = $("gaps");
  const status = $("gaps-status");
  if (!state.incident) { list.replaceChildren(); status.textContent = tr("gaps.pickIncident"); return; }
  try {
    const gaps = await api("GET", `/v1/incidents/${encodeURIComponent(state.incident)}/gaps`);
    status.textContent = gaps.count ? "" : tr("gaps.none");
    list.replaceChildren(...gaps.data.map(gapItem));
  } catch (err) {
    if (err.status === 404) { list.replaceChildren(); status.textContent = tr("gaps.none"); return; }
    report(err);
  }
}

function gapItem(g) {
  const li = el("li", "item gap");
  li.dataset.key = g.key;
  const reasons = Object.entries(g.reasons).map(([r, n]) => `${tr(`gaps.reason.${r}`)} ${n}`).join(", ");
  const languages = Object.keys(g.languages).join(", ");
  li.append(el("span", "line1", g.question),
    el("span", "text", tr("gaps.line", { count: g.count, reasons, languages })));
  if (g.entry_status !== "none") {
    li.append(el("span", `badge entry-${g.entry_status}`,
      tr(`gaps.entry.${g.entry_status}`, { doc: g.entry_doc_id })));
  } else if (isLead()) {
    li.append(button("gap-entry", tr("gaps.entry"), () => draftEntry(g)));
  }
  return li;
}

async function draftEntry(g) {
  try {
    const out = await api("POST", `/v1/incidents/${encodeURIComponent(state.incident)}/gaps/${g.key}/entry`);
    say(tr("gaps.entryDone", { doc: out.document.id }), "ok");
    loadGaps();
  } catch (err) { report(err); }
}

// ------------------------------------------------------------------ tabs and keyboard

const TABS = ["queue", "alerts", "updates", "batches", "gaps"];

function selectTab(name, focus) {
  state.tab = name;
  for (const t of TABS) {
    const tab = $(`tab-${t}`);
    const on = t === name;
    tab.setAttribute("aria-selected", String(on));
    tab.tabIndex = on ? 0 : -1;
    $(`panel-${t}`).hidden = !on;
    if (on && focus) tab.focus();
  }
  if (name === "alerts") loadAlerts();
  if (name === "updates") loadUpdates();
  if (name === "batches") loadBatches();
  if (name === "gaps") loadGaps();
}

function typing(target) {
  return target && (["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName) || target.isContentEditable);
}

function onKey(e) {
  if (e.key === "Escape" && typing(e.target)) { e.target.blur(); return; }
  if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s" && e.target === $("draft-text")) {
    e.preventDefault();
    save();
    return;
  }
  if (typing(e.target) || e.ctrlKey || e.metaKey || e.altKey || !state.me) return;
  const actions = {
    j: () => step(1), k: () => step(-1),
    e: () => $("draft-text").focus(),
    a: () => approve(),
    r: () => $("reject-reason").focus(),
    1: () => selectTab("queue", true), 2: () => selectTab("alerts", true), 3: () => selectTab("updates", true),
    4: () => selectTab("batches", true), 5: () => selectTab("gaps", true),
    "?": () => { $("shortcuts").open = true; $("shortcuts").querySelector("summary").focus(); },
  };
  const run = actions[e.key];
  if (!run || (["e", "a", "r"].includes(e.key) && !state.draft)) return;
  e.preventDefault();
  run();
}

function onTabKey(e) {
  const at = TABS.indexOf(state.tab);
  const go = { ArrowRight: at + 1, ArrowLeft: at - 1, Home: 0, End: TABS.length - 1 }[e.key];
  if (go === undefined) return;
  e.preventDefault();
  selectTab(TABS[(go + TABS.length) % TABS.length], true);
}

// ------------------------------------------------------------------ wiring

document.addEventListener("DOMContentLoaded", () => {
  $("ui-lang").value = LANG;
  applyI18n();
  $("ui-lang").addEventListener("change", () => {
    setLanguage($("ui-lang").value);
    if (state.me) {
      $("who-name").textContent = `${state.me.name || state.me.key_id} · ${state.me.role}`;
      loadIncidents();
      loadQueue(true);
      state.alerts = null;
      loadAlerts();
      loadMetrics();
      if (state.tab === "updates") loadUpdates();
      if (state.view) show(state.view);
    }
  });
  $("login").addEventListener("submit", (e) => {
    e.preventDefault();
    const key = $("key").value.trim();
    if (key) signIn(key);
  });
  $("logout").addEventListener("click", signOut);
  $("incident").addEventListener("change", () => chooseIncident($("incident").value));
  $("incident-form").addEventListener("submit", registerIncident);
  $("refresh").addEventListener("click", () => loadQueue(true));
  for (const id of ["status-filter", "order", "escalate-filter", "intent-filter"]) {
    $(id).addEventListener("change", () => loadQueue(true));
  }
  $("more").addEventListener("click", () => loadQueue(false));
  for (const t of TABS) {
    $(`tab-${t}`).addEventListener("click", () => selectTab(t, false));
    $(`tab-${t}`).addEventListener("keydown", onTabKey);
  }
  $("updates-form").addEventListener("submit", draftUpdates);
  $("gaps-refresh").addEventListener("click", loadGaps);
  $("open-report").addEventListener("click", openReport);
  $("draft-brief").addEventListener("click", draftBrief);
  $("batches-refresh").addEventListener("click", () => { loadBatches(); if (state.batch) openBatch(state.batch); });
  $("draft-text").addEventListener("input", updateChars);
  $("save").addEventListener("click", save);
  $("approve").addEventListener("click", approve);
  $("approve-override").addEventListener("click", () => {
    const reason = $("override-reason").value.trim();
    if (!reason) { say(tr("msg.overrideReason"), "error"); return; }
    act("msg.overridden", "POST", "/approve", { override_reason: reason });
  });
  $("reject").addEventListener("click", reject);
  $("reject-reason").addEventListener("keydown", (e) => { if (e.key === "Enter") { e.preventDefault(); reject(); } });
  $("mark-posted").addEventListener("click", () => act("msg.posted", "POST", "/posted", { url: $("posted-url").value.trim() }));
  $("use-mine").addEventListener("click", () => { $("draft-text").value = $("mine").textContent; updateChars(); });
  document.addEventListener("keydown", onKey);
  const saved = sessionStorage.getItem(KEY);
  if (saved) signIn(saved);
});
