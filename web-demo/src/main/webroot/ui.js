// Small DOM helpers shared by the board's modules. No framework: elements are built with h().

/** h("div.card#x", {onclick, dataset: {...}, title}, child, "text", …) */
export function h(tag, props, ...children) {
  const m = /^([a-z0-9-]+)?((?:[.#][\w-]+)*)$/i.exec(tag);
  const el = document.createElement((m && m[1]) || "div");
  if (m && m[2]) {
    for (const part of m[2].match(/[.#][\w-]+/g)) {
      if (part[0] === ".") el.classList.add(part.slice(1));
      else el.id = part.slice(1);
    }
  }
  if (props && (typeof props !== "object" || props instanceof Node || Array.isArray(props))) {
    children.unshift(props);
    props = null;
  }
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k === "dataset") Object.assign(el.dataset, v);
    else if (k === "style" && typeof v === "object") {
      for (const [sk, sv] of Object.entries(v)) {
        if (sk.startsWith("--")) el.style.setProperty(sk, sv);
        else el.style[sk] = sv;
      }
    }
    else if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className += " " + v;
    else if (k in el && typeof v !== "string") el[k] = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c == null || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

/** Replaces an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A stable, pleasant colour for a name. */
export function colorFor(name) {
  let x = 0;
  for (const ch of String(name)) x = (x * 31 + ch.codePointAt(0)) >>> 0;
  const hue = x % 360;
  return `hsl(${hue} 62% 45%)`;
}

export function initials(name) {
  const parts = String(name || "?").replace(/[-_.]/g, " ").trim().split(/\s+/);
  return ((parts[0] || "?")[0] + (parts.length > 1 ? parts[parts.length - 1][0] : "")).toUpperCase();
}

const ROBOT =
  '<svg viewBox="0 0 24 24" width="1em" height="1em" aria-hidden="true"><path fill="currentColor" fill-rule="evenodd" ' +
  'd="M12 1.5a1.5 1.5 0 0 1 .75 2.8V6H17a3 3 0 0 1 3 3v8a3 3 0 0 1-3 3H7a3 3 0 0 1-3-3V9a3 3 0 0 1 3-3h4.25V4.3A1.5 1.5 0 0 1 12 1.5z' +
  'M9 10.5a1.75 1.75 0 1 0 0 3.5 1.75 1.75 0 0 0 0-3.5zm6 0a1.75 1.75 0 1 0 0 3.5 1.75 1.75 0 0 0 0-3.5zM9 16.25h6v1.5H9z' +
  'M1.5 11h1.5v5H1.5a.5.5 0 0 1-.5-.5v-4a.5.5 0 0 1 .5-.5zm21 0a.5.5 0 0 1 .5.5v4a.5.5 0 0 1-.5.5H21v-5z"/></svg>';

/** A small robot icon (an SVG, so it shows without an emoji font). */
export function robot() {
  const s = document.createElement("span");
  s.className = "robot";
  s.innerHTML = ROBOT;
  return s;
}

/** An avatar: round for humans, a rounded square with a robot glyph for agents. */
export function avatar(actor, opts = {}) {
  const agent = actor && actor.kind === "agent";
  const name = (actor && (actor.name || actor.id)) || "?";
  const el = h(
    "span.avatar" + (agent ? ".agent" : ".human") + (opts.small ? ".small" : ""),
    { title: `${name} (${agent ? "agent" : "human"})`, style: { "--c": colorFor(name) } },
    agent ? robot() : initials(name)
  );
  return el;
}

/** A "human" / "agent" chip. */
export function kindChip(kind) {
  return h("span.kind-chip." + (kind === "agent" ? "agent" : "human"), kind === "agent" ? "agent" : "human");
}

export function timeAgo(ms) {
  const s = Math.round((Date.now() - ms) / 1000);
  if (s < 5) return "just now";
  if (s < 60) return s + " s ago";
  if (s < 3600) return Math.round(s / 60) + " min ago";
  if (s < 86400) return Math.round(s / 3600) + " h ago";
  return new Date(ms).toLocaleDateString();
}

export function clockTime(ms) {
  return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

let toastBox;
/**
 * A short notice in the corner. kind: "info" | "warn" | "error" | "ok". With `action`
 * ({label, run}) it carries a button that runs it once and dismisses the notice.
 */
export function toast(text, kind = "info", ms = 4000, action = null) {
  toastBox = toastBox || document.getElementById("toasts");
  if (!toastBox) return;
  const t = h("div.toast." + kind, { role: "status" }, text);
  if (action) {
    const b = h("button.toast-action", { type: "button" }, action.label);
    b.onclick = () => {
      t.remove();
      action.run();
    };
    t.append(" ", b);
  }
  toastBox.append(t);
  setTimeout(() => t.classList.add("leaving"), ms);
  setTimeout(() => t.remove(), ms + 400);
}

/** Label colours: a few named ones, the rest hashed. */
export function labelColor(label) {
  const named = { bug: "#d64545", docs: "#2f7dd1", ui: "#9b51e0", test: "#1f9d74", feature: "#d9822b", research: "#5b6bd6", urgent: "#c0265e", chore: "#6b7785" };
  return named[String(label).toLowerCase()] || colorFor(label);
}

/** Formats any value for display in a conflict dialog. */
export function show(v) {
  if (v === null || v === undefined) return "(empty)";
  if (typeof v === "string") return v === "" ? "(empty)" : v;
  if (Array.isArray(v)) return v.map((x) => (x && typeof x === "object" && "value" in x ? show(x.value) : show(x))).join(", ");
  if (typeof v === "object") {
    if ("actor" in v && "until" in v) return `claimed by ${v.actor}`;
    return JSON.stringify(v);
  }
  return String(v);
}
