// The patient's page: who viewed my data, by organisation and role, never by staff name.
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  $("history-form").addEventListener("submit", async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    let rows;
    try { rows = await api("POST", "/api/patient/history", { card_id: f.get("card_id").trim(), birth_date: f.get("birth_date") }); }
    catch (e) { say(e.message); $("history").hidden = true; $("summary").hidden = true; return; }
    say("");
    $("summary").textContent = rows.length ? tr("{n} accesses to your data", { n: rows.length }) : tr("Nobody has viewed your data");
    $("summary").hidden = false;
    const body = $("rows"); body.replaceChildren();
    for (const r of rows) {
      body.append(el("tr", { testid: "history-row" }, el("td", { text: fmt.dateTime(r.at) }), el("td", { text: r.organisation }),
        el("td", { text: r.role }), el("td", { text: r.action }), el("td", { text: r.basis ? code(r.basis) : "-" }),
        el("td", { text: r.categories })));
    }
    $("history").hidden = !rows.length;
  });
});
