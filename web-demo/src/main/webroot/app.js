// The Chorus board: kanban columns, a plan, a task list, presence, conflicts, a demo agent.
// All state comes from the server through chorus-client.js; this module renders it and turns the
// user's gestures into protocol ops.

import { ChorusClient, splitPath, dominates } from "./chorus-client.js";
import { h, fill, avatar, kindChip, timeAgo, clockTime, toast, labelColor, show, colorFor, robot } from "./ui.js";
import { sortable } from "./drag.js";
import { sessionNameProblem } from "./session-name.js";
import { ActivityFeed } from "./feed.js";

const CARD_STATUS = ["todo", "doing", "done", "cancelled"];
const STATUS_LABEL = { todo: "To do", doing: "Doing", done: "Done", cancelled: "Cancelled", skipped: "Skipped" };
const FIELD_LABEL = { title: "title", description: "description", assignee: "assignee", status: "status", labels: "labels", column: "column" };

const params = new URLSearchParams(location.search);

/** Everything the board knows; exposed as window.chorus for debugging and tests. */
const app = {
  client: null,
  session: null,
  me: { name: null },
  editing: null, // {type, id, field, view, original, input}
  dragging: false,
  renderQueued: false,
  cardNodes: new Map(),
  stepNodes: new Map(),
  taskNodes: new Map(),
  columnNodes: new Map(),
  dialogKey: null,
  agent: { available: false, running: false, actor: null },
  feed: null,
  conflictNotices: new Map(), // item → conflicts opened on it, not told yet
};
window.chorus = app;
// uncaught errors are kept for whoever looks (and the browser tests check there are none)
app.errors = [];
window.addEventListener("error", (e) => app.errors.push(String(e.message || e.error)));
window.addEventListener("unhandledrejection", (e) => app.errors.push("unhandled rejection: " + String(e.reason && (e.reason.stack || e.reason))));

// ====================================================================== boot

boot();

async function boot() {
  // the name is per tab (a second tab of the same browser can be a second person); the last
  // one typed is only offered as the default
  const session = params.get("session");
  const name = params.get("name") || sessionStorage.getItem("chorus.name");
  const token = params.get("token") || (location.hash.startsWith("#token=") ? decodeURIComponent(location.hash.slice(7)) : null);
  if (!session || !name) return showJoin(session, name);
  const problem = sessionNameProblem(session);
  if (problem) return showJoin(session, name, false, problem);
  start(session, name, token);
}

function randomSessionName() {
  const a = ["amber", "brisk", "calm", "dapper", "eager", "fancy", "gentle", "hazel", "jolly", "lucky", "mellow", "nimble", "quiet", "rapid", "sunny", "tidy"];
  const b = ["otter", "falcon", "maple", "harbor", "comet", "meadow", "lantern", "pebble", "willow", "canyon", "ember", "orchid"];
  const pick = (x) => x[Math.floor(Math.random() * x.length)];
  return `${pick(a)}-${pick(b)}-${Math.floor(Math.random() * 90 + 10)}`;
}

function recentSessions() {
  try {
    return JSON.parse(localStorage.getItem("chorus.recent") || "[]");
  } catch (e) {
    return [];
  }
}

function rememberSession(s) {
  const r = [s, ...recentSessions().filter((x) => x !== s)].slice(0, 6);
  localStorage.setItem("chorus.recent", JSON.stringify(r));
}

/** The landing form; `problem` (a bad name, or the server's refusal) is shown under the session. */
function showJoin(session, name, needToken, problem) {
  document.getElementById("join").hidden = false;
  document.getElementById("app").hidden = true;
  const nameIn = document.getElementById("join-name");
  const sessIn = document.getElementById("join-session");
  const error = document.getElementById("join-error");
  nameIn.value = name || localStorage.getItem("chorus.name") || "";
  sessIn.value = session || randomSessionName();
  document.getElementById("join-token-row").hidden = !needToken;
  const recent = recentSessions().filter((s) => !sessionNameProblem(s));
  fill(
    document.getElementById("join-recent"),
    recent.length ? h("span.muted", "Recent:") : null,
    recent.map((s) => h("button.link", { type: "button", onclick: () => ((sessIn.value = s), check()) }, s))
  );
  const say = (text) => {
    error.hidden = !text;
    error.textContent = text || "";
    sessIn.setCustomValidity(text || "");
    sessIn.toggleAttribute("aria-invalid", !!text);
  };
  const check = () => {
    const p = sessionNameProblem(sessIn.value.trim());
    say(p);
    return !p;
  };
  sessIn.oninput = check;
  say(problem || null);
  (nameIn.value ? sessIn : nameIn).focus();
  if (nameIn.value && session && !problem) nameIn.select(); // joining a shared link: confirm or change the name
  document.getElementById("join-form").onsubmit = (e) => {
    e.preventDefault();
    if (!check()) return sessIn.focus();
    localStorage.setItem("chorus.name", nameIn.value.trim());
    sessionStorage.setItem("chorus.name", nameIn.value.trim());
    const q = new URLSearchParams({ session: sessIn.value.trim() });
    const tok = document.getElementById("join-token").value.trim();
    location.href = "?" + q.toString() + (tok ? "#token=" + encodeURIComponent(tok) : "");
  };
}

async function start(session, name, fixedToken) {
  app.session = session;
  app.me.name = name;
  rememberSession(session);
  document.title = `${session} · Chorus`;
  document.getElementById("join").hidden = true;
  document.getElementById("app").hidden = false;
  document.getElementById("session-chip").textContent = session;

  let cached = null;
  const token = async ({ renew } = {}) => {
    if (fixedToken) return fixedToken;
    if (cached && !renew && cached.expiresAt - Date.now() > 60000) return cached.token;
    const r = await fetch("/v1/demo/token", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ actor: name, kind: "human", session, role: "editor" }),
    });
    if (r.status === 404) {
      app.client.setOffline(true);
      showJoin(session, name, true);
      throw new Error("this node is not in demo mode");
    }
    if (r.status >= 400 && r.status < 500 && r.status !== 429) {
      // refused for good (a bad session name, a remote client): retrying cannot help, say why
      const body = await r.json().catch(() => ({}));
      app.client.setOffline(true);
      showJoin(session, name, false, `The server refused this board: ${body.message || "HTTP " + r.status}`);
      throw new Error("token refused: " + (body.code || r.status));
    }
    if (!r.ok) throw new Error("token: HTTP " + r.status);
    cached = await r.json();
    return cached.token;
  };
  app.token = token;

  let clientId = sessionStorage.getItem("chorus.clientId");
  if (!clientId) {
    clientId = "tab-" + Math.random().toString(36).slice(2, 8);
    sessionStorage.setItem("chorus.clientId", clientId);
  }
  const client = new ChorusClient({ session, token, clientId, storage: sessionStorage });
  app.client = client;
  client.on("state", scheduleRender);
  client.on("status", () => {
    renderStatus();
    if (client.status === "online") publishPresence();
  });
  client.on("conflict", onConflictEvent);
  setupFeed(session, client);
  client.on("rejected", (r) => toast(`Not applied: ${r.label || "an edit"} — ${r.message}`, "error", 6000));
  client.on("error", (e) => {
    if (!e.batchId && e.code !== "shutting_down") console.warn("chorus error", e);
    if (e.code === "shutting_down") toast("The server is restarting; reconnecting…", "warn");
  });
  client.setPresence(presenceState());
  if (client.queue.length) toast(`${client.queue.length} unsent edit batch(es) restored from before the reload`, "info");
  client.connect();
  scheduleRender();

  setupChrome();
  setupBoard();
  setupSide();
  checkAgent();
  setInterval(() => {
    if (!app.editing && !app.dragging) renderTimes();
  }, 15000);
  window.addEventListener("online", () => client.retryNow());
}

