// One way to show an emergency record, on the crew tablet, the ER dashboard and the QR share
// page alike: the critical facts first, then medications, recent visits, surgeries, checkups
// and the rest, every item with its source and as-of date. Text only (textContent).
// Where a category has no entries it says what its source said: "recorded as none" (the source
// says so; the only green), "nothing recorded (unknown)" (never "none": an ER physician reads
// "none" as "no known allergy"), or "source unavailable" since when.
"use strict";

// [key, label, the label as plain text in the chosen language (the unknown-rows header)].
const CRITICAL_ROWS = [
  ["drug_allergies", () => bi("Drug allergies"), () => I18N.one("Drug allergies")],
  ["other_allergies", () => bi("Other allergies"), () => I18N.one("Other allergies")],
  ["contraindications", () => bi("Contraindications"), () => I18N.one("Contraindications")],
  ["anticoagulants", () => bi("Anticoagulants"), () => I18N.one("Anticoagulants")],
  ["antiplatelets", () => bi("Antiplatelets"), () => I18N.one("Antiplatelets")],
  ["dialysis", () => bi("Dialysis"), () => I18N.one("Dialysis")],
  ["infections", () => bi("Infections"), () => I18N.one("Infections")],
];

// What a source said about a category (or a critical row) with nothing to list: [class, text].
// No state at all (a record or critical facts stored before states existed) reads as unknown.
function stateText(said) {
  const s = said || { state: "not_recorded" };
  if (s.state === "none_recorded") {
    return ["state-none", s.as_of ? `${tr("recorded as none")} (${I18N.one("as of")} ${s.as_of})` : tr("recorded as none")];
  }
  if (s.state === "unavailable") {
    const from = s.source ? ` · ${sourceName(s.source)}` : "";
    return ["state-unavailable", `${tr("source unavailable (since {time})", { time: fmt.hm(s.since) })}${from}`];
  }
  if (s.state === "recorded") return ["state-clear", tr("none among the recorded entries")];
  if (s.window_days) return ["state-unknown", tr("nothing recorded in the last {n} days (unknown)", { n: s.window_days })];
  return ["state-unknown", tr("nothing recorded (unknown)")];
}

const SEVERITY = { severe: () => I18N.one("severe"), moderate: () => I18N.one("moderate"), mild: () => I18N.one("mild") };
const KIND = { contrast: () => I18N.one("contrast media"), latex: () => I18N.one("latex"), food: () => I18N.one("food"),
  environment: () => I18N.one("environment"), biologic: () => I18N.one("biologic"), other: () => I18N.one("other") };

// "latex, anaphylaxis, severe": what the team must know of an allergy besides its name.
function allergyTags(a) {
  const tags = [];
  if (a.kind && a.kind !== "drug" && a.kind !== "other") tags.push(KIND[a.kind] ? KIND[a.kind]() : a.kind);
  if (a.anaphylaxis) tags.push(I18N.one("anaphylaxis"));
  tags.push(a.severity ? (SEVERITY[a.severity] ? SEVERITY[a.severity]() : a.severity) : I18N.one("severity unknown"));
  return tags.join(", ");
}

function seenText(seen) {
  return (seen || []).map((s) => `${sourceName(s.source)} ${s.on}`).join(" · ");
}

// Coded values the sources send, in the chosen language; a code not listed shows as it came.
const CODED = {
  modality: { hemodialysis: () => I18N.one("hemodialysis"), peritoneal: () => I18N.one("peritoneal dialysis") },
  infection: { syphilis: () => I18N.one("syphilis"), HBs: () => I18N.one("HBs antigen"),
    HCV: () => I18N.one("HCV antibody"), HIV: () => I18N.one("HIV antibody") },
  result: { positive: () => I18N.one("positive"), negative: () => I18N.one("negative") },
};
const coded = (table, c) => (CODED[table][c] ? CODED[table][c]() : c);

