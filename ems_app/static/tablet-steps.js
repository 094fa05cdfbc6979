// The crew's steps after opening an incident: identify (card with face check, smartphone card
// with how identity was confirmed, or the flagged no-card search), the legal basis, the
// emergency summary (critical facts first), asking hospitals (answers arrive live), the QR
// share for a hospital that is not enrolled, handover and close.
"use strict";

const INQUIRY_STATUS = { pending: () => tr("asking"), accepted: () => tr("accepted"), declined: () => tr("declined"),
  withdrawn: () => tr("withdrawn") };
const LEVEL = { primary: () => tr("primary"), secondary: () => tr("secondary"), tertiary: () => tr("tertiary") };

// A paramedic's action: what the one before left on screen goes (the message line and every
// field's problem), and this one's problems appear beside their fields.
async function act(fn) {
  Problems.clear();
  try { await fn(); } catch (e) { if (e.network) Live.noteNetwork(false); Problems.show(e); }
}

// What the tablet does by itself (a list refreshed, a step's data loaded): a failure is said,
// but it clears nothing a paramedic may still have to read.
async function refresh(fn) {
  try { await fn(); } catch (e) { if (e.network) Live.noteNetwork(false); say(e.message); }
}

// A repeated press the hub refused with 409 because the first one did the work (the second tap
// of a double tap, or a retry after a lost answer): the incident as it is now, if `done(incident)`
// says the work is there; otherwise the refusal stands.
async function alreadyDone(e, code, done) {
  if (e.status !== 409 || e.code !== code) throw e;
  const inc = await api("GET", `/api/incidents/${App.incident.id}`);
  if (!done(inc)) throw e;
  return inc;
}

// Several patients are open at once: an answer that arrives after the crew switched to another
// patient belongs to the one it was asked for, and is not drawn on this one's screen.
function stillOn(iid) { return !!App.incident && App.incident.id === iid; }

