// Vital signs on the ER dashboard: the acuity the hospital app assessed with the one rule
// (shared/acuity.py; never judged here, so the screen and the rule cannot disagree), each
// measure's latest value with its own time, the legend drawn from the rule's own table, and the
// live trend chart (inline SVG built with DOM calls; no library).
"use strict";

// The server's level, by colour AND by word. "incomplete" is never green and never "stable": a
// deciding measure is missing or too old to trust. The desk is told it may not see clinical
// data, never "no vitals" (it may be looking at a patient in shock).
const ACUITY_LABEL = {
  red: () => bi("critical"), yellow: () => bi("urgent"), green: () => bi("stable"),
  incomplete: () => bi("incomplete (not measured or old values)"), none: () => bi("no vitals received"),
  withheld: () => bi("clinical data withheld for your role"),
};

// A view without an assessment is not judged: not green.
function acuityLevel(p) {
  const a = p && p.acuity;
  if (!a) return "incomplete";
  if (a.withheld) return "withheld";
  return ACUITY_LABEL[a.level] ? a.level : "incomplete";
}

function acuityBadge(level) {
  return el("span", { cls: `acuity ${level}`, testid: "acuity", data: { level } }, ACUITY_LABEL[level]());
}

// What each measure is called on screen (the deciding ones are listed when missing).
const MEASURE_NAME = { systolic_bp: "SBP", diastolic_bp: "DBP", heart_rate: "HR", spo2: "SpO2",
  respiratory_rate: "RR", temperature: "T", consciousness: "JCS/GCS" };

// One reading as text: "BP 85/50" (the pair when taken together), "JCS 100", "SpO2 97%".
function readingText(measure, r, measures) {
  const dia = measures.diastolic_bp;
  switch (measure) {
    case "systolic_bp": return dia && dia.taken_at === r.taken_at ? `BP ${r.value}/${dia.value}` : `SBP ${r.value}`;
    case "spo2": return `SpO2 ${r.value}%`;
    case "temperature": return `T ${r.value}℃`;
    case "consciousness": return `${r.scale === "gcs" ? "GCS" : "JCS"} ${r.value}`;
    default: return `${MEASURE_NAME[measure]} ${r.value}`;
  }
}

// The order of the primary survey; DBP on its own only when not taken with the SBP.
const READING_ORDER = ["systolic_bp", "diastolic_bp", "heart_rate", "spo2", "respiratory_rate", "consciousness", "temperature"];
function readingsOf(acuity) {
  const m = (acuity && acuity.measures) || {};
  return READING_ORDER.filter((k) => m[k] && !(k === "diastolic_bp" && m.systolic_bp && m.systolic_bp.taken_at === m[k].taken_at))
    .map((k) => ({ measure: k, r: m[k], text: readingText(k, m[k], m) }));
}

// The latest vitals: EACH measure's own latest value with its own time (an entry with a pulse
// alone hides nothing taken before it), a stale value marked and why, the deciding measures
// never taken listed. `times: false` is the list's short form.
function readingsLine(acuity, { times = true } = {}) {
  const parts = [];
  for (const { measure, r, text } of readingsOf(acuity)) {
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
      `: ${acuity.missing.map((m) => MEASURE_NAME[m] || m).join(", ")}`));
  }
  return parts;
}

const readingsText = (acuity) => readingsOf(acuity).map((x) => x.text).join("  ");

// The legend, from the rule's own table (GET /api/patients/acuity-legend).
const OP = { "<": "<", "<=": "≤", ">=": "≥" };
function acuityLegend(rule) {
  const bounds = (level) => rule.rules.filter((r) => r[level].length).map((r) =>
    `${r.label} ${r[level].map((b) => `${OP[b.op] || b.op} ${b.value}`).join(" / ")}${r.unit ? ` ${r.unit}` : ""}`).join(", ");
  const deciding = rule.deciding.map((m) => MEASURE_NAME[m] || m).join(", ");
  const row = (level, ...text) => el("li", { data: { level } }, acuityBadge(level), " ", ...text);
  return el("ul", { cls: "acuity-rows" },
    row("red", bounds("red")),
    row("yellow", bounds("yellow")),
    row("green", bi("every deciding measure fresh, none of the above"), ` (${deciding})`),
    row("incomplete", bi("a deciding measure not measured, or older than {n} min", { n: rule.fresh_for_minutes })),
    row("none"),
    el("li", { cls: "note" }, bi("From each measure's latest value, not the newest entry alone. A triage aid, never a diagnosis.")));
}

const vitalsOf = (updates) => (updates || []).filter((u) => u.kind === "vitals" && u.payload && u.payload.vitals);

const SERIES = [["heart_rate", "hr", "HR"], ["systolic_bp", "sbp", "SBP"], ["spo2", "spo2", "SpO2"], ["respiratory_rate", "rr", "RR"]];
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// HR, systolic BP, SpO2 and RR over time on one 0-200 scale, the last 30 sets; its title names
// each measure's latest value, as the line above it does.
function trendChart(updates, acuity) {
  const points = vitalsOf(updates).slice(-30).map((u) => ({ t: new Date(u.payload.vitals.taken_at || u.at).getTime(), v: u.payload.vitals }));
  const W = 640, H = 200, L = 34, R = 10, T = 10, B = 24, MAX = 200;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "trend", role: "img", "data-testid": "trend", "data-points": points.length });
  const last = points.length ? readingsText(acuity) : I18N.one("no vitals");
  root.append(svg("title", {}, `${I18N.one("Vitals trend")}: ${last}`));
  for (const y of [0, 50, 100, 150, 200]) {
    const py = T + (H - T - B) * (1 - y / MAX);
    root.append(svg("line", { x1: L, x2: W - R, y1: py, y2: py, class: "grid" }), svg("text", { x: 4, y: py + 4 }, String(y)));
  }
  if (!points.length) return root;
  const t0 = points[0].t, t1 = Math.max(points[points.length - 1].t, t0 + 60000);
  const x = (t) => L + (W - L - R) * ((t - t0) / (t1 - t0));
  const y = (v) => T + (H - T - B) * (1 - Math.min(Math.max(v, 0), MAX) / MAX);
  root.append(svg("text", { x: L, y: H - 6 }, fmt.hm(new Date(t0).toISOString())),
    svg("text", { x: W - R - 40, y: H - 6 }, fmt.hm(new Date(t1).toISOString())));
  for (const [key, cls] of SERIES) {
    const pts = points.filter((p) => p.v[key] != null).map((p) => `${x(p.t).toFixed(1)},${y(p.v[key]).toFixed(1)}`);
    if (!pts.length) continue;
    root.append(svg("polyline", { points: pts.join(" "), "stroke-width": 2.5, class: cls }));
    for (const p of pts) { const [cx, cy] = p.split(","); root.append(svg("circle", { cx, cy, r: 3, class: cls })); }
  }
  return root;
}

function trendLegend() {
  return el("p", { cls: "trend-legend", attrs: { "aria-hidden": "true" } },
    ...SERIES.map(([, cls, name]) => el("span", { cls, text: `━ ${name}` })));
}
