// The region's figures: the filters, a chart (SVG drawn by the hub) and a table per figure, and
// the CSV link for the same selection. Every number comes suppressed from the hub.
"use strict";

function selection() {
  const params = new URLSearchParams();
  for (const [k, v] of new FormData($("filters"))) if (v) params.set(k, v);
  return params.toString();
}

const cell = (value, cls = "num") => el("td", { cls: typeof value === "number" ? cls : `${cls} hidden-cell`, text: value ?? "-" });

function countTable(t, query) {
  const head = el("tr", {}, el("th", { text: t.by_label }), ...t.column_labels.map((c) => el("th", { cls: "num", text: c })),
    el("th", { cls: "num", text: tr("Total") }));
  const rows = t.row_labels.map((label, i) => el("tr", { data: { row: t.rows[i] } }, el("th", { text: label }),
    ...t.cells[i].map((v) => cell(v)), cell(t.row_totals[i])));
  const totals = el("tr", { cls: "totals" }, el("th", { text: tr("Total") }), ...t.column_totals.map((v) => cell(v)), cell(t.total));
  return el("section", { cls: "figure", testid: `figure-${t.id}` }, el("h2", { text: t.title }),
    el("img", { attrs: { src: `/api/figures/chart/${t.id}.svg?${query}`, alt: t.title } }),
    el("div", { cls: "scroll" }, el("table", { data: { table: t.id } }, el("thead", {}, head), el("tbody", {}, ...rows, totals))));
}

function timesTable(m, query, byLabel) {
  const head = el("tr", {}, el("th", { text: byLabel }), el("th", { cls: "num", text: tr("Cases") }),
    el("th", { cls: "num", text: tr("Median") }), el("th", { cls: "num", text: tr("90th percentile") }));
  const rows = m.row_labels.map((label, i) => el("tr", {}, el("th", { text: label }), cell(m.cases[i]), cell(m.median[i]), cell(m.p90[i])));
  const totals = el("tr", { cls: "totals" }, el("th", { text: tr("Total") }), cell(m.cases_total), cell(m.median_all), cell(m.p90_all));
  return el("section", { cls: "figure", testid: `figure-${m.id}` }, el("h2", { text: m.title }),
    el("img", { attrs: { src: `/api/figures/chart/${m.id}.svg?${query}`, alt: m.title } }),
    el("div", { cls: "scroll" }, el("table", { data: { table: m.id } }, el("thead", {}, head), el("tbody", {}, ...rows, totals))));
}

async function load() {
  const query = selection();
  const answer = await api("GET", `/api/figures?${query}`);
  $("login-view").hidden = true; $("figures-view").hidden = false; $("sign-out").hidden = false;
  $("csv").href = `/api/figures.csv?${query}`;
  const f = answer.filters;
  $("range").textContent = tr("Weeks from {from} to {to}", { from: f.from_week, to: f.to_week });
  $("note").textContent = answer.suppression_note;
  const mean = answer.mean_inquiries_all;
  const parts = answer.tables.map((t) => countTable(t, query));
  parts.splice(5, 0, el("p", { testid: "mean-inquiries", text: tr("Inquiries per case (mean): {n}", { n: mean ?? "-" }) }));
  parts.push(...answer.times.map((m) => timesTable(m, query, answer.by_label)));
  $("figures").replaceChildren(...parts);
}

async function options() {
  const o = await api("GET", "/api/figures/options");
  const station = document.querySelector("[name=station]"); const hospital = document.querySelector("[name=hospital]");
  for (const s of o.stations) station.append(el("option", { text: s, attrs: { value: s } }));
  for (const h of o.hospitals) hospital.append(el("option", { text: h.name, attrs: { value: h.id } }));
}

async function start(me) {
  $("who").textContent = me.display_name;
  $("to-cases").hidden = me.role !== "medical_control";
  await options(); await load();
}

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  $("filters").addEventListener("submit", async (ev) => { ev.preventDefault(); try { say(""); await load(); } catch (e) { say(e.message); } });
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault(); const f = new FormData(ev.target);
    // The medical-control physician (and, where the fire HQ asks, the analyst) shows a second factor first.
    try { await SecondFactor.after(await api("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") })); location.reload(); }
    catch (e) { say(e.message); }
  });
  $("sign-out").addEventListener("click", async () => { await api("POST", "/api/auth/logout").catch(() => {}); location.reload(); });
  let me;
  try { me = await api("GET", "/api/auth/me"); } catch (e) { $("login-view").hidden = false; return; }
  try { await start(me); } catch (e) { say(e.message); }
});
