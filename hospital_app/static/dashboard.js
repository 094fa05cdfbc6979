// The ER dashboard: everything arrives over Socket.IO; the page never polls. It re-reads the
// lists on every (re)connect, so nothing pushed while it was offline is missed.
// Everything is put on screen with textContent, never as HTML: complaints and notes are
// whatever a paramedic typed, and the CSP forbids inline scripts anyway.
"use strict";
const $ = (id) => document.getElementById(id);
const patients = new Map();
const inquiries = new Map();
let clinical = false;

const STATUS = { pending: "照会中 / pending", accepted: "受入 / accepted", declined: "辞退 / declined",
  withdrawn: "取下げ / withdrawn" };
const DECLINE = { no_bed: "満床 / no bed", no_specialist: "専門医不在 / no specialist",
  treating_others: "処置中 / treating other patients", equipment: "設備・機器対応不可 / equipment unavailable",
  other: "その他 / other" };
const BASIS = { consent: "本人同意 / consent", emergency_exception: "緊急時例外 / emergency exception" };

function say(text) { $("message").textContent = text; }
function el(tag, text, cls, testid) {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (cls) e.className = cls;
  if (testid) e.dataset.testid = testid;
  return e;
}

async function call(method, path, body) {
  if (method !== "GET" && body === undefined) body = {};  // the API takes writes as JSON only
  const res = await fetch(path, { method, credentials: "same-origin",
    headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(data.message || `HTTP ${res.status}`);
  return data;
}

const CRITICAL = [["drug_allergies", "薬剤アレルギー / Drug allergies"], ["contraindications", "禁忌 / Contraindications"],
  ["anticoagulants", "抗凝固薬 / Anticoagulants"], ["antiplatelets", "抗血小板薬 / Antiplatelets"],
  ["dialysis", "透析 / Dialysis"], ["infections", "感染症 / Infections"]];

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

const clock = (iso) => { const d = new Date(iso); return isNaN(d) ? "" : d.toLocaleTimeString("ja-JP", { hour: "2-digit", minute: "2-digit" }); };

function patientCard(p) {
  const card = el("article", undefined, "patient", "patient"); card.dataset.incident = p.incident_id;
  const who = p.identity ? `${p.identity.name}（${p.identity.kana}） ${p.identity.birth_date} ${p.identity.sex}` : "記録なし / no record";
  card.append(el("h3", who, undefined, "patient-name"));
  card.append(el("p", `主訴 / Complaint: ${p.incident.chief_complaint || "-"}  ETA: ${p.incident.eta_minutes ?? "-"} 分/min  根拠 / Basis: ${BASIS[p.basis] || p.basis}`,
    undefined, "patient-incident"));
  if (!p.critical) return card;  // the desk sees who is coming, never the record
  const ul = el("ul", undefined, "critical", "critical");
  for (const [key, label] of CRITICAL) {
    const v = p.critical[key]; const items = Array.isArray(v) ? v : (v ? [v] : []);
    ul.append(el("li", `${label}: ${items.length ? items.join("、") : "なし / none"}`, items.length ? "" : "none", `critical-${key}`));
  }
  card.append(ul);
  const updates = p.updates || [];
  const vitals = updates.filter((u) => u.kind === "vitals");
  const last = vitals[vitals.length - 1];
  card.append(el("p", last ? `${clock(last.at)}  ${vitalsText(last.payload.vitals)}` : "バイタル未着 / no vitals yet", "vitals", "vitals"));
  const notes = updates.filter((u) => u.kind === "note");
  if (notes.length) {
    card.append(el("h4", "救急隊メモ / Crew notes"));
    const list = el("ul", undefined, "notes", "notes");
    for (const n of notes.slice().reverse()) list.append(el("li", `${clock(n.at)}  ${n.payload.text}`, undefined, "note"));
    card.append(list);
  }
  const meds = el("ul");
  for (const m of (p.record?.medications || []).slice(0, 10)) meds.append(el("li", `${m.drug} ${m.dose} (${m.dispensed_on} ${m.source}, as of ${m.as_of})`));
  card.append(el("h4", "服薬 / Medications")); card.append(meds);
  return card;
}

function render() {
  $("patients").replaceChildren(...[...patients.values()].map(patientCard));
}

// A fetched view may be older than updates already pushed: keep whichever saw more.
function upsertPatient(p) {
  const held = patients.get(p.incident_id);
  if (held && (held.last_seq || 0) > (p.last_seq || 0)) return;
  patients.set(p.incident_id, p);
}

function answerButton(item, label, body, extra) {
  const b = el("button", label);
  b.onclick = async () => {
    const all = item.querySelectorAll("button, select");
    for (const c of all) c.disabled = true;
    try { await call("POST", `/api/inquiries/${item.dataset.inquiry}/answer`, { ...body, ...(extra ? extra() : {}) }); }
    catch (e) { say(e.message); for (const c of all) c.disabled = false; }
  };
  return b;
}

function renderInquiry(q) {
  let item = [...$("inquiries").children].find((e) => e.dataset.inquiry === q.inquiry_id);
  if (!item) { item = el("li", undefined, undefined, "inquiry"); item.dataset.inquiry = q.inquiry_id; item.dataset.incident = q.incident_id; $("inquiries").prepend(item); }
  item.dataset.status = q.status; item.className = q.status;
  const vitals = q.vitals ? `  ${vitalsText(q.vitals)}` : "";
  const eta = q.eta_minutes != null ? `  ETA ${q.eta_minutes}分/min` : "";
  item.replaceChildren(el("span", `${q.age_band ?? "?"} ${q.sex ?? ""} ${q.chief_complaint || ""}${vitals}${eta} — ${STATUS[q.status] || q.status} `));
  if (clinical && q.status === "pending") {
    const reason = el("select"); reason.setAttribute("aria-label", "辞退理由 / Decline reason");
    for (const [code, label] of Object.entries(DECLINE)) { const o = el("option", label); o.value = code; reason.append(o); }
    item.append(answerButton(item, "受入 / Accept", { accept: true }), " ",
      reason, answerButton(item, "辞退 / Decline", { accept: false }, () => ({ reason: reason.value })));
  }
}

function addInquiry(q) { inquiries.set(q.inquiry_id, q); renderInquiry(q); }

async function resync() {
  for (const q of (await call("GET", "/api/inquiries")).reverse()) addInquiry(q);
  for (const p of await call("GET", "/api/patients")) upsertPatient(p);
  render();
}

function applyUpdate(u) {
  const p = patients.get(u.incident_id); if (!p) return;
  if (u.seq <= (p.last_seq || 0)) return;
  p.last_seq = u.seq; (p.updates ||= []).push(u);
  if (u.kind === "eta") p.incident.eta_minutes = u.payload.eta_minutes;
  if (u.kind === "chief_complaint") p.incident.chief_complaint = u.payload.text;
  if (u.kind === "location") p.incident.location = u.payload.text;
  render();
}

async function boot(me) {
  $("who").textContent = `${me.display_name} (${me.role})`;
  $("login-view").hidden = true; $("board").hidden = false;
  clinical = me.role !== "clerk";
  await resync();
  if (typeof io === "undefined") { say("socket.io client missing: run ./prearrival start"); return; }
  const socket = io("/dashboard", { transports: ["websocket"] });
  socket.on("connect", () => {
    $("live").textContent = "● 接続中 / live"; $("live").className = "on";
    resync().catch((e) => say(e.message));
  });
  socket.on("disconnect", () => { $("live").textContent = "● 未接続 / offline"; $("live").className = "off"; });
  socket.on("inquiry", addInquiry);
  socket.on("inquiry_changed", (c) => {
    const q = inquiries.get(c.inquiry_id); if (q) addInquiry({ ...q, status: c.status });
  });
  socket.on("patient", (p) => { patients.set(p.incident_id, p); render(); });  // a fresh grant: the hub's word is newest
  socket.on("update", applyUpdate);
  socket.on("patient_removed", (r) => { patients.delete(r.incident_id); render(); });
}

document.addEventListener("DOMContentLoaded", async () => {
  $("login-form").onsubmit = async (ev) => { ev.preventDefault(); const f = new FormData(ev.target);
    try { await boot(await call("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") })); }
    catch (e) { say(e.message); } };
  try { await boot(await call("GET", "/api/auth/me")); } catch { $("login-view").hidden = false; }
});
