// Pointer-based drag and drop for ordered lists (cards across columns, plan steps).
// Pointer events rather than HTML5 drag-and-drop: works with mouse, touch and pen, and with
// WebDriver's pointer actions. A drag starts after the pointer moved a few pixels, so a click on a
// field still edits it.

/**
 * @param {HTMLElement} root      element that contains the lists
 * @param {object} o
 * @param {string} o.item         selector of a draggable item
 * @param {string} o.list         selector of a list that accepts drops
 * @param {string} [o.ignore]     selector inside an item where a drag must not start (inputs …)
 * @param {function(item, list, afterItem|null)} o.drop   called on a drop that changes something
 * @param {function(boolean)} [o.dragging]                called when a drag starts / ends
 */
export function sortable(root, o) {
  let state = null;

  root.addEventListener("pointerdown", (e) => {
    if (e.button !== 0 || state) return;
    const item = e.target.closest(o.item);
    if (!item || !root.contains(item)) return;
    if (o.ignore && e.target.closest(o.ignore)) return;
    state = { item, x0: e.clientX, y0: e.clientY, id: e.pointerId, active: false };
  });

  const move = (e) => {
    if (!state || e.pointerId !== state.id) return;
    if (!state.active) {
      if (Math.hypot(e.clientX - state.x0, e.clientY - state.y0) < 6) return;
      begin(e);
    }
    e.preventDefault();
    const s = state;
    s.ghost.style.transform = `translate(${e.clientX - s.dx}px, ${e.clientY - s.dy}px) rotate(2deg)`;
    const target = findTarget(e.clientX, e.clientY);
    if (target) {
      const { list, after } = target;
      const ref = after ? after.nextElementSibling : list.firstElementChild;
      if (s.marker.parentElement !== list || s.marker.previousElementSibling !== (after || null)) {
        list.insertBefore(s.marker, ref === s.marker ? s.marker.nextElementSibling : ref);
      }
      s.target = target;
    }
  };

  function begin(e) {
    const s = state;
    const r = s.item.getBoundingClientRect();
    s.active = true;
    s.dx = e.clientX - r.left;
    s.dy = e.clientY - r.top;
    s.fromList = s.item.parentElement;
    s.fromAfter = prevItem(s.item);
    s.ghost = s.item.cloneNode(true);
    s.ghost.classList.add("drag-ghost");
    s.ghost.style.width = r.width + "px";
    s.ghost.style.transform = `translate(${r.left}px, ${r.top}px)`;
    document.body.append(s.ghost);
    s.marker = document.createElement("div");
    s.marker.className = "drop-marker";
    s.marker.style.height = r.height + "px";
    s.item.classList.add("drag-source");
    s.item.parentElement.insertBefore(s.marker, s.item);
    s.item.style.display = "none";
    document.body.classList.add("is-dragging");
    o.dragging && o.dragging(true);
  }

  function prevItem(el) {
    let p = el.previousElementSibling;
    while (p && !p.matches(o.item)) p = p.previousElementSibling;
    return p;
  }

  function findTarget(x, y) {
    const lists = [...(root.matches(o.list) ? [root] : []), ...root.querySelectorAll(o.list)];
    let best = null;
    for (const list of lists) {
      const r = list.closest("[data-drop-zone]")?.getBoundingClientRect() || list.getBoundingClientRect();
      if (x >= r.left && x <= r.right && y >= r.top - 40 && y <= r.bottom + 40) {
        best = list;
        break;
      }
    }
    if (!best) return null;
    let after = null;
    for (const it of best.querySelectorAll(":scope > " + o.item)) {
      if (it === state.item) continue;
      const r = it.getBoundingClientRect();
      if (y > r.top + r.height / 2) after = it;
    }
    return { list: best, after };
  }

  const end = (e, cancelled) => {
    if (!state || e.pointerId !== state.id) return;
    const s = state;
    state = null;
    if (!s.active) return;
    s.ghost.remove();
    s.marker.remove();
    s.item.style.display = "";
    s.item.classList.remove("drag-source");
    document.body.classList.remove("is-dragging");
    // swallow the click that follows a drag
    const stop = (ev) => {
      ev.stopPropagation();
      ev.preventDefault();
    };
    window.addEventListener("click", stop, { capture: true, once: true });
    setTimeout(() => window.removeEventListener("click", stop, { capture: true }), 0);
    o.dragging && o.dragging(false);
    if (cancelled || !s.target) return;
    const { list, after } = s.target;
    if (list === s.fromList && (after || null) === (s.fromAfter || null)) return;
    o.drop(s.item, list, after);
  };

  window.addEventListener("pointermove", move, { passive: false });
  window.addEventListener("pointerup", (e) => end(e, false));
  window.addEventListener("pointercancel", (e) => end(e, true));
  window.addEventListener("keydown", (e) => {
    if (e.key === "Escape" && state) end({ pointerId: state.id }, true);
  });
}