const Steps = {
  mode: "card",
  confirmAction: null,

  setMode(mode) {
    Steps.mode = mode;
    for (const b of document.querySelectorAll("[data-mode]")) b.setAttribute("aria-pressed", String(b.dataset.mode === mode));
    for (const p of document.querySelectorAll("[data-panel]")) p.hidden = p.dataset.panel !== mode;
    $("reader").hidden = mode === "nocard";
    Steps.renderBasisNeed();
  },

  renderBasisNeed() {
    const inc = App.incident;
    $("nocard-needs-basis").hidden = !(inc && inc.basis !== "emergency_exception");
  },

  async loadCards() {
    const cards = await api("GET", "/api/card-reader/cards");
    const sel = $("card-select"); sel.replaceChildren();
    for (const c of [...cards.edge_cases, ...cards.examples.slice(0, 8)]) sel.append(el("option", { text: c, attrs: { value: c } }));
    sel.value = "SIM-CRITICAL";
  },

  identified(inc, how) {
    setIncident(inc);
    $("card-status").textContent = `${tr("Identified")}: ${how}${inc.identity_flagged ? ` ⚠ ${tr("flagged")}` : ""}`;
    $("incident-patient").textContent = `${how}${inc.identity_flagged ? " ⚠" : ""}`;
    say(tr("Identified"), true);
    Tablet.markDone();
    Tablet.show(inc.basis ? "summary" : "basis");
  },

  async readCard(phone) {
    const body = { card_id: $("card-select").value, face_confirmed: !phone && $("face-confirmed").checked };
    if (phone) {
      body.identity_confirmation = $("identity-confirmation").value || null;
      body.identity_note = $("identity-note").value;
      if (!body.identity_confirmation) throw fieldProblem("identity_confirmation", tr("Choose how identity was confirmed"));
    } else if (!body.face_confirmed) {
      throw fieldProblem("face_confirmed", tr("Compare the card photo with the patient's face first"));
    }
    const inc = await api("POST", `/api/incidents/${App.incident.id}/card`, body)
      .catch((e) => alreadyDone(e, "identified", (i) => i.identified && i.card_kind === (phone ? "smartphone" : "physical")));
    if (!stillOn(inc.id)) return;
    Steps.identified(inc, phone ? tr("Smartphone card") : tr("My Number card"));
  },

  async attributeSearch(form) {
    const f = new FormData(form);
    const body = { name_kana: f.get("name_kana"), birth_date: f.get("birth_date"), sex: f.get("sex"), address: f.get("address") };
    const inc = await api("POST", `/api/incidents/${App.incident.id}/attribute-search`, body)
      .catch((e) => alreadyDone(e, "identified", (i) => i.identification === "attributes"));
    if (!stillOn(inc.id)) return;
    Steps.identified(inc, tr("4-attribute search"));
  },

  async recordBasis(basis) {
    const inc = await api("POST", `/api/incidents/${App.incident.id}/basis`, { basis })
      .catch((e) => alreadyDone(e, "basis_recorded", (i) => i.basis === basis.kind));
    if (!stillOn(inc.id)) return;
    setIncident(inc);
    $("basis-status").textContent = `${tr("Recorded")}: ${code(inc.basis)}`;
    Steps.renderBasisNeed(); Tablet.markDone();
    Tablet.show(inc.identified ? "summary" : "identify");
  },

  async fetchRecord(again) {
    const iid = App.incident.id;
    const data = await api(again ? "GET" : "POST", `/api/incidents/${iid}/record`);
    if (!stillOn(iid)) return;
    App.record = data;
    Steps.showRecord(data);
    if (App.incident.acuity) Live.showAcuity(App.incident.acuity);  // now with the patient's age (a child's is flagged)
    App.incident.record_status = "fetched"; Tablet.markDone();
  },

  showRecord(data) {
    const box = $("record-view");
    const card = data.summary.card;
    box.replaceChildren(patientLine(card), criticalBox(data.critical), recordSections(data.summary, { limit: 12 }));
    $("incident-patient").textContent = `${card.name}（${card.kana}）`;
    $("fetch").hidden = true;
  },

  // Sorted by the hub for the need the crew picked (tablet-availability.js), with each ER's status.
  // An answer older than one already drawn is not drawn: read before an ER's change, or before the
  // crew picked another need, it may arrive after one read since, and would draw the older list.
  hospitalsRead: 0, hospitalsDrawn: 0,
  async loadHospitals() {
    const ul = $("hospitals");
    const need = typeof HospitalNeed !== "undefined" ? HospitalNeed : null;
    const reading = ++Steps.hospitalsRead;
    const list = await api("GET", need ? need.path() : "/api/hospitals");
    if (reading < Steps.hospitalsDrawn) return;
    Steps.hospitalsDrawn = reading;
    for (const h of list) {
      App.hospitals.set(h.id, h.name);
      let item = [...ul.children].find((e) => e.dataset.hospital === h.id);
      if (!item) {  // updated in place, so a checkbox never resets under a finger
        const box = el("input", { attrs: { type: "checkbox", value: h.id } });
        const label = el("label", { cls: "check" }, box, el("span", { text: h.name }), el("small", { text: LEVEL[h.level] ? LEVEL[h.level]() : "" }),
          el("span", { testid: "hospital-state" }));
        item = el("li", { testid: "hospital", data: { hospital: h.id } }, label);
        ul.append(item);
      }
      const state = item.querySelector("[data-testid=hospital-state]");
      state.replaceChildren(h.online ? "● " : "○ ", h.online ? bi("online") : bi("offline"));
      state.className = h.online ? "on" : "off";
      if (need) need.decorate(item, h);
    }
    if (need) need.order(ul, list);
  },

  async ask() {
    const boxes = [...$("hospitals").querySelectorAll("input[type=checkbox]:checked")];
    if (!boxes.length) throw fieldProblem("hospital_ids", tr("Choose at least one hospital"));
    await api("POST", `/api/incidents/${App.incident.id}/inquiries`, { hospital_ids: boxes.map((b) => b.value) });
    for (const b of boxes) b.checked = false;
    say(tr("Asked; the answers appear here as they come"), true);
    await Steps.refreshInquiries();
  },

  inquiryRow(q) {
    const ul = $("inquiries");
    let item = [...ul.children].find((e) => e.dataset.inquiry === q.inquiry_id);
    if (!item) { item = el("li", { testid: "inquiry", data: { inquiry: q.inquiry_id, hospital: q.hospital_id } }); ul.append(item); }
    // An answer is final at the hub (asked, then accepted, declined or withdrawn, never asked
    // again): a list read before the answer was pushed, but answered after, keeps the answer.
    const answered = q.status === "pending" && item.dataset.status && item.dataset.status !== "pending";
    const status = answered ? item.dataset.status : q.status;
    const reason = answered ? item.dataset.reason : (q.decline_reason || q.reason || "");
    item.dataset.status = status; item.dataset.reason = reason; item.className = status;
    if (q.asked_at) item.dataset.askedAt = q.asked_at;  // a push carries none: the list's stays
    const why = status === "declined" && reason ? ` (${declineReason(reason)})` : "";
    const name = q.hospital_name || App.hospitals.get(q.hospital_id) || q.hospital_id;
    item.replaceChildren(el("strong", { text: name }), ` — ${INQUIRY_STATUS[status] ? INQUIRY_STATUS[status]() : status}${why}`);
    if (status === "pending") item.append(" ", el("span", { cls: "chip waiting", testid: "inquiry-waiting" }));
    Steps.tickInquiries();
    if (!Steps.inquiryTimer) Steps.inquiryTimer = setInterval(Steps.tickInquiries, 1000);
  },

  // Each open request's wait (capabilities.js).
  tickInquiries() {
    for (const item of document.querySelectorAll("#inquiries [data-testid=inquiry]")) {
      const span = item.querySelector("[data-testid=inquiry-waiting]");
      if (span) showInquiryWait(span, item.dataset.askedAt);
    }
  },

  async refreshInquiries() {
    if (!App.incident) return;
    const iid = App.incident.id;
    const list = await api("GET", `/api/incidents/${iid}/inquiries`);
    if (!stillOn(iid)) return;
    for (const q of list) Steps.inquiryRow(q);
  },

  // Pushed by the hub the moment a hospital answers.
  inquiryChanged(c) {
    Steps.inquiryRow({ inquiry_id: c.inquiry_id, hospital_id: c.hospital_id, status: c.status, reason: c.reason });
    const name = App.hospitals.get(c.hospital_id) || c.hospital_id;
    if (c.status === "accepted") say(`${name}: ${tr("accepted")}`, true);
    if (c.status === "declined") say(`${name}: ${tr("declined")}`);
  },

  // `key`: this press's key. The hub cannot show a passcode twice, so a repeat of the press ends
  // the link it made before and makes a new one: whatever this shows is the one live link.
  async share(key) {
    const recipient = $("share-recipient").value.trim();
    if (!recipient) throw fieldProblem("recipient", tr("Type the hospital's name"));
    const iid = App.incident.id;
    const s = await api("POST", `/api/incidents/${iid}/shares`, { recipient, client_id: key });
    if (!stillOn(iid)) return;
    $("share-qr").src = s.qr;  // a data: URI from the hub (img-src allows data:)
    $("share-passcode").textContent = s.passcode;
    $("share-expiry").textContent = fmt.dateTime(s.expires_at);
    $("share-url").textContent = s.url;
    // What the hub enforces, in its own numbers: the passcode is not used up by being right; the
    // expiry and the use limit end the link, and wrong passcodes lock it.
    const ends = { time: fmt.dateTime(s.expires_at), n: s.max_attempts };
    $("share-terms").textContent = s.max_uses
      ? tr("The passcode opens the link up to {uses} times (a reload counts) until {time}; {n} wrong passcodes lock it", { ...ends, uses: s.max_uses })
      : tr("The passcode opens the link until {time}; {n} wrong passcodes lock it", ends);
    $("share-result").hidden = false;
    say(tr("Read the passcode out by phone"), true);
  },

  // A question about this patient: switching to another takes it away (Tablet.enter), so a "yes"
  // never lands on the patient now on screen.
  confirm(text, action) {
    $("confirm-text").textContent = text; $("confirm").hidden = false; Steps.confirmAction = action;
    $("confirm-yes").focus();
  },

  async handover() {
    const inc = await api("POST", `/api/incidents/${App.incident.id}/handover`);
    if (!stillOn(inc.id)) return;
    setIncident(inc);
    Steps.handedOverAt(inc.handed_over_at, false);
    say(tr("Handed over"), true);
  },

  // The handover, whoever made it: the crew here, or the ER confirming it (pushed live).
  handedOverAt(iso, byEr) {
    const label = byEr ? tr("Handover confirmed by the ER") : tr("Handed over");
    $("handover-status").textContent = `${label}: ${fmt.time(iso || new Date().toISOString())}`;
    $("handover-status").dataset.by = byEr ? "er" : "crew";
    Tablet.markDone();
  },

  async close() {
    const iid = App.incident.id;
    await api("POST", `/api/incidents/${iid}/close`);
    say(tr("Incident closed; its record is purged here"), true);
    if (stillOn(iid)) Tablet.leave(); else Patients.refreshSoon();
  },

  bind() {
    for (const b of document.querySelectorAll("[data-mode]")) b.addEventListener("click", () => Steps.setMode(b.dataset.mode));
    // Every button that makes something on the hub acts once per press, however often it fires
    // (common.js `submission`); a repeat the hub still sees is idempotent or a 409 handled above.
    const press = (id, work) => { const once = submission($(id), work); $(id).addEventListener("click", () => act(once)); };
    press("read-card", () => Steps.readCard(false));
    press("read-phone", () => Steps.readCard(true));
    press("consent", () => Steps.recordBasis({ kind: "consent", given_by: $("consent-by").value, method: $("consent-method").value }));
    press("exception", () => Steps.recordBasis({ kind: "emergency_exception",
      reason_code: $("exception-reason").value, reason_text: $("exception-text").value }));
    press("fetch", () => Steps.fetchRecord(false));
    press("ask", () => Steps.ask());
    const search = submission($("attribute-search"), () => Steps.attributeSearch($("attribute-form")));
    $("attribute-form").addEventListener("submit", (ev) => { ev.preventDefault(); act(search); });
    const share = submission($("create-share"), (key) => Steps.share(key));
    $("share-form").addEventListener("submit", (ev) => { ev.preventDefault(); act(share); });
    $("handover").addEventListener("click", () => Steps.confirm(tr("Hand the patient over now?"), Steps.handover));
    $("close").addEventListener("click", () => Steps.confirm(tr("Close the incident and purge its record?"), Steps.close));
    $("confirm-yes").addEventListener("click", () => { $("confirm").hidden = true; const a = Steps.confirmAction; Steps.confirmAction = null; if (a) act(a); });
    $("confirm-no").addEventListener("click", () => { $("confirm").hidden = true; Steps.confirmAction = null; });
    for (const b of document.querySelectorAll("[data-goto]")) b.addEventListener("click", () => Tablet.show(b.dataset.goto));
  },
};
