// The privacy officer's queue: overdue items first and marked; each decision needs a comment.
"use strict";

const KINDS = { emergency_exception: () => tr("Emergency exception"), attribute_search: () => tr("4-attribute search"),
  "anomaly:after_handover": () => tr("Viewed after handover"), "anomaly:many_records": () => tr("Many records in a short time"),
  "anomaly:no_active_incident": () => tr("Lookup on a closed incident") };
// A QR share opened under the emergency exception is one item per share ("share_opened:<share id>").
const kindText = (kind) => (KINDS[kind] ? KINDS[kind]() : kind.startsWith("share_opened:") ? tr("QR share opened") : kind);
const DECISIONS = { justified: () => tr("Justified"), not_justified: () => tr("Not justified") };
// An item's note is a code, worded here, with what it is about after a colon
// ("many_records_fetched:7"), shown on a line of its own; items stored before the codes carry
// their text, shown as written.
const EXCEPTION_REASONS = { unconscious: () => tr("Unconscious"), cannot_communicate: () => tr("Cannot communicate"),
  life_threatening: () => tr("Immediate threat to life") };
const SEARCH_OUTCOMES = { match: () => tr("one person matched"), no_match: () => tr("no one matched"),
  several: () => tr("several people matched"), source_unavailable: () => tr("record source unavailable") };
const worded = (table, c) => (table[c] ? [table[c]()] : c ? [c] : []);
const NOTES = {
  viewed_under_emergency_exception: (reason) => [tr("viewed under the emergency exception"), ...worded(EXCEPTION_REASONS, reason)],
  viewed_after_handover: () => [tr("record viewed after handover")],
  share_opened_under_emergency_exception: (recipient) => [tr("opened a share under the emergency exception"),
    ...(recipient ? [tr("recipient: {name}", { name: recipient })] : [])],
  many_records_fetched: (n) => [tr("{n} records fetched by one user within 30 minutes", { n })],
  lookup_on_closed_incident: () => [tr("lookup on a closed incident")],
  attribute_search: (outcome) => [tr("4-attribute search"), ...worded(SEARCH_OUTCOMES, outcome)],
};
function noteCell(summary) {
  const at = summary.indexOf(":");
  const [note, about] = at < 0 ? [summary, ""] : [summary.slice(0, at), summary.slice(at + 1)];
  const [first, ...more] = NOTES[note] ? NOTES[note](about) : [summary];
  return el("td", { testid: "note", text: first }, ...more.map((text) => el("div", { text })));
}
let filter = "open";
let items = [];

function decisionCell(item) {
  const cell = el("td", { cls: "decision" });
  if (item.decision) {
    cell.append(el("span", { cls: `decided-${item.decision}`, testid: "decision", text: DECISIONS[item.decision] ? DECISIONS[item.decision]() : item.decision }),
      el("div", { text: item.comment }), el("small", { text: item.decided_by || "" }));
    return cell;
  }
  const id = `comment-${item.id}`;
  const comment = el("textarea", { attrs: { id, maxlength: "2000", rows: "2" } });
  const buttons = el("div", { cls: "buttons" });
  for (const [decision, cls] of [["justified", "primary"], ["not_justified", "danger"]]) {
    const b = el("button", { cls, attrs: { type: "button" }, data: { decision } }, bi(decision === "justified" ? "Justified" : "Not justified"));
    b.addEventListener("click", async () => {
      if (!comment.value.trim()) { say(tr("Write a comment first")); comment.focus(); return; }
      try { await api("POST", `/api/review/${item.id}`, { decision, comment: comment.value.trim() }); say(tr("Recorded"), true); await load(); }
      catch (e) { say(e.message); }
    });
    buttons.append(b);
  }
  cell.append(el("label", { attrs: { for: id } }, bi("Comment")), comment, buttons);
  return cell;
}

function render() {
  const body = $("items"); body.replaceChildren();
  const shown = items.filter((i) => filter === "all" || (filter === "open" ? !i.decision : !!i.decision));
  $("count-open").textContent = `(${items.filter((i) => !i.decision).length})`;
  for (const item of shown) {
    const tr_ = el("tr", { cls: item.overdue ? "overdue" : "", testid: "review-item", data: { item: String(item.id), kind: item.kind } },
      el("td", {}, fmt.date(item.due_at), item.overdue ? el("div", { cls: "overdue-mark" }, bi("Overdue")) : ""),
      el("td", { text: kindText(item.kind) }),
      el("td", {}, el("code", { text: item.incident_id })),
      noteCell(item.summary || ""),
      el("td", { text: String(item.accesses) }), decisionCell(item));
    body.append(tr_);
  }
  if (!shown.length) body.append(el("tr", {}, el("td", { cls: "empty", text: tr("none"), attrs: { colspan: "6" } })));
}

async function load() {
  items = await api("GET", "/api/review");
  $("login-view").hidden = true; $("queue-view").hidden = false; $("sign-out").hidden = false;
  render();
}

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  for (const b of document.querySelectorAll("[data-filter]")) {
    b.addEventListener("click", () => {
      filter = b.dataset.filter;
      for (const o of document.querySelectorAll("[data-filter]")) o.setAttribute("aria-pressed", String(o === b));
      render();
    });
  }
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault(); const f = new FormData(ev.target);
    try {
      // A privacy officer must show a second factor (and choose their own password if someone else set it).
      const me = await SecondFactor.after(await api("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") }));
      $("who").textContent = me.display_name; await load();
    } catch (e) { say(e.message); }
  });
  $("sign-out").addEventListener("click", async () => { await api("POST", "/api/auth/logout").catch(() => {}); location.reload(); });
  try { const me = await api("GET", "/api/auth/me"); $("who").textContent = me.display_name; await load(); }
  catch (e) { $("login-view").hidden = false; }
});
