// The patient's page: who viewed my data, by organisation and role, never by staff name.
"use strict";
const $ = (id) => document.getElementById(id);
const BASIS = { consent: "同意 / consent", emergency_exception: "緊急時例外 / emergency exception" };

document.addEventListener("DOMContentLoaded", () => {
  $("history-form").onsubmit = async (ev) => {
    ev.preventDefault();
    const f = new FormData(ev.target);
    const res = await fetch("/api/patient/history", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ card_id: f.get("card_id"), birth_date: f.get("birth_date") }) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { $("message").textContent = data.message || `HTTP ${res.status}`; return; }
    $("message").textContent = data.length ? "" : "閲覧記録はありません / nobody has viewed your data";
    const body = $("rows"); body.replaceChildren();
    for (const r of data) {
      const tr = document.createElement("tr");
      for (const text of [r.at.replace("T", " ").slice(0, 19), r.organisation, r.role, r.action, BASIS[r.basis] || r.basis || "-", r.categories]) {
        const td = document.createElement("td"); td.textContent = text; tr.append(td);
      }
      body.append(tr);
    }
    $("history").hidden = false;
  };
});
