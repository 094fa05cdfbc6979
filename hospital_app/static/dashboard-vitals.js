// Vital signs on the ER dashboard: the legend drawn from the acuity rule's own table, and the
// live trend chart (inline SVG built with DOM calls; no library). The acuity badge and the
// latest readings are drawn by `Acuity` (web/static/record.js), as on the crew's tablet.
"use strict";

// The legend, from the rule's own table (GET /api/patients/acuity-legend).
const OP = { "<": "<", "<=": "≤", ">=": "≥" };
function acuityLegend(rule) {
  const bounds = (level) => rule.rules.filter((r) => r[level].length).map((r) =>
    `${r.label} ${r[level].map((b) => `${OP[b.op] || b.op} ${b.value}`).join(" / ")}${r.unit ? ` ${r.unit}` : ""}`).join(", ");
  const deciding = rule.deciding.map((m) => Acuity.NAME[m] || m).join(", ");
  const row = (level, ...text) => el("li", { data: { level } }, Acuity.badge(level), " ", ...text);
  return el("ul", { cls: "acuity-rows" },
    row("red", bounds("red")),
    row("yellow", bounds("yellow")),
    row("green", bi("every deciding measure fresh, none of the above"), ` (${deciding})`),
    row("incomplete", bi("a deciding measure not measured, or older than {n} min", { n: rule.fresh_for_minutes })),
    row("none"),
    rule.thresholds_for === "adults" ? el("li", { cls: "note", testid: "legend-adults" },
      "⚠ ", bi("Adult thresholds: a child's normal rates differ, so do not rely on a child's colour.")) : "",
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

// HR, systolic BP, SpO2 and RR over time on one 0-200 scale, the 30 sets taken last; its title
// names each measure's latest value, as the line above it does. Points go by when each set was
// taken, not when it arrived (a set sent late from offline goes back in its place); a value above
// the scale is drawn at its top with its own number beside it, never read as 200.
function trendChart(updates, acuity) {
  const points = vitalsOf(updates).map((u) => ({ t: new Date(u.payload.vitals.taken_at || u.at).getTime(), v: u.payload.vitals }))
    .sort((a, b) => a.t - b.t).slice(-30);
  const W = 640, H = 200, L = 34, R = 10, T = 10, B = 24, MAX = 200;
  const root = svg("svg", { viewBox: `0 0 ${W} ${H}`, class: "trend", role: "img", "data-testid": "trend", "data-points": points.length });
  const last = points.length ? Acuity.text(acuity) : I18N.one("no vitals");
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
    const series = points.filter((p) => p.v[key] != null).map((p) => ({ cx: x(p.t), cy: y(p.v[key]), v: p.v[key] }));
    if (!series.length) continue;
    root.append(svg("polyline", { points: series.map((p) => `${p.cx.toFixed(1)},${p.cy.toFixed(1)}`).join(" "), "stroke-width": 2.5, class: cls }));
    for (const p of series) {
      root.append(svg("circle", { cx: p.cx.toFixed(1), cy: p.cy.toFixed(1), r: 3, class: cls, "data-measure": key, "data-value": p.v }));
      if (p.v > MAX) root.append(svg("text", { x: (p.cx + 5).toFixed(1), y: T + 10, class: `clipped ${cls}`, "data-testid": "trend-clipped" }, `▲${p.v}`));
    }
  }
  return root;
}

function trendLegend() {
  return el("p", { cls: "trend-legend", attrs: { "aria-hidden": "true" } },
    ...SERIES.map(([, cls, name]) => el("span", { cls, text: `━ ${name}` })));
}
