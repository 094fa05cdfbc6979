// The two lists on the left: requests to accept (accept, or decline with a reason) and the
// incoming ambulances sorted by ETA, each with the acuity the server assessed, each measure's
// latest value and a countdown (to arrival, and after handover to the record's purge).
// A request says what a physician decides on: which ambulance unit asks and when, the ETA and
// since when it stands, and (clinical staff only) the number to call the crew back on and the
// acuity the hub assessed from every vitals entry, each measure with its time, never the newest
// entry alone. Only open requests are listed: one answered, withdrawn or closed leaves (dashboard.js).
// Each incoming patient not yet acknowledged has its own Acknowledge on its row. A name whose
// identity the crew confirmed weakly carries ⚠ and how it was confirmed, wherever it is shown.
"use strict";

// The age band the hub sends ("80s": the decade, never the age), in the reader's words.
function ageBand(band) {
  const decade = /^(\d{1,3})s$/.exec(band || "");
  return decade ? tr("{decade}s", { decade: decade[1] }) : tr("age unknown");
}

// Who an inquiry is about, as far as anyone may know before acceptance.
function inquiryWho(q) {
  return `${ageBand(q.age_band)} ${q.sex ? code(q.sex) : tr("sex unknown")} ${q.chief_complaint || "-"}`;
}

// The unit's registered phone, to ask the crew before answering; said when it has none.
function callbackOf(q) {
  if (!q.callback) return el("span", { testid: "inquiry-callback", data: { callback: "" } }, bi("Crew callback"), ": ", bi("not registered: call the fire HQ"));
  return el("span", { testid: "inquiry-callback", data: { callback: q.callback } }, bi("Crew callback"), ": ",
    el("a", { text: q.callback, attrs: { href: `tel:${q.callback.replace(/[^\d+]/g, "")}` } }));
}

// "ETA 12 min", and since when: twelve minutes said twenty minutes ago is not twelve.
function inquiryEta(q) {
  const eta = el("span", { testid: "inquiry-eta", text: q.eta_minutes != null ? `ETA ${q.eta_minutes}${I18N.one("min")}` : "ETA -" });
  if (q.eta_minutes == null || !q.eta_at) return [eta];
  return [eta, " ", el("span", { testid: "inquiry-eta-at" }, "(", bi("as of {t}", { t: fmt.hm(q.eta_at) }), ")")];
}

// When the ambulance arrives: the time of the latest ETA update plus its minutes; without one
// (a desk view carries no updates), incident.eta_at if the hub sends it, else the time this
// dashboard first heard of the ETA.
function arrivalOf(p) {
  const etas = (p.updates || []).filter((u) => u.kind === "eta" && u.payload && u.payload.eta_minutes != null);
  if (etas.length) { const u = etas[etas.length - 1]; return new Date(u.at).getTime() + u.payload.eta_minutes * 60000; }
  const m = p.incident && p.incident.eta_minutes;
  if (m === null || m === undefined) return null;
  if (p.incident.eta_at) return new Date(p.incident.eta_at).getTime() + m * 60000;  // when the hub says it was set
  if (!p._etaBase || p._etaMinutes !== m) { p._etaBase = Date.now(); p._etaMinutes = m; }
  return p._etaBase + m * 60000;
}

function whoText(p) {
  if (p.identity) return `${p.identity.name}（${p.identity.kana}） ${code(p.identity.sex)}`;
  return tr("No record");
}

// How the crew confirmed a flagged identity: no photo to compare, or a search that may find a namesake.
const IDENTIFIED_BY = {
  smartphone: () => bi("identity: smartphone card, no photo"),
  attributes: () => bi("identity: 4-attribute search, no card"),
};

// ⚠ beside the name when the identity rests on less than the card's photo (nothing otherwise).
function identityFlag(p) {
  const id = p.identity;
  if (!id || !id.identity_flagged) return null;
  const how = IDENTIFIED_BY[id.identification] ? IDENTIFIED_BY[id.identification]() : bi("identity weakly confirmed");
  return el("span", { cls: "identity-flag", testid: "identity-flag", data: { identification: id.identification || "" } }, "⚠ ", how);
}

