// Vital signs on the ER dashboard: the acuity colour of an incoming patient and the live
// trend chart (inline SVG built with DOM calls; no library).
"use strict";

// Acuity, from the latest vitals the crew sent (a triage aid, never a diagnosis):
//   red    (critical) SpO2 < 90 %, systolic BP < 90 mmHg, JCS >= 100, GCS <= 8,
//                     heart rate >= 130 or < 40 /min, respiratory rate >= 30 or < 8 /min
//   yellow (urgent)   SpO2 < 94 %, systolic BP < 100 mmHg, JCS >= 10, GCS <= 12,
//                     heart rate >= 110 or < 50, respiratory rate >= 24, temperature >= 39 or < 35 ℃
//   green             vitals received and none of the above
//   unknown           no vitals yet
function acuity(v) {
  if (!v) return "unknown";
  const has = (k) => v[k] !== null && v[k] !== undefined;
  const gcs = v.gcs ? v.gcs.eye + v.gcs.verbal + v.gcs.motor : null;
  if ((has("spo2") && v.spo2 < 90) || (has("systolic_bp") && v.systolic_bp < 90) || (has("jcs") && v.jcs >= 100)
      || (gcs !== null && gcs <= 8) || (has("heart_rate") && (v.heart_rate >= 130 || v.heart_rate < 40))
      || (has("respiratory_rate") && (v.respiratory_rate >= 30 || v.respiratory_rate < 8))) return "red";
  if ((has("spo2") && v.spo2 < 94) || (has("systolic_bp") && v.systolic_bp < 100) || (has("jcs") && v.jcs >= 10)
      || (gcs !== null && gcs <= 12) || (has("heart_rate") && (v.heart_rate >= 110 || v.heart_rate < 50))
      || (has("respiratory_rate") && v.respiratory_rate >= 24)
      || (has("temperature") && (v.temperature >= 39 || v.temperature < 35))) return "yellow";
  return "green";
}
const ACUITY_LABEL = { red: () => bi("critical"), yellow: () => bi("urgent"), green: () => bi("stable"), unknown: () => bi("no vitals") };

function acuityBadge(level) {
  return el("span", { cls: `acuity ${level}`, testid: "acuity", data: { level } }, ACUITY_LABEL[level]());
}

const vitalsOf = (updates) => (updates || []).filter((u) => u.kind === "vitals" && u.payload && u.payload.vitals);
const latestVitals = (updates) => { const v = vitalsOf(updates); return v.length ? v[v.length - 1].payload.vitals : null; };

const SERIES = [["heart_rate", "hr", "HR"], ["systolic_bp", "sbp", "SBP"], ["spo2", "spo2", "SpO2"], ["respiratory_rate", "rr", "RR"]];
const SVG = "http://www.w3.org/2000/svg";
function svg(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, String(v));
  if (text !== undefined) e.textContent = text;
  return e;
}

// HR, systolic BP, SpO2 and RR over time on one 0-200 scale, the last 30 sets.
function trendChart(updates) {
  const points = vitalsOf(updates).slice(-30).map((u) => ({ t: new Date(u.payload.vitals.taken_at || u.at).getTime(), v: u.payload.vitals }));
  const W = 640, H = 200, L = 34, R = 10, T = 10, B = 24, MAX = 200;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "trend", role: "img", "data-testid": "trend", "data-points": points.length });
  const last = points.length ? vitalsText(points[points.length - 1].v) : I18N.one("no vitals");
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
