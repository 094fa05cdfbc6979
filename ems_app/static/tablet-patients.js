// Several patients on one tablet (a scene with several casualties): the crew's open incidents,
// each with its complaint, acuity, destination or state and what waits to send, in a switcher
// that stays above the steps and in the start view's list. What was typed for one patient and
// not yet sent stays with that patient when the crew switches (in memory only, never stored):
// a heart rate typed for one casualty must never go out under another.
"use strict";

// Inputs that hold one patient's answers; the simulated card reader's choice is the device's.
const PATIENT_INPUTS = "#incident-view input, #incident-view textarea, #incident-view select";
const DEVICE_INPUTS = new Set(["card-select"]);

// A field's name across the switch: its id, its form and name, or a hospital's checkbox by value.
function draftKey(e) {
  if (e.id) return e.id;
  if (e.name) return `${e.form ? e.form.id : ""}.${e.name}`;
  return e.type === "checkbox" && e.value ? `box:${e.value}` : null;
}

const Patients = {
  list: [],            // the crew's open incidents as the hub last listed them, newest first
  drafts: new Map(),   // incident id -> {values, jcs}: typed for that patient, not yet sent
  timer: null,
  read: 0, drawn: 0,   // readings asked and the latest drawn: one older than that arrives too late

  async refresh() {
    const reading = ++Patients.read;
    const list = await api("GET", "/api/incidents");
    if (reading < Patients.drawn) return;
    Patients.drawn = reading;
    Patients.list = list;
    App.openIds = Patients.list.map((i) => i.id);
    Live.follow();
    Patients.render();
  },

  // Pushes come in bursts (delivery states): one list read for a burst.
  refreshSoon() {
    clearTimeout(Patients.timer);
    Patients.timer = setTimeout(() => refresh(Patients.refresh), 400);
  },

  known(id) { return Patients.list.find((i) => i.id === id) || null; },

  // Where the patient is going, in the crew's words: no destination yet, the hospital, handed over.
  destination(inc) {
    const name = inc.hospital_id ? (App.hospitals.get(inc.hospital_id) || inc.hospital_id) : null;
    if (inc.handed_over_at) return { state: "handed_over", text: `${tr("Handed over")} (${name || "-"})` };
    if (name) return { state: "accepted", text: `→ ${name}` };
    return { state: "none", text: tr("No destination yet") };
  },

  // One patient as a large button: complaint, acuity by the hub's rule, destination, unsent count.
  button(inc, extra) {
    const dest = Patients.destination(inc), unsent = App.unsent[inc.id] || 0;
    const b = el("button", { attrs: { type: "button" }, cls: "patient", testid: "patient", data: { incident: inc.id, destination: dest.state } },
      el("span", { cls: "complaint", testid: "patient-complaint", text: inc.chief_complaint || "-" }),
      el("span", { cls: "patient-state" }, Acuity.badge(Acuity.levelOf(inc.acuity)), " ",
        el("span", { testid: "patient-destination", text: dest.text }),
        unsent ? el("span", { cls: "chip warn", testid: "unsent", data: { count: String(unsent) } }, bi("{n} unsent", { n: unsent })) : null),
      extra || null);
    if (App.incident && App.incident.id === inc.id) b.setAttribute("aria-current", "true");
    b.addEventListener("click", () => act(() => Tablet.switchTo(inc.id)));
    return b;
  },

  render() {
    const bar = $("patient-list");
    if (!bar) return;
    const list = Patients.list.slice();
    // The patient on screen is always in the bar, even before the list has caught up with it.
    if (App.incident && !list.some((i) => i.id === App.incident.id)) list.unshift(App.incident);
    // Drawn again in place (redraw.js): a tap on a patient counts while an answer or a send redraws the line.
    const patientOf = (row) => row.firstElementChild && row.firstElementChild.dataset.incident;
    redrawRows(bar, list.map((inc) => el("li", {}, Patients.button(inc))), patientOf);
    const current = bar.querySelector("[aria-current]");
    if (current) current.scrollIntoView({ block: "nearest", inline: "nearest" });
    const rows = Patients.list.map((inc) => el("li", { testid: "open-incident" },
      Patients.button(inc, el("small", { cls: "meta" }, el("code", { text: inc.id }), ` ${fmt.hm(inc.created_at)}`))));
    redrawRows($("open-incidents"), rows.length ? rows : [el("li", { cls: "empty", text: tr("none") })], patientOf);
  },

  // Leaving a patient's screen: keep what was typed for that patient, and clear the fields.
  putAway(id) {
    const values = {};
    for (const e of document.querySelectorAll(PATIENT_INPUTS)) {
      const key = draftKey(e);
      if (!key || DEVICE_INPUTS.has(e.id)) continue;
      if (e.type === "checkbox") { if (e.checked !== e.defaultChecked) values[key] = { checked: e.checked }; e.checked = e.defaultChecked; }
      else if (e.tagName === "SELECT") {
        const i = [...e.options].findIndex((o) => o.defaultSelected);
        if (e.selectedIndex !== Math.max(i, 0)) values[key] = { value: e.value };
        e.selectedIndex = Math.max(i, 0);
      } else { if (e.value !== e.defaultValue) values[key] = { value: e.value }; e.value = e.defaultValue; }
    }
    if (id && (Object.keys(values).length || Vitals.jcs !== null)) Patients.drafts.set(id, { values, jcs: Vitals.jcs });
    if (Vitals.jcs !== null) Vitals.setJcs(Vitals.jcs);  // a second "tap" clears it
  },

  // Entering a patient's screen: what was typed for this patient before, if anything.
  bringBack(id) {
    const draft = Patients.drafts.get(id);
    Patients.drafts.delete(id);
    if (!draft) return;
    for (const e of document.querySelectorAll(PATIENT_INPUTS)) {
      const key = draftKey(e), v = key && draft.values[key];
      if (!v) continue;
      if ("checked" in v) e.checked = v.checked; else e.value = v.value;
    }
    if (draft.jcs !== null) Vitals.setJcs(draft.jcs);
  },
};