// ====================================================================== helpers: doc access

const doc = () => app.client && app.client.doc;

function columns(d = doc()) {
  return (d && d.board && Array.isArray(d.board.columns) ? d.board.columns : []).filter((c) => c && c.value);
}

/** {card, colEl, index} for a card element id (temp ids are mapped to real ones). */
function findCard(id, d = doc()) {
  const ids = new Set([id, app.client.realId(id)]);
  for (const col of columns(d)) {
    const cards = Array.isArray(col.value.cards) ? col.value.cards : [];
    const i = cards.findIndex((c) => ids.has(c.id));
    if (i >= 0) return { el: cards[i], card: cards[i].value || {}, col, index: i };
  }
  return null;
}

function cardPath(id) {
  const f = findCard(id);
  const colId = f ? f.col.id : app.lastColumnOf?.get(id);
  return `board/columns/${colId}/cards/${f ? f.el.id : id}`;
}

function cardTitle(id) {
  const f = findCard(id);
  return f ? f.card.title || "untitled" : "a deleted card";
}

function steps(d = doc()) {
  return d && Array.isArray(d.plan) ? d.plan : [];
}

function stepValue(s) {
  return typeof s.value === "string" ? { title: s.value } : s.value || {};
}

function tasks(d = doc()) {
  const t = d && d.tasks && typeof d.tasks === "object" ? d.tasks : {};
  return Object.entries(t)
    .filter(([, v]) => v && typeof v === "object")
    .sort(([ka, a], [kb, b]) => (a.created || 0) - (b.created || 0) || ka.localeCompare(kb));
}

function columnName(listPath) {
  const s = splitPath(listPath);
  const col = columns().find((c) => c.id === s[2]);
  return col ? col.value.title : listPath;
}

function labelsOf(card) {
  const l = card.labels;
  if (Array.isArray(l)) return l.map((x) => ({ id: x.id, text: typeof x.value === "string" ? x.value : show(x.value) }));
  return [];
}

function submit(ops, label, view) {
  return app.client.submit(ops, { label, view });
}

// ====================================================================== conflicts

/** What a conflict is about: {type: card|step|task|other, id, field}. */
function conflictTarget(c) {
  const s = splitPath(c.path);
  if (s[0] === "board" && s[1] === "columns" && s[3] === "cards" && s[4]) {
    return { type: "card", id: s[4], field: c.kind === "move_vs_move" ? "column" : s[5] || null };
  }
  if (s[0] === "plan" && s[1]) return { type: "step", id: s[1], field: s[2] || null };
  if (s[0] === "tasks" && s[1]) return { type: "task", id: s[1], field: s[2] || null };
  return { type: "other", id: c.path, field: null };
}

function conflictsByItem() {
  const m = new Map();
  for (const c of app.client.conflicts.values()) {
    const t = conflictTarget(c);
    const k = t.type + ":" + t.id;
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(c);
  }
  return m;
}

/** The conflict's path now (a card may have moved to another column since it opened). */
function currentPath(c) {
  const t = conflictTarget(c);
  if (t.type !== "card") return c.path;
  const s = splitPath(c.path);
  const f = findCard(t.id);
  if (f) s[2] = f.col.id;
  return s.join("/");
}

/** Conflicts opened on one item arrive one frame each: a moment's wait tells them as one notice. */
function onConflictEvent(ev) {
  if (ev.type !== "opened") return;
  const t = conflictTarget(ev.conflict);
  const key = t.type + ":" + t.id;
  const opened = app.conflictNotices.get(key) || [];
  opened.push(ev.conflict);
  app.conflictNotices.set(key, opened);
  if (opened.length > 1) return;
  setTimeout(() => {
    app.conflictNotices.delete(key);
    for (const d of decisions(opened)) {
      const c = d.move || d;
      const who = c.intents.map((i) => i.author.id).filter((v, i, a) => a.indexOf(v) === i);
      const what = d.move ? `where “${cardTitle(t.id)}” goes` : describeTarget(conflictTarget(c));
      toast(`⚡ Conflict on ${what} (${who.join(" vs ")}) — open the badge to decide`, "warn", 6000);
    }
  }, 300);
}

function describeTarget(t) {
  if (t.type === "card") return `${t.field ? FIELD_LABEL[t.field] || t.field : "card"} of “${cardTitle(t.id)}”`;
  if (t.type === "step") {
    const s = steps().find((x) => x.id === t.id);
    return `step “${s ? stepValue(s).title : "?"}”`;
  }
  if (t.type === "task") {
    const task = doc()?.tasks?.[t.id];
    return `task “${task ? task.title : t.id}”${t.field ? " (" + t.field + ")" : ""}`;
  }
  return t.id;
}

// ====================================================================== rendering

function scheduleRender() {
  if (app.renderQueued) return;
  app.renderQueued = true;
  setTimeout(() => {
    app.renderQueued = false;
    render();
  }, 0);
}

function render() {
  if (app.dragging) {
    app.renderAfterDrag = true;
    return;
  }
  const d = doc();
  renderStatus();
  if (!d) return;
  app.rendering = true;
  try {
    const byItem = conflictsByItem();
    const pres = presenceByItem();
    renderBoard(d, byItem, pres);
    renderPlan(d, byItem, pres);
    renderTasks(d, byItem, pres);
    renderPeople();
    renderAgentButton();
    renderDialog();
  } finally {
    app.rendering = false;
  }
  if (app.editing && app.editing.input && document.activeElement !== app.editing.input && app.editing.input.isConnected) {
    app.editing.input.focus({ preventScroll: true });
  }
}

function renderTimes() {
  for (const el of document.querySelectorAll("[data-time]")) el.textContent = timeAgo(Number(el.dataset.time));
}

/** Puts `nodes` into `container` in order, moving as few as possible; drops the rest. */
function reconcile(container, nodes) {
  let i = 0;
  for (const node of nodes) {
    const cur = container.children[i];
    if (cur !== node) container.insertBefore(node, cur || null);
    i++;
  }
  while (container.children.length > nodes.length) container.lastElementChild.remove();
}

/** Finds the node for `key` in `map`, re-keying a node made for a temporary id that became `key`. */
function nodeFor(map, key, create) {
  let n = map.get(key);
  if (!n) {
    for (const [k, node] of map) {
      if (k !== key && app.client.realId(k) === key) {
        map.delete(k);
        n = node;
        n.dataset.id = key;
        if (app.editing && app.editing.id === k) app.editing.id = key;
        break;
      }
    }
  }
  if (!n) n = create(key);
  map.set(key, n);
  return n;
}

// ---------------------------------------------------------------- status, banner

function renderStatus() {
  const c = app.client;
  if (!c) return;
  const conn = document.getElementById("conn");
  conn.dataset.status = c.status;
  conn.textContent = c.status === "online" ? "online" : c.status === "connecting" ? "connecting…" : "offline";
  const tog = document.getElementById("offline-toggle");
  tog.textContent = c.manualOffline ? "Go online" : "Go offline";
  tog.classList.toggle("active", c.manualOffline);
  const n = c.queue.reduce((a, b) => a + b.ops.length, 0);
  const sync = document.getElementById("sync");
  sync.dataset.pending = String(n);
  sync.textContent = n === 0 ? "✓ saved" : c.status === "online" ? `saving ${n}…` : `${n} edit${n === 1 ? "" : "s"} queued`;
  const banner = document.getElementById("banner");
  if (c.status === "online") {
    banner.hidden = true;
  } else {
    banner.hidden = false;
    const queued = n === 0 ? " Keep editing: your edits are queued." : n === 1 ? " 1 edit queued — it will be sent once you are back." : ` ${n} edits queued — they will be sent once you are back.`;
    fill(
      banner,
      h("span.banner-icon", c.status === "connecting" ? "⟳" : "⚠"),
      h("strong", c.manualOffline ? "You are offline." : c.status === "connecting" ? "Connecting…" : "Connection lost."),
      h("span", queued),
      c.manualOffline
        ? h("button", { onclick: () => c.setOffline(false) }, "Go online")
        : c.status === "offline"
        ? h("button", { onclick: () => c.retryNow() }, "Reconnect now")
        : null
    );
    banner.dataset.status = c.status;
  }
}

