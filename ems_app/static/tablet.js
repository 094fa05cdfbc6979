// The crew's tablet: every step is one large button, and every refusal is shown in words.
// Everything the API returns is put on screen with textContent, never as HTML: a chief
// complaint or a note is whatever someone typed, and the CSP forbids inline scripts anyway.
"use strict";
const $ = (id) => document.getElementById(id);
let incident = null;
let inquiryTimer = null;

const INQUIRY_STATUS = { pending: "照会中 / pending", accepted: "受入可 / accepted", declined: "受入不可 / declined",
  withdrawn: "取下げ / withdrawn" };
const DECLINE = { no_bed: "満床 / no bed", no_specialist: "専門医不在 / no specialist",
  treating_others: "処置中 / treating other patients", equipment: "設備・機器対応不可 / equipment unavailable",
  other: "その他 / other" };
const LEVEL = { primary: "初期 / primary", secondary: "二次 / secondary", tertiary: "三次 / tertiary" };
const VITAL_FIELDS = ["heart_rate", "systolic_bp", "diastolic_bp", "spo2", "respiratory_rate", "temperature", "jcs"];

function say(text, ok = false) { $("message").textContent = text; $("message").className = ok ? "ok" : ""; }

async function call(method, path, body) {
  if (method !== "GET" && body === undefined) body = {};  // the API takes writes as JSON only
  const res = await fetch(path, { method, credentials: "same-origin",
    headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `HTTP ${res.status}`);
  return data;
}

function el(tag, text, testid) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (testid) e.dataset.testid = testid;
  return e;
}
const li = (text, testid) => el("li", text, testid);

async function act(fn) { try { await fn(); } catch (e) { say(e.message); } }

async function start() {
  try { signedIn(await call("GET", "/api/auth/me")); } catch { $("login-view").hidden = false; }
}

function signedIn(me) {
  $("who").textContent = `${me.display_name} (${me.team})`;
  $("login-view").hidden = true; $("incident-view").hidden = false;
  act(loadCards); act(loadHospitals);
  setInterval(() => act(loadHospitals), 5000);  // a gateway may come online (or drop) at any time
}

async function loadCards() {
  const cards = await call("GET", "/api/card-reader/cards");
  const sel = $("card-select"); sel.replaceChildren();
  for (const c of [...cards.examples.slice(0, 5), ...cards.edge_cases]) {
    const o = el("option", c); o.value = c; sel.append(o);
  }
}

// The list is updated in place, so a checkbox never resets under the paramedic's finger.
async function loadHospitals() {
  const ul = $("hospitals");
  for (const h of await call("GET", "/api/hospitals")) {
    let item = [...ul.children].find((e) => e.dataset.hospital === h.id);
    if (!item) {
      item = li(undefined, "hospital"); item.dataset.hospital = h.id;
      const label = el("label"); label.className = "check";
      const box = el("input"); box.type = "checkbox"; box.value = h.id;
      label.append(box, ` ${h.name} `, el("small", LEVEL[h.level] || ""), " ", el("span", "", "hospital-state"));
      item.append(label); ul.append(item);
    }
    const state = item.querySelector("[data-testid=hospital-state]");
    state.textContent = h.online ? "● 接続中 / online" : "○ 未接続 / offline";
    state.className = h.online ? "on" : "off";
  }
}

async function askSelected() {
  if (!incident) throw new Error("先に事案を開始 / open an incident first");
  const boxes = [...$("hospitals").querySelectorAll("input[type=checkbox]:checked")];
  if (!boxes.length) throw new Error("照会先を選択してください / choose at least one hospital");
  await call("POST", `/api/incidents/${incident.id}/inquiries`, { hospital_ids: boxes.map((b) => b.value) });
  for (const b of boxes) b.checked = false;
  say("照会しました / Asked", true); await refreshInquiries();
}

// The hub pushes nothing to the tablet, so it asks while an answer is still outstanding.
async function refreshInquiries() {
  clearTimeout(inquiryTimer);
  if (!incident) return;
  const list = await call("GET", `/api/incidents/${incident.id}/inquiries`);
  const ul = $("inquiries"); ul.replaceChildren();
  for (const q of list) {
    const why = q.status === "declined" && q.decline_reason ? ` (${DECLINE[q.decline_reason] || q.decline_reason})` : "";
    const item = li(`${q.hospital_name}: ${INQUIRY_STATUS[q.status] || q.status}${why}`, "inquiry");
    item.dataset.hospital = q.hospital_id; item.dataset.status = q.status; item.className = q.status;
    ul.append(item);
  }
  if (list.some((q) => q.status === "pending")) inquiryTimer = setTimeout(() => act(refreshInquiries), 2000);
}

