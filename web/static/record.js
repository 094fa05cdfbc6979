// One way to show an emergency record, on the crew tablet, the ER dashboard and the QR share
// page alike: the critical facts first, then medications, recent visits, surgeries, checkups
// and the rest, every item with its source and as-of date. Text only (textContent).
"use strict";

const CRITICAL_ROWS = [
  ["drug_allergies", () => bi("Drug allergies")], ["contraindications", () => bi("Contraindications")],
  ["anticoagulants", () => bi("Anticoagulants")], ["antiplatelets", () => bi("Antiplatelets")],
  ["dialysis", () => bi("Dialysis")], ["infections", () => bi("Infections")],
];

function criticalBox(c) {
  const ul = el("ul", { cls: "critical", testid: "critical" });
  for (const [key, label] of CRITICAL_ROWS) {
    const v = c ? c[key] : null;
    const items = Array.isArray(v) ? v : (v ? [v] : []);
    const li = el("li", { testid: `critical-${key}`, cls: items.length ? "" : "none" },
      el("span", { cls: "label" }, label()), items.length ? items.join("、") : tr("none"));
    ul.append(li);
  }
  return ul;
}

const SOURCE = { oqc: () => I18N.one("OQC (claims)"), eprescription: () => I18N.one("e-prescription"),
  emr_sharing: () => I18N.one("EMR sharing") };
function source(item) {
  const from = SOURCE[item.source] ? SOURCE[item.source]() : item.source;
  return el("span", { cls: "meta", testid: "source" }, `${from} · ${I18N.one("as of")} ${item.as_of}`);
}

function line(text, item, testid) {
  return el("li", { testid }, el("span", { text }), source(item));
}

const SEX = (s) => (s ? code(s) : "");

function patientLine(card) {
  if (!card) return el("p", { testid: "patient-name" }, tr("No record"));
  return el("p", { cls: "patient-line", testid: "patient-name" },
    el("strong", { text: `${card.name}（${card.kana}）` }), ` ${card.birth_date} ${SEX(card.sex)}`);
}

function checkupTable(checkup) {
  if (!checkup.items || !checkup.items.length) return null;
  const head = el("tr", {}, el("th", {}, bi("Item")), el("th", {}, bi("Value")), el("th", {}, bi("Unit")),
    el("th", {}, bi("Reference range")), el("th", {}, bi("Referral threshold")));
  const table = el("table", { cls: "checkup" }, el("thead", {}, head));
  const body = el("tbody");
  for (const it of checkup.items) {
    const above = it.referral_threshold !== null && it.referral_threshold !== undefined && it.value >= it.referral_threshold;
    const lo = it.reference_low ?? null, hi = it.reference_high ?? null;
    const range = lo !== null && hi !== null ? `${lo}–${hi}` : hi !== null ? `≤ ${hi}` : lo !== null ? `≥ ${lo}` : "-";
    const row = el("tr", { cls: above ? "referral" : "", testid: "checkup-item" },
      el("td", { text: it.item }), el("td", { text: String(it.value) }), el("td", { text: it.unit }), el("td", { text: range }),
      el("td", {}, it.referral_threshold ?? "-", above ? el("strong", { text: ` ▲ ${tr("above the referral threshold")}` }) : ""));
    body.append(row);
  }
  table.append(body);
  return table;
}

// [key, title, items, how one item reads]; the order is what ER physicians asked for.
function sectionsOf(r) {
  const meds = [...(r.medications || []), ...(r.eprescriptions || []), ...(r.prescriptions || [])];
  return [
    ["medications", () => bi("Medications"), meds, (m) => `${m.drug} ${m.dose} ×${m.days_supplied}${I18N.one("days")} (${m.dispensed_on}, ${m.institution})`],
    ["visits", () => bi("Recent visits"), r.visits, (v) => `${v.visit_date} ${v.institution} (${v.setting === "inpatient" ? tr("inpatient") : tr("outpatient")})`],
    ["surgeries", () => bi("Surgeries"), r.surgeries, (s) => `${s.performed_on} ${s.procedure} (${s.institution})`],
    ["checkups", () => bi("Checkups"), r.checkups, (c) => `${c.checked_on}`],
    ["diagnoses", () => bi("Diagnoses"), r.diagnoses, (d) => `${d.name} [${d.icd10}]${d.onset ? ` ${d.onset}` : ""}`],
    ["dialysis", () => bi("Dialysis"), r.dialysis, (d) => `${d.performed_on} ${d.modality} (${d.institution})`],
    ["infections", () => bi("Infections"), r.infections, (i) => `${i.kind}: ${i.result} (${i.tested_on})`],
    ["labs", () => bi("Lab results"), r.labs, (l) => `${l.taken_on} ${l.test} ${l.value} ${l.unit}`],
    ["other_allergies", () => bi("Other allergies"), r.other_allergies, (a) => `${a.substance} (${a.reaction})`],
    ["treatments", () => bi("Treatments"), r.treatments, (t) => `${t.performed_on} ${t.procedure} (${t.institution})`],
    ["documents", () => bi("Documents"), r.documents, (d) => `${d.written_on} ${d.title} (${d.institution})`],
  ];
}

function recordSections(record, { limit = 50 } = {}) {
  const frag = document.createDocumentFragment();
  if (!record) return frag;
  for (const [key, title, items, text] of sectionsOf(record)) {
    const list = items || [];
    const section = el("section", { cls: "record-section", testid: `section-${key}` }, el("h3", {}, title(), ` (${list.length})`));
    const ul = el("ul");
    if (!list.length) ul.append(el("li", { cls: "empty", text: tr("none") }));
    for (const item of list.slice(0, limit)) {
      const li = line(text(item), item, key.replace(/s$/, ""));
      if (key === "checkups") { const t = checkupTable(item); if (t) li.append(t); }
      ul.append(li);
    }
    if (list.length > limit) ul.append(el("li", { cls: "empty", text: tr("and {n} more", { n: list.length - limit }) }));
    section.append(ul);
    frag.append(section);
  }
  return frag;
}

// Vitals on one line, the same on the tablet and the dashboard (GCS as its total).
function vitalsText(v) {
  const parts = [];
  if (v.heart_rate != null) parts.push(`HR ${v.heart_rate}`);
  if (v.systolic_bp != null) parts.push(`BP ${v.systolic_bp}/${v.diastolic_bp ?? "-"}`);
  if (v.spo2 != null) parts.push(`SpO2 ${v.spo2}%`);
  if (v.respiratory_rate != null) parts.push(`RR ${v.respiratory_rate}`);
  if (v.temperature != null) parts.push(`${v.temperature}℃`);
  if (v.jcs != null) parts.push(`JCS ${v.jcs}`);
  if (v.gcs) parts.push(`GCS ${v.gcs.eye + v.gcs.verbal + v.gcs.motor}`);
  return parts.join("  ");
}