// ---------------------------------------------------------------- board

function renderBoard(d, byItem, pres) {
  const board = document.getElementById("board");
  const cols = columns(d);
  app.lastColumnOf = app.lastColumnOf || new Map();
  const colNodes = cols.map((col) => nodeFor(app.columnNodes, col.id, createColumn));
  reconcile(board, colNodes);
  cols.forEach((col, i) => {
    const node = colNodes[i];
    node.dataset.col = col.value.id || col.id;
    node.querySelector(".col-title").textContent = col.value.title || "Untitled";
    const cards = Array.isArray(col.value.cards) ? col.value.cards : [];
    node.querySelector(".col-count").textContent = cards.length;
    const list = node.querySelector(".cards");
    const cardNodes = cards.map((c) => {
      app.lastColumnOf.set(c.id, col.id);
      const n = nodeFor(app.cardNodes, c.id, createCard);
      updateCard(n, c.id, c.value || {}, col, byItem.get("card:" + c.id) || [], pres.get("card:" + c.id) || []);
      return n;
    });
    reconcile(list, cardNodes);
    node.classList.toggle("empty", cards.length === 0);
  });
  for (const [k, n] of app.cardNodes) if (!n.isConnected) app.cardNodes.delete(k);
}

function createColumn(id) {
  const addForm = h(
    "form.add-card",
    {
      onsubmit: (e) => {
        e.preventDefault();
        const input = addForm.querySelector("input");
        const title = input.value.trim();
        if (!title) return;
        addCard(node.dataset.id, title);
        input.value = "";
        input.focus();
      },
    },
    h("input", { placeholder: "+ Add a card", maxlength: 200, "aria-label": "add a card" })
  );
  const node = h(
    "section.column",
    { dataset: { id, dropZone: "" } },
    h("header.col-head", h("h3.col-title"), h("span.col-count")),
    h("div.cards"),
    addForm
  );
  return node;
}

function createCard(id) {
  const node = h(
    "article.card",
    { dataset: { id }, tabindex: 0 },
    h("div.card-head", h("div.field.title", { dataset: { field: "title" } }), h("span.badge-slot"), h("button.card-del", { title: "Delete card", type: "button" }, "×")),
    h("div.field.description", { dataset: { field: "description" } }),
    h("div.field.labels", { dataset: { field: "labels" } }),
    h("div.card-foot", h("span.field.status", { dataset: { field: "status" } }), h("span.steps"), h("span.field.assignee", { dataset: { field: "assignee" } })),
    h("div.card-presence")
  );
  return node;
}

function updateCard(node, id, card, col, conflicts, viewers) {
  node.dataset.id = id;
  node.dataset.col = col.value.id || col.id;
  node.classList.toggle("pending", app.client.isTemp(id));
  const conflictFields = new Set(conflicts.map((c) => conflictTarget(c).field));
  // badge
  const slot = node.querySelector(".badge-slot");
  fill(
    slot,
    conflicts.length
      ? h(
          "button.conflict-badge",
          { type: "button", title: "Open conflict", onclick: (e) => (e.stopPropagation(), openDialog("card:" + id)) },
          "⚡ ",
          decisions(conflicts).length === 1 ? "conflict" : decisions(conflicts).length + " conflicts"
        )
      : null
  );
  node.classList.toggle("has-conflict", conflicts.length > 0);
  node.classList.toggle("column-conflict", conflictFields.has("column") || conflictFields.has(null));
  // fields (a field being edited here is left alone)
  const set = (field, render) => {
    const el = node.querySelector(`.field[data-field="${field}"]`);
    el.classList.toggle("conflicted", conflictFields.has(field));
    const watcher = viewers.find((p) => p.state.focus && p.state.focus.field === field);
    el.classList.toggle("watched", !!watcher);
    el.style.setProperty("--watch", watcher ? colorFor(watcher.state.name || watcher.actor.id) : "transparent");
    if (isEditing("card", id, field)) {
      markStale(el, card[field]);
      return;
    }
    render(el);
  };
  set("title", (el) => fill(el, card.title || h("span.placeholder", "Untitled")));
  set("description", (el) => fill(el, card.description ? card.description : h("span.placeholder", "Add a description…")));
  set("labels", (el) =>
    fill(
      el,
      labelsOf(card).map((l) =>
        h(
          "span.label",
          { style: { "--lc": labelColor(l.text) }, dataset: { label: l.text } },
          l.text,
          h("button.label-x", { type: "button", title: "Remove label", dataset: { labelId: l.id } }, "×")
        )
      ),
      h("button.label-add", { type: "button", title: "Add a label" }, "+ label")
    )
  );
  set("status", (el) => {
    const s = card.status || "";
    el.dataset.status = s;
    fill(el, s ? STATUS_LABEL[s] || s : h("span.placeholder", "status"));
  });
  set("assignee", (el) =>
    fill(el, card.assignee ? [avatar(actorNamed(card.assignee), { small: true }), h("span.assignee-name", card.assignee)] : h("span.placeholder", "unassigned"))
  );
  const linked = steps().filter((s) => stepValue(s).card === id || stepValue(s).card === app.client.realId(id));
  const done = linked.filter((s) => stepValue(s).status === "done").length;
  fill(node.querySelector(".steps"), linked.length ? h("span.steps-chip", { title: "plan steps" }, `☰ ${done}/${linked.length}`) : null);
  fill(
    node.querySelector(".card-presence"),
    viewers.map((p) =>
      h(
        "span.presence-tag",
        { style: { "--c": colorFor(p.state.name || p.actor.id) } },
        p.actor.kind === "agent" ? [robot(), " "] : "✎ ",
        p.state.name || p.actor.id,
        p.state.focus && p.state.focus.field ? ` · ${FIELD_LABEL[p.state.focus.field] || p.state.focus.field}` : ""
      )
    )
  );
}

/** An actor object for a name (agents are recognised from presence). */
function actorNamed(name) {
  for (const p of app.client.presence.values()) {
    if (p.actor.id === name || p.state?.name === name) return { id: name, kind: p.actor.kind };
  }
  if (app.agent.actor && app.agent.actor === name) return { id: name, kind: "agent" };
  return { id: name, kind: "human" };
}

function isEditing(type, id, field) {
  const e = app.editing;
  return e && e.type === type && app.client.realId(e.id) === app.client.realId(id) && e.field === field;
}

function markStale(el, current) {
  const e = app.editing;
  const now = JSON.stringify(current ?? null);
  const stale = now !== JSON.stringify(e.original ?? null);
  el.classList.toggle("stale", stale);
  let hint = el.querySelector(".stale-hint");
  if (stale && !hint) el.append((hint = h("div.stale-hint")));
  if (stale) hint.textContent = `Changed meanwhile to “${show(current)}” — saving will keep both as a conflict`;
  if (!stale && hint) hint.remove();
}

function addCard(colId, title) {
  const col = columns().find((c) => c.id === colId);
  if (!col) return;
  const cards = Array.isArray(col.value.cards) ? col.value.cards : [];
  const after = cards.length ? cards[cards.length - 1].id : null;
  const status = CARD_STATUS.includes(col.value.id) ? col.value.id : "todo";
  submit(
    [{ op: "insert", path: `board/columns/${colId}/cards`, after, value: { title, description: "", assignee: null, status, labels: [] } }],
    `add card “${title}”`
  );
}