// The critical facts' dialysis and infection lines arrive as the summary writes them
// ("hemodialysis / last 2026-11-02", "HBs positive"; shared/summary.py): said in the chosen language.
function criticalText(v) {
  const dialysis = /^(hemodialysis|peritoneal) \/ last (\d{4}-\d{2}-\d{2})$/.exec(v);
  if (dialysis) return `${coded("modality", dialysis[1])} (${I18N.one("last {date}", { date: dialysis[2] })})`;
  const infection = /^(syphilis|HBs|HCV|HIV) (positive)$/.exec(v);
  if (infection) return `${coded("infection", infection[1])} ${coded("result", infection[2])}`;
  return v;
}

// "1944-03-02 (82歳)": the age from the date of birth and today's date, where the date of birth is shown.
function ageOn(birthIso, today = new Date()) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(birthIso || "");
  if (!m) return null;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const before = today.getMonth() + 1 < mo || (today.getMonth() + 1 === mo && today.getDate() < d);
  const age = today.getFullYear() - y - (before ? 1 : 0);
  return age >= 0 ? age : null;
}
// The acuity's thresholds are adults' (shared/acuity.py `legend`): a child's normal heart and
// breathing rates differ (an infant's 70 is an ominous bradycardia, its 140 normal), so wherever a
// child's colour is drawn it says so. Under 15 by the date of birth; by the hub's age band ("0s",
// "10s") where that is all a screen has. An interim control (clinical safety H66): the colour is still the adult table's.
const CHILD_UNDER_YEARS = 15;
function mayBeChild(birthIso, ageBand) {
  const age = ageOn(birthIso);
  if (age !== null) return age < CHILD_UNDER_YEARS;
  return ageBand === "0s" || ageBand === "10s";
}

function adultThresholds() {
  return el("span", { cls: "chip warn", testid: "adult-thresholds",
    attrs: { title: tr("Adult thresholds: a child's normal rates differ, so do not rely on a child's colour.") } },
  "⚠ ", bi("adult thresholds"));
}

function birthWithAge(birthIso) {
  if (!birthIso) return "";
  const age = ageOn(birthIso);
  return age === null ? String(birthIso) : `${birthIso} (${I18N.one("{n} y", { n: age })})`;
}

function criticalItem(v) {
  if (typeof v === "string") return el("span", { cls: "item", text: criticalText(v) });  // dialysis, infections, contraindications
  if (v.substance !== undefined) {
    return el("span", { cls: "item", testid: "critical-allergy" }, `${v.substance}: ${v.reaction} [${allergyTags(v)}]`,
      el("span", { cls: "meta", text: seenText(v.seen) }));
  }
  return el("span", { cls: "item", testid: "critical-drug" }, v.drug, el("span", { cls: "meta", text: seenText(v.seen) }));
}

function criticalItems(c, key) {
  if ((key === "anticoagulants" || key === "antiplatelets") && Array.isArray(c.drugs)) {
    const cls = key === "anticoagulants" ? "anticoagulant" : "antiplatelet";
    return c.drugs.filter((d) => d.drug_class === cls);  // one line per drug, with every source that has it
  }
  const v = c[key];
  return Array.isArray(v) ? v : (v ? [v] : []);
}

// The critical rows nobody can call "none", by name in the chosen language, in the box's order.
function unknownRows(c) {
  const unknown = c && Array.isArray(c.unknown) ? c.unknown : [];
  return CRITICAL_ROWS.filter(([key]) => unknown.includes(key)).map(([, , one]) => one()).join("、");
}

function criticalBox(c) {
  const ul = el("ul", { cls: "critical", testid: "critical" });
  const states = (c && c.states) || {};
  const names = unknownRows(c);
  if (names) {
    ul.append(el("li", { cls: "unknown-head", testid: "critical-unknown" },
      el("span", { cls: "label" }, bi("Unknown")), el("span", { cls: "value", text: names })));
  }
  for (const [key, label] of CRITICAL_ROWS) {
    const items = c ? criticalItems(c, key) : [];
    const said = states[key];
    const value = el("span", { cls: "value" }, ...items.map(criticalItem));
    const li = el("li", { testid: `critical-${key}`, data: { state: said ? said.state : "" } }, el("span", { cls: "label" }, label()), value);
    // A source that did not answer may hold more than the entries shown: say so beside them too.
    if (!items.length || (said && said.state === "unavailable")) {
      const [cls, text] = stateText(said);
      value.append(el("span", { cls: `state ${cls}`, testid: "state", text }));
      if (!items.length) li.classList.add(cls);
    }
    ul.append(li);
  }
  return ul;
}

