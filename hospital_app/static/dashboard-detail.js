// One patient, opened from the list: read again from the server (which records the view for
// the patient's access history), critical facts first, then live vitals (trend), the crew's
// notes, medications, recent visits, surgeries, checkups and the rest. While a clinical user
// has it on screen, the dashboard tells the crew it has been seen, up to the last update drawn
// with none missing before it. A patient removed while open leaves the reason in its place.
// A patient accepted without a record (no card, the source down, the crew went on without it)
// still has its vitals and notes drawn, and in place of the critical facts the reason there are
// none: an empty space there reads as "nothing critical", and the notes were once never drawn
// while the crew read "seen".
"use strict";

// Why no record came with the patient (the hub's record_status): never a blank where the critical facts go.
const NO_RECORD_WHY = {
  not_identified: () => bi("the patient was not identified (no card read)"),
  not_fetched: () => bi("the crew did not fetch it"),
  source_unavailable: () => bi("the record source was unavailable"),
  certificate_expired: () => bi("card certificate expired"),
  card_not_found: () => bi("no match for this card"),
  source_error: () => bi("the record could not be fetched"),
};

function noRecordBox(p) {
  const why = NO_RECORD_WHY[p.record_status] ? NO_RECORD_WHY[p.record_status]() : bi("not received");
  return el("div", { cls: "no-record", testid: "no-record", data: { status: p.record_status || "" } },
    el("p", {}, el("strong", {}, "⚠ ", bi("No record")), ": ", why),
    el("p", {}, bi("Allergies, anticoagulants and the rest are unknown, never none.")));
}