function setupBoard() {
  const board = document.getElementById("board");
  sortable(board, {
    item: ".card",
    list: ".cards",
    ignore: "input, textarea, select, button, .editing",
    dragging: (on) => {
      app.dragging = on;
      if (!on && app.renderAfterDrag) {
        app.renderAfterDrag = false;
        scheduleRender();
      }
    },
    drop: (item, list, after) => {
      const id = item.dataset.id;
      const colId = list.closest(".column").dataset.id;
      const f = findCard(id);
      if (!f) return;
      const toCol = columns().find((c) => c.id === colId);
      const from = cardPath(id);
      const ops = [];
      if (toCol && f.col.id !== colId && CARD_STATUS.includes(toCol.value.id) && f.card.status !== toCol.value.id) {
        ops.push({ op: "set", path: from + "/status", value: toCol.value.id });
      }
      ops.push({ op: "move", path: from, to: `board/columns/${colId}/cards`, after: after ? after.dataset.id : null });
      submit(ops, `move “${f.card.title}” to ${toCol ? toCol.value.title : "?"}`);
      // show it where it was dropped at once (the optimistic doc will agree)
      list.insertBefore(item, after ? after.nextElementSibling : list.firstElementChild);
    },
  });
  board.addEventListener("click", (e) => {
    const card = e.target.closest(".card");
    if (!card) return;
    const id = card.dataset.id;
    if (e.target.closest(".card-del")) return deleteCard(id);
    const lx = e.target.closest(".label-x");
    if (lx) {
      submit([{ op: "delete", path: `${cardPath(id)}/labels/${lx.dataset.labelId}` }], "remove label");
      return;
    }
    if (e.target.closest(".label-add")) return editCardField(card, id, "labels");
    const field = e.target.closest(".field");
    if (!field || field.classList.contains("editing")) return;
    if (field.classList.contains("conflicted")) return openDialog("card:" + id);
    editCardField(card, id, field.dataset.field);
  });
}

/** Deletes a card, with an Undo that puts a copy back where it was. */
function deleteCard(id) {
  const f = findCard(id);
  if (!f) return;
  const value = {
    title: f.card.title || "",
    description: typeof f.card.description === "string" ? f.card.description : "",
    assignee: f.card.assignee ?? null,
    status: f.card.status || "todo",
    labels: labelsOf(f.card).map((l) => l.text),
  };
  const colId = f.col.id;
  const before = f.index > 0 ? f.col.value.cards[f.index - 1].id : null;
  const linked = steps().filter((st) => [id, app.client.realId(id)].includes(stepValue(st).card));
  submit([{ op: "delete", path: cardPath(id) }], `delete “${value.title}”`);
  toast(`Deleted “${value.title}”`, "info", 10000, {
    label: "Undo",
    run: () => {
      // the card comes back as a new element (a deleted one cannot be revived): after the card
      // that preceded it if that one is still there, and its plan steps point at the copy
      const col = columns().find((c) => c.id === colId);
      if (!col) return toast("Its column is gone", "warn");
      const after = before && (col.value.cards || []).some((c) => c.id === before) ? before : null;
      const { promise, ids } = submit([{ op: "insert", path: `board/columns/${colId}/cards`, after, value }], `restore “${value.title}”`);
      promise.then(() => {
        const newId = app.client.realId(ids[0]);
        const relink = linked.filter((st) => steps().some((x) => x.id === st.id) && typeof st.value === "object");
        if (!app.client.isTemp(newId) && relink.length) submit(relink.map((st) => ({ op: "set", path: `plan/${st.id}/card`, value: newId })), "relink plan steps");
      });
    },
  });
}

// ---------------------------------------------------------------- inline editing

/**
 * Turns a field into an editor. The view (version) is taken now: the write is based on what the
 * user saw when they started typing, so a change someone made meanwhile is kept as a conflict.
 */
function beginEdit({ type, id, field, el, original, kind, options, placeholder, commit }) {
  if (app.editing) endEdit(true);
  const view = app.client.view();
  let input;
  if (kind === "select") {
    input = h("select.editor", options.map((o) => h("option", { value: o, selected: o === original }, STATUS_LABEL[o] || o)));
  } else if (kind === "textarea") {
    input = h("textarea.editor", { rows: 3, placeholder }, original || "");
  } else {
    input = h("input.editor", { value: original == null ? "" : String(original), placeholder, maxlength: 500 });
    if (kind === "people") {
      const listId = "people-options";
      input.setAttribute("list", listId);
      let dl = document.getElementById(listId);
      if (!dl) document.body.append((dl = h("datalist#" + listId)));
      fill(dl, knownPeople().map((n) => h("option", { value: n })));
    }
  }
  app.editing = { type, id, field, view, original, input, commit };
  el.classList.add("editing");
  if (kind === "labels") el.append(input);
  else fill(el, input);
  input.addEventListener("keydown", (e) => {
    if (e.key === "Escape") {
      e.preventDefault();
      endEdit(false);
    } else if (e.key === "Enter" && (kind !== "textarea" || e.ctrlKey || e.metaKey)) {
      e.preventDefault();
      endEdit(true);
    }
  });
  input.addEventListener("blur", () => {
    if (app.rendering) return; // a re-render moved the node; focus comes back
    setTimeout(() => {
      if (app.editing && app.editing.input === input && document.activeElement !== input) endEdit(true);
    }, 0);
  });
  if (kind === "select") input.addEventListener("change", () => endEdit(true));
  input.focus();
  if (input.select && kind !== "select") input.select();
  publishPresence();
}

function endEdit(commit) {
  const e = app.editing;
  if (!e) return;
  app.editing = null;
  const raw = e.input.value;
  if (commit) e.commit(raw, e);
  publishPresence();
  scheduleRender();
  // re-render the field right away even if nothing changed
  const n = e.type === "card" ? app.cardNodes.get(app.client.realId(e.id)) || app.cardNodes.get(e.id) : null;
  if (n) n.querySelector(`.field[data-field="${e.field}"]`)?.classList.remove("editing", "stale");
  document.querySelectorAll(".editing").forEach((x) => x.classList.remove("editing", "stale"));
}

function editCardField(node, id, field) {
  const f = findCard(id);
  if (!f) return;
  const el = node.querySelector(`.field[data-field="${field}"]`);
  const card = f.card;
  const label = `${field} of “${card.title || "card"}”`;
  const setField = (value, e) => {
    if (JSON.stringify(value) === JSON.stringify(e.original ?? null) && JSON.stringify(value) === JSON.stringify(findCard(id)?.card[field] ?? null)) return;
    submit([{ op: "set", path: `${cardPath(id)}/${field}`, value }], label, e.view);
  };
  if (field === "title") {
    beginEdit({ type: "card", id, field, el, original: card.title || "", placeholder: "Title", commit: (v, e) => v.trim() && setField(v.trim(), e) });
  } else if (field === "description") {
    beginEdit({ type: "card", id, field, el, kind: "textarea", original: card.description || "", placeholder: "Describe it… (Ctrl+Enter saves)", commit: (v, e) => setField(v, e) });
  } else if (field === "assignee") {
    beginEdit({ type: "card", id, field, el, kind: "people", original: card.assignee ?? null, placeholder: "who?", commit: (v, e) => setField(v.trim() || null, e) });
  } else if (field === "status") {
    beginEdit({
      type: "card",
      id,
      field,
      el,
      kind: "select",
      options: CARD_STATUS,
      original: card.status || "todo",
      commit: (v, e) => {
        // a status that names a column takes the card there, as a drag would (one batch)
        const cur = findCard(id);
        const col = columns().find((c) => c.value.id === v);
        if (!cur || !col || col.id === cur.col.id) return setField(v, e);
        if (v === (cur.card.status || "")) return;
        const cards = (col.value.cards || []).filter((c) => c.id !== cur.el.id);
        const path = cardPath(id);
        submit(
          [
            { op: "set", path: `${path}/status`, value: v },
            { op: "move", path, to: `board/columns/${col.id}/cards`, after: cards.length ? cards[cards.length - 1].id : null },
          ],
          `move “${cur.card.title}” to ${col.value.title}`,
          e.view
        );
      },
    });
  } else if (field === "labels") {
    beginEdit({
      type: "card",
      id,
      field,
      el,
      kind: "labels",
      original: card.labels,
      placeholder: "label",
      commit: (v, e) => {
        const text = v.trim();
        if (!text) return;
        const cur = findCard(id)?.card;
        if (cur && Array.isArray(cur.labels)) {
          if (labelsOf(cur).some((l) => l.text === text)) return;
          const last = cur.labels.length ? cur.labels[cur.labels.length - 1].id : null;
          submit([{ op: "insert", path: `${cardPath(id)}/labels`, after: last, value: text }], `label “${text}”`, e.view);
        } else {
          submit([{ op: "set", path: `${cardPath(id)}/labels`, value: [text] }], `label “${text}”`, e.view);
        }
      },
    });
  }
}

