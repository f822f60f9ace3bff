/**
 * chorus-client.js — the browser client for the Chorus wire protocol v1 (docs/protocol.md).
 *
 * One file, no dependencies, no build step: `import { ChorusClient } from "./chorus-client.js"`.
 * It is a *thin* client: it does not run the CRDT. The server sends the whole document with every
 * change (`hello.snapshots: true`); the client keeps the last version it saw and sends it back as
 * `basedOn` with every batch, so a write made on a stale view never overwrites what its author
 * had not seen — the server keeps both values as a conflict instead.
 *
 * What it does for you:
 *  - connects to `GET /v1/sessions/{id}/ws` offering the subprotocols `chorus.v1` and
 *    `chorus.bearer.<token>` (the token stays out of the address), sends `hello` (with `since` = the last version
 *    it saw when it reconnects, so the server sends only what was missed) and keeps `doc`,
 *    `version`, open `conflicts` and `presence` up to date from `welcome`, `change`, `ack`,
 *    `conflict.opened` / `conflict.resolved` and `presence` frames;
 *  - `submit(ops)` queues a batch with a fresh `batchId` and the `basedOn` of the view the user
 *    edited. Batches go out one at a time, in order. While offline, or while a batch waits for its
 *    ack, new edits made on the same view are appended to the unsent batch at the tail of the queue
 *    (one batch, one `basedOn`). On reconnect the batch that was in flight is re-sent with the
 *    same `batchId` and content — the server applies it once and answers `duplicate: true` if it
 *    already had it — and then the rest of the queue;
 *  - optimistic display: `doc` is the server's document with the queued ops applied on top, so an
 *    edit shows at once, also offline. Elements inserted locally get temporary ids (`~t1`, …) that
 *    later edits may reference; they are rewritten to `$N` (same batch) or to the real element id
 *    (from the ack's `results`) before the batch that uses them is sent;
 *  - a batch queued after an own batch that was still waiting for its ack is "based on" the user's
 *    view, which included that own edit. When no one else's change arrived in between, the client
 *    moves its `basedOn` to the version acked for the own edit, so editing the same field twice in
 *    a row never conflicts with yourself;
 *  - retries: `rate_limited` / `overloaded` (and `internal`) errors re-send the same batch after
 *    `retryAfterMs` (or a backoff); other batch errors drop the batch and report it (`rejected`);
 *  - reconnects with jittered exponential backoff (full jitter, 0.5 s doubling to 10 s), honouring
 *    `retryAfterMs` of a `shutting_down` error; gives a hello 8 s to be welcomed, then
 *    reconnects; pings every 15 s and treats a missing pong as a
 *    dead connection; re-mints the token (your `token` callback) after a 4401 close;
 *  - presence: `setPresence(state)` sends it and refreshes it every 10 s (the server expires it
 *    after 30 s);
 *  - `setOffline(true)` really closes the socket and stops reconnecting (the board's "go offline"
 *    switch); `setOffline(false)` reconnects and flushes the queue;
 *  - with `storage` (e.g. `sessionStorage`), the queue and the last view survive a reload of the
 *    page: restored batches keep their batch ids, so one that did reach the server is acked as a
 *    duplicate, not applied twice.
 *
 * Resolving a conflict (`resolve`) is not queued: it is "based on the current version" and must
 * only be sent by someone who is looking at the current values, i.e. online.
 *
 * Events (`client.on(name, fn)`; `on` returns an unsubscribe function):
 *  - `state`     — {doc, version, conflicts, presence, pending}: anything changed, re-render;
 *  - `status`    — "connecting" | "online" | "offline" (and `client.offlineReason`);
 *  - `welcome`   — the welcome frame (actor, role, participantId, resumed …);
 *  - `change`    — a remote change frame (author, ops, batchId, version);
 *  - `ack`       — {batchId, version, duplicate, results, label};
 *  - `conflict`  — {type: "opened" | "resolved", conflict, by?};
 *  - `rejected`  — {batchId, code, message, label}: a batch the server refused (it was dropped);
 *  - `error`     — any error frame.
 *
 * Usage:
 *   const client = new ChorusClient({ session: "demo", token: () => fetchToken(), clientId });
 *   client.on("state", render);
 *   client.connect();
 *   client.submit([{ op: "set", path: "tasks/t1/status", value: "done" }], { label: "t1 done" });
 *   client.resolve("tasks/t1/status", { value: "done" }, conflict.id);
 */