const Detail = {
  seenSent: new Map(),  // incident id -> highest seq reported seen

  async open(incidentId) {
    Dash.selected = incidentId;
    sessionStorage.setItem("prearrival.selected", incidentId);  // reopened after a reload
    const asked = Dash.clock;
    try {
      const p = await api("GET", `/api/patients/${encodeURIComponent(incidentId)}`);
      if (!Dash.current(incidentId, asked)) return;  // removed while this was on its way
      Dash.upsert(p);
    } catch (e) { say(e.message); return; }
    Lists.renderPatients();
    Detail.render();
    $("detail").focus();
    Detail.markSeen();
  },

  close(incidentId) {
    if (Dash.selected !== incidentId) return;
    Dash.selected = null;
    sessionStorage.removeItem("prearrival.selected");
    $("detail-title").replaceChildren(bi("Select a patient"));
    $("detail-body").replaceChildren();
  },

  // The open patient was removed: in its place, who it was and why (until another is opened).
  removed(incidentId, notice) {
    Detail.close(incidentId);
    $("detail-title").replaceChildren(el("span", { testid: "detail-name", text: notice.who }));
    const body = $("detail-body");
    body.dataset.incident = incidentId;
    body.replaceChildren(el("p", { cls: "removed-detail", testid: "detail-removed", data: { reason: notice.reason } },
      "⚠ ", bi("No longer held at this hospital"), ": ", notice.why()));
  },

  render() {
    const p = Dash.patients.get(Dash.selected);
    if (!p) return;
    $("detail-title").replaceChildren(el("span", { testid: "detail-name", text: whoText(p) }), " ", identityFlag(p) || "");
    const body = $("detail-body");
    body.dataset.incident = p.incident_id;
    const head = el("div", { cls: "head", attrs: { id: "detail-head" } });
    const actions = el("div", { cls: "actions" });
    if (!p.acknowledged_by) {  // the desk may acknowledge too
      const ack = el("button", { cls: "danger", attrs: { type: "button" }, testid: "acknowledge" }, bi("Acknowledge"));
      ack.addEventListener("click", () => Alert.acknowledge(p.incident_id));
      actions.append(ack);
    }
    if (p.incident && p.incident.handed_over_at) {
      actions.append(el("span", { testid: "handed-over" }, "✓ ", bi("Handed over")));
    } else if (Dash.clinical) {  // the ER confirms arrival: the grant's last window starts
      const hand = el("button", { attrs: { type: "button" }, testid: "handover" }, bi("Handover"));
      hand.addEventListener("click", () => {
        hand.disabled = true;
        Dash.socket.emit("handover", { incident_id: p.incident_id }, (res) => {
          if (res && res.error) { say(res.message || res.error); hand.disabled = false; }
        });
      });
      actions.append(hand);
    }
    if (Dash.me && Dash.me.role === "physician") {
      const full = el("button", { attrs: { type: "button" }, testid: "full-history" }, bi("Full history (physician)"));
      full.addEventListener("click", () => Detail.fullHistory(p.incident_id, full));
      actions.append(full);
    }
    actions.append(EmrFiling.controls(p));  // dashboard-emr.js: the FHIR file and File to EMR (physicians)
    if (Dash.clinical) actions.append(el("a", { cls: "button", testid: "print", attrs: { href: `/patients/${encodeURIComponent(p.incident_id)}/print`, target: "_blank", rel: "noopener" } }, bi("Print")));
    const parts = [head, actions];
    if (Dash.clinical) {  // the desk is sent neither the record nor the live part
      parts.push(p.critical ? criticalBox(p.critical) : noRecordBox(p), el("div", { attrs: { id: "detail-live" } }));
    }
    if (p.critical) {
      const record = el("div", { cls: "record" }, recordSections(p.record || {}, { limit: 20 }));
      parts.push(record, el("div", { cls: "full-history", attrs: { id: "full-history" }, testid: "full-history-view" }));
    }
    const outcome = typeof OutcomeForm !== "undefined" ? OutcomeForm.box(p) : null;  // dashboard-outcome.js: a form being typed comes back whole
    if (outcome) parts.splice(Dash.clinical ? 4 : 2, 0, outcome);  // after the critical facts and the live part
    body.replaceChildren(...parts);
    Detail.refreshLive();
  },

  // What changes while the patient is open: the head line, the vitals and the notes.
  refreshLive() {
    const p = Dash.patients.get(Dash.selected);
    if (!p) return;
    const head = $("detail-head");
    if (head) {
      const inc = p.incident || {};
      const ident = p.identity ? `${birthWithAge(p.identity.birth_date)} ${code(p.identity.sex)}` : "";
      head.replaceChildren(Acuity.badge(Acuity.levelOf(p.acuity)), el("span", { text: ident }),
        el("span", { testid: "detail-complaint" }, bi("Chief complaint"), `: ${inc.chief_complaint || "-"}`),
        el("span", {}, bi("Location"), `: ${inc.location || "-"}`),
        el("span", { testid: "detail-basis" }, bi("Basis"), `: ${code(p.basis)}`),
        el("span", {}, bi("Access until"), `: ${fmt.hm(p.grant_expires_at)}`), purgeCountdown(p, "detail-purge"),
        p.acknowledged_by ? el("span", { testid: "detail-acked" }, "✓ ", bi("acknowledged"), ` (${p.acknowledged_by})`) : "");
    }
    const live = $("detail-live");
    if (!live) return;
    live.dataset.drawnUpTo = String(contiguous(p));  // what markSeen may report: no more than is drawn here
    const readings = Acuity.line(p.acuity);
    const notes = (p.updates || []).filter((u) => u.kind === "note").slice().reverse();
    live.replaceChildren(
      el("h3", {}, bi("Vitals")),
      el("p", { cls: "vitals-now", testid: "vitals" }, ...(readings.length ? readings : [tr("no vitals yet")])),
      trendChart(p.updates, p.acuity), trendLegend(),
      el("h3", {}, bi("Crew notes")),
      el("ul", { cls: "notes", testid: "notes" }, ...(notes.length ? notes.map((n) => el("li", { testid: "note", text: `${fmt.hm(n.at)}  ${n.payload.text}` }))
        : [el("li", { cls: "empty", text: tr("none") })])));
  },

  // "Seen" for what the live part has drawn of this patient, never past a gap (what is missing is
  // not on screen), and nothing when it is not drawn.
  markSeen() {
    const p = Dash.patients.get(Dash.selected);
    if (!p || !Dash.clinical || !Dash.socket || document.visibilityState !== "visible") return;
    const live = $("detail-live");
    if (!live || $("detail-body").dataset.incident !== p.incident_id) return;
    const seq = Math.min(contiguous(p), Number(live.dataset.drawnUpTo || 0));
    if (!seq || seq <= (Detail.seenSent.get(p.incident_id) || 0)) return;
    Detail.seenSent.set(p.incident_id, seq);
    Dash.socket.emit("seen", { incident_id: p.incident_id, seq });
  },

  async fullHistory(incidentId, button) {
    button.disabled = true;
    try {
      const data = await api("POST", `/api/patients/${encodeURIComponent(incidentId)}/full-history`);
      const box = $("full-history");
      if (!box || Dash.selected !== incidentId) return;
      // Grouped by the hub (dashboard-history.js); a hub that sent no grouping gets the plain sections.
      if (data.history) await FullHistory.render(box, data.history, data.record);
      else box.replaceChildren(el("h3", {}, bi("Full history")), recordSections(data.record, { limit: 200 }));
      box.scrollIntoView({ block: "start" });
    } catch (e) { say(e.message); button.disabled = false; }
  },
};