function knownPeople() {
  const s = new Set();
  for (const p of app.client.presence.values()) s.add(p.state?.name || p.actor.id);
  s.add(app.me.name);
  for (const col of columns()) for (const c of col.value.cards || []) if (c.value && c.value.assignee) s.add(c.value.assignee);
  return [...s].filter(Boolean).sort();
}

// ---------------------------------------------------------------- plan

function renderPlan(d, byItem, pres) {
  const list = document.getElementById("plan");
  const st = steps(d);
  document.getElementById("plan-count").textContent = st.length ? `${st.filter((s) => stepValue(s).status === "done").length}/${st.length}` : "";
  const nodes = st.map((s, i) => {
    const n = nodeFor(app.stepNodes, s.id, createStep);
    const v = stepValue(s);
    const conflicts = byItem.get("step:" + s.id) || [];
    n.dataset.id = s.id;
    n.dataset.status = v.status || "todo";
    n.classList.toggle("has-conflict", conflicts.length > 0);
    n.querySelector(".step-no").textContent = i + 1;
    const btn = n.querySelector(".step-status");
    btn.dataset.status = v.status || "todo";
    btn.title = `${STATUS_LABEL[v.status || "todo"]} — click to advance`;
    const title = n.querySelector(".field");
    title.classList.toggle("conflicted", conflicts.some((c) => conflictTarget(c).field === "title"));
    const viewers = pres.get("step:" + s.id) || [];
    title.classList.toggle("watched", viewers.length > 0);
    title.style.setProperty("--watch", viewers.length ? colorFor(viewers[0].state.name || viewers[0].actor.id) : "transparent");
    if (!isEditing("step", s.id, "title")) fill(title, v.title || h("span.placeholder", "untitled step"));
    else markStale(title, v.title);
    fill(
      n.querySelector(".step-meta"),
      v.card ? h("button.card-link", { type: "button", dataset: { card: v.card }, title: "show the card" }, "↳ ", cardTitle(v.card)) : null,
      conflicts.length ? h("button.conflict-badge.small", { type: "button", onclick: () => openDialog("step:" + s.id) }, "⚡") : null,
      viewers.map((p) => h("span.presence-tag", { style: { "--c": colorFor(p.state.name || p.actor.id) } }, "✎ ", p.state.name || p.actor.id))
    );
    return n;
  });
  reconcile(list, nodes);
  list.classList.toggle("empty", st.length === 0);
}

function createStep(id) {
  return h(
    "li.step",
    { dataset: { id } },
    h("span.step-no"),
    h("button.step-status", { type: "button" }),
    h("div.step-body", h("div.field.step-title", { dataset: { field: "title" } }), h("div.step-meta")),
    h("button.step-del", { type: "button", title: "Delete step" }, "×")
  );
}

function stepPath(id) {
  return `plan/${app.client.realId(id)}`;
}

// ---------------------------------------------------------------- tasks

function renderTasks(d, byItem, pres) {
  const list = document.getElementById("tasks");
  const ts = tasks(d);
  document.getElementById("tasks-count").textContent = ts.length ? `${ts.filter(([, t]) => t.status === "done").length}/${ts.length}` : "";
  const nodes = ts.map(([key, t]) => {
    const n = nodeFor(app.taskNodes, key, createTask);
    const conflicts = byItem.get("task:" + key) || [];
    const fields = new Set(conflicts.map((c) => conflictTarget(c).field));
    n.dataset.id = key;
    n.dataset.status = t.status || "todo";
    n.classList.toggle("has-conflict", conflicts.length > 0);
    n.querySelector(".task-check").checked = t.status === "done";
    const viewers = pres.get("task:" + key) || [];
    for (const f of ["title", "status", "assignee"]) {
      const el = n.querySelector(`.field[data-field="${f}"]`);
      el.classList.toggle("conflicted", fields.has(f));
      const w = viewers.find((p) => p.state.focus.field === f);
      el.classList.toggle("watched", !!w);
      el.style.setProperty("--watch", w ? colorFor(w.state.name || w.actor.id) : "transparent");
      if (isEditing("task", key, f)) {
        markStale(el, t[f]);
        continue;
      }
      if (f === "title") fill(el, t.title || h("span.placeholder", "untitled"));
      if (f === "status") {
        el.dataset.status = t.status || "todo";
        fill(el, STATUS_LABEL[t.status] || t.status || "To do");
      }
      if (f === "assignee") fill(el, t.assignee ? [avatar(actorNamed(t.assignee), { small: true }), t.assignee] : h("span.placeholder", "unassigned"));
    }
    const claim = t.claim && typeof t.claim === "object" && t.claim.until > Date.now() ? t.claim : null;
    const mine = claim && app.client.actor && claim.actor === app.client.actor.id;
    fill(
      n.querySelector(".task-claim"),
      claim ? h("span.claim-chip." + (claim.kind === "agent" ? "agent" : "human"), { title: `lease until ${clockTime(claim.until)}` }, "held by ", claim.actor) : null,
      // the server releases a claim when its holder's last connection closes: say so while it
      // may be happening, instead of showing a claim that is no longer there
      mine && app.client.status !== "online" ? h("span.claim-risk", "you are offline: the server releases your claim") : null,
      h("button.claim-btn", { type: "button", dataset: { action: mine ? "release" : "claim" } }, mine ? "Release" : claim ? "Take over" : "Claim"),
      conflicts.length ? h("button.conflict-badge.small", { type: "button", onclick: () => openDialog("task:" + key) }, "⚡") : null
    );
    return n;
  });
  reconcile(list, nodes);
  list.classList.toggle("empty", ts.length === 0);
}

function createTask(key) {
  return h(
    "li.task",
    { dataset: { id: key } },
    h("input.task-check", { type: "checkbox", title: "done" }),
    h(
      "div.task-body",
      h("div.field.task-title", { dataset: { field: "title" } }),
      h("div.task-meta", h("span.field.task-status", { dataset: { field: "status" } }), h("span.field.task-assignee", { dataset: { field: "assignee" } }), h("span.task-claim"))
    ),
    h("button.task-del", { type: "button", title: "Delete task" }, "×")
  );
}

