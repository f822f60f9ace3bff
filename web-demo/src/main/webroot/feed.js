// The Activity feed, told from the session's history (`GET /v1/sessions/{id}/history`), so that
// every participant sees the same feed: their own edits too, what happened while they were
// offline, and after a reload. The history holds CRDT changes (docs/semantics.md, "Change
// format"): ops on containers named by the id of the op that made them, not paths. The feed
// replays them into a small index (container id → what it is on the board) to say "moved “Fix
// the login” to Doing" rather than "listMove 12@n1".

const SERVER = "chorus-server";

/** Why the server released a claim: its batch ids say (docs/protocol.md, `claim`). */
export function releaseReason(batchId) {
  if (typeof batchId !== "string") return null;
  if (batchId.startsWith("holder-left-")) return "disconnect";
  if (batchId.startsWith("lease-expiry-")) return "expiry";
  return null;
}

export class ActivityFeed {
  /**
   * @param {object} o
   * @param {function(string): Promise<Response>} o.read  GET history since a version
   * @param {function(): object} o.doc   the current wire document (names things the history
   *                                     no longer retains)
   * @param {function(): string} o.version  the version of that document
   * @param {object} o.statusLabel       status value → what the board calls it
   * @param {function(object[])} o.onEntries  called with the new entries, oldest first
   * @param {number} [o.limit]
   */
  constructor(o) {
    this.read = o.read;
    this.doc = o.doc;
    this.version = o.version;
    this.statusLabel = o.statusLabel;
    this.onEntries = o.onEntries;
    this.limit = o.limit || 100;
    this.index = new Map([["root", { t: "root" }]]);
    this.since = "";
    this.entries = []; // newest first
    this.compacted = false;
    this.running = false;
    this.wanted = false;
  }

  /** Reads what the history holds beyond what the feed has told; calls coalesce. */
  async refresh() {
    this.wanted = true;
    if (this.running) return;
    this.running = true;
    try {
      while (this.wanted) {
        this.wanted = false;
        await this.readOnce();
      }
    } finally {
      this.running = false;
    }
  }

  async readOnce() {
    const r = await this.read(this.since);
    if (r.status === 410 && this.since === "") {
      // the start of the session was compacted away: tell from now on, naming what the
      // current document still shows
      this.compacted = true;
      this.since = this.version() || "";
      if (!this.since) return;
      return this.readOnce();
    }
    if (!r.ok) throw new Error("history: HTTP " + r.status);
    const body = await r.json();
    const fresh = [];
    for (const c of body.changes || []) {
      const e = this.tell(c);
      if (e) fresh.push(e);
    }
    this.since = body.version;
    if (fresh.length === 0) return;
    this.entries = [...fresh.reverse(), ...this.entries].slice(0, this.limit);
    this.onEntries(fresh.reverse());
  }

  // ------------------------------------------------------------------ one change

  /** Replays one history entry into the index; returns its feed entry, or null if nothing to tell. */
  tell(entry) {
    const cx = { author: entry.author, batchId: entry.batchId, facts: [], created: new Set(), moved: new Set(), at: 0, released: [] };
    let replica = null;
    for (const change of entry.changes || []) {
      replica = change.replica;
      cx.at = Math.max(cx.at, change.ts || 0);
      let counter = change.start;
      for (const op of change.ops || []) {
        const id = `${counter}@${change.replica}`;
        counter += op.op === "textInsert" ? op.text.length : 1;
        this.apply(op, id, cx);
      }
    }
    // the session's initial content (the same on every node) is the stage, not an event
    if (replica === "init" || cx.facts.length === 0) return null;
    const texts = [...new Set(cx.facts.map((f) => f()).filter(Boolean))];
    if (texts.length === 0) return null;
    const author = entry.author || { id: "?", kind: "human" };
    return {
      key: entry.version + "|" + (entry.batchId || ""),
      version: entry.version,
      at: cx.at || Date.now(),
      actor: author,
      kind: author.id === SERVER ? "server" : author.kind === "agent" ? "agent" : "human",
      text: texts.slice(0, 3).join(", ") + (texts.length > 3 ? ` and ${texts.length - 3} more` : ""),
      released: cx.released,
    };
  }

  node(id) {
    return this.index.get(id) || this.fromDoc(id);
  }