const TEMP_PREFIX = "~t";
const PROTOCOL = "chorus.v1";
const BEARER_PROTOCOL = "chorus.bearer.";
let tempCounter = 0;

/** Parses "n1:4,n2:7" into a Map replica → counter. */
export function parseVersion(v) {
  const m = new Map();
  if (!v) return m;
  for (const part of v.split(",")) {
    const i = part.lastIndexOf(":");
    if (i > 0) m.set(part.slice(0, i), Number(part.slice(i + 1)));
  }
  return m;
}

/** True if version a includes everything version b includes. */
export function dominates(a, b) {
  const A = parseVersion(a);
  for (const [r, c] of parseVersion(b)) {
    if ((A.get(r) || 0) < c) return false;
  }
  return true;
}

/** Splits a protocol path into segments (`~1` = "/", `~0` = "~"). */
export function splitPath(path) {
  if (!path) return [];
  return path.split("/").map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
}

/** Joins segments into a protocol path. */
export function joinPath(segs) {
  return segs.map((s) => String(s).replace(/~/g, "~0").replace(/\//g, "~1")).join("/");
}

function randomId(n = 10) {
  const a = new Uint8Array(n);
  crypto.getRandomValues(a);
  return Array.from(a, (b) => "abcdefghijklmnopqrstuvwxyz0123456789"[b % 36]).join("");
}

function clone(v) {
  return v === undefined ? undefined : JSON.parse(JSON.stringify(v));
}

/** A plain JSON value as it appears in the wire `doc` (lists become [{id, value}], markers unwrapped). */
function toWire(v) {
  if (Array.isArray(v)) return v.map((x) => ({ id: TEMP_PREFIX + "x" + ++tempCounter, value: toWire(x) }));
  if (v && typeof v === "object") {
    if ("$text" in v && Object.keys(v).length === 1) return String(v.$text);
    if ("$counter" in v && Object.keys(v).length === 1) return Number(v.$counter);
    const o = {};
    for (const k of Object.keys(v)) o[k] = toWire(v[k]);
    return o;
  }
  return v;
}

const isList = (x) => Array.isArray(x);

/** Walks the wire doc to the container holding the last segment. Returns {parent, key} or null. */
function locate(doc, segs) {
  let cur = doc;
  for (let i = 0; i < segs.length - 1; i++) {
    cur = child(cur, segs[i]);
    if (cur === undefined || cur === null || typeof cur !== "object") return null;
  }
  return { parent: cur, key: segs[segs.length - 1] };
}

function child(c, seg) {
  if (isList(c)) {
    const el = c.find((e) => e.id === seg);
    return el ? el.value : undefined;
  }
  return c ? c[seg] : undefined;
}

function getAt(doc, segs) {
  let cur = doc;
  for (const s of segs) {
    cur = child(cur, s);
    if (cur === undefined) return undefined;
  }
  return cur;
}

function removeElement(doc, id) {
  // element ids are unique in the document: find and detach it wherever it is
  let found = null;
  (function walk(c) {
    if (found || !c || typeof c !== "object") return;
    if (isList(c)) {
      const i = c.findIndex((e) => e && e.id === id);
      if (i >= 0) {
        found = c.splice(i, 1)[0];
        return;
      }
      for (const e of c) walk(e && e.value);
    } else {
      for (const k of Object.keys(c)) walk(c[k]);
    }
  })(doc);
  return found;
}

function insertAfter(list, after, el) {
  if (after == null) {
    list.unshift(el);
    return;
  }
  const i = list.findIndex((e) => e.id === after);
  if (i < 0) list.push(el);
  else list.splice(i + 1, 0, el);
}

/**
 * Applies protocol ops to a wire doc in place, for the optimistic view. Best effort: an op whose
 * target is gone is skipped (the server is the judge). `ids[i]` is the element id of insert i.
 */
export function applyOps(doc, ops, ids = [], actor = null) {
  const deref = (seg) => (typeof seg === "string" && /^\$\d+$/.test(seg) ? ids[Number(seg.slice(1))] || seg : seg);
  const segsOf = (p) => splitPath(p).map(deref);
  ops.forEach((op, i) => {
    try {
      const segs = segsOf(op.path);
      switch (op.op) {
        case "set": {
          const loc = locate(doc, segs);
          if (!loc) break;
          if (isList(loc.parent)) {
            const el = loc.parent.find((e) => e.id === loc.key);
            if (el) el.value = toWire(op.value);
          } else loc.parent[loc.key] = toWire(op.value);
          break;
        }
        case "delete": {
          const loc = locate(doc, segs);
          if (!loc) break;
          if (isList(loc.parent)) {
            const j = loc.parent.findIndex((e) => e.id === loc.key);
            if (j >= 0) loc.parent.splice(j, 1);
          } else delete loc.parent[loc.key];
          break;
        }
        case "insert": {
          const list = getAt(doc, segs);
          if (!isList(list)) break;
          insertAfter(list, op.after == null ? null : deref(op.after), { id: ids[i], value: toWire(op.value) });
          break;
        }
        case "move": {
          const id = segs[segs.length - 1];
          const to = getAt(doc, segsOf(op.to));
          if (!isList(to)) break;
          const el = removeElement(doc, id);
          if (el) insertAfter(to, op.after == null ? null : deref(op.after), el);
          break;
        }
        case "increment": {
          const loc = locate(doc, segs);
          if (loc && !isList(loc.parent)) loc.parent[loc.key] = (Number(loc.parent[loc.key]) || 0) + op.by;
          break;
        }
        case "splice": {
          const loc = locate(doc, segs);
          if (loc && !isList(loc.parent)) {
            // index and delete count code points (docs/protocol.md), not UTF-16 units: an emoji is one
            const cps = Array.from(String(loc.parent[loc.key] ?? ""));
            loc.parent[loc.key] = cps.slice(0, op.index).join("") + op.insert + cps.slice(op.index + op.delete).join("");
          }
          break;
        }
        case "claim": {
          const t = getAt(doc, segs);
          if (t && typeof t === "object")
            t.claim = { actor: actor ? actor.id : "me", kind: actor ? actor.kind : "human", until: Date.now() + (op.leaseMs || 60000) };
          break;
        }
        case "release": {
          const t = getAt(doc, segs);
          if (t && typeof t === "object") t.claim = null;
          break;
        }
        default:
          break;
      }
    } catch (e) {
      /* optimistic only: ignore */
    }
  });
}

/** Every temp id an op mentions (in path, to, after). */
function tempRefs(op) {
  const out = [];
  const scan = (p) => {
    if (typeof p !== "string") return;
    for (const s of splitPath(p)) if (s.startsWith(TEMP_PREFIX)) out.push(s);
  };
  scan(op.path);
  scan(op.to);
  if (typeof op.after === "string" && op.after.startsWith(TEMP_PREFIX)) out.push(op.after);
  return out;
}

function rewriteOp(op, map) {
  const seg = (s) => (map.has(s) ? map.get(s) : s);
  const path = (p) => (typeof p === "string" ? joinPath(splitPath(p).map(seg)) : p);
  const o = { ...op };
  if ("path" in o) o.path = path(o.path);
  if ("to" in o) o.to = path(o.to);
  if (typeof o.after === "string") o.after = seg(o.after);
  return o;
}

export class ChorusClient {
  /**
   * @param {object} opts
   * @param {string} opts.session   session id
   * @param {string|function(): (string|Promise<string>)} opts.token  a JWT, or a function minting one
   * @param {string} [opts.clientId] participant id for presence (default: random per tab)
   * @param {string} [opts.baseUrl]  http(s) origin of the node (default: the page's origin)
   * @param {string} [opts.shape]    shape of a session that does not exist yet
   * @param {Storage} [opts.storage] where to keep the queue across reloads (e.g. sessionStorage)
   */
  constructor(opts) {
    this.session = opts.session;
    this.tokenSource = opts.token;
    this.clientId = opts.clientId || "tab-" + randomId(6);
    this.baseUrl = (opts.baseUrl || location.origin).replace(/\/$/, "");
    this.shape = opts.shape || null;
    this.handlers = new Map();
    this.serverDoc = null;
    this.version = null; // last server version seen
    this.stateHash = null;
    this.conflicts = new Map(); // id → Conflict
    this.presence = new Map(); // participantId → Participant
    this.actor = null;
    this.role = null;
    this.participantId = null;
    this.status = "offline";
    this.offlineReason = "not connected yet";
    this.manualOffline = false;
    this.queue = []; // [{batchId, basedOn, ops, sent, remoteMark, label, tempIds: [], resolve, reject, retryAt}]
    this.tempToReal = new Map();
    this.remoteMark = 0; // counts server states not produced by our own acks
    this.ws = null;
    this.attempt = 0;
    this.reconnectTimer = null;
    this.pingTimer = null;
    this.pongDeadline = null;
    this.presenceState = null;
    this.presenceTimer = null;
    this.retryTimer = null;
    this.nextDelay = null;
    this.batchSeq = 0;
    this.batchPrefix = this.clientId + "-" + randomId(4);
    this._doc = null;
    this._dirty = true;
    this.stats = { sent: 0, acked: 0, duplicates: 0, reconnects: 0 };
    this.storage = opts.storage || null;
    this.storageKey = "chorus.client." + this.session;
    this.restore();
  }

  // ------------------------------------------------------------------ persistence

  /** Restores the queue and last view saved by a previous page of this tab (reload while offline). */
  restore() {
    if (!this.storage) return;
    let saved;
    try {
      saved = JSON.parse(this.storage.getItem(this.storageKey) || "null");
    } catch (e) {
      saved = null;
    }
    if (!saved || !Array.isArray(saved.queue)) return;
    this.serverDoc = saved.doc || null;
    this.version = saved.version ?? null;
    this.tempToReal = new Map(saved.tempToReal || []);
    for (const t of this.tempToReal.keys()) tempCounter = Math.max(tempCounter, Number(t.slice(TEMP_PREFIX.length)) || 0);
    for (const b of saved.queue) {
      for (const t of b.tempIds) if (t) tempCounter = Math.max(tempCounter, Number(t.slice(TEMP_PREFIX.length)) || 0);
      const r = { ...b, sent: false, remoteMark: -1 }; // never upgrade the basedOn of a restored batch
      r.promise = new Promise((res, rej) => {
        r.resolve = res;
        r.reject = rej;
      });
      r.promise.catch(() => {});
      this.queue.push(r);
    }
  }

  save() {
    if (!this.storage) return;
    try {
      if (this.queue.length === 0) {
        this.storage.removeItem(this.storageKey);
        return;
      }
      const queue = this.queue.map(({ batchId, basedOn, ops, tempIds, strict, label, frozen }) => ({ batchId, basedOn, ops, tempIds, strict, label, frozen }));
      this.storage.setItem(this.storageKey, JSON.stringify({ doc: this.serverDoc, version: this.version, tempToReal: [...this.tempToReal], queue }));
    } catch (e) {
      /* storage full or unavailable: the queue still lives in memory */
    }
  }

  on(name, fn) {
    if (!this.handlers.has(name)) this.handlers.set(name, new Set());
    this.handlers.get(name).add(fn);
    return () => this.handlers.get(name).delete(fn);
  }

  emit(name, payload) {
    for (const fn of this.handlers.get(name) || []) {
      try {
        fn(payload);
      } catch (e) {
        console.error("chorus: handler for", name, "failed", e);
      }
    }
  }

  // ------------------------------------------------------------------ state

  /** The document to display: the server's plus every queued op, applied optimistically. */
  get doc() {
    if (!this._dirty) return this._doc;
    if (!this.serverDoc) return null;
    const d = clone(this.serverDoc);
    for (const b of this.queue) {
      // elements this batch inserts keep their temporary ids locally; earlier ones are real by now
      applyOps(d, b.ops.map((op) => rewriteOp(op, this.tempToReal)), b.tempIds, this.actor);
    }
    this._doc = d;
    this._dirty = false;
    return d;
  }

  /** Pending (not yet acknowledged) batches: [{batchId, label, sent, ops}]. */
  get pending() {
    return this.queue.map((b) => ({ batchId: b.batchId, label: b.label, sent: b.sent, ops: b.ops.length }));
  }

  /** A token for "the view the user is looking at now": pass it to submit() for edits that took a while. */
  view() {
    return { version: this.version, mark: this.remoteMark };
  }

  /** The real element id for an id that may be a temporary one (or the id itself). */
  realId(id) {
    return this.tempToReal.get(id) || id;
  }

  isTemp(id) {
    return typeof id === "string" && id.startsWith(TEMP_PREFIX) && !this.tempToReal.has(id);
  }

  changed() {
    this._dirty = true;
    this.save();
    this.emit("state", {
      doc: this.doc,
      version: this.version,
      conflicts: [...this.conflicts.values()],
      presence: [...this.presence.values()],
      pending: this.pending,
    });
  }

  setStatus(s, reason) {
    this.status = s;
    this.offlineReason = reason || null;
    this.emit("status", s);
  }

  // ------------------------------------------------------------------ connection

  connect() {
    this.manualOffline = false;
    this.openSocket();
  }

  /** Closes the socket for real and stops reconnecting (true), or reconnects (false). */
  setOffline(off) {
    if (off) {
      this.manualOffline = true;
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.teardown(1000, "client went offline");
      this.setStatus("offline", "you are offline");
    } else if (this.manualOffline || this.status === "offline") {
      this.manualOffline = false;
      this.attempt = 0;
      clearTimeout(this.reconnectTimer);
      this.reconnectTimer = null;
      this.openSocket();
    }
  }

  close() {
    this.setOffline(true);
  }

  async openSocket() {
    if (this.ws || this.manualOffline) return;
    this.setStatus("connecting");
    let token;
    try {
      const renew = this.forceNewToken === true;
      this.forceNewToken = false;
      token = typeof this.tokenSource === "function" ? await this.tokenSource({ renew }) : this.tokenSource;
    } catch (e) {
      this.scheduleReconnect("could not get a token: " + e.message);
      return;
    }
    if (this.manualOffline || this.ws) return;
    const wsBase = this.baseUrl.replace(/^http/, "ws");
    let url = `${wsBase}/v1/sessions/${encodeURIComponent(this.session)}/ws`;
    if (this.shape) url += "?shape=" + encodeURIComponent(this.shape);
    let ws;
    try {
      // the token travels as a subprotocol, not in the address: a failed connection's address
      // is printed in the console, and addresses end up in access logs
      ws = new WebSocket(url, [PROTOCOL, BEARER_PROTOCOL + token]);
    } catch (e) {
      this.scheduleReconnect(e.message);
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      const hello = { type: "hello", clientId: this.clientId, snapshots: true };
      if (this.version != null && this.serverDoc) hello.since = this.version;
      this.send(hello);
      // A hello whose welcome never comes (lost on the way, or the node stalled) must not leave
      // the board "connecting" for ever: give up on this socket and reconnect with backoff.
      this.welcomeDeadline = setTimeout(() => {
        if (this.ws === ws && this.status !== "online") {
          this.teardown(4000, "no welcome");
          this.scheduleReconnect("no welcome in 8 s");
        }
      }, 8000);
    };
    ws.onmessage = (ev) => {
      let f;
      try {
        f = JSON.parse(ev.data);
      } catch (e) {
        return;
      }
      this.onFrame(f);
    };
    ws.onclose = (ev) => {
      if (this.ws !== ws) return;
      this.ws = null;
      this.stopTimers();
      for (const b of this.queue) b.sent = false; // re-send after reconnect (same batchId)
      this.presence.clear();
      if (this.manualOffline) return;
      if (ev.code === 4401) this.forceNewToken = true; // token expired: mint a new one
      this.scheduleReconnect(ev.code === 1006 ? "connection lost" : `closed (${ev.code}${ev.reason ? " " + ev.reason : ""})`);
      this.changed();
    };
    ws.onerror = () => {
      /* onclose follows */
    };
  }

  teardown(code, reason) {
    const ws = this.ws;
    this.ws = null;
    this.stopTimers();
    for (const b of this.queue) b.sent = false;
    this.presence.clear();
    if (ws) {
      try {
        ws.onclose = null;
        ws.close(code, reason);
      } catch (e) {
        /* ignore */
      }
    }
    this.changed();
  }

  stopTimers() {
    clearInterval(this.pingTimer);
    clearTimeout(this.pongDeadline);
    clearInterval(this.presenceTimer);
    clearTimeout(this.retryTimer);
    clearTimeout(this.welcomeDeadline);
    this.pingTimer = this.pongDeadline = this.presenceTimer = this.retryTimer = null;
    this.welcomeDeadline = null;
  }

  scheduleReconnect(reason) {
    this.setStatus("offline", reason);
    if (this.manualOffline || this.reconnectTimer) return;
    let delay;
    if (this.nextDelay != null) {
      delay = this.nextDelay; // server-suggested (already jittered)
      this.nextDelay = null;
    } else {
      const cap = Math.min(10000, 500 * 2 ** Math.min(this.attempt, 10));
      delay = 250 + Math.random() * cap; // full jitter
    }
    this.attempt++;
    this.stats.reconnects++;
    this.reconnectDueAt = Date.now() + delay;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.openSocket();
    }, delay);
  }

  /** Reconnects now instead of waiting for the backoff timer. */
  retryNow() {
    if (this.manualOffline || this.ws) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
    this.openSocket();
  }

  send(frame) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(frame));
    return true;
  }

  // ------------------------------------------------------------------ frames

  onFrame(f) {
    switch (f.type) {
      case "welcome":
        return this.onWelcome(f);
      case "ack":
        return this.onAck(f);
      case "change":
        return this.onChange(f);
      case "conflict.opened":
        this.conflicts.set(f.conflict.id, f.conflict);
        this.emit("conflict", { type: "opened", conflict: f.conflict });
        return this.changed();
      case "conflict.resolved":
        this.conflicts.delete(f.conflict.id);
        this.emit("conflict", { type: "resolved", conflict: f.conflict, by: f.by });
        return this.changed();
      case "presence":
        if (f.left) this.presence.delete(f.participant.participantId);
        else this.presence.set(f.participant.participantId, f.participant);
        return this.changed();
      case "pong":
        clearTimeout(this.pongDeadline);
        this.pongDeadline = null;
        return;
      case "error":
        return this.onError(f);
      default:
        return;
    }
  }

  onWelcome(w) {
    clearTimeout(this.welcomeDeadline);
    this.welcomeDeadline = null;
    this.actor = w.actor;
    this.role = w.role;
    this.participantId = w.participantId;
    const gotNews = !w.resumed || (w.changes && w.changes.length > 0);
    if (w.doc) this.serverDoc = w.doc;
    if (gotNews && this.version !== w.version) this.remoteMark++;
    this.version = w.version;
    this.stateHash = w.stateHash;
    this.conflicts = new Map((w.conflicts || []).map((c) => [c.id, c]));
    this.presence = new Map((w.presence || []).map((p) => [p.participantId, p]));
    this.attempt = 0;
    this.setStatus("online");
    this.emit("welcome", w);
    if (w.resumed && w.changes) for (const c of w.changes) this.emit("change", { ...c, resumed: true });
    this.pingTimer = setInterval(() => {
      if (this.pongDeadline) return;
      this.send({ type: "ping", nonce: Date.now() });
      this.pongDeadline = setTimeout(() => {
        // no pong in 10 s: the connection is dead even if the socket does not know it yet
        if (this.ws) {
          const ws = this.ws;
          this.ws = null;
          try {
            ws.close();
          } catch (e) {
            /* ignore */
          }
          for (const b of this.queue) b.sent = false;
          this.stopTimers();
          this.scheduleReconnect("no answer from the server");
        }
      }, 10000);
    }, 15000);
    if (this.presenceState) this.sendPresence();
    this.presenceTimer = setInterval(() => this.presenceState && this.sendPresence(), 10000);
    this.changed();
    this.pump();
  }

  onChange(c) {
    if (c.doc && (this.version == null || dominates(c.version, this.version))) {
      this.serverDoc = c.doc;
      this.version = c.version;
      this.stateHash = c.stateHash;
    }
    this.remoteMark++;
    this.emit("change", c);
    this.changed();
  }

  onAck(a) {
    const i = this.queue.findIndex((b) => b.batchId === a.batchId && b.sent);
    if (a.doc && (this.version == null || dominates(a.version, this.version))) {
      this.serverDoc = a.doc;
      this.version = a.version;
      this.stateHash = a.stateHash;
    } else if (!a.doc && this.version != null && dominates(a.version, this.version)) {
      // should not happen with snapshots on; keep the version honest anyway
      this.version = a.version;
    }
    if (i < 0) {
      this.emit("ack", a); // e.g. a resolve
      return this.changed();
    }
    const b = this.queue.splice(i, 1)[0];
    (a.results || []).forEach((r, j) => {
      if (r && r.id && b.tempIds[j]) this.tempToReal.set(b.tempIds[j], r.id);
    });
    this.stats.acked++;
    if (a.duplicate) this.stats.duplicates++;
    this.emit("ack", { ...a, label: b.label });
    b.resolve && b.resolve(a);
    this.changed();
    this.pump();
  }

  onError(e) {
    this.emit("error", e);
    if (e.code === "shutting_down" && e.retryAfterMs != null) {
      this.nextDelay = e.retryAfterMs;
      return;
    }
    if (e.code === "unauthorized") this.forceNewToken = true;
    if (!e.batchId) return;
    const b = this.queue.find((x) => x.batchId === e.batchId);
    if (!b) return;
    if (e.code === "rate_limited" || e.code === "overloaded" || e.code === "internal") {
      b.sent = false;
      b.attempts = (b.attempts || 0) + 1;
      const wait = e.retryAfterMs != null ? e.retryAfterMs : Math.min(10000, 200 * 2 ** b.attempts) * (0.5 + Math.random());
      clearTimeout(this.retryTimer);
      this.retryTimer = setTimeout(() => {
        this.retryTimer = null;
        this.pump();
      }, wait);
      return;
    }
    // refused for good (path_not_found, schema_violation, forbidden, stale_base, …): drop it
    this.queue.splice(this.queue.indexOf(b), 1);
    this.emit("rejected", { batchId: b.batchId, code: e.code, message: e.message, label: b.label, unseen: e.unseen });
    b.reject && b.reject(Object.assign(new Error(e.message), { code: e.code }));
    this.changed();
    this.pump();
  }

  // ------------------------------------------------------------------ writes

  /**
   * Queues ops as (part of) a batch; the returned promise resolves with the ack.
   * `opts.view` (from view()) is what the user was looking at when the edit began: it becomes
   * the batch's basedOn. `opts.label` names the edit in events. `opts.precondition: "unchanged"`
   * asks for a strict batch (never merged with others).
   * Insert ops get temporary element ids, returned in `ids` (same order as ops; null for others).
   */
  submit(ops, opts = {}) {
    if (!Array.isArray(ops) || ops.length === 0) throw new Error("submit needs ops");
    const view = opts.view || this.view();
    const ids = ops.map((op) => (op.op === "insert" ? TEMP_PREFIX + ++tempCounter : null));
    let b = this.queue[this.queue.length - 1];
    const canAppend =
      b && !b.sent && !b.strict && !opts.precondition && b.basedOn === view.version && b.remoteMark === view.mark && b.ops.length + ops.length <= 400;
    let promise;
    if (canAppend) {
      b.ops.push(...ops.map((op) => clone(op)));
      b.tempIds.push(...ids);
      if (opts.label) b.label = b.label ? b.label + "; " + opts.label : opts.label;
      promise = b.promise;
    } else {
      b = {
        batchId: this.batchPrefix + "-" + ++this.batchSeq,
        basedOn: view.version,
        remoteMark: view.mark,
        ops: ops.map((op) => clone(op)),
        tempIds: ids,
        sent: false,
        strict: opts.precondition === "unchanged",
        label: opts.label || null,
        frozen: null,
      };
      b.promise = new Promise((res, rej) => {
        b.resolve = res;
        b.reject = rej;
      });
      b.promise.catch(() => {});
      this.queue.push(b);
      promise = b.promise;
    }
    this.changed();
    this.pump();
    return { promise, ids, batchId: b.batchId };
  }

  /** Resolves a conflict: exactly one of {value}, {delete: true}, {keep: true}. */
  resolve(path, choice, conflictId) {
    const batchId = this.batchPrefix + "-r" + ++this.batchSeq;
    const frame = { type: "resolve", batchId, path, ...choice };
    if (conflictId) frame.conflictId = conflictId;
    return new Promise((res, rej) => {
      if (!this.send(frame)) return rej(new Error("offline: resolve needs a connection"));
      const done = () => (offA(), offE(), clearTimeout(timer));
      const offA = this.on("ack", (a) => a.batchId === batchId && (done(), res(a)));
      const offE = this.on("error", (e) => e.batchId === batchId && (done(), rej(Object.assign(new Error(e.message), { code: e.code }))));
      // the connection may drop before the answer: the conflict list after the reconnect tells
      const timer = setTimeout(() => (done(), rej(new Error("no answer from the server"))), 15000);
    });
  }

  /** Sends the next queued batch when nothing is in flight. */
  pump() {
    if (!this.ws || this.status !== "online" || this.retryTimer) return;
    const b = this.queue[0];
    if (!b || b.sent) return; // one batch in flight at a time, in order
    if (!b.frozen) {
      // last chance to edit the batch: freeze its content (a re-send must be byte-identical)
      const local = new Map();
      b.tempIds.forEach((t, i) => t && local.set(t, "$" + i));
      const ops = b.ops.map((op) => rewriteOp(rewriteOp(op, local), this.tempToReal));
      if (ops.some((op) => tempRefs(op).length > 0)) {
        // references an element whose insert was refused: cannot be sent
        this.queue.shift();
        this.emit("rejected", { batchId: b.batchId, code: "path_not_found", message: "refers to an element that was never created", label: b.label });
        this.changed();
        return this.pump();
      }
      let basedOn = b.basedOn;
      if (b.remoteMark === this.remoteMark && this.version != null) {
        // every state change since the user's view came from our own acks: the user had seen them
        basedOn = this.version;
      }
      b.frozen = { type: "batch", batchId: b.batchId, basedOn: basedOn ?? "", ops };
      if (b.strict) b.frozen.precondition = "unchanged";
    }
    b.sent = true;
    this.stats.sent++;
    this.send(b.frozen);
  }

  // ------------------------------------------------------------------ presence

  /** Sets this tab's presence state (e.g. {name, focus}); sent now and refreshed every 10 s. */
  setPresence(state) {
    this.presenceState = state;
    this.sendPresence();
  }

  sendPresence() {
    this.send({ type: "presence", state: this.presenceState });
  }

  // ------------------------------------------------------------------ REST helpers

  /** GET /v1/sessions/{id}/history?since= — for tools and tests. */
  async history(since = "") {
    const token = typeof this.tokenSource === "function" ? await this.tokenSource() : this.tokenSource;
    const r = await fetch(`${this.baseUrl}/v1/sessions/${encodeURIComponent(this.session)}/history?since=${encodeURIComponent(since)}`, {
      headers: { Authorization: "Bearer " + token },
    });
    return r.json();
  }
}