function setupSide() {
  const plan = document.getElementById("plan");
  sortable(plan, {
    item: ".step",
    list: ".plan",
    ignore: "input, textarea, select, button, .editing",
    dragging: (on) => {
      app.dragging = on;
      if (!on && app.renderAfterDrag) {
        app.renderAfterDrag = false;
        scheduleRender();
      }
    },
    drop: (item, list, after) => {
      submit([{ op: "move", path: stepPath(item.dataset.id), to: "plan", after: after ? after.dataset.id : null }], "reorder the plan");
      list.insertBefore(item, after ? after.nextElementSibling : list.firstElementChild);
    },
  });
  plan.addEventListener("click", (e) => {
    const li = e.target.closest(".step");
    if (!li) return;
    const id = li.dataset.id;
    const s = steps().find((x) => x.id === id || x.id === app.client.realId(id));
    if (!s) return;
    const v = stepValue(s);
    if (e.target.closest(".step-del")) return submit([{ op: "delete", path: stepPath(id) }], `delete step “${v.title}”`);
    if (e.target.closest(".step-status")) {
      const next = { todo: "doing", doing: "done", done: "todo", skipped: "todo", cancelled: "todo" }[v.status || "todo"];
      const op = typeof s.value === "string" ? { op: "set", path: stepPath(id), value: { title: v.title, status: next } } : { op: "set", path: stepPath(id) + "/status", value: next };
      return submit([op], `step “${v.title}” → ${next}`);
    }
    const link = e.target.closest(".card-link");
    if (link) return flashCard(link.dataset.card);
    const field = e.target.closest(".field");
    if (!field || field.classList.contains("editing")) return;
    if (field.classList.contains("conflicted")) return openDialog("step:" + id);
    beginEdit({
      type: "step",
      id,
      field: "title",
      el: field,
      original: v.title || "",
      commit: (val, ed) => {
        const t = val.trim();
        if (!t || t === ed.original) return;
        const op = typeof s.value === "string" ? { op: "set", path: stepPath(id), value: { title: t, status: "todo" } } : { op: "set", path: stepPath(id) + "/title", value: t };
        submit([op], `rename step “${t}”`, ed.view);
      },
    });
  });
  document.getElementById("plan-add").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = document.getElementById("plan-add-input");
    const t = input.value.trim();
    if (!t) return;
    const st = steps();
    submit([{ op: "insert", path: "plan", after: st.length ? st[st.length - 1].id : null, value: { title: t, status: "todo" } }], `add step “${t}”`);
    input.value = "";
  });

  const tasksEl = document.getElementById("tasks");
  tasksEl.addEventListener("change", (e) => {
    const li = e.target.closest(".task");
    if (!li || !e.target.classList.contains("task-check")) return;
    const key = li.dataset.id;
    submit([{ op: "set", path: `tasks/${key}/status`, value: e.target.checked ? "done" : "todo" }], `task ${e.target.checked ? "done" : "reopened"}`);
  });
  tasksEl.addEventListener("click", (e) => {
    const li = e.target.closest(".task");
    if (!li) return;
    const key = li.dataset.id;
    const t = doc()?.tasks?.[key];
    if (!t) return;
    if (e.target.closest(".task-del")) return submit([{ op: "delete", path: `tasks/${key}` }], `delete task “${t.title}”`);
    const cb = e.target.closest(".claim-btn");
    if (cb) {
      const op = cb.dataset.action === "release" ? { op: "release", path: `tasks/${key}` } : { op: "claim", path: `tasks/${key}`, leaseMs: 300000 };
      return submit([op], `${op.op} “${t.title}”`);
    }
    const field = e.target.closest(".field");
    if (!field || field.classList.contains("editing")) return;
    if (field.classList.contains("conflicted")) return openDialog("task:" + key);
    const f = field.dataset.field;
    const commit = (val, ed) => {
      let v = f === "assignee" ? val.trim() || null : f === "title" ? val.trim() : val;
      if (f === "title" && !v) return;
      if (JSON.stringify(v) === JSON.stringify(ed.original ?? null)) return;
      submit([{ op: "set", path: `tasks/${key}/${f}`, value: v }], `task ${f}`, ed.view);
    };
    if (f === "status") beginEdit({ type: "task", id: key, field: f, el: field, kind: "select", options: CARD_STATUS, original: t.status || "todo", commit });
    else beginEdit({ type: "task", id: key, field: f, el: field, kind: f === "assignee" ? "people" : "input", original: t[f] ?? (f === "title" ? "" : null), placeholder: f, commit });
  });
  document.getElementById("task-add").addEventListener("submit", (e) => {
    e.preventDefault();
    const input = document.getElementById("task-add-input");
    const t = input.value.trim();
    if (!t) return;
    const key = "t" + Date.now().toString(36) + Math.random().toString(36).slice(2, 5);
    submit([{ op: "set", path: `tasks/${key}`, value: { title: t, status: "todo", assignee: null, claim: null, created: Date.now() } }], `add task “${t}”`);
    input.value = "";
  });
}

function flashCard(id) {
  const n = app.cardNodes.get(app.client.realId(id)) || app.cardNodes.get(id);
  if (!n) return toast("That card is gone", "warn");
  n.scrollIntoView({ block: "nearest", behavior: "smooth" });
  n.classList.remove("flash");
  void n.offsetWidth;
  n.classList.add("flash");
}

// ---------------------------------------------------------------- presence

function presenceState() {
  const e = app.editing;
  const focus = e ? { type: e.type, id: app.client ? app.client.realId(e.id) : e.id, field: e.field } : null;
  let what = "viewing the board";
  if (e && e.type === "card") what = `editing the ${FIELD_LABEL[e.field] || e.field} of “${cardTitle(e.id)}”`;
  else if (e && e.type === "step") what = "editing a plan step";
  else if (e && e.type === "task") what = `editing a task's ${e.field}`;
  return { name: app.me.name, focus, what };
}

function publishPresence() {
  if (!app.client) return;
  app.client.setPresence(presenceState());
  renderPeople(); // my own line shows it at once
}

/** "card:<id>" → participants focused on it (not me). */
function presenceByItem() {
  const m = new Map();
  for (const p of app.client.presence.values()) {
    if (p.participantId === app.client.participantId) continue;
    const f = p.state && p.state.focus;
    if (!f || !f.type || !f.id) continue;
    const k = f.type + ":" + f.id;
    if (!m.has(k)) m.set(k, []);
    m.get(k).push(p);
  }
  return m;
}

function renderPeople() {
  const c = app.client;
  // my own line comes from what I am doing now, not from the server's echo of my last presence
  // frame (which lags behind every focus change by a round trip)
  const all = [...c.presence.values()].filter((p) => p.participantId !== c.participantId);
  const mine = presenceState();
  if (c.status !== "online") mine.what += " (offline — edits are queued)";
  all.push({ participantId: c.participantId || "me", actor: c.actor || { id: app.me.name, kind: "human" }, state: mine });
  all.sort((a, b) => (a.state === mine ? -1 : b.state === mine ? 1 : 0) || (a.actor.kind === b.actor.kind ? 0 : a.actor.kind === "human" ? -1 : 1) || String(a.state?.name || a.actor.id).localeCompare(b.state?.name || b.actor.id));
  fill(
    document.getElementById("presence-bar"),
    all.slice(0, 8).map((p) => {
      const a = avatar({ id: p.state?.name || p.actor.id, kind: p.actor.kind });
      a.title = `${p.state?.name || p.actor.id} (${p.actor.kind}) — ${p.state?.what || p.state?.activity || "here"}`;
      return a;
    })
  );
  fill(
    document.getElementById("people"),
    all.map((p) =>
      h(
        "li.person." + p.actor.kind,
        { dataset: { actor: p.actor.id, kind: p.actor.kind } },
        avatar({ id: p.state?.name || p.actor.id, kind: p.actor.kind }),
        h(
          "div.person-body",
          h("div.person-name", p.state?.name || p.actor.id, p.state === mine ? h("span.you", " (you)") : null, " ", kindChip(p.actor.kind)),
          h("div.person-what", p.actor.kind === "agent" ? p.state?.activity || "idle" : p.state?.what || "viewing the board")
        )
      )
    )
  );
}