  /** A container the history no longer shows the making of, named from the current document. */
  fromDoc(id) {
    const d = this.doc();
    const cols = d && d.board && Array.isArray(d.board.columns) ? d.board.columns : [];
    for (const col of cols) {
      const cn = this.index.get(col.id) || this.put(col.id, { t: "column", name: col.value?.title, cid: col.value?.id });
      if (col.id === id) return cn;
      for (const c of (col.value && col.value.cards) || []) {
        if (c.id === id) return this.put(id, { t: "card", title: c.value?.title, column: cn, labels: new Map() });
      }
    }
    for (const s of (d && Array.isArray(d.plan) ? d.plan : [])) {
      if (s.id === id) return this.put(id, { t: "step", title: typeof s.value === "string" ? s.value : s.value?.title });
    }
    return null;
  }

  put(id, node) {
    this.index.set(id, node);
    return node;
  }

  /** Where a list element the history no longer shows the insert of lives now (its list node). */
  listOf(elemId) {
    const n = this.node(elemId);
    if (n && n.t === "card") return { t: "cards", column: n.column };
    if (n && n.t === "step") return { t: "plan" };
    return null;
  }

  apply(op, id, cx) {
    const parent = this.node(op.obj);
    switch (op.op) {
      case "mapSet":
        return this.mapSet(parent, op, id, cx);
      case "mapDelete":
        if (parent && parent.t === "tasks") {
          const task = parent.keys && parent.keys.get(op.key);
          cx.facts.push(() => `deleted task “${(task && task.title) || op.key}”`);
        }
        return;
      case "listInsert":
        return this.listInsert(parent || this.listOf(id), op, id, cx);
      case "listSet":
        if (parent && parent.t === "plan" && op.make === "map") {
          const old = this.node(op.elem);
          this.put(id, this.put(op.elem, { t: "step", title: old && old.title }));
        }
        return;
      case "listDelete":
        return this.listDelete(parent || this.listOf(op.elem), op, cx);
      case "listMove":
        return this.listMove(parent || this.listOf(op.elem), op, cx);
      case "textInsert":
      case "textDelete":
        if (parent && parent.t === "text" && parent.card && !cx.created.has(parent.card)) {
          const card = parent.card;
          cx.facts.push(() => `edited the ${parent.field} of “${card.title || "a card"}”`);
        }
        return;
      case "keep":
        cx.facts.push(() => "kept an item someone had deleted");
        return;
      default:
        return;
    }
  }

  mapSet(parent, op, id, cx) {
    if (!parent) return;
    const make = op.make || null;
    const v = op.value;
    if (make) this.put(id, this.child(parent, op.key, make, id));
    switch (parent.t) {
      case "column":
        if (op.key === "title") parent.name = v;
        if (op.key === "id") parent.cid = v;
        return;
      case "tasks": {
        const task = this.index.get(id);
        if (!task) return;
        parent.keys = parent.keys || new Map();
        parent.keys.set(op.key, task);
        cx.created.add(task);
        cx.facts.push(() => `added task “${task.title || op.key}”`);
        return;
      }
      case "task":
        return this.taskSet(parent, op, cx);
      case "claim":
        if (op.key === "actor") parent.task.holder = v;
        return;
      case "card":
        return this.cardSet(parent, op, cx);
      case "step": {
        const old = parent.title;
        if (op.key === "title") parent.title = v;
        if (cx.created.has(parent)) return;
        if (op.key === "status") cx.facts.push(() => `marked step “${parent.title}” ${this.status(v)}`);
        else if (op.key === "title") cx.facts.push(() => `renamed step “${old}” to “${v}”`);
        return;
      }
      default:
        return;
    }
  }

  child(parent, key, make, id) {
    if (parent.t === "root") return { t: key };
    if (parent.t === "board" && key === "columns") return { t: "columns" };
    if (parent.t === "column" && key === "cards") return { t: "cards", column: parent };
    if (parent.t === "card" && make === "list") return { t: "labels", card: parent };
    if (parent.t === "card" && make === "text") return { t: "text", card: parent, field: key };
    if (parent.t === "tasks") return { t: "task", key, title: null, holder: null, id };
    if (parent.t === "task" && key === "claim") return { t: "claim", task: parent };
    return { t: "other" };
  }

