// The ER dashboard: everything arrives over Socket.IO; the page never polls. It re-reads the
// lists on every (re)connect, so nothing pushed while it was offline is missed.
// Everything is put on screen with textContent, never as HTML: complaints and notes are
// whatever a paramedic typed, and the CSP forbids inline scripts anyway.
"use strict";

const Dash = {
  me: null, clinical: false, socket: null, selected: null,
  patients: new Map(), inquiries: new Map(),

  // A fetched view may be older than updates already pushed: keep whichever saw more.
  upsert(p, force) {
    const held = Dash.patients.get(p.incident_id);
    if (held && !force && (held.last_seq || 0) > (p.last_seq || 0)) return;
    if (held && held.updates && (!p.updates || (held.last_seq || 0) > (p.last_seq || 0))) {
      p.updates = held.updates; p.last_seq = held.last_seq;
      if (held.acuity && p.acuity && !p.acuity.withheld) p.acuity = held.acuity;  // assessed with those updates
    }
    if (held) { p._etaBase = held._etaBase; p._etaMinutes = held._etaMinutes; }
    Dash.patients.set(p.incident_id, p);
    if (p.acknowledged_by) Alert.clear(p.incident_id);
    else Alert.start(p.incident_id, `${whoText(p)} ${p.incident.chief_complaint || ""}`.trim());
  },

  addInquiry(q) { Dash.inquiries.set(q.inquiry_id, q); Lists.renderInquiry(q); },

  async resync() {
    for (const q of (await api("GET", "/api/inquiries")).reverse()) Dash.addInquiry(q);
    const list = await api("GET", "/api/patients");
    const ids = new Set(list.map((p) => p.incident_id));
    for (const id of [...Dash.patients.keys()]) if (!ids.has(id)) Dash.removed(id);
    for (const p of list) Dash.upsert(p, false);
    Lists.renderPatients();
    if (Dash.selected) { Detail.render(); Detail.markSeen(); }
  },

  applyUpdate(u) {
    const p = Dash.patients.get(u.incident_id); if (!p) return;
    if (u.seq <= (p.last_seq || 0)) return;
    p.last_seq = u.seq; (p.updates ||= []).push(u);
    if (u.kind === "eta") p.incident.eta_minutes = u.payload.eta_minutes;
    if (u.kind === "chief_complaint") p.incident.chief_complaint = u.payload.text;
    if (u.kind === "location") p.incident.location = u.payload.text;
    Lists.renderPatients();
    if (Dash.selected === u.incident_id) { Detail.refreshLive(); Detail.markSeen(); }
  },

  // The server assessed the patient again (new vitals, or a value gone stale): only shown here.
  applyAcuity(a) {
    const p = Dash.patients.get(a.incident_id); if (!p) return;
    p.acuity = a.acuity;
    Lists.renderPatients();
    if (Dash.selected === a.incident_id) Detail.refreshLive();
  },

  removed(incidentId) {
    Dash.patients.delete(incidentId); Alert.clear(incidentId); Detail.close(incidentId);
  },

  setLive(on) {
    Dash.downSince = on ? null : (Dash.downSince || Date.now());
    Dash.renderLive();
  },

  // The link's state, and since when it is down (refreshed every second while it is).
  renderLive() {
    const live = $("live"), on = !Dash.downSince;
    live.className = `chip ${on ? "on" : "off"}`; live.dataset.state = on ? "online" : "offline";
    live.replaceChildren(on ? bi("live") : bi("Offline since {t} ({d})",
      { t: fmt.time(Dash.downSince), d: fmt.duration(Date.now() - Dash.downSince) }));
  },

  async boot(me) {
    Dash.me = me;
    $("who").textContent = `${me.display_name} (${me.role})`;
    $("login-view").hidden = true; $("board").hidden = false;
    $("sign-out").hidden = false; $("sound").hidden = false;
    Dash.clinical = me.role !== "clerk";
    api("GET", "/api/patients/acuity-legend").then((rule) => $("acuity-legend-body").replaceChildren(acuityLegend(rule)))
      .catch((e) => say(e.message));
    await Dash.resync();
    if (typeof io === "undefined") { say(tr("The live link is missing (socket.io client).")); return; }
    const socket = io("/dashboard", { transports: ["websocket"] });
    Dash.socket = socket;
    socket.on("connect", () => { Dash.setLive(true); Dash.resync().catch((e) => say(e.message)); });
    socket.on("disconnect", () => Dash.setLive(false));
    setInterval(() => { if (Dash.downSince) Dash.renderLive(); }, 1000);
    socket.on("inquiry", (q) => Dash.addInquiry(q));
    socket.on("inquiry_changed", (c) => { const q = Dash.inquiries.get(c.inquiry_id); if (q) Dash.addInquiry({ ...q, status: c.status }); });
    // A fresh grant: the hub's word is newest.
    socket.on("patient", (p) => { Dash.upsert(p, true); Lists.renderPatients(); if (Dash.selected === p.incident_id) Detail.render(); });
    socket.on("update", (u) => Dash.applyUpdate(u));
    socket.on("acuity", (a) => Dash.applyAcuity(a));
    socket.on("patient_removed", (r) => { Dash.removed(r.incident_id); Lists.renderPatients(); });
    socket.on("patient_acknowledged", (a) => {
      const p = Dash.patients.get(a.incident_id);
      if (p) p.acknowledged_by = a.by;
      Alert.clear(a.incident_id);
      Lists.renderPatients();
      if (Dash.selected === a.incident_id) Detail.render();
    });
    document.addEventListener("visibilitychange", () => Detail.markSeen());
    const reopen = sessionStorage.getItem("prearrival.selected");
    if (reopen && Dash.patients.has(reopen)) Detail.open(reopen);
    setInterval(() => Lists.tick(), 1000);
  },
};

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  Alert.bind();
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault(); const f = new FormData(ev.target);
    Alert.unlockAudio();  // the sign-in click lets the alert beep
    try { await Dash.boot(await api("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") })); }
    catch (e) { say(e.message); }
  });
  $("sign-out").addEventListener("click", async () => { await api("POST", "/api/auth/logout").catch(() => {}); location.reload(); });
  Dash.setLive(false);
  try { await Dash.boot(await api("GET", "/api/auth/me")); } catch (e) { $("login-view").hidden = false; }
});
