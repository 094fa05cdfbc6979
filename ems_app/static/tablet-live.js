// The tablet's live link: the /crew socket pushes the hospital's answers and each update's
// delivery state (sent → delivered → seen) and the ER's acknowledgement; nothing is polled.
// The status bar always shows whether the link is up (and since when it is down), the queue,
// the grant's remaining time and the ER's acknowledgement. The tablet follows every open patient
// of its crew, so the patient switcher shows each one's state as it changes.
"use strict";

const App = {
  me: null, incident: null, record: null,
  updates: [],                 // the hub's updates for this incident, oldest first
  queued: [],                  // outbox entries of this incident, not yet accepted by the hub
  rejected: [],                // entries the hub refused for good, with its reason (each names its incident)
  delivery: { delivered_seq: 0, seen_seq: 0, acknowledged_at: null, hospital_id: null },
  hospitals: new Map(),        // id -> name
  socket: null, socketUp: false, fetchFailed: false, downSince: null,
  socketDownAt: Date.now(),    // since when the live link is down (not up yet counts)
  httpOkAt: 0,                 // the hub's last answer over HTTP: the network works
  kickedAt: 0,                 // the live link last told to reconnect now
  openIds: [], followed: new Set(),  // the crew's open incidents; the rooms this socket joined
  unsent: {},                  // incident id -> entries waiting to send (the switcher's counts)
  acuityTimer: null,           // asks the hub again when its assessment next changes by time alone
  acuityAsked: 0,              // the latest question for the assessment: only its answer is shown
  resyncs: 0, resyncDrawn: 0,  // catch-ups asked and the latest drawn: one older than that is not drawn
};

// The acuity is the hub's, by the one rule the ER dashboard uses (shared/acuity.py); the tablet
// never judges a patient. It is not in the answer to a posted update (the hub's hottest write
// path would read every vitals set back for it), so the tablet asks for the incident once its
// queue has drained with vitals in it: one read per burst, not one per update. Time alone changes
// the answer too (a value goes stale): the hub says when (`changes_at`) and the tablet asks again
// then. It times that by its own clock; one running ahead of the hub's gets the same answer back,
// so it never asks more often than this.
const ACUITY_MIN_WAIT_MS = 10000;

// The hub's view of the incident changed: keep it, and what the side panel shows of it.
function setIncident(inc) {
  App.incident = inc;
  if (typeof SceneTimes !== "undefined") SceneTimes.show(inc);  // tablet-times.js: the run's times
  if (!inc) { localStorage.removeItem("prearrival.incident"); if (typeof OutcomeView !== "undefined") OutcomeView.show(null); return; }
  localStorage.setItem("prearrival.incident", inc.id);  // an id only: enough to resume after a reload
  $("incident-id").textContent = inc.id;
  $("incident-complaint").textContent = inc.chief_complaint || "-";
  $("incident-basis").textContent = inc.basis ? code(inc.basis) : "-";
  $("incident-hospital").textContent = inc.hospital_id ? (App.hospitals.get(inc.hospital_id) || inc.hospital_id) : "-";
  if (typeof OutcomeView !== "undefined") OutcomeView.show(inc);  // tablet-outcome.js
  if (inc.identified && $("incident-patient").textContent === "-") {
    $("incident-patient").textContent = `${tr("identified")} (${inc.card_kind || inc.identification})${inc.identity_flagged ? " ⚠" : ""}`;
  }
  Live.renderStatus();
}

// When an update was made: the hub's time, or for one still queued the press's.
const updateTime = (iso) => el("time", { text: fmt.hm(iso || ""), attrs: { datetime: iso || "" } });

function describeUpdate(kind, p) {
  if (typeof SceneTimes !== "undefined" && SceneTimes.owns({ body: p })) return SceneTimes.describe(p);  // a time or the no-card reason, queued
  if (kind === "vitals") return `${tr("Vitals")}: ${vitalsText(p.vitals || {})}`;
  if (kind === "eta") return `ETA: ${p.eta_minutes} ${I18N.one("min")}`;
  if (kind === "note") return `${tr("Note")}: ${p.text}`;
  if (kind === "chief_complaint") return `${tr("Chief complaint")}: ${p.text}`;
  return `${tr("Location")}: ${p.text}`;
}

const STATES = { queued: () => bi("queued"), sent: () => bi("sent"), delivered: () => bi("delivered"),
  seen: () => bi("seen"), rejected: () => bi("rejected") };