  cardSet(card, op, cx) {
    const old = card[op.key];
    const v = op.value;
    if (!op.make) card[op.key] = v;
    if (cx.created.has(card)) return;
    const title = () => card.title || "a card";
    switch (op.key) {
      case "title":
        return cx.facts.push(() => `renamed “${old || "a card"}” to “${v}”`);
      case "status":
        // a drag sets the status and moves the card: the move says it
        return cx.facts.push(() => (cx.moved.has(card) ? null : `set the status of “${title()}” to ${this.status(v)}`));
      case "assignee":
        return cx.facts.push(() => (v ? `assigned “${title()}” to ${v}` : `unassigned “${title()}”`));
      case "description":
        return cx.facts.push(() => `edited the description of “${title()}”`);
      case "labels":
        return cx.facts.push(() => `changed the labels of “${title()}”`);
      default:
        return cx.facts.push(() => `edited “${title()}”`);
    }
  }

  taskSet(task, op, cx) {
    const v = op.value;
    const title = () => task.title || task.key;
    if (op.key === "claim") {
      const holder = task.holder;
      if (op.make) {
        // a holder renewing its lease claims again: not news
        if (holder === cx.author.id) return;
        task.holder = cx.author.id;
        return cx.facts.push(() => `claimed task “${title()}”`);
      }
      task.holder = null;
      if (!holder) return;
      const reason = cx.author.id === SERVER ? releaseReason(cx.batchId) : null;
      if (reason) cx.released.push({ holder, task: title(), reason });
      const why = reason === "disconnect" ? ` — ${holder} disconnected` : reason === "expiry" ? " — its lease ran out" : "";
      return cx.facts.push(() => (holder === cx.author.id ? `released task “${title()}”` : `released ${holder}'s claim on “${title()}”${why}`));
    }
    const old = task[op.key];
    task[op.key] = v;
    if (cx.created.has(task)) return;
    if (op.key === "title") cx.facts.push(() => `renamed task “${old || task.key}” to “${v}”`);
    else if (op.key === "status") cx.facts.push(() => `marked task “${title()}” ${this.status(v)}`);
    else if (op.key === "assignee") cx.facts.push(() => (v ? `assigned task “${title()}” to ${v}` : `unassigned task “${title()}”`));
  }

  listInsert(list, op, id, cx) {
    if (!list) return;
    if (list.t === "columns") {
      this.put(id, { t: "column", name: null, cid: null });
    } else if (list.t === "cards") {
      const card = this.put(id, { t: "card", title: null, column: list.column, labels: new Map() });
      cx.created.add(card);
      cx.facts.push(() => `added card “${card.title || "untitled"}” to ${this.columnName(list.column)}`);
    } else if (list.t === "plan") {
      const step = this.put(id, { t: "step", title: op.make ? null : op.value });
      cx.created.add(step);
      cx.facts.push(() => `added step “${step.title || "untitled"}”`);
    } else if (list.t === "labels") {
      const card = list.card;
      card.labels = card.labels || new Map();
      card.labels.set(id, op.value);
      if (!cx.created.has(card)) cx.facts.push(() => `labelled “${card.title || "a card"}” ${op.value}`);
    } else if (list.t === "instructions") {
      cx.facts.push(() => "added an instruction");
    }
  }

  listDelete(list, op, cx) {
    if (!list) return;
    const el = this.node(op.elem);
    if (list.t === "cards") cx.facts.push(() => `deleted card “${(el && el.title) || "a card"}”`);
    else if (list.t === "plan") cx.facts.push(() => `deleted step “${(el && el.title) || "a step"}”`);
    else if (list.t === "labels") {
      const card = list.card;
      const label = card.labels && card.labels.get(op.elem);
      cx.facts.push(() => `removed the label ${label ? label + " " : ""}from “${card.title || "a card"}”`);
    }
  }

  listMove(list, op, cx) {
    if (!list) return;
    if (list.t === "cards") {
      const card = this.node(op.elem);
      if (!card) return;
      card.column = list.column;
      cx.moved.add(card);
      cx.facts.push(() => `moved “${card.title || "a card"}” to ${this.columnName(list.column)}`);
    } else if (list.t === "plan") {
      cx.facts.push(() => "reordered the plan");
    }
  }

  columnName(col) {
    return (col && (col.name || col.cid)) || "a column";
  }

  status(v) {
    return this.statusLabel[v] || String(v);
  }
}
