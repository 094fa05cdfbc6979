// The patient's page: who viewed my data, by organisation and role, never by staff name. Each row
// says what that role was actually shown, and a look refused to hospital staff is listed as a
// refused attempt: the patient sees that someone asked.
"use strict";

// The hub answers in codes; the words are the catalogue's, in the reader's language first.
const ROLES = { paramedic: () => tr("paramedic"), physician: () => tr("physician"), nurse: () => tr("nurse"),
  clerk: () => tr("clerk"), system: () => tr("hospital system"), share: () => tr("QR recipient") };
const LOOKS = { "record.fetch": () => tr("fetched the record"), "record.view": () => tr("viewed the emergency summary"),
  "record.view_full": () => tr("full history sent at a physician's request"),
  "hospital.view": () => tr("opened in the hospital"),
  "hospital.full_history": () => tr("opened the full history in the hospital"),
  "hospital.full_history_refused": () => tr("asked for the full history: refused"),
  "share.open": () => tr("opened through a QR share") };
const SEEN = { identity: () => tr("Identity"), eta: () => tr("ETA"), chief_complaint: () => tr("Chief complaint"),
  emergency_summary: () => tr("Emergency summary"), full_history: () => tr("Full history") };

// A code the page does not know yet (a newer hub) shows the hub's own words.
const worded = (table, key, fallback) => (table[key] ? table[key]() : fallback);

function organisation(r) {
  if (r.org_kind === "fire") return `${tr("fire HQ")}: ${r.org_name}`;
  if (r.org_kind === "share") return r.org_name ? `${r.org_name} (QR)` : "QR";
  return r.org_name || r.organisation;
}

function seen(r) {
  if (!r.seen) return r.categories;
  return r.seen.length ? r.seen.map((c) => worded(SEEN, c, c)).join(", ") : tr("Nothing (refused)");
}

function row(r) {
  const what = worded(LOOKS, r.look, r.action);
  return el("tr", { testid: "history-row", cls: r.refused ? "refused" : "", data: { look: r.look || "", who: r.who || "" } },
    el("td", { text: fmt.dateTime(r.at) }), el("td", { text: organisation(r) }),
    el("td", { text: worded(ROLES, r.who, r.role) }),
    el("td", {}, r.refused ? el("strong", { text: what }) : what),
    el("td", { text: r.basis ? code(r.basis) : "-" }), el("td", { testid: "history-seen", text: seen(r) }));
}

function showRows(rows) {
  $("summary").textContent = rows.length ? tr("{n} accesses to your data", { n: rows.length }) : tr("Nobody has viewed your data");
  $("summary").hidden = false;
  $("rows").replaceChildren(...rows.map(row));
  $("history").hidden = !rows.length;
}

// Two steps: the card and birth date send a code to the registered contact; the code opens the
// history once. The challenge lives only in this page, never in storage.
let challenge = null;

function startOver() {
  challenge = null;
  $("code-form").reset(); $("code-form").hidden = true;
  $("history-form").hidden = false;
  $("history").hidden = true; $("summary").hidden = true;
}

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  $("history-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    let sent;
    try { sent = await api("POST", "/api/patient/code", { card_id: f.get("card_id").trim(), birth_date: f.get("birth_date") }); }
    catch (e) { say(e.message); return; }
    say("");
    challenge = sent.challenge;
    $("sent-to").textContent = sent.channel === "email"
      ? tr("A code was sent by e-mail to {to}. It is valid for 10 minutes.", { to: sent.sent_to })
      : tr("A code was sent by SMS to {to}. It is valid for 10 minutes.", { to: sent.sent_to });
    $("history-form").hidden = true;
    $("code-form").hidden = false;
    $("code").focus();
  });
  $("code-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    let rows;
    try { rows = await api("POST", "/api/patient/history", { challenge, code: $("code").value.trim() }); }
    catch (e) { say(e.message); if (e.code === "code_spent") startOver(); return; }
    say("");
    $("code-form").hidden = true;
    showRows(rows);
  });
  $("start-over").addEventListener("click", () => { say(""); startOver(); });
});
