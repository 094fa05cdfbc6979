// The ER dashboard: everything arrives over Socket.IO; the page never polls.
"use strict";
const $ = (id) => document.getElementById(id);
const patients = new Map();

function say(text) { $("message").textContent = text; }
function el(tag, text, cls) { const e = document.createElement(tag); if (text !== undefined) e.textContent = text; if (cls) e.className = cls; return e; }

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

function render() {
  const box = $("patients"); box.replaceChildren();
  for (const p of patients.values()) {
    const card = el("article", undefined, "patient"); card.dataset.incident = p.incident_id;
    const who = p.identity ? `${p.identity.name}（${p.identity.kana}） ${p.identity.birth_date} ${p.identity.sex}` : "記録なし / no record";
    card.append(el("h3", who));
    card.append(el("p", `主訴 / Complaint: ${p.incident.chief_complaint || "-"}  ETA: ${p.incident.eta_minutes ?? "-"} 分/min  根拠 / Basis: ${p.basis}`));
    if (p.critical) {
      const ul = el("ul", undefined, "critical");
      for (const [key, label] of CRITICAL) {
        const v = p.critical[key]; const items = Array.isArray(v) ? v : (v ? [v] : []);
        ul.append(el("li", `${label}: ${items.length ? items.join("、") : "なし / none"}`, items.length ? "" : "none"));
      }
      card.append(ul);
      const vitals = (p.updates || []).filter((u) => u.kind === "vitals");
      card.append(el("p", vitals.length ? vitalsText(vitals[vitals.length - 1].payload.vitals) : "バイタル未着 / no vitals yet", "vitals"));
      const meds = el("ul");
      for (const m of (p.record?.medications || []).slice(0, 10)) meds.append(el("li", `${m.drug} ${m.dose} (${m.dispensed_on} ${m.source}, as of ${m.as_of})`));
      card.append(el("h4", "服薬 / Medications")); card.append(meds);
    }
    box.append(card);
  }
}

function addInquiry(q, clinical) {
  let item = document.querySelector(`[data-inquiry="${q.inquiry_id}"]`);
  if (!item) { item = el("li"); item.dataset.inquiry = q.inquiry_id; $("inquiries").prepend(item); }
  item.replaceChildren(el("span", `${q.age_band ?? "?"} ${q.sex ?? ""} ${q.chief_complaint || ""} — ${q.status} `));
  if (clinical && q.status === "pending") {
    for (const [accept, label] of [[true, "受入 / Accept"], [false, "辞退 / Decline"]]) {
      const b = el("button", label);
      b.onclick = async () => { try { await call("POST", `/api/inquiries/${q.inquiry_id}/answer`, { accept }); } catch (e) { say(e.message); } };
      item.append(b);
    }
  }
}

async function boot(me) {
  $("who").textContent = `${me.display_name} (${me.role})`;
  $("login-view").hidden = true; $("board").hidden = false;
  const clinical = me.role !== "clerk";
  for (const q of await call("GET", "/api/inquiries")) addInquiry(q, clinical);
  for (const p of await call("GET", "/api/patients")) patients.set(p.incident_id, p);
  render();
  if (typeof io === "undefined") { say("socket.io client missing: run ./prearrival start"); return; }
  const socket = io("/dashboard", { transports: ["websocket"] });
  socket.on("connect", () => { $("live").textContent = "● 接続中 / live"; $("live").className = "on"; });
  socket.on("disconnect", () => { $("live").textContent = "● 未接続 / offline"; $("live").className = "off"; });
  socket.on("inquiry", (q) => addInquiry(q, clinical));
  socket.on("inquiry_changed", (c) => { const i = document.querySelector(`[data-inquiry="${c.inquiry_id}"] span`); if (i) i.textContent += ` → ${c.status}`; for (const b of document.querySelectorAll(`[data-inquiry="${c.inquiry_id}"] button`)) b.remove(); });
  socket.on("patient", (p) => { patients.set(p.incident_id, p); render(); });
  socket.on("update", (u) => {
    const p = patients.get(u.incident_id); if (!p) return;
    if (u.seq <= (p.last_seq || 0)) return;
    p.last_seq = u.seq; (p.updates ||= []).push(u);
    if (u.kind === "eta") p.incident.eta_minutes = u.payload.eta_minutes;
    if (u.kind === "chief_complaint") p.incident.chief_complaint = u.payload.text;
    render();
  });
  socket.on("patient_removed", (r) => { patients.delete(r.incident_id); render(); });
}

document.addEventListener("DOMContentLoaded", async () => {
  $("login-form").onsubmit = async (ev) => { ev.preventDefault(); const f = new FormData(ev.target);
    try { await boot(await call("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") })); }
    catch (e) { say(e.message); } };
  try { await boot(await call("GET", "/api/auth/me")); } catch { $("login-view").hidden = false; }
});