// ---------------------------------------------------------------- activity feed

/**
 * The feed is read from the session's history (feed.js), the same for every participant: after
 * every welcome (also a resume after being offline), every change and every own ack.
 */
function setupFeed(session, client) {
  const seenKey = "chorus.feedSeen." + session;
  const seenAtLoad = sessionStorage.getItem(seenKey); // null in a new tab
  let loaded = false;
  app.feed = new ActivityFeed({
    read: readHistory,
    doc: () => client.doc,
    version: () => client.version,
    statusLabel: STATUS_LABEL,
    onEntries: (fresh) => {
      renderFeed();
      for (const e of fresh) {
        // what happened before this tab last read the feed was told then already
        const told = !loaded && (seenAtLoad === null || dominates(seenAtLoad, e.version));
        if (!told) noticeReleases(e);
      }
    },
  });
  const refresh = () =>
    app.feed.refresh().then(
      () => {
        loaded = true;
        sessionStorage.setItem(seenKey, app.feed.since);
      },
      (e) => console.warn("activity feed: " + e.message)
    );
  for (const ev of ["welcome", "change", "ack"]) client.on(ev, refresh);
  document.getElementById("feed-filter").addEventListener("click", (e) => {
    const b = e.target.closest("button[data-filter]");
    if (!b) return;
    document.getElementById("feed").dataset.filter = b.dataset.filter;
    for (const x of document.querySelectorAll("#feed-filter button")) x.setAttribute("aria-pressed", String(x === b));
  });
}

/** GET history since a version; the token goes in a header, never in the address. */
async function readHistory(since) {
  const url = `/v1/sessions/${encodeURIComponent(app.session)}/history?since=${encodeURIComponent(since)}`;
  const get = async (renew) => fetch(url, { headers: { Authorization: "Bearer " + (await app.token({ renew })) } });
  const r = await get(false);
  return r.status === 401 ? get(true) : r;
}

/** Tells the holder of a claim the server released why: they were gone, or the lease ran out. */
function noticeReleases(e) {
  const me = app.client.actor && app.client.actor.id;
  for (const r of e.released) {
    if (r.holder !== me) continue;
    const why = r.reason === "disconnect" ? "you were disconnected" : "its lease ran out";
    toast(`The server released your claim on “${r.task}” at ${clockTime(e.at)}: ${why}. Claim it again if you are still on it.`, "warn", 15000);
  }
}

function renderFeed() {
  fill(
    document.getElementById("feed"),
    app.feed.entries.map((e) =>
      h(
        "li.feed-item.feed-" + e.kind,
        { dataset: { kind: e.kind, actor: e.actor.id } },
        e.kind === "server" ? h("span.feed-icon", { title: "the server" }, "⚙") : avatar(e.actor, { small: true }),
        h(
          "div.feed-body",
          h("strong.feed-who", e.kind === "server" ? "Server" : e.actor.id),
          " ",
          h("span.feed-text", e.text),
          h("div.feed-time", { dataset: { time: e.at }, title: clockTime(e.at) }, timeAgo(e.at))
        )
      )
    )
  );
}

// ---------------------------------------------------------------- conflict dialog

function openDialog(key) {
  app.dialogKey = key;
  const d = document.getElementById("conflict-dialog");
  renderDialog();
  if (!d.open) d.showModal();
}

function closeDialog() {
  app.dialogKey = null;
  delete document.getElementById("conflict-dialog").dataset.sig;
  const d = document.getElementById("conflict-dialog");
  if (d.open) d.close();
}

const KIND_TEXT = {
  concurrent_assignment: "Two writers changed this at the same time, each without seeing the other's change. Both values are kept until someone decides.",
  move_vs_move: "It was moved to two places at once. It shows in one of them for now.",
  delete_vs_edit: "Someone deleted it while someone else was editing it. It is kept, with the edits, until you decide.",
  claim: "Two actors claimed it at once. One holds it for now.",
};

function renderDialog() {
  const d = document.getElementById("conflict-dialog");
  if (!app.dialogKey) return;
  const list = conflictsByItem().get(app.dialogKey) || [];
  const [type, id] = [app.dialogKey.slice(0, app.dialogKey.indexOf(":")), app.dialogKey.slice(app.dialogKey.indexOf(":") + 1)];
  if (list.length === 0) {
    if (d.open && !d.querySelector(".all-resolved")) {
      delete d.dataset.sig;
      fill(d, h("div.dialog-body.all-resolved", h("div.resolved-big", "✓"), h("p", "Resolved."), h("button.primary", { onclick: closeDialog }, "Close")));
      setTimeout(() => app.dialogKey === null || (conflictsByItem().get(app.dialogKey) || []).length || closeDialog(), 1200);
    }
    return;
  }
  const heading = type === "card" ? `“${cardTitle(id)}”` : describeTarget({ type, id, field: null });
  const ds = decisions(list);
  const online = app.client.status === "online";
  // rebuild only when what it shows changed: a rebuild would drop what the user is typing
  const sig = JSON.stringify([app.dialogKey, heading, online, list.map((c) => [c.id, c.winner, c.intents.map((i) => i.op)])]);
  if (d.open && d.dataset.sig === sig) return;
  d.dataset.sig = sig;
  fill(
    d,
    h(
      "div.dialog-body",
      { dataset: { key: app.dialogKey } },
      h("header.dialog-head", h("h2", "⚡ ", ds.length === 1 ? "Conflict on " : `${ds.length} conflicts on `, heading), h("button.close", { type: "button", title: "Close", onclick: closeDialog }, "×")),
      online ? null : h("p.warn", "You are offline: resolving needs the connection."),
      ds.map((x) => (x.move ? placementSection(x, id, online) : conflictSection(x, type, id, online)))
    )
  );
}

function conflictSection(c, type, id, online) {
  const t = conflictTarget(c);
  const fieldName = t.field ? FIELD_LABEL[t.field] || t.field : type;
  const intents = [...c.intents].sort((a, b) => a.timestamp - b.timestamp);
  const shown = (v) => (t.field === "status" && STATUS_LABEL[v] ? STATUS_LABEL[v] : show(v));
  const valueText = (i) => {
    if (c.kind === "move_vs_move") return `→ ${columnName(i.value)}`;
    if (c.kind === "delete_vs_edit") return i.role === "deleter" ? "deleted it" : "edited it";
    return shown(i.value);
  };
  const pickLabel = (i) => (c.kind === "delete_vs_edit" ? (i.role === "deleter" ? "Delete it" : "Keep it") : c.kind === "move_vs_move" ? "Put it here" : "Use this");
  const winnerText = c.kind === "move_vs_move" ? columnName(c.winner) : c.kind === "delete_vs_edit" ? "kept" : shown(c.winner);
  let writer = null;
  if (c.kind === "concurrent_assignment" && (t.field || type === "task")) {
    const input =
      t.field === "status"
        ? h("select.write-input", CARD_STATUS.map((s) => h("option", { value: s, selected: s === c.winner }, STATUS_LABEL[s])))
        : h("input.write-input", { value: typeof c.winner === "string" ? c.winner : "", placeholder: "or write a value" });
    writer = h(
      "form.write",
      {
        onsubmit: (e) => {
          e.preventDefault();
          let v = input.value;
          if (t.field === "assignee") v = v.trim() || null;
          resolveWith(c, { value: v });
        },
      },
      input,
      h("button", { type: "submit", disabled: !online }, "Use my value")
    );
  }
  return h(
    "section.conflict",
    { dataset: { conflictId: c.id, kind: c.kind } },
    h("h3", fieldName[0].toUpperCase() + fieldName.slice(1), h("span.kind-tag", c.kind.replace(/_/g, " "))),
    h("p.kind-text", KIND_TEXT[c.kind] || c.summary),
    h("p.winner", "Showing for now: ", h("strong", winnerText)),
    h(
      "ul.intents",
      intents.map((i) =>
        h(
          "li.intent",
          { dataset: { author: i.author.id, kind: i.author.kind } },
          avatar(i.author),
          h(
            "div.intent-body",
            h("div.intent-who", h("strong", i.author.id), " ", kindChip(i.author.kind), h("span.intent-time", { title: new Date(i.timestamp).toLocaleString() }, " · ", clockTime(i.timestamp), " (", h("span", { dataset: { time: i.timestamp } }, timeAgo(i.timestamp)), ")")),
            h("div.intent-value", valueText(i))
          ),
          h("button.pick", { type: "button", disabled: !online, onclick: () => pickIntent(c, i) }, pickLabel(i))
        )
      )
    ),
    writer
  );
}

