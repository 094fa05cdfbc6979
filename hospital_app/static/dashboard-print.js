// The print view of one patient's pre-arrival record (hospital_app/templates/print.html), drawn
// once from GET /api/patients/<id> with the same record.js as the dashboard, so paper and screen
// say the same things the same way: unknown is never printed as none. The printing time is
// renewed just before each print, so an old sheet shows how old it is.
"use strict";

const VITAL_COLUMNS = [
  ["HR", (v) => v.heart_rate],
  ["BP", (v) => (v.systolic_bp != null ? `${v.systolic_bp}/${v.diastolic_bp ?? "-"}` : null)],
  ["SpO2", (v) => (v.spo2 != null ? `${v.spo2}%` : null)],
  ["RR", (v) => v.respiratory_rate],
  ["T", (v) => (v.temperature != null ? `${v.temperature}℃` : null)],
  ["JCS/GCS", (v) => (v.jcs != null ? `JCS ${v.jcs}` : v.gcs ? `GCS ${v.gcs.eye + v.gcs.verbal + v.gcs.motor}` : null)],
];

// Every set of vitals the crew sent, oldest first, each with the time it was taken.
function vitalsTable(updates) {
  const sets = (updates || []).filter((u) => u.kind === "vitals" && u.payload && u.payload.vitals);
  if (!sets.length) return el("p", { cls: "empty", testid: "print-no-vitals" }, bi("no vitals yet"));
  const head = el("tr", {}, el("th", {}, bi("Taken at")), ...VITAL_COLUMNS.map(([name]) => el("th", { text: name })));
  const rows = sets.map((u) => {
    const v = u.payload.vitals;
    const at = v.taken_at || u.at;
    return el("tr", { testid: "print-vitals-row" }, el("td", {}, el("time", { text: fmt.hm(at), attrs: { datetime: at } })),
      ...VITAL_COLUMNS.map(([, value]) => el("td", { text: value(v) ?? "-" })));
  });
  return el("table", { cls: "vitals-table", testid: "print-vitals" }, el("thead", {}, head), el("tbody", {}, ...rows));
}

function notesList(updates) {
  const notes = (updates || []).filter((u) => u.kind === "note" && u.payload);
  if (!notes.length) return el("p", { cls: "empty" }, tr("none"));
  return el("ul", { cls: "notes", testid: "print-notes" },
    ...notes.map((n) => el("li", {}, el("time", { text: fmt.hm(n.at), attrs: { datetime: n.at } }), `  ${n.payload.text}`)));
}

function patientHead(p) {
  const id = p.identity;
  const who = id ? [el("strong", { text: `${id.name}（${id.kana}）` }), " ", el("span", { testid: "birth-date", text: birthWithAge(id.birth_date) }), ` ${code(id.sex)}`]
    : [el("strong", {}, bi("No record"))];
  if (id && id.identity_flagged) who.push(" ", el("span", { cls: "identity-flag", testid: "identity-flag" }, "⚠ ", bi("identity weakly confirmed")));
  $("print-patient").replaceChildren(...who);
  const inc = p.incident || {};
  $("print-incident").replaceChildren(
    el("span", {}, bi("Chief complaint"), `: ${inc.chief_complaint || "-"}`), " · ",
    el("span", {}, bi("Basis"), `: ${code(p.basis)}`), " · ",
    el("span", {}, bi("ETA (minutes)"), `: ${inc.eta_minutes ?? "-"}`));
}

function section(title, ...content) {
  return el("section", { cls: "print-section" }, el("h2", {}, title), ...content);
}

function draw(p) {
  patientHead(p);
  const level = Acuity.levelOf(p.acuity);
  const readings = Acuity.line(p.acuity);
  const parts = [
    section(bi("Acuity"), el("p", { cls: "print-acuity", testid: "print-acuity" }, Acuity.badge(level), " ", ...readings)),
    section(bi("Critical facts"), p.critical ? criticalBox(p.critical)
      : el("div", { cls: "no-record", testid: "no-record" }, el("p", {}, bi("Allergies, anticoagulants and the rest are unknown, never none.")))),
    section(bi("Vitals"), vitalsTable(p.updates)),
    section(bi("Crew notes"), notesList(p.updates)),
  ];
  if (p.record) parts.push(section(bi("Record"), el("p", { cls: "meta" }, bi("Each line shows its source and as-of date.")),
    recordSections(p.record, { limit: 1000 })));
  const body = $("print-body");
  body.replaceChildren(...parts);
  body.removeAttribute("aria-busy");
}

function stampTime() {
  const now = new Date();
  const t = $("printed-at");
  t.textContent = fmt.dateTime(now.toISOString());
  t.setAttribute("datetime", now.toISOString());
}

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  stampTime();
  window.addEventListener("beforeprint", stampTime);
  $("print-now").addEventListener("click", () => { stampTime(); window.print(); });
  const id = document.body.dataset.incident;
  try { draw(await api("GET", `/api/patients/${encodeURIComponent(id)}`)); }
  catch (e) { say(e.message); }
});
