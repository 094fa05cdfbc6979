// The shared summary: nothing is shown until the passcode is right; all text goes in as text.
"use strict";
const $ = (id) => document.getElementById(id);
const li = (text) => { const e = document.createElement("li"); e.textContent = text; return e; };

document.addEventListener("DOMContentLoaded", () => {
  const form = $("passcode-form");
  if (!form) return;
  const token = location.pathname.split("/").pop();
  form.onsubmit = async (ev) => {
    ev.preventDefault();
    const res = await fetch(`/api/shares/${encodeURIComponent(token)}/open`, { method: "POST",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify({ passcode: $("passcode").value }) });
    const data = await res.json().catch(() => ({}));
    if (!res.ok) { $("message").textContent = data.message || `HTTP ${res.status}`; if (res.status === 403 || res.status === 410) form.hidden = true; return; }
    form.hidden = true; $("message").textContent = "";
    const s = data.summary, c = data.critical;
    $("patient").textContent = `${s.card.name}（${s.card.kana}） ${s.card.birth_date}`;
    const rows = [["薬剤アレルギー / Drug allergies", c.drug_allergies], ["禁忌 / Contraindications", c.contraindications],
      ["抗凝固薬 / Anticoagulants", c.anticoagulants], ["抗血小板薬 / Antiplatelets", c.antiplatelets],
      ["透析 / Dialysis", c.dialysis ? [c.dialysis] : []], ["感染症 / Infections", c.infections]];
    for (const [label, items] of rows) $("critical").append(li(`${label}: ${items.length ? items.join("、") : "なし / none"}`));
    for (const m of s.medications) $("medications").append(li(`${m.drug} ${m.dose} (${m.dispensed_on}, ${m.source} as of ${m.as_of})`));
    $("summary").hidden = false;
  };
});