/**
 * The decisions a list of conflicts asks for. A drag is one batch (status and move), so two
 * concurrent drags of a card open a move_vs_move and a status conflict together: that pair is one
 * decision, where the card goes ({move, status}); every other conflict is its own.
 */
function decisions(list) {
  const move = list.find((c) => c.kind === "move_vs_move");
  const status = list.find((c) => c.kind === "concurrent_assignment" && conflictTarget(c).type === "card" && conflictTarget(c).field === "status");
  if (!move || !status) return list;
  return [{ move, status }, ...list.filter((c) => c !== move && c !== status)];
}

function placementSection({ move, status }, id, online) {
  const intents = [...move.intents].sort((a, b) => a.timestamp - b.timestamp);
  const statusOf = (author) => status.intents.find((x) => x.author.id === author.id);
  return h(
    "section.conflict",
    { dataset: { conflictId: move.id, statusConflictId: status.id, kind: "placement" } },
    h("h3", "Column and status", h("span.kind-tag", "moved to two places")),
    h("p.kind-text", "It was moved to different columns at the same time, each move made without seeing the other. Pick where it goes: its column and status follow together."),
    h("p.winner", "Showing for now: ", h("strong", columnName(move.winner)), " with status ", h("strong", STATUS_LABEL[status.winner] || show(status.winner))),
    h(
      "ul.intents",
      intents.map((i) => {
        const st = statusOf(i.author);
        return h(
          "li.intent",
          { dataset: { author: i.author.id, kind: i.author.kind } },
          avatar(i.author),
          h(
            "div.intent-body",
            h("div.intent-who", h("strong", i.author.id), " ", kindChip(i.author.kind), h("span.intent-time", { title: new Date(i.timestamp).toLocaleString() }, " · ", clockTime(i.timestamp), " (", h("span", { dataset: { time: i.timestamp } }, timeAgo(i.timestamp)), ")")),
            h("div.intent-value", `→ ${columnName(i.value)}`, st ? ` · status ${STATUS_LABEL[st.value] || show(st.value)}` : "")
          ),
          h("button.pick", { type: "button", disabled: !online, onclick: () => placeCard(id, i.value) }, "Put it here")
        );
      })
    )
  );
}

/**
 * Puts a card into the list `to` (at its end, or where it is if it is there already) and sets
 * the status that column stands for: one batch made on the current view, so it supersedes every
 * concurrent move and status it has seen and resolves both conflicts at once.
 */
function placeCard(id, to) {
  const dest = splitPath(to);
  const col = columns().find((x) => x.id === dest[2]);
  const f = findCard(id);
  if (!col || !f) return toast("That card or column is gone", "warn");
  const others = (col.value.cards || []).filter((x) => x.id !== f.el.id);
  let after = others.length ? others[others.length - 1].id : null;
  if (f.col.id === col.id) after = f.index > 0 ? f.col.value.cards[f.index - 1].id : null;
  const path = cardPath(id);
  const ops = [];
  if (CARD_STATUS.includes(col.value.id)) ops.push({ op: "set", path: `${path}/status`, value: col.value.id });
  ops.push({ op: "move", path, to, after });
  submit(ops, `put “${cardTitle(id)}” in ${col.value.title}`).promise.then(
    () => toast("Conflict resolved", "ok"),
    (e) => toast("Could not resolve: " + e.message, "error")
  );
}

function pickIntent(c, i) {
  if (c.kind === "delete_vs_edit") return resolveWith(c, i.role === "deleter" ? { delete: true } : { keep: true });
  if (c.kind === "move_vs_move") return placeCard(conflictTarget(c).id, i.value);
  return resolveWith(c, { value: i.value });
}

function resolveWith(c, choice, retried = false) {
  const path = currentPath(c);
  app.client.resolve(path, choice, c.id).then(
    () => toast("Conflict resolved", "ok"),
    (e) => {
      if (e.code === "path_not_found" && !retried) {
        // the card moved under us (its path names the column): retry once we know where it is
        if (currentPath(c) !== path) return resolveWith(c, choice, true);
        const off = app.client.on("change", () => {
          off();
          resolveWith(c, choice, true);
        });
        return;
      }
      toast(e.code === "conflict_not_found" ? "Someone resolved it already" : "Could not resolve: " + e.message, e.code === "conflict_not_found" ? "info" : "error");
    }
  );
}

// ---------------------------------------------------------------- header, agent

function setupChrome() {
  document.getElementById("share").addEventListener("click", async () => {
    const url = `${location.origin}${location.pathname}?session=${encodeURIComponent(app.session)}`;
    try {
      await navigator.clipboard.writeText(url);
      toast("Link copied — open it in another tab or send it to a colleague", "ok");
    } catch (e) {
      prompt("Share this link:", url);
    }
  });
  document.getElementById("offline-toggle").addEventListener("click", () => {
    const c = app.client;
    c.setOffline(!c.manualOffline);
    renderStatus();
  });
  document.getElementById("agent-toggle").addEventListener("click", toggleAgent);
  const dlg = document.getElementById("conflict-dialog");
  dlg.addEventListener("close", () => {
    app.dialogKey = null;
    delete dlg.dataset.sig;
  });
  dlg.addEventListener("click", (e) => e.target === dlg && closeDialog());
}

async function checkAgent() {
  try {
    const r = await fetch(`/v1/demo/agent?session=${encodeURIComponent(app.session)}`);
    if (!r.ok) return;
    const s = await r.json();
    app.agent = { available: true, running: !!s.running, actor: s.actor };
  } catch (e) {
    /* not available */
  }
  renderAgentButton();
}

async function toggleAgent() {
  const btn = document.getElementById("agent-toggle");
  btn.disabled = true;
  try {
    const r = await fetch("/v1/demo/agent", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ session: app.session, running: !app.agent.running }),
    });
    const s = await r.json();
    if (!r.ok) throw new Error(s.message || "HTTP " + r.status);
    app.agent = { available: true, running: !!s.running, actor: s.actor };
    app.agentToggledAt = Date.now();
    toast(s.running ? `${s.actor} joined the board` : `${s.actor} stopped`, "info");
  } catch (e) {
    toast("Demo agent: " + e.message, "error");
  } finally {
    btn.disabled = false;
    renderAgentButton();
  }
}

function renderAgentButton() {
  const btn = document.getElementById("agent-toggle");
  btn.hidden = !app.agent.available;
  if (!app.agent.available) return;
  // someone else may have started or stopped it: the agent's presence tells
  if (app.client && app.client.status === "online" && app.agent.actor && Date.now() - (app.agentToggledAt || 0) > 5000) {
    app.agent.running = [...app.client.presence.values()].some((p) => p.actor.id === app.agent.actor && p.actor.kind === "agent");
  }
  btn.classList.toggle("running", app.agent.running);
  btn.textContent = app.agent.running ? "■ Stop demo agent" : "▶ Start demo agent";
}
