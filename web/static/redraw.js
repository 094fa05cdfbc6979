// Lists drawn again on every push change in place, never by replacing what stays. A button taken
// out of the page between press and release loses its click (Chromium fires none) and nothing on
// screen says so: a patient who did not open, a 受入 never sent, while the crew's vitals arrived
// (docs/clinical-safety.md H60). So a row that stays keeps its element and its buttons, each
// with its listener; only their labels and attributes are drawn again. Rows are moved only to put
// them in order: a row taken out and put back loses a press too, as does any row whose place on
// screen changes (the release lands elsewhere). A button's descendants never take the pointer
// (common.css), so a press lands on the button itself, whose label may be drawn again under it.
"use strict";

// `parent`'s children become `nodes`, in this order; those already in place are not touched.
function placeInOrder(parent, nodes) {
  const wanted = new Set(nodes);
  for (const n of [...parent.childNodes]) if (!wanted.has(n)) n.remove();
  let next = parent.firstChild;
  for (const n of nodes) {
    if (n === next) { next = next.nextSibling; continue; }
    parent.insertBefore(n, next);
  }
}

function copyAttributes(kept, fresh) {
  for (const { name } of [...kept.attributes]) if (!fresh.hasAttribute(name)) kept.removeAttribute(name);
  for (const { name, value } of [...fresh.attributes]) if (kept.getAttribute(name) !== value) kept.setAttribute(name, value);
}

// The row as `fresh` draws it, in `kept`'s element; its own buttons (by data-testid) kept too.
// A kept button's listener stays: rows are matched by key, so it acts on the same thing.
function redrawRow(kept, fresh) {
  const buttons = new Map([...kept.children].filter((c) => c.tagName === "BUTTON").map((b) => [b.dataset.testid, b]));
  const nodes = [...fresh.childNodes].map((n) => {
    const old = n.tagName === "BUTTON" && buttons.get(n.dataset.testid);
    if (!old) return n;
    copyAttributes(old, n);
    old.replaceChildren(...n.childNodes);
    return old;
  });
  copyAttributes(kept, fresh);
  placeInOrder(kept, nodes);
  return kept;
}

// `list` shows `rows` (freshly drawn, in order); a row whose key is already shown is redrawn in place.
function redrawRows(list, rows, keyOf) {
  const shown = new Map([...list.children].map((row) => [keyOf(row), row]));
  placeInOrder(list, rows.map((fresh) => {
    const kept = shown.get(keyOf(fresh));
    return kept ? redrawRow(kept, fresh) : fresh;
  }));
}