const SOURCE = { oqc: () => I18N.one("OQC (claims)"), eprescription: () => I18N.one("e-prescription"),
  emr_sharing: () => I18N.one("EMR sharing") };
function sourceName(s) { return SOURCE[s] ? SOURCE[s]() : s; }
function source(item) {
  return el("span", { cls: "meta", testid: "source" }, `${sourceName(item.source)} · ${I18N.one("as of")} ${item.as_of}`);
}

function line(text, item, testid) {
  return el("li", { testid }, el("span", { text }), source(item));
}

const SEX = (s) => (s ? code(s) : "");

function patientLine(card) {
  if (!card) return el("p", { testid: "patient-name" }, tr("No record"));
  return el("p", { cls: "patient-line", testid: "patient-name" },
    el("strong", { text: `${card.name}（${card.kana}）` }), " ",
    el("span", { testid: "birth-date", text: birthWithAge(card.birth_date) }), ` ${SEX(card.sex)}`);
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

// [key, title, items, how one item reads, the categories it shows]; the order is what ER physicians asked for.
function sectionsOf(r) {
  const meds = [...(r.medications || []), ...(r.eprescriptions || []), ...(r.prescriptions || [])];
  return [
    ["medications", () => bi("Medications"), meds, (m) => `${m.drug} ${m.dose} ×${m.days_supplied}${I18N.one("days")} (${m.dispensed_on}, ${m.institution})`,
      ["medications", "eprescriptions", "prescriptions"]],
    ["visits", () => bi("Recent visits"), r.visits, (v) => `${v.visit_date} ${v.institution} (${v.setting === "inpatient" ? tr("inpatient") : tr("outpatient")})`],
    ["surgeries", () => bi("Surgeries"), r.surgeries, (s) => `${s.performed_on} ${s.procedure} (${s.institution})`],
    ["checkups", () => bi("Checkups"), r.checkups, (c) => `${c.checked_on}`],
    ["diagnoses", () => bi("Diagnoses"), r.diagnoses, (d) => `${d.name} [${d.icd10}]${d.onset ? ` ${d.onset}` : ""}`],
    ["dialysis", () => bi("Dialysis"), r.dialysis, (d) => `${d.performed_on} ${coded("modality", d.modality)} (${d.institution})`],
    ["infections", () => bi("Infections"), r.infections, (i) => `${coded("infection", i.kind)}: ${coded("result", i.result)} (${i.tested_on})`],
    ["labs", () => bi("Lab results"), r.labs, (l) => `${l.taken_on} ${l.test} ${l.value} ${l.unit}`],
    ["other_allergies", () => bi("Other allergies"), r.other_allergies, (a) => `${a.substance} (${a.reaction}) [${allergyTags(a)}]`],
    ["treatments", () => bi("Treatments"), r.treatments, (t) => `${t.performed_on} ${t.procedure} (${t.institution})`],
    ["documents", () => bi("Documents"), r.documents, (d) => `${d.written_on} ${d.title} (${d.institution})`],
  ];
}

// What a section says besides its entries: every source of it that did not answer and, when it has
// no entries, whether the sources record none or have nothing (unknown).
function sectionStates(status, categories, empty) {
  const said = categories.map((c) => status[c]).filter(Boolean);
  const failed = said.filter((s) => s.state === "unavailable");
  if (failed.length) return failed.map(stateText);
  if (!empty) return [];
  if (said.length === categories.length && said.every((s) => s.state === "none_recorded")) return [stateText(said[0])];
  return [stateText(said.find((s) => s.window_days) || { state: "not_recorded" })];
}

function recordSections(record, { limit = 50 } = {}) {
  const frag = document.createDocumentFragment();
  if (!record) return frag;
  for (const [key, title, items, text, categories] of sectionsOf(record)) {
    const list = items || [];
    const section = el("section", { cls: "record-section", testid: `section-${key}` }, el("h3", {}, title(), ` (${list.length})`));
    const ul = el("ul");
    for (const [cls, t] of sectionStates(record.status || {}, categories || [key], !list.length)) {
      ul.append(el("li", { cls: `empty ${cls}`, testid: "state", text: t }));
    }
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

// Acuity as the server assessed it with the one rule (shared/acuity.py), drawn alike on the crew
// tablet and the ER dashboard: never judged here, so no screen can disagree with the rule or with
// the other screen. The level by colour AND by word; EACH measure's own latest value with its own
// time (an entry with a pulse alone hides nothing taken before it); a stale value marked and why;
// the deciding measures never taken listed.
const Acuity = {
  // "incomplete" is never green and never "stable": a deciding measure is missing or too old to
  // trust. The desk is told it may not see clinical data, never "no vitals" (it may be looking at
  // a patient in shock).
  LABEL: {
    red: () => bi("critical"), yellow: () => bi("urgent"), green: () => bi("stable"),
    incomplete: () => bi("incomplete (not measured or old values)"), none: () => bi("no vitals received"),
    withheld: () => bi("clinical data withheld for your role"),
  },

  // What each measure is called on screen (the deciding ones are listed when missing).
  NAME: { systolic_bp: "SBP", diastolic_bp: "DBP", heart_rate: "HR", spo2: "SpO2",
    respiratory_rate: "RR", temperature: "T", consciousness: "JCS/GCS" },

  // The order of the primary survey; DBP on its own only when not taken with the SBP.
  ORDER: ["systolic_bp", "diastolic_bp", "heart_rate", "spo2", "respiratory_rate", "consciousness", "temperature"],

  // An answer without an assessment is not judged: not green.
  levelOf(acuity) {
    if (!acuity) return "incomplete";
    if (acuity.withheld) return "withheld";
    return Acuity.LABEL[acuity.level] ? acuity.level : "incomplete";
  },

  badge(level) {
    return el("span", { cls: `acuity ${level}`, testid: "acuity", data: { level } }, Acuity.LABEL[level]());
  },

  // One reading as text: "BP 85/50" (the pair when taken together), "JCS 100", "SpO2 97%".
  readingText(measure, r, measures) {
    const dia = measures.diastolic_bp;
    switch (measure) {
      case "systolic_bp": return dia && dia.taken_at === r.taken_at ? `BP ${r.value}/${dia.value}` : `SBP ${r.value}`;
      case "spo2": return `SpO2 ${r.value}%`;
      case "temperature": return `T ${r.value}℃`;
      case "consciousness": return `${r.scale === "gcs" ? "GCS" : "JCS"} ${r.value}`;
      default: return `${Acuity.NAME[measure]} ${r.value}`;
    }
  },

  readings(acuity) {
    const m = (acuity && acuity.measures) || {};
    return Acuity.ORDER.filter((k) => m[k] && !(k === "diastolic_bp" && m.systolic_bp && m.systolic_bp.taken_at === m[k].taken_at))
      .map((k) => ({ measure: k, r: m[k], text: Acuity.readingText(k, m[k], m) }));
  },

  // The latest vitals, one element per measure with its time; `times: false` is a list's short form.
  line(acuity, { times = true } = {}) {
    const parts = [];
    for (const { measure, r, text } of Acuity.readings(acuity)) {
      const reading = el("span", { cls: `reading ${r.level}${r.stale ? " stale" : ""}`, testid: "reading",
        data: { measure, level: r.level, stale: String(r.stale) } }, el("b", { text }));
      if (times) reading.append(" ", el("time", { text: fmt.hm(r.taken_at), attrs: { datetime: r.taken_at } }));
      if (r.stale) {
        const n = { n: acuity.fresh_for_minutes };
        reading.setAttribute("title", tr("stale: older than {n} min", n));
        if (times) reading.append(" ", el("span", { cls: "stale-mark", testid: "stale" }, bi("stale: older than {n} min", n)));
      }
      parts.push(reading, " ");
    }
    if (times && acuity && acuity.missing && acuity.missing.length && parts.length) {
      parts.push(el("span", { cls: "missing", testid: "missing" }, bi("not measured"),
        `: ${acuity.missing.map((m) => Acuity.NAME[m] || m).join(", ")}`));
    }
    return parts;
  },

  text(acuity) { return Acuity.readings(acuity).map((x) => x.text).join("  "); },
};
