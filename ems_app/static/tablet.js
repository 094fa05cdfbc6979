// The crew's tablet: every step is one large button, and every refusal is shown in words.
"use strict";
const $ = (id) => document.getElementById(id);
let incident = null;

function say(text, ok = false) { $("message").textContent = text; $("message").className = ok ? "ok" : ""; }

async function call(method, path, body) {
  if (method !== "GET" && body === undefined) body = {};  // the API takes writes as JSON only
  const res = await fetch(path, { method, credentials: "same-origin",
    headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `HTTP ${res.status}`);
  return data;
}

function li(text) { const e = document.createElement("li"); e.textContent = text; return e; }

async function start() {
  try { const me = await call("GET", "/api/auth/me"); signedIn(me); } catch { $("login-view").hidden = false; }
}

function signedIn(me) {
  $("who").textContent = `${me.display_name} (${me.team})`;
  $("login-view").hidden = true; $("incident-view").hidden = false;
  loadCards(); loadHospitals();
}

async function loadCards() {
  const cards = await call("GET", "/api/card-reader/cards");
  const sel = $("card-select"); sel.replaceChildren();
  for (const c of [...cards.examples.slice(0, 5), ...cards.edge_cases]) {
    const o = document.createElement("option"); o.value = c; o.textContent = c; sel.append(o);
  }
}

async function loadHospitals() {
  const list = await call("GET", "/api/hospitals");
  const ul = $("hospitals"); ul.replaceChildren();
  for (const h of list) {
    const item = li(`${h.name} ${h.online ? "● 接続中/online" : "○ 未接続/offline"} `);
    const b = document.createElement("button"); b.textContent = "照会 / Ask"; b.dataset.hospital = h.id;
    b.onclick = () => act(async () => { await call("POST", `/api/incidents/${incident.id}/inquiries`, { hospital_id: h.id }); say("照会しました / Asked", true); });
    item.append(b); ul.append(item);
  }
}

async function act(fn) { try { await fn(); } catch (e) { say(e.message); } }

function showRecord(data) {
  const c = data.critical, box = $("critical"); box.replaceChildren(); box.className = "critical";
  const rows = [["薬剤アレルギー / Drug allergies", c.drug_allergies], ["禁忌 / Contraindications", c.contraindications],
    ["抗凝固薬 / Anticoagulants", c.anticoagulants], ["抗血小板薬 / Antiplatelets", c.antiplatelets],
    ["透析 / Dialysis", c.dialysis ? [c.dialysis] : []], ["感染症 / Infections", c.infections]];
  const ul = document.createElement("ul");
  for (const [label, items] of rows) ul.append(li(`${label}: ${items.length ? items.join("、") : "なし / none"}`));
  box.append(ul);
  const s = data.summary, meds = $("summary"); meds.replaceChildren();
  meds.append(li(`${s.card.name}（${s.card.kana}） ${s.card.birth_date} ${s.card.sex}`));
  for (const m of s.medications) meds.append(li(`${m.drug} ${m.dose} (${m.dispensed_on}, ${m.institution})`));
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").onsubmit = (ev) => { ev.preventDefault(); act(async () => {
    const f = new FormData(ev.target);
    signedIn(await call("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") }));
    say("ログインしました / Signed in", true); }); };
  $("open-incident").onclick = () => act(async () => {
    incident = await call("POST", "/api/incidents", { chief_complaint: $("complaint").value });
    $("incident-id").textContent = incident.id; $("no-incident").hidden = true; $("incident").hidden = false; });
  $("read-card").onclick = () => act(async () => {
    incident = await call("POST", `/api/incidents/${incident.id}/card`, { card_id: $("card-select").value,
      face_confirmed: $("face-confirmed").checked, identity_confirmation: $("identity-confirmation").value || null });
    $("card-status").textContent = `読取済 / Read (${incident.card_kind})`; say("", true); });
  $("consent").onclick = () => act(async () => {
    incident = await call("POST", `/api/incidents/${incident.id}/basis`, { basis: { kind: "consent" } });
    $("basis-status").textContent = "本人同意 / Consent"; });
  $("exception").onclick = () => act(async () => {
    incident = await call("POST", `/api/incidents/${incident.id}/basis`, { basis: { kind: "emergency_exception",
      reason_code: $("exception-reason").value, reason_text: $("exception-text").value } });
    $("basis-status").textContent = "緊急時例外 / Emergency exception"; });
  $("fetch").onclick = () => act(async () => showRecord(await call("POST", `/api/incidents/${incident.id}/record`)));
  $("vitals-form").onsubmit = (ev) => { ev.preventDefault(); act(async () => {
    const vitals = {};
    for (const [k, v] of new FormData(ev.target)) if (v !== "") vitals[k] = Number(v);
    const u = await call("POST", `/api/incidents/${incident.id}/updates`, { kind: "vitals", vitals });
    $("sent-updates").prepend(li(`#${u.seq} ${JSON.stringify(vitals)}`)); say("送信しました / Sent", true); }); };
  start();
});