const Live = {
  linkUp() { return navigator.onLine && App.socketUp && !App.fetchFailed; },

  // "online": updates go out and answers come in live. "reconnecting": the hub answered over HTTP
  // since the live link dropped (a queue just delivered, say) while the socket is still on its way
  // back: updates go out, the hospital's answers wait. "offline": nothing says the hub is reachable.
  // (The socket retries on its own back-off, seconds after the network returns; the chip once
  // read "offline" all that time, the queue already delivered.)
  linkState() {
    if (Live.linkUp()) return "online";
    return navigator.onLine && !App.fetchFailed && App.httpOkAt > App.socketDownAt ? "reconnecting" : "offline";
  },

  noteNetwork(ok) {
    if (ok) { App.httpOkAt = Date.now(); Live.reconnectNow(); }
    App.fetchFailed = !ok; Live.renderStatus();
  },

  // The network is back: the live link tries now, not at the end of its back-off. At most every
  // few seconds, so a hub that answers HTTP but refuses the socket is not hammered.
  reconnectNow() {
    const socket = App.socket;
    if (!socket || socket.connected || Date.now() - App.kickedAt < 3000) return;
    if (socket.io && socket.io._readyState === "opening") return;  // trying right now: let it finish
    App.kickedAt = Date.now();
    socket.disconnect(); socket.connect();
  },

  renderStatus() {
    const state = Live.linkState(), up = state === "online";
    if (up) App.downSince = null; else if (!App.downSince) App.downSince = new Date();
    const conn = $("conn");
    conn.className = `chip ${up ? "on" : state === "reconnecting" ? "warn" : "off"}`;
    conn.dataset.state = state;
    conn.replaceChildren(up ? bi("Online") : state === "reconnecting" ? bi("Sending works; live link reconnecting")
      : bi("Offline since {t} ({d})", { t: fmt.time(App.downSince), d: fmt.duration(Date.now() - App.downSince) }));
    const q = $("queue-state");
    q.hidden = !App.queued.length; q.className = "chip warn"; q.dataset.count = App.queued.length;
    q.replaceChildren(bi("{n} waiting to send", { n: App.queued.length }));
    const inc = App.incident, g = $("grant-state");
    g.hidden = !(inc && inc.grant_expires_at);
    if (inc && inc.grant_expires_at) {
      const left = new Date(inc.grant_expires_at) - Date.now();
      g.className = `chip ${left < 10 * 60 * 1000 ? "warn" : ""}`;
      g.replaceChildren(bi("Access ends in {d}", { d: fmt.duration(Math.max(0, left)) }));
    }
    const er = $("er-state"), d = App.delivery;
    er.hidden = !(inc && inc.hospital_id);
    er.dataset.acknowledged = d.acknowledged_at ? "yes" : "no";
    er.className = `chip ${d.acknowledged_at ? "on" : "warn"}`;
    er.dataset.record = d.record_delivered === false ? "awaited" : "delivered";
    er.replaceChildren(d.acknowledged_at ? bi("ER acknowledged {t}", { t: fmt.hm(d.acknowledged_at) })
      : d.record_delivered === false ? bi("Accepted, record not yet delivered") : bi("ER not yet acknowledged"));
  },

  stateOf(seq) {
    const d = App.delivery;
    return seq <= d.seen_seq ? "seen" : seq <= d.delivered_seq ? "delivered" : "sent";
  },

  renderUpdates() {
    const ol = $("updates"); ol.replaceChildren();
    const row = (state, data, ...text) => el("li", { testid: "update", data: { state, ...data } },
      el("span", { cls: `chip state ${state}`, testid: "update-state" }, STATES[state]()), ...text);
    const iid = App.incident && App.incident.id;
    for (const r of App.rejected.filter((e) => e.incident_id === iid).reverse()) {
      ol.append(row("rejected", { clientId: r.client_id }, updateTime(r.queued_at), ` ${describeUpdate(r.body.kind, r.body)} — ${r.reason}`));
    }
    for (const q of App.queued.slice().reverse()) ol.append(row("queued", { clientId: q.client_id }, updateTime(q.queued_at), ` ${describeUpdate(q.body.kind, q.body)}`));
    for (const u of App.updates.slice().reverse()) {
      ol.append(row(Live.stateOf(u.seq), { seq: String(u.seq), kind: u.kind }, `#${u.seq} `, updateTime(u.at), ` ${describeUpdate(u.kind, u.payload)}`));
    }
    Live.renderStatus();
  },

  // This patient's queue on screen; every patient's count in the switcher.
  async refreshQueued() {
    const iid = App.incident && App.incident.id;
    const [queued, counts] = await Promise.all([iid ? Outbox.queued(iid) : [], Outbox.counts()]);
    App.unsent = counts;
    if ((App.incident && App.incident.id) !== iid) return;  // switched meanwhile: that patient's turn
    App.queued = queued;
    Live.renderUpdates();
    if (typeof Patients !== "undefined") Patients.render();
  },

  // For one grant the states only move forward, but pushes computed in concurrent transactions
  // may arrive out of order: merge, never go back. A new hospital (re-routing) starts afresh.
  applyDelivery(d) {
    if (!App.incident || d.incident_id && d.incident_id !== App.incident.id) return;
    const prev = App.delivery, same = !!d.hospital_id && d.hospital_id === prev.hospital_id;
    App.delivery = {
      delivered_seq: Math.max(d.delivered_seq || 0, same ? prev.delivered_seq : 0),
      seen_seq: Math.max(d.seen_seq || 0, same ? prev.seen_seq : 0),
      acknowledged_at: d.acknowledged_at || (same ? prev.acknowledged_at : null),
      record_delivered: d.record_delivered !== false || (same && prev.record_delivered === true),
      hospital_id: d.hospital_id || null };
    Live.renderUpdates();
  },

  // Catch up after a (re)connect or a resume: the hub's updates and states, the answers, the grant, the acuity.
  async resync() {
    if (!App.incident) return;
    const iid = App.incident.id, asked = ++App.acuityAsked, resync = ++App.resyncs;
    try {
      const [inc, state] = await Promise.all([api("GET", `/api/incidents/${iid}`), api("GET", `/api/incidents/${iid}/updates`)]);
      if (!App.incident || App.incident.id !== iid || resync < App.resyncDrawn) return;
      App.resyncDrawn = resync;
      Live.noteNetwork(true);
      // Merged by seq, never replaced: an update sent while this was on its way stays on screen.
      const updates = new Map(App.updates.map((u) => [u.seq, u]));
      for (const u of state.updates) updates.set(u.seq, { seq: u.seq, kind: u.kind, payload: u.payload, at: u.at });
      App.updates = [...updates.values()].sort((a, b) => a.seq - b.seq);
      setIncident(inc); Live.applyDelivery(state); Tablet.markDone();
      if (asked === App.acuityAsked) Live.showAcuity(inc.acuity);
      await Steps.refreshInquiries();
    } catch (e) {
      if (e.network) Live.noteNetwork(false); else say(e.message);
    }
  },

  // The badge and each measure's latest value with its own time, stale and missing marked, drawn
  // as the dashboard draws them (record.js `Acuity`). null: no incident, nothing shown.
  showAcuity(acuity) {
    clearTimeout(App.acuityTimer);
    const box = $("acuity-now");
    if (!acuity) { box.replaceChildren(); return; }
    const readings = Acuity.line(acuity);
    const card = App.record && App.record.summary && App.record.summary.card;
    box.replaceChildren(el("p", { cls: "acuity-level" }, Acuity.badge(Acuity.levelOf(acuity)),
      ...(card && mayBeChild(card.birth_date) ? [" ", adultThresholds()] : [])),
      el("p", { cls: "vitals-now", testid: "vitals" }, ...(readings.length ? readings : [tr("no vitals yet")])));
    if (acuity.changes_at) {
      const wait = new Date(acuity.changes_at) - Date.now() + 1000;
      App.acuityTimer = setTimeout(() => Live.refreshAcuity(), Math.max(wait, ACUITY_MIN_WAIT_MS));
    }
  },

  async refreshAcuity() {
    const iid = App.incident && App.incident.id;
    if (!iid) return;
    const asked = ++App.acuityAsked;  // answers may cross
    clearTimeout(App.acuityTimer);
    try {
      const inc = await api("GET", `/api/incidents/${iid}`);
      if (!App.incident || App.incident.id !== iid || asked !== App.acuityAsked) return;
      Live.noteNetwork(true);
      setIncident(inc);
      Live.showAcuity(inc.acuity);
    } catch (e) {
      if (e.network) Live.noteNetwork(false);
      // What is shown stays, each value with its time; a reconnect resyncs, and this tries again.
      if (asked === App.acuityAsked) App.acuityTimer = setTimeout(() => Live.refreshAcuity(), 3 * ACUITY_MIN_WAIT_MS);
    }
  },

  // The socket joins the room of this patient and of every other open one of the crew (the
  // switcher's states); each push names its incident and is applied to that patient only.
  follow() {
    if (!App.socket || !App.socketUp) return;
    const ids = new Set([...(App.incident ? [App.incident.id] : []), ...(App.openIds || [])]);
    for (const id of ids) {
      if (App.followed.has(id)) continue;
      App.followed.add(id);
      // Once in the room, read the patient's states again: a push sent between the last read and
      // the join (the ER acknowledging as the socket reconnects) would otherwise never arrive.
      App.socket.emit("follow", { incident_id: id }, (r) => {
        const shown = App.incident && App.incident.id === id;
        if (r && r.error) { if (shown) say(r.message || r.error); } else if (shown) Live.resync();
      });
    }
  },

  // The ER confirmed the handover: said at once, then the hub's incident (the grant's end) read again.
  handedOver(h) {
    if (App.incident && h.incident_id === App.incident.id) {
      App.incident.handed_over_at = App.incident.handed_over_at || new Date().toISOString();  // until the hub's, below
      Steps.handedOverAt(App.incident.handed_over_at, true);
      say(tr("Handover confirmed by the ER"), true);
      Live.resync();
    }
    if (typeof Patients !== "undefined") Patients.refreshSoon();
  },

  start() {
    if (typeof io === "undefined") { say(tr("The live link is missing (socket.io client).")); return; }
    const socket = io("/crew", { transports: ["websocket"] });
    App.socket = socket;
    const down = () => { if (App.socketUp || !App.socketDownAt) App.socketDownAt = Date.now(); App.socketUp = false; Live.renderStatus(); };
    socket.on("connect", () => { App.socketUp = true; App.followed = new Set(); Live.renderStatus(); Live.follow(); Live.resync(); Live.sendQueued(); });
    socket.on("disconnect", down);
    socket.on("connect_error", down);
    socket.on("delivery", (d) => { Live.applyDelivery(d); if (typeof Patients !== "undefined") Patients.refreshSoon(); });
    socket.on("handed_over", (h) => Live.handedOver(h));
    socket.on("outcome", (o) => OutcomeView.pushed(o));                            // tablet-outcome.js
    socket.on("availability_changed", () => HospitalNeed.reload());               // tablet-availability.js
    socket.on("inquiry_changed", (c) => {
      if (typeof Patients !== "undefined") Patients.refreshSoon();  // another patient's answer shows in the switcher
      if (!App.incident || c.incident_id !== App.incident.id) return;
      Steps.inquiryChanged(c);
      Live.resync();  // an acceptance brings a grant and a hospital; the hub's word is final
    });
    window.addEventListener("online", () => { App.fetchFailed = false; App.kickedAt = 0; Live.reconnectNow(); Live.renderStatus(); Live.sendQueued(); });
    window.addEventListener("offline", () => Live.renderStatus());
    setInterval(() => Live.renderStatus(), 1000);  // the clocks: down since, access ends in
    setInterval(() => { if (App.queued.length && navigator.onLine) Live.sendQueued(); }, 3000);  // retry with the link back
    Outbox.onChange(() => Live.refreshQueued());
    Live.refreshQueued();
  },

  // Queue one update (`clientId`: the key of the press that made it) and try to send everything queued, in order.
  async enqueue(body, clientId) {
    if (!App.incident) throw new Error(tr("Open an incident first"));
    await Outbox.add(App.incident.id, body, clientId);
    await Live.refreshQueued();
    Live.sendQueued();
  },

  async sendQueued() {
    let vitalsSent = false;
    const sent = await Outbox.flush(
      // The run's times share the patient's queue and its order (tablet-times.js sends them).
      (entry) => (typeof SceneTimes !== "undefined" && SceneTimes.owns(entry) ? SceneTimes.send(entry)
        : api("POST", `/api/incidents/${entry.incident_id}/updates`, entry.body)),
      (entry, stored) => {
        if (typeof SceneTimes !== "undefined" && SceneTimes.owns(entry)) { Live.noteNetwork(true); SceneTimes.sent(entry, stored); return; }
        Live.noteNetwork(true);
        if (App.incident && entry.incident_id === App.incident.id && !App.updates.some((u) => u.seq === stored.seq)) {
          App.updates.push({ seq: stored.seq, kind: stored.kind, payload: stored.payload, at: stored.at });
          App.updates.sort((a, b) => a.seq - b.seq);
        }
        if (App.incident && entry.incident_id === App.incident.id && stored.kind === "vitals") vitalsSent = true;
      },
      (entry, e) => {
        App.rejected.push({ ...entry, reason: e.message }); if (App.incident && entry.incident_id === App.incident.id) say(e.message);
        if (typeof SceneTimes !== "undefined" && SceneTimes.owns(entry)) SceneTimes.refused(entry, e);
      },
    ).catch((e) => { say(e.message); return false; });
    if (sent === false) Live.noteNetwork(false);  // kept for later: the status bar says the link is down
    await Live.refreshQueued();
    if (vitalsSent) Live.refreshAcuity();  // the queue has drained (or stopped): one read for the whole burst
    return sent;
  },
};
