// The outcome this ER returns to the fire service, in the patient's detail: the 初診時傷病程度,
// the diagnosis (picked from common ICD-10 codes as it is typed, or in words with the code
// optional) and the disposition. A physician records it at or after handover; clinical staff see
// what was returned, live when a colleague returns it; a correction is a new version (the hub
// keeps the old one).
// The detail is drawn again whenever the patient changes (a push at handover, an acknowledgement,
// a reconnect, the patient opened again), and a half-typed form once vanished with it: a form being
// filled in is kept by incident id and the detail takes the same node back, with what was typed. If
// the patient leaves the hospital while the form is open, a notice says the outcome was not sent
// and what had been entered, so it can still reach the fire service by phone.
"use strict";

const OutcomeForm = {
  diagnoses: null,
  started: false,
  // incident id -> {box, form, since, sending}: the form being filled in, in its box.
  open: new Map(),
  held: new Map(),  // incident id -> the newest outcome this screen knows (answer or push)

  // Waits for the board's socket (dashboard.js signs in, then opens it), as Availability does.
  start() {
    if (OutcomeForm.started) return;
    if (typeof Dash === "undefined" || !Dash.me || !Dash.socket) { setTimeout(OutcomeForm.start, 200); return; }
    OutcomeForm.started = true;
    Dash.socket.on("outcome", (held) => OutcomeForm.pushed(held));  // clinical dashboards only (visibility.py)
  },

  // The detail's box for this patient (dashboard-detail.js puts it under the actions); filled
  // when the hospital's answer arrives. The desk gets none.
  box(p) {
    if (!Dash.me || !["physician", "nurse"].includes(Dash.me.role)) return null;  // as the API allows
    const kept = OutcomeForm.open.get(p.incident_id);
    if (kept) {
      OutcomeForm.keepFocus(kept.box);
      OutcomeForm.fill(kept.box, p);  // what was returned meanwhile shows above the form
      return kept.box;
    }
    const box = el("div", { cls: "outcome-box", testid: "outcome", data: { incident: p.incident_id } },
      el("h3", {}, bi("Outcome for the fire service")), el("div", { cls: "outcome-held" }), el("div", { cls: "outcome-action" }));
    OutcomeForm.fill(box, p);
    return box;
  },

  // Moving the box into the new detail takes the caret out of it: put it back where it was.
  keepFocus(box) {
    const active = document.activeElement;
    if (!active || !box.contains(active)) return;
    const at = typeof active.selectionStart === "number" ? [active.selectionStart, active.selectionEnd] : null;
    queueMicrotask(() => {
      if (!active.isConnected) return;
      active.focus();
      if (at) active.setSelectionRange(...at);
    });
  },

  onScreen(incidentId) {
    return [...document.querySelectorAll("#detail-body [data-testid=outcome]")].find((b) => b.dataset.incident === incidentId);
  },

  remember(held) {
    const had = OutcomeForm.held.get(held.incident_id);
    const version = (h) => (h && h.outcome ? h.outcome.version : 0);
    if (!had || version(held) >= version(had)) OutcomeForm.held.set(held.incident_id, held);
    return OutcomeForm.held.get(held.incident_id);
  },

  async fill(box, p) {
    let held;
    try { held = await api("GET", `/api/patients/${encodeURIComponent(p.incident_id)}/outcome`); }
    catch (e) { if (e.status !== 404) say(e.message); return; }
    OutcomeForm.draw(box, p, { incident_id: p.incident_id, ...held });
  },

  // Returned from another dashboard (or this one): shown at once where the patient is open.
  pushed(held) {
    OutcomeForm.remember(held);
    const box = OutcomeForm.onScreen(held.incident_id), p = Dash.patients.get(held.incident_id);
    if (box && p) OutcomeForm.draw(box, p, held);
  },

  draw(box, p, answer) {
    const held = OutcomeForm.remember(answer);  // an answer overtaken by a newer push shows the push
    const o = held.outcome;
    box.querySelector(".outcome-held").replaceChildren(o
      ? el("p", { testid: "outcome-recorded", data: { severity: o.severity, version: String(o.version) } },
        el("strong", { text: severityName(o.severity) }), ` · ${diagnosisText(o.diagnosis)} · ${dispositionName(o.disposition)}`,
        el("small", { text: ` (${tr("returned {t}", { t: fmt.hm(o.recorded_at) })}${o.version > 1 ? `, ${tr("corrected, version {n}", { n: o.version })}` : ""})` }))
      : el("p", { testid: "outcome-none", text: tr("Not returned yet") }));
    const open = OutcomeForm.open.get(p.incident_id);
    if (open && open.box === box) { OutcomeForm.meanwhile(open, o ? o.version : 0); return; }
    const parts = [];
    const handedOver = p.incident && p.incident.handed_over_at;
    if (Dash.me && Dash.me.role === "physician") {
      if (!handedOver) parts.push(el("p", { cls: "hint", text: tr("Recorded at or after handover") }));
      else {
        const start = el("button", { attrs: { type: "button" }, testid: o ? "outcome-correct" : "outcome-open" },
          o ? bi("Correct the outcome") : bi("Record the outcome"));
        start.addEventListener("click", async () => {
          start.disabled = true;
          if (!OutcomeForm.diagnoses) OutcomeForm.diagnoses = await api("GET", "/api/outcome/diagnoses").catch(() => []);
          // The detail may have been drawn again meanwhile: the form goes in the box on screen.
          OutcomeForm.form(OutcomeForm.onScreen(p.incident_id) || box, p, o);
        });
        parts.push(start);
      }
    }
    box.querySelector(".outcome-action").replaceChildren(...parts);
  },

  // A colleague returned an outcome while this form was open: sending it now makes a correction.
  meanwhile(open, version) {
    if (open.sending || version <= open.since) return;
    open.form.querySelector(".outcome-meanwhile").hidden = false;
    open.form.querySelector("[data-testid=outcome-send]").replaceChildren(bi("Record the correction"));
  },

  choice(name, options, chosen) {
    const set = el("fieldset", { testid: `outcome-${name}`, data: { field: name } }, el("legend", {}, name === "severity" ? bi("Severity at first diagnosis") : bi("Disposition")));
    set.dataset.value = chosen || "";
    for (const [value, word] of Object.entries(options)) {
      const b = el("button", { attrs: { type: "button", "aria-pressed": String(value === chosen) }, data: { value }, text: word() });
      b.addEventListener("click", () => {
        set.dataset.value = value;
        for (const other of set.querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === b));
      });
      set.append(b);
    }
    return set;
  },

  form(box, p, o) {
    const list = el("datalist", { attrs: { id: "diagnosis-list" } },
      ...(OutcomeForm.diagnoses || []).map((d) => el("option", { attrs: { value: `${d.code} ${d.display}` } })));
    const severity = OutcomeForm.choice("severity", OUTCOME_SEVERITY, o && o.severity);
    const disposition = OutcomeForm.choice("disposition", OUTCOME_DISPOSITION, o && o.disposition);
    const diagnosis = el("input", { testid: "outcome-diagnosis", attrs: { list: "diagnosis-list", maxlength: "220", autocomplete: "off",
      placeholder: tr("ICD-10 code and diagnosis, or the diagnosis in words") }, data: { field: "diagnosis" } });
    if (o) diagnosis.value = diagnosisText(o.diagnosis);
    const send = el("button", { cls: "primary", attrs: { type: "submit" }, testid: "outcome-send" },
      o ? bi("Record the correction") : bi("Return to the fire service"));
    const cancel = el("button", { attrs: { type: "button" }, testid: "outcome-cancel" }, bi("Cancel"));
    const form = el("form", { cls: "outcome-form", testid: "outcome-form" },
      el("p", { cls: "outcome-meanwhile", testid: "outcome-meanwhile", attrs: { hidden: "" } },
        "⚠ ", bi("A colleague returned an outcome meanwhile: sending this one corrects it")),
      severity, el("label", {}, bi("Diagnosis"), diagnosis, list), disposition, el("div", { cls: "outcome-buttons" }, send, cancel));
    const open = { box, form, since: o ? o.version : 0, sending: false };
    OutcomeForm.open.set(p.incident_id, open);
    const close = () => {
      OutcomeForm.open.delete(p.incident_id);
      OutcomeForm.draw(box, Dash.patients.get(p.incident_id) || p,
        OutcomeForm.held.get(p.incident_id) || { incident_id: p.incident_id, outcome: null, versions: 0 });
    };
    cancel.addEventListener("click", close);
    form.addEventListener("submit", async (ev) => {
      ev.preventDefault();
      send.disabled = true; open.sending = true;
      try {
        const held = await api("POST", `/api/patients/${encodeURIComponent(p.incident_id)}/outcome`, {
          severity: severity.dataset.value || null, disposition: disposition.dataset.value || null,
          diagnosis: OutcomeForm.parse(diagnosis.value) });
        say(tr("Outcome returned to the fire service"), true);
        OutcomeForm.remember(held);
        close();
      } catch (e) { say(e.message); send.disabled = false; open.sending = false; }
    });
    box.querySelector(".outcome-action").replaceChildren(form);
  },

  // What had been entered, in words: for the notice when the form can no longer be sent.
  entered(form) {
    const value = (name) => form.querySelector(`[data-field=${name}]`).dataset.value;
    const diagnosis = form.querySelector("[data-testid=outcome-diagnosis]").value.trim();
    return [value("severity") ? severityName(value("severity")) : "-", diagnosis || "-",
      value("disposition") ? dispositionName(value("disposition")) : "-"].join(" · ");
  },

  // The patient left this hospital (dashboard.js Dash.removed) with a form open: it can no longer
  // be sent here, so the screen says so, with what was entered, until dismissed.
  removed(p) {
    const open = OutcomeForm.open.get(p.incident_id);
    OutcomeForm.held.delete(p.incident_id);
    if (!open) return;
    OutcomeForm.open.delete(p.incident_id);
    const dismiss = el("button", { attrs: { type: "button" }, testid: "dismiss-notice" }, bi("Dismiss"));
    const item = el("li", { cls: "notice", testid: "outcome-unsent-notice", data: { incident: p.incident_id } },
      el("strong", {}, "⚠ ", bi("The outcome being entered was not sent")), " ",
      el("span", { text: whoText(p) }), " — ", bi("the patient is no longer held here: give it to the fire service by phone"),
      " ", el("span", { testid: "outcome-unsent-entered" }, bi("Entered"), `: ${OutcomeForm.entered(open.form)}`), dismiss);
    dismiss.addEventListener("click", () => item.remove());
    $("notices").prepend(item);
  },

  // "I63.9 脳梗塞" (from the list, or typed): the code and the words; anything else: words only.
  parse(text) {
    const t = (text || "").trim();
    const m = t.match(/^([A-Za-z][0-9][0-9A-Za-z.\-]{0,13})(?:\s+(.*))?$/);
    return m ? { code: m[1].toUpperCase(), display: (m[2] || "").trim() } : { code: "", display: t };
  },
};

document.addEventListener("DOMContentLoaded", () => OutcomeForm.start());
