// The ER dashboard: everything arrives over Socket.IO; the page never polls. It re-reads the
// lists on every (re)connect, so nothing pushed while it was offline is missed.
// A patient's updates are kept by sequence number: whatever brings them (a push, the reload after a
// reconnect, a refetch) merges with what is held and never replaces it, so an answer overtaken by
// a push loses nothing; a push that shows a gap makes the page read the patient again, and `seen`
// never goes past a gap (dashboard-detail.js): the crew must not read "seen" for what is not shown.
// Requests to accept are listed while open; one that leaves without this screen answering it says
// why in a notice (Notices.inquiryLeft). The browser's back button goes back a step (Nav).
// Everything is put on screen with textContent, never as HTML: complaints and notes are
// whatever a paramedic typed, and the CSP forbids inline scripts anyway.
"use strict";

// Updates of one patient from two sources, one per seq, oldest first.
function mergeUpdates(ours, theirs) {
  const bySeq = new Map();
  for (const u of theirs || []) bySeq.set(u.seq, u);
  for (const u of ours || []) bySeq.set(u.seq, u);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

// The highest seq up to which every update, from 1, is held.
function contiguous(p) {
  let upTo = 0;
  for (const u of p.updates || []) {
    if (u.seq > upTo + 1) break;
    upTo = Math.max(upTo, u.seq);
  }
  return upTo;
}

// What an update changes in the incident summary the lists show.
function applySummary(p, u) {
  if (u.kind === "eta") p.incident.eta_minutes = u.payload.eta_minutes;
  if (u.kind === "chief_complaint") p.incident.chief_complaint = u.payload.text;
  if (u.kind === "location") p.incident.location = u.payload.text;
}

// The signed-in role in the screen's language, never its code.
const STAFF_ROLES = { physician: () => tr("Physician"), nurse: () => tr("Nurse"), clerk: () => tr("Clerk"),
  board: () => tr("Wall board") };
const staffRole = (role) => (STAFF_ROLES[role] ? STAFF_ROLES[role]() : role);

const Dash = {
  me: null, clinical: false, socket: null, selected: null,
  patients: new Map(), inquiries: new Map(),
  answering: new Set(),   // inquiry ids this screen has sent an answer for
  inquiriesGone: new Map(),  // inquiry id -> clock when it left the list
  // Pushes and reloads cross on the wire: `clock` orders what happened on this page, so an answer
  // asked for before a push cannot undo it (bring back a removed patient, or remove a new one).
  clock: 0,
  gone: new Map(),        // incident id -> clock when it was removed
  refetching: new Map(),  // incident id -> another gap showed while the refetch was under way

  // An answer asked for at `asked` about this patient, still to be believed (not removed since).
  current(incidentId, asked) { return !((Dash.gone.get(incidentId) ?? -1) > asked); },

  // A view of the patient (a push, a reload, an opened detail) merged with what is held: its
  // updates by seq; what only moves one way (acknowledged, handed over, the grant's end coming
  // nearer) never goes back; and where we hold updates it had not seen, their changes stay.
  upsert(p) {
    const held = Dash.patients.get(p.incident_id);
    if (held) {
      if (p.updates || held.updates) p.updates = mergeUpdates(p.updates, held.updates);
      if ((held.last_seq || 0) > (p.last_seq || 0)) {
        for (const u of p.updates || []) if (u.seq > (p.last_seq || 0)) applySummary(p, u);
        if (held.acuity && p.acuity && !p.acuity.withheld) p.acuity = held.acuity;  // assessed with those updates
        p.last_seq = held.last_seq;
      }
      p.acknowledged_by = p.acknowledged_by || held.acknowledged_by;
      if (held.incident.handed_over_at && !p.incident.handed_over_at) p.incident.handed_over_at = held.incident.handed_over_at;
      if (new Date(held.grant_expires_at) < new Date(p.grant_expires_at)) p.grant_expires_at = held.grant_expires_at;
      p._etaBase = held._etaBase; p._etaMinutes = held._etaMinutes;
      p._at = Math.max(p._at || 0, held._at || 0);
    }
    Dash.patients.set(p.incident_id, p);
    if (p.acknowledged_by) Alert.clear(p.incident_id);
    else Alert.start(p.incident_id, `${whoText(p)} ${p.incident.chief_complaint || ""}`.trim());
  },

  // An inquiry pushed, or listed by a reload: shown while open, else it leaves the list. Of two
  // copies, the one with the crew's newer update stays, whichever came last: a reconnect's list,
  // read before a push and answered after it, once put back an ETA the crew had changed (H56).
  addInquiry(q, at = ++Dash.clock) {
    if (q.status !== "pending") { Dash.inquiryLeft(q.inquiry_id, q.status, q.reason); return; }
    const held = Dash.inquiries.get(q.inquiry_id);
    if (held && held.seq != null && q.seq != null && held.seq > q.seq) return;
    q._at = at;
    Dash.inquiries.set(q.inquiry_id, q); Lists.renderInquiry(q);
  },

  // Answered, withdrawn, closed or expired: off the list; a notice unless this screen answered it.
  inquiryLeft(inquiryId, status, reason) {
    Dash.inquiriesGone.set(inquiryId, ++Dash.clock);
    const q = Dash.inquiries.get(inquiryId);
    if (!q) return;
    Dash.inquiries.delete(inquiryId);
    Lists.removeInquiry(inquiryId);
    if (Dash.answering.delete(inquiryId)) return;
    if (Dash.clinical) Notices.inquiryLeft(q, status, reason);
  },

  async resync() {
    const askedInquiries = Dash.clock;
    const open = await api("GET", "/api/inquiries");
    const openIds = new Set(open.map((q) => q.inquiry_id));
    // Closed while this page was not listening: it leaves, saying so. One pushed since is newer.
    for (const [id, q] of [...Dash.inquiries]) if (!openIds.has(id) && (q._at || 0) <= askedInquiries) Dash.inquiryLeft(id, "withdrawn", "offline");
    for (const q of open.reverse()) {
      if ((Dash.inquiriesGone.get(q.inquiry_id) ?? -1) > askedInquiries) continue;  // left since it was listed
      Dash.addInquiry(q, Dash.inquiries.has(q.inquiry_id) ? Dash.inquiries.get(q.inquiry_id)._at : askedInquiries);
    }
    Lists.inquiriesShown();
    const asked = Dash.clock;
    const list = await api("GET", "/api/patients");
    const ids = new Set(list.map((p) => p.incident_id));
    // Gone while this page was not listening (its push missed): said so, like any removal. One
    // pushed since the list was asked for is newer than the list.
    for (const [id, p] of [...Dash.patients]) if (!ids.has(id) && (p._at || 0) <= asked) Dash.removed(id, "ended");
    for (const p of list) if (Dash.current(p.incident_id, asked)) Dash.upsert(p);
    Lists.renderPatients();
    if (Dash.selected && Dash.patients.has(Dash.selected)) { Detail.render(); Detail.markSeen(); }
  },

  applyUpdate(u) {
    const p = Dash.patients.get(u.incident_id); if (!p) return;
    if ((p.updates || []).some((held) => held.seq === u.seq)) return;  // here already (a reload brought it)
    const gap = Dash.clinical && u.seq > contiguous(p) + 1;  // the desk is pushed only some kinds: no gaps to see
    p.updates = mergeUpdates([u], p.updates);
    if (u.seq > (p.last_seq || 0)) { p.last_seq = u.seq; applySummary(p, u); }
    Lists.renderPatients();
    if (Dash.selected === u.incident_id) { Detail.refreshLive(); Detail.markSeen(); }
    if (gap) Dash.refetch(u.incident_id);
  },

  // Updates are missing before one just pushed: read the patient again; its answer merges. One
  // refetch at a time per patient, and one more if another gap showed meanwhile.
  async refetch(incidentId) {
    if (Dash.refetching.has(incidentId)) { Dash.refetching.set(incidentId, true); return; }
    Dash.refetching.set(incidentId, false);
    const asked = Dash.clock;
    try {
      const p = await api("GET", `/api/patients/${encodeURIComponent(incidentId)}`);
      if (Dash.patients.has(incidentId) && Dash.current(incidentId, asked)) {
        Dash.upsert(p);
        Lists.renderPatients();
        if (Dash.selected === incidentId) { Detail.refreshLive(); Detail.markSeen(); }
      }
    } catch (e) {
      if (e.status !== 404) say(e.message);  // 404: removed meanwhile; its own push says so
    } finally {
      const again = Dash.refetching.get(incidentId);
      Dash.refetching.delete(incidentId);
      const p = Dash.patients.get(incidentId);
      if (again && p && contiguous(p) < (p.last_seq || 0)) Dash.refetch(incidentId);
    }
  },

  // The server assessed the patient again (new vitals, or a value gone stale): only shown here.
  applyAcuity(a) {
    const p = Dash.patients.get(a.incident_id); if (!p) return;
    p.acuity = a.acuity;
    Lists.renderPatients();
    if (Dash.selected === a.incident_id) Detail.refreshLive();
  },

  // The patient is no longer held here: the screen says so and why (Notices), never a silent vanishing.
  removed(incidentId, reason) {
    Dash.gone.set(incidentId, ++Dash.clock);
    const p = Dash.patients.get(incidentId);
    if (!p) return;
    Dash.patients.delete(incidentId); Alert.clear(incidentId);
    const notice = Notices.removed(p, reason);
    if (typeof OutcomeForm !== "undefined") OutcomeForm.removed(p);  // an outcome being typed: said to be unsent
    if (Dash.selected === incidentId) Detail.removed(incidentId, notice);
  },

  setLive(on) {
    Dash.downSince = on ? null : (Dash.downSince || Date.now());
    if (!on) Dash.hubLink = null;  // unknown while this page is cut off; told again as it reconnects
    Dash.renderLive();
    Dash.renderHubLink();
  },

  // The hospital's own link to the hub, beside this page's: while it is down nothing new can
  // arrive, even though this page is "live". Said until the hospital app says it is back.
  hubLink: null,  // {up, down_since} as the hospital app last said
  hubLinkPushes: 0,
  renderHubLink() {
    const chip = $("hub-link"), state = Dash.hubLink;
    chip.hidden = !state || state.up;
    chip.dataset.state = !state ? "unknown" : state.up ? "up" : "down";
    chip.replaceChildren(state && !state.up ? bi("Hub link down since {t}", { t: fmt.hm(state.down_since) }) : "");
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
    $("who").textContent = `${me.display_name} (${staffRole(me.role)})`;
    $("login-view").hidden = true; $("board").hidden = false;
    $("sign-out").hidden = false; $("sound").hidden = false;
    // Only the clinical roles are offered the clinical actions (hospital_app/visibility.py
    // CLINICAL_ROLES); the desk and the wall board are refused them by the server anyway.
    Dash.clinical = me.role === "physician" || me.role === "nurse";
    api("GET", "/api/patients/acuity-legend").then((rule) => $("acuity-legend-body").replaceChildren(acuityLegend(rule)))
      .catch((e) => say(e.message));
    await Dash.resync();
    if (typeof io === "undefined") { say(tr("The live link is missing (socket.io client).")); return; }
    const socket = io("/dashboard", { transports: ["websocket"] });
    Dash.socket = socket;
    socket.on("connect", () => {
      Dash.setLive(true);
      const pushes = Dash.hubLinkPushes;  // a push after this ask is newer than its answer
      socket.emit("hub_link", null, (state) => {
        if (state && !state.error && Dash.hubLinkPushes === pushes) { Dash.hubLink = state; Dash.renderHubLink(); }
      });
      Dash.resync().catch((e) => say(e.message));
    });
    socket.on("disconnect", () => Dash.setLive(false));
    setInterval(() => { if (Dash.downSince) Dash.renderLive(); }, 1000);
    socket.on("hub_link", (state) => { Dash.hubLinkPushes++; Dash.hubLink = state; Dash.renderHubLink(); });
    socket.on("inquiry", (q) => { Dash.inquiriesGone.delete(q.inquiry_id); Dash.addInquiry(q); });
    socket.on("inquiry_changed", (c) => { if (c.status !== "pending") Dash.inquiryLeft(c.inquiry_id, c.status, c.reason); });
    // A fresh grant, or its end brought forward at handover.
    socket.on("patient", (p) => {
      p._at = ++Dash.clock; Dash.gone.delete(p.incident_id);
      Dash.upsert(p); Lists.renderPatients(); if (Dash.selected === p.incident_id) Detail.render();
    });
    socket.on("update", (u) => Dash.applyUpdate(u));
    socket.on("acuity", (a) => Dash.applyAcuity(a));
    socket.on("patient_removed", (r) => { Dash.removed(r.incident_id, r.reason); Lists.renderPatients(); });
    socket.on("patient_acknowledged", (a) => {
      const p = Dash.patients.get(a.incident_id);
      if (p) p.acknowledged_by = a.by;
      Alert.clear(a.incident_id);
      Lists.renderPatients();
      if (Dash.selected === a.incident_id) Detail.render();
    });
    document.addEventListener("visibilitychange", () => Detail.markSeen());
    Nav.start(sessionStorage.getItem("prearrival.selected"));
    setInterval(() => Lists.tick(), 1000);
  },
};

// The browser's back button goes back a step on this page, from a patient's detail to the board,
// not out of the app (and forward again): opening a patient is a step in the tab's history. The
// incident id goes in the step's state, never in the address.
const Nav = {
  open(incidentId) {
    if (!(history.state && history.state.patient === incidentId)) history.pushState({ patient: incidentId }, "");
    Detail.open(incidentId);
  },

  // After a reload the board is the first step and the patient open before it the next.
  start(reopen) {
    history.replaceState({ board: true }, "");
    window.addEventListener("popstate", (ev) => Nav.went(ev.state));
    if (reopen && Dash.patients.has(reopen)) Nav.open(reopen);
  },

  went(state) {
    const id = state && state.patient;
    if (id && Dash.patients.has(id)) { Detail.open(id); return; }
    if (Dash.selected) Detail.close(Dash.selected);  // the board: no patient open
    $("detail-title").replaceChildren(bi("Select a patient"));
    $("detail-body").replaceChildren(); delete $("detail-body").dataset.incident;
    Lists.renderPatients();
  },
};

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  Alert.bind();
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault(); const f = new FormData(ev.target);
    Alert.unlockAudio();  // the sign-in click lets the alert beep
    try { await Dash.boot(await SecondFactor.after(await api("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") }))); }
    catch (e) { say(e.message); }
  });
  $("sign-out").addEventListener("click", async () => { await api("POST", "/api/auth/logout").catch(() => {}); location.reload(); });
  Dash.setLive(false);
  try { await Dash.boot(await api("GET", "/api/auth/me")); } catch (e) { $("login-view").hidden = false; }
});
