// Case review (事後検証): the list of closed cases, one case's timeline without identity, and
// the physician's notes. Codes are worded here, in the reader's language.
"use strict";

const WHAT = {
  called: () => tr("Call received"), opened: () => tr("Incident opened"), on_scene: () => tr("Arrived on scene"),
  left_scene: () => tr("Left the scene"), at_hospital: () => tr("Arrived at hospital"), handed_over: () => tr("Handed over"),
  closed: () => tr("Closed"), asked: () => tr("Asked"), accepted: () => tr("Accepted"), declined: () => tr("Declined"),
  withdrawn: () => tr("Withdrawn"), vitals: () => tr("Vitals"), chief_complaint: () => tr("Chief complaint"), eta: () => tr("ETA"),
};
const SEVERITY = { death: () => tr("Death"), severe: () => tr("Severe"), moderate: () => tr("Moderate"), mild: () => tr("Mild"),
  other: () => tr("Other"), not_returned: () => tr("Outcome not returned") };
const DISPOSITION = { admitted: () => tr("Admitted"), icu: () => tr("ICU"), transferred: () => tr("Transferred"),
  discharged: () => tr("Discharged"), died: () => tr("Died") };
const worded = (table, c) => (table[c] ? table[c]() : c ?? "-");
const VITALS = [["heart_rate", "HR"], ["systolic_bp", "SBP"], ["diastolic_bp", "DBP"], ["spo2", "SpO2"],
  ["respiratory_rate", "RR"], ["temperature", "BT"], ["jcs", "JCS"]];
let current = null;

function eventText(e) {
  const parts = [worded(WHAT, e.what)];
  if (e.hospital) parts.push(e.hospital);
  if (e.reason) parts.push(declineReason(e.reason));
  if (e.vitals) parts.push(VITALS.filter(([k]) => e.vitals[k] != null).map(([k, n]) => `${n} ${e.vitals[k]}`).join(" "));
  if (e.text) parts.push(e.text);
  if (e.eta_minutes != null) parts.push(tr("{n} min", { n: e.eta_minutes }));
  return parts.join(" · ");
}

async function openCase(id) {
  const c = await api("GET", `/api/cases/${id}`);
  current = id;
  history.replaceState(null, "", `#${id}`);  // a reload (the language switch) keeps the case open
  $("case-view").hidden = false;
  $("case-title").textContent = `${c.week} · ${c.station} · ${c.age_band ?? tr("age unknown")}`;
  const facts = [[tr("Chief complaint"), c.chief_complaint || "-"], [tr("Inquiries"), c.inquiries],
    [tr("Minutes on scene"), c.on_scene_min ?? tr("not recorded")],
    [tr("Difficult transport"), c.difficult ? tr("yes") : tr("no")], [tr("Hospital"), c.hospital ?? tr("No destination")],
    [tr("Basis"), code(c.basis)]];
  $("case-facts").replaceChildren(...facts.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
  $("timeline").replaceChildren(...c.events.map((e) => el("li", { testid: "event", data: { what: e.what } },
    el("time", { text: fmt.dateTime(e.at) }), " ", eventText(e))));
  $("outcome").textContent = c.outcome
    ? `${worded(SEVERITY, c.outcome.severity)} · ${c.outcome.diagnosis.code} ${c.outcome.diagnosis.display} · ${worded(DISPOSITION, c.outcome.disposition)}`
    : tr("Outcome not returned");
  $("notes").replaceChildren(...c.notes.map((n) => el("li", { testid: "review-note", text: `${fmt.dateTime(n.at)} ${n.author}: ${n.note}` })));
  $("case-view").scrollIntoView();
}

async function loadCases() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($("case-filters"))) if (v) params.set(k, v);
  const cases = await api("GET", `/api/cases?${params}`);
  $("login-view").hidden = true; $("cases-view").hidden = false; $("sign-out").hidden = false;
  $("cases").replaceChildren(...cases.map((c) => {
    const b = el("button", { attrs: { type: "button" }, testid: "open-case" }, bi("Open"));
    b.addEventListener("click", () => openCase(c.incident_id).catch((e) => say(e.message)));
    return el("tr", { cls: "case-row", testid: "case-row", data: { incident: c.incident_id } },
      el("td", { text: c.week }), el("td", { text: c.station }), el("td", { text: c.age_band ?? "-" }),
      el("td", { text: c.inquiries }), el("td", { text: c.on_scene_min ?? "-" }), el("td", { text: worded(SEVERITY, c.severity) }),
      el("td", {}, b));
  }));
  if (!cases.length) $("cases").append(el("tr", {}, el("td", { cls: "empty", text: tr("none"), attrs: { colspan: "7" } })));
}

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  $("case-filters").addEventListener("submit", async (ev) => { ev.preventDefault(); try { await loadCases(); } catch (e) { say(e.message); } });
  $("note-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const note = $("note").value.trim();
    if (!note) { say(tr("Write a comment first")); return; }
    try { await api("POST", `/api/cases/${current}/notes`, { note }); $("note").value = ""; say(tr("Recorded"), true); await openCase(current); }
    catch (e) { say(e.message); }
  });
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault(); const f = new FormData(ev.target);
    // The medical-control physician (and, where the fire HQ asks, the analyst) shows a second factor first.
    try { await SecondFactor.after(await api("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") })); location.reload(); }
    catch (e) { say(e.message); }
  });
  $("sign-out").addEventListener("click", async () => { await api("POST", "/api/auth/logout").catch(() => {}); location.reload(); });
  try {
    const me = await api("GET", "/api/auth/me"); $("who").textContent = me.display_name; await loadCases();
    const open = location.hash.slice(1);
    if (/^[0-9a-f]{16}$/.test(open)) await openCase(open);
  }
  catch (e) { if (e.status === 401) $("login-view").hidden = false; else say(e.message); }
});
