// The tablet's live link: the /crew socket pushes the hospital's answers and each update's
// delivery state (sent → delivered → seen) and the ER's acknowledgement; nothing is polled.
// The status bar always shows whether the link is up (and since when it is down), the queue,
// the grant's remaining time and the ER's acknowledgement.
"use strict";

const App = {
  me: null, incident: null, record: null,
  updates: [],                 // the hub's updates for this incident, oldest first
  queued: [],                  // outbox entries of this incident, not yet accepted by the hub
  rejected: [],                // entries the hub refused for good, with its reason
  delivery: { delivered_seq: 0, seen_seq: 0, acknowledged_at: null, hospital_id: null },
  hospitals: new Map(),        // id -> name
  socket: null, socketUp: false, fetchFailed: false, downSince: null,
  acuityTimer: null,           // asks the hub again when its assessment next changes by time alone
  acuityAsked: 0,              // the latest question for the assessment: only its answer is shown
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
  if (!inc) { localStorage.removeItem("prearrival.incident"); return; }
  localStorage.setItem("prearrival.incident", inc.id);  // an id only: enough to resume after a reload
  $("incident-id").textContent = inc.id;
  $("incident-complaint").textContent = inc.chief_complaint || "-";
  $("incident-basis").textContent = inc.basis ? code(inc.basis) : "-";
  $("incident-hospital").textContent = inc.hospital_id ? (App.hospitals.get(inc.hospital_id) || inc.hospital_id) : "-";
  if (inc.identified && $("incident-patient").textContent === "-") {
    $("incident-patient").textContent = `${tr("identified")} (${inc.card_kind || inc.identification})${inc.identity_flagged ? " ⚠" : ""}`;
  }
  Live.renderStatus();
}

function describeUpdate(kind, p) {
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

  noteNetwork(ok) {
    if (App.fetchFailed === !ok) return;
    App.fetchFailed = !ok; Live.renderStatus();
  },

  renderStatus() {
    const up = Live.linkUp();
    if (up) App.downSince = null; else if (!App.downSince) App.downSince = new Date();
    const conn = $("conn");
    conn.className = `chip ${up ? "on" : "off"}`;
    conn.dataset.state = up ? "online" : "offline";
    conn.replaceChildren(up ? bi("Online") : bi("Offline since {t} ({d})", { t: fmt.time(App.downSince), d: fmt.duration(Date.now() - App.downSince) }));
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
    const row = (state, text, data) => el("li", { testid: "update", data: { state, ...data } },
      el("span", { cls: `chip state ${state}`, testid: "update-state" }, STATES[state]()), text);
    for (const r of App.rejected.slice().reverse()) ol.append(row("rejected", `${describeUpdate(r.body.kind, r.body)} — ${r.reason}`, { clientId: r.client_id }));
    for (const q of App.queued.slice().reverse()) ol.append(row("queued", describeUpdate(q.body.kind, q.body), { clientId: q.client_id }));
    for (const u of App.updates.slice().reverse()) {
      ol.append(row(Live.stateOf(u.seq), `#${u.seq} ${fmt.hm(u.at || "")} ${describeUpdate(u.kind, u.payload)}`, { seq: String(u.seq), kind: u.kind }));
    }
    Live.renderStatus();
  },

  async refreshQueued() {
    const iid = App.incident && App.incident.id;
    App.queued = (await Outbox.all()).filter((e) => e.incident_id === iid);
    Live.renderUpdates();
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
    const iid = App.incident.id, asked = ++App.acuityAsked;
    try {
      const [inc, state] = await Promise.all([api("GET", `/api/incidents/${iid}`), api("GET", `/api/incidents/${iid}/updates`)]);
      if (!App.incident || App.incident.id !== iid) return;
      Live.noteNetwork(true);
      App.updates = state.updates.map((u) => ({ seq: u.seq, kind: u.kind, payload: u.payload, at: u.at }));
      setIncident(inc); Live.applyDelivery(state);
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
    box.replaceChildren(el("p", { cls: "acuity-level" }, Acuity.badge(Acuity.levelOf(acuity))),
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

  follow() {
    if (!App.socket || !App.socketUp || !App.incident) return;
    App.socket.emit("follow", { incident_id: App.incident.id }, (r) => { if (r && r.error) say(r.message || r.error); });
  },

  start() {
    if (typeof io === "undefined") { say(tr("The live link is missing (socket.io client).")); return; }
    const socket = io("/crew", { transports: ["websocket"] });
    App.socket = socket;
    socket.on("connect", () => { App.socketUp = true; Live.renderStatus(); Live.follow(); Live.resync(); Live.sendQueued(); });
    socket.on("disconnect", () => { App.socketUp = false; Live.renderStatus(); });
    socket.on("connect_error", () => { App.socketUp = false; Live.renderStatus(); });
    socket.on("delivery", (d) => Live.applyDelivery(d));
    socket.on("inquiry_changed", (c) => {
      if (!App.incident || c.incident_id !== App.incident.id) return;
      Steps.inquiryChanged(c);
      Live.resync();  // an acceptance brings a grant and a hospital; the hub's word is final
    });
    window.addEventListener("online", () => { App.fetchFailed = false; Live.renderStatus(); Live.sendQueued(); });
    window.addEventListener("offline", () => Live.renderStatus());
    setInterval(() => Live.renderStatus(), 1000);  // the clocks: down since, access ends in
    setInterval(() => { if (App.queued.length && navigator.onLine) Live.sendQueued(); }, 3000);  // retry with the link back
    Outbox.onChange(() => Live.refreshQueued());
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
      (entry) => api("POST", `/api/incidents/${entry.incident_id}/updates`, entry.body),
      (entry, stored) => {
        Live.noteNetwork(true);
        if (App.incident && entry.incident_id === App.incident.id && !App.updates.some((u) => u.seq === stored.seq)) {
          App.updates.push({ seq: stored.seq, kind: stored.kind, payload: stored.payload, at: stored.at });
          App.updates.sort((a, b) => a.seq - b.seq);
        }
        if (App.incident && entry.incident_id === App.incident.id && stored.kind === "vitals") vitalsSent = true;
      },
      (entry, e) => { App.rejected.push({ ...entry, reason: e.message }); say(e.message); },
    ).catch((e) => { say(e.message); return false; });
    if (sent === false) Live.noteNetwork(false);  // kept for later: the status bar says the link is down
    await Live.refreshQueued();
    if (vitalsSent) Live.refreshAcuity();  // the queue has drained (or stopped): one read for the whole burst
    return sent;
  },
};