function showRecord(data) {
  const c = data.critical, box = $("critical"); box.replaceChildren(); box.className = "critical";
  const rows = [["drug_allergies", "薬剤アレルギー / Drug allergies", c.drug_allergies],
    ["contraindications", "禁忌 / Contraindications", c.contraindications],
    ["anticoagulants", "抗凝固薬 / Anticoagulants", c.anticoagulants],
    ["antiplatelets", "抗血小板薬 / Antiplatelets", c.antiplatelets],
    ["dialysis", "透析 / Dialysis", c.dialysis ? [c.dialysis] : []], ["infections", "感染症 / Infections", c.infections]];
  const ul = el("ul");
  for (const [key, label, items] of rows) {
    const row = li(`${label}: ${items.length ? items.join("、") : "なし / none"}`, `critical-${key}`);
    if (!items.length) row.className = "none";
    ul.append(row);
  }
  box.append(ul);
  const s = data.summary, meds = $("summary"); meds.replaceChildren(); $("summary-title").hidden = false;
  meds.append(li(`${s.card.name}（${s.card.kana}） ${s.card.birth_date} ${s.card.sex}`, "patient-name"));
  for (const m of s.medications) meds.append(li(`${m.drug} ${m.dose} (${m.dispensed_on}, ${m.institution})`));
}

function vitalsText(v) {
  const parts = [];
  if (v.heart_rate != null) parts.push(`HR ${v.heart_rate}`);
  if (v.systolic_bp != null) parts.push(`BP ${v.systolic_bp}/${v.diastolic_bp ?? "-"}`);
  if (v.spo2 != null) parts.push(`SpO2 ${v.spo2}%`);
  if (v.respiratory_rate != null) parts.push(`RR ${v.respiratory_rate}`);
  if (v.temperature != null) parts.push(`${v.temperature}℃`);
  if (v.jcs != null) parts.push(`JCS ${v.jcs}`);
  return parts.join("  ");
}

function sent(u, text) {
  const item = li(`#${u.seq} ${text}`, `sent-${u.kind}`); item.dataset.seq = u.seq;
  $("sent-updates").prepend(item);
}

async function sendVitals(form) {
  const vitals = {};
  for (const name of VITAL_FIELDS) {
    const raw = form.elements[name].value.trim();
    if (raw === "") continue;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`数値で入力してください / numbers only: ${name}`);
    vitals[name] = n;
  }
  if (!Object.keys(vitals).length) throw new Error("値を入力してください / enter at least one vital sign");
  const u = await call("POST", `/api/incidents/${incident.id}/updates`, { kind: "vitals", vitals });
  sent(u, `バイタル / Vitals: ${vitalsText(vitals)}`);
  form.reset(); say("バイタル送信 / Vitals sent", true);
}

async function sendNote() {
  const text = $("note-text").value.trim();
  if (!text) throw new Error("メモを入力してください / type a note first");
  const u = await call("POST", `/api/incidents/${incident.id}/updates`, { kind: "note", text });
  sent(u, `メモ / Note: ${text}`);
  $("note-text").value = ""; say("メモ送信 / Note sent", true);
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").onsubmit = (ev) => { ev.preventDefault(); act(async () => {
    const f = new FormData(ev.target);
    signedIn(await call("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") }));
    say("ログインしました / Signed in", true); }); };
  $("open-incident").onclick = () => act(async () => {
    incident = await call("POST", "/api/incidents", { chief_complaint: $("complaint").value });
    $("incident-id").textContent = incident.id; $("incident-complaint").textContent = incident.chief_complaint || "-";
    $("no-incident").hidden = true; $("incident").hidden = false; });
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
  $("ask").onclick = () => act(askSelected);
  $("vitals-form").onsubmit = (ev) => { ev.preventDefault(); act(() => sendVitals(ev.target)); };
  $("note-form").onsubmit = (ev) => { ev.preventDefault(); act(sendNote); };
  start();
});