const Lists = {
  renderInquiry(q) {
    const ul = $("inquiries");
    let item = [...ul.children].find((e) => e.dataset.inquiry === q.inquiry_id);
    if (!item) { item = el("li", { testid: "inquiry", data: { inquiry: q.inquiry_id, incident: q.incident_id } }); ul.prepend(item); }
    item.dataset.status = q.status; item.className = q.status;
    const basis = q.basis ? `  ${code(q.basis)}` : "";
    const waiting = q.status === "pending" ? el("span", { cls: "chip waiting", testid: "inquiry-waiting", data: { askedAt: q.asked_at || "" } }) : "";
    if (waiting) showInquiryWait(waiting, q.asked_at);  // at once, then every second (Lists.tick)
    const asked = el("div", { cls: "asked" },
      el("span", { testid: "inquiry-unit" }, bi("Ambulance unit"), `: ${q.unit || "-"}`), "  ",
      Dash.clinical ? callbackOf(q) : "", Dash.clinical ? "  " : "",
      el("span", { testid: "inquiry-asked" }, bi("Asked at"), " ", el("time", { text: fmt.hm(q.asked_at), attrs: { datetime: q.asked_at || "" } })),
      " ", waiting,
      "  ", ...inquiryEta(q));
    const parts = [el("div", {},
      el("strong", { testid: "inquiry-who", text: `${ageBand(q.age_band)} ${q.sex ? code(q.sex) : tr("sex unknown")} ` }),
      el("span", { testid: "inquiry-complaint", text: q.chief_complaint || "-" }), basis), asked];
    // The desk is never sent an inquiry's acuity: it is drawn for clinical staff only.
    if (Dash.clinical) {
      parts.push(el("div", { cls: "inquiry-acuity", testid: "inquiry-acuity" }, Acuity.badge(Acuity.levelOf(q.acuity)), " ",
        mayBeChild(null, q.age_band) ? adultThresholds() : "", " ",
        el("span", { cls: "readings", testid: "inquiry-vitals" }, ...Acuity.line(q.acuity))));
    }
    // Drawn again when the crew's newer vitals or ETA arrive: the answer's controls stay as they
    // are (redraw.js), so a press on 受入 counts, and a decline reason being chosen and the focus stay.
    if (Dash.clinical && q.status === "pending") parts.push(item.querySelector(":scope > .answer") || Lists.answerControls(item, q));
    placeInOrder(item, parts);
    if (Dash.answering.has(q.inquiry_id)) for (const c of item.querySelectorAll("button, select")) c.disabled = true;
    Lists.inquiriesShown();
  },

  removeInquiry(inquiryId) {
    for (const item of [...$("inquiries").children]) if (item.dataset.inquiry === inquiryId) item.remove();
    Lists.inquiriesShown();
  },

  // Said when there is none, so an empty list is never read as a list that failed to load.
  inquiriesShown() { $("no-inquiries").hidden = $("inquiries").children.length > 0; },

  answerControls(item, q) {
    const id = `reason-${q.inquiry_id}`;
    const select = el("select", { attrs: { id } });
    for (const [value, text] of Object.entries(DECLINE_REASONS)) select.append(el("option", { text: text(), attrs: { value } }));
    const accept = el("button", { cls: "primary", attrs: { type: "button" }, testid: "accept" }, bi("Accept"));
    const decline = el("button", { attrs: { type: "button" }, testid: "decline" }, bi("Decline"));
    const send = async (body) => {
      const all = item.querySelectorAll("button, select");
      for (const c of all) c.disabled = true;
      Dash.answering.add(q.inquiry_id);  // its leaving the list is this screen's own doing: no notice
      try {
        const r = await api("POST", `/api/inquiries/${q.inquiry_id}/answer`, body);
        say("");  // an acceptance's patient comes in below; a decline needs no more
        Dash.inquiryLeft(q.inquiry_id, r.status, "answered");
      } catch (e) {
        Dash.answering.delete(q.inquiry_id);
        say(e.message); for (const c of all) c.disabled = false;
      }
    };
    accept.addEventListener("click", () => send({ accept: true }));
    decline.addEventListener("click", () => send({ accept: false, reason: select.value }));
    return el("div", { cls: "answer" }, accept, el("label", { attrs: { for: id } }, bi("Decline reason")), select, decline);
  },

  renderPatients() {
    const ul = $("patients");
    const list = [...Dash.patients.values()].map((p) => ({ p, at: arrivalOf(p) }))
      .sort((a, b) => (a.at ?? Infinity) - (b.at ?? Infinity));
    const active = document.activeElement;
    const focused = active && active.closest("[data-testid=patient]");
    // Rows and their buttons stay as they are, and so does the focus: on the same button when its
    // row moved, on the row's Open when its Acknowledge has gone (acknowledged).
    redrawRows(ul, list.map(({ p, at }) => Lists.patientItem(p, at)), (row) => row.dataset.incident);
    if (focused && focused.isConnected && !focused.contains(document.activeElement)) {
      (active.isConnected ? active : focused.querySelector("[data-testid=open-patient]")).focus();
    }
    Lists.tick();
  },

  patientItem(p, at) {
    const level = Acuity.levelOf(p.acuity);
    const chips = el("span", { cls: "chips" });
    if (p.critical) {
      for (const [key, label] of CRITICAL_ROWS) {
        const v = p.critical[key];
        if (Array.isArray(v) ? v.length : v) chips.append(el("span", { cls: "chip" }, label()));
      }
      // No chip must not read as "none": the rows nobody can call "none" are named here too.
      const unknown = unknownRows(p.critical);
      if (unknown) chips.append(el("span", { cls: "chip unknown", testid: "chip-unknown" }, bi("Unknown"), `: ${unknown}`));
    } else if (Dash.clinical) {  // nothing here yet, or none came: all of it unknown (the desk is sent none)
      chips.append(el("span", { cls: "chip unknown", testid: "chip-no-record" }, "⚠ ", bi("No record"), ": ", bi("Unknown")));
    }
    const button = el("button", { cls: `open ${level}`, testid: "open-patient", attrs: { type: "button", "aria-current": String(Dash.selected === p.incident_id) } },
      el("span", { cls: "stripe" }),
      el("span", { cls: "who" }, el("span", { testid: "patient-name", text: whoText(p) }), " ", identityFlag(p)),
      el("span", { cls: "eta", testid: "eta", data: { at: at ? String(at) : "" } }),
      el("span", { cls: "sub" }, Acuity.badge(level), " ",
        Dash.clinical && mayBeChild(p.identity && p.identity.birth_date) ? adultThresholds() : "", " ",
        el("span", { testid: "patient-complaint", text: p.incident.chief_complaint || "-" }),
        "  ", el("span", { cls: "readings", testid: "patient-vitals" }, ...Acuity.line(p.acuity, { times: false }))),
      el("span", { cls: "sub" }, chips, p.acknowledged_by ? el("span", { testid: "acked" }, " ✓ ", bi("acknowledged"))
        : el("span", { cls: "unacked", testid: "unacked" }, " ● ", bi("not acknowledged")), " ", purgeCountdown(p, "purge")));
    // The readings inside never take the pointer (redraw.js): a stale one's explanation is the button's.
    if (Acuity.readings(p.acuity).some(({ r }) => r.stale)) button.title = tr("stale: older than {n} min", { n: p.acuity.fresh_for_minutes });
    button.addEventListener("click", () => Nav.open(p.incident_id));
    const item = el("li", { testid: "patient", data: { incident: p.incident_id, acuity: level } }, button);
    if (!p.acknowledged_by) {  // this patient alone, as the detail's button does (the desk may too)
      const ack = el("button", { cls: "danger row-ack", attrs: { type: "button" }, testid: "row-acknowledge" }, bi("Acknowledge"));
      ack.addEventListener("click", () => { ack.disabled = true; Alert.acknowledge(p.incident_id, ack); });
      item.append(ack);
    }
    return item;
  },

  // Every second: the countdowns.
  tick() {
    Notices.tick();
    for (const span of document.querySelectorAll("#inquiries [data-testid=inquiry-waiting]")) showInquiryWait(span, span.dataset.askedAt);
    for (const span of document.querySelectorAll("#patients [data-testid=eta]")) {
      const at = Number(span.dataset.at);
      if (!at) { span.textContent = "ETA -"; continue; }
      const left = at - Date.now();
      span.textContent = left > 0 ? `ETA ${fmt.duration(left)}` : `${I18N.one("arrived?")} ${fmt.duration(left)}`;
    }
  },
};
