// The crew tablet's start: sign in, open or resume an incident, switch between the crew's
// patients, move between the steps. Everything the API returns goes on screen with textContent,
// never as HTML: a complaint or a note is whatever someone typed, and the CSP forbids inline
// scripts anyway. Each step and each patient is an entry in the browser's history, so its back
// button goes back a step, and from a patient back to the list, never out of the app.
"use strict";

// The history entry of what is on screen: {view: "list"} or {view: "incident", incident, step}.
const Nav = {
  same(a, b) { return !!a && a.view === b.view && a.incident === b.incident && a.step === b.step; },
  // how: "push" (a step taken), "replace" (the first screen), "none" (the back button brought it).
  record(state, how) {
    if (how === "none" || (how === "push" && Nav.same(history.state, state))) return;
    if (how === "replace") history.replaceState(state, ""); else history.pushState(state, "");
  },
};

// Each patient's last step, for this tab: a switch back, or a reload (the language), lands there.
const STEPS_KEY = "prearrival.steps";
const savedSteps = () => { try { return JSON.parse(sessionStorage.getItem(STEPS_KEY) || "{}"); } catch (e) { return {}; } };

// Typed input belongs to the patient on screen: kept across a language switch for that patient only.
I18N.scope = () => (App.incident && !$("incident-view").hidden ? App.incident.id : "");

const Tablet = {
  step: "identify",
  hospitalTimer: null,
  entering: 0,         // the latest switch: an earlier one still loading gives way

  show(step, how = "push") {
    Tablet.step = step;
    if (App.incident) {
      sessionStorage.setItem(STEPS_KEY, JSON.stringify({ ...savedSteps(), [App.incident.id]: step }));
      Nav.record({ view: "incident", incident: App.incident.id, step }, how);
    }
    for (const s of document.querySelectorAll("section.step")) s.hidden = s.dataset.step !== step;
    for (const b of document.querySelectorAll("nav.steps button")) {
      if (b.dataset.step === step) b.setAttribute("aria-current", "step"); else b.removeAttribute("aria-current");
    }
    if (step === "hospitals") refresh(Steps.loadHospitals);
    if (step === "summary" && App.incident && App.incident.record_status === "fetched" && !App.record) refresh(() => Steps.fetchRecord(true));
    if (step === "vitals") Vitals.activate(Vitals.fields()[0]);
    const main = document.querySelector(".work main"); if (main) main.scrollTop = 0;
  },

  markDone() {
    const inc = App.incident || {};
    const done = { identify: inc.identified, basis: !!inc.basis, summary: inc.record_status === "fetched",
      hospitals: !!inc.hospital_id, handover: !!inc.handed_over_at || inc.status !== "open" };
    for (const b of document.querySelectorAll("nav.steps button")) b.classList.toggle("done", !!done[b.dataset.step]);
  },

  async signedIn(me) {
    App.me = me;
    $("who").textContent = `${me.display_name} (${me.team})`;
    $("login-view").hidden = true; $("sign-out").hidden = false; $("status").hidden = false;
    Live.start();
    refresh(Patients.refresh);
    refresh(Steps.loadCards);
    refresh(Steps.loadHospitals);
    // A gateway may come online (or drop) at any time: refresh the list while it is on screen.
    Tablet.hospitalTimer = setInterval(() => { if (Tablet.step === "hospitals" && App.incident) refresh(Steps.loadHospitals); }, 10000);
    // A reload keeps the history entry: the same screen again (the language switch, say).
    // Otherwise the list is the first entry, and this tablet's last patient is opened over it.
    const here = history.state;
    if (here && here.view === "list") { await Tablet.startView("none"); return; }
    const resume = here && here.view === "incident" ? here.incident : localStorage.getItem("prearrival.incident");
    if (!here) Nav.record({ view: "list" }, "replace");
    if (resume) {
      try { await Tablet.enter(await api("GET", `/api/incidents/${encodeURIComponent(resume)}`), here ? here.step : null, here ? "none" : "push"); return; }
      catch (e) { if (e.network) { Live.noteNetwork(false); } else localStorage.removeItem("prearrival.incident"); }
    }
    await Tablet.startView("none");
  },

  // The crew's patients, and the form for a new one; the others stay open.
  async startView(how = "push") {
    Patients.putAway(App.incident && App.incident.id);
    setIncident(null); Live.showAcuity(null);
    App.record = null; App.updates = []; App.queued = [];
    Live.renderStatus();
    $("incident-view").hidden = true; $("start-view").hidden = false;
    Nav.record({ view: "list" }, how);
    Patients.render();  // what is known now, at once (offline too); the hub's list follows
    await refresh(Patients.refresh);
  },

  // Another patient from the switcher or the list. Offline, the patient as last listed: its
  // queue and its screen still work, and the hub's view follows when the link returns.
  async switchTo(id, step = null, how = "push") {
    if (App.incident && App.incident.id === id && !$("incident-view").hidden) { if (step) Tablet.show(step, how); return; }
    let inc;
    try { inc = await api("GET", `/api/incidents/${encodeURIComponent(id)}`); }
    catch (e) { inc = e.network && Patients.known(id); if (!inc) throw e; Live.noteNetwork(false); }
    await Tablet.enter(inc, step, how);
  },

  // The back (or forward) button: the screen its history entry names.
  async went(state) {
    if (!state || state.view !== "incident") { await Tablet.startView("none"); return; }
    await Tablet.switchTo(state.incident, state.step, "none");
  },

  // `step`: the one to show (the history's); otherwise this patient's last, or the next to do.
  async enter(inc, step = null, how = "push") {
    if (inc.status !== "open") { Tablet.leave(); return; }
    const entering = ++Tablet.entering;
    Patients.putAway(App.incident && App.incident.id);
    // A question asked about the previous patient ("close it?") goes with that patient.
    $("confirm").hidden = true; Steps.confirmAction = null;
    App.record = null; App.updates = []; App.queued = [];
    App.delivery = { delivered_seq: 0, seen_seq: 0, acknowledged_at: null, hospital_id: null };
    $("record-view").replaceChildren(); $("fetch").hidden = false; $("inquiries").replaceChildren();
    $("share-result").hidden = true; $("card-status").textContent = ""; $("basis-status").textContent = "";
    $("handover-status").textContent = ""; $("incident-patient").textContent = "-";
    Live.showAcuity(null);  // never the last incident's patient: the resync below brings this one's
    setIncident(inc);
    Patients.bringBack(inc.id);
    $("start-view").hidden = true; $("incident-view").hidden = false;
    I18N.restoreInput(inc.id);  // what was typed for this patient before a language switch (common.js)
    Steps.setMode("card"); Tablet.markDone();
    if (inc.basis) $("basis-status").textContent = `${tr("Recorded")}: ${code(inc.basis)}`;
    if (inc.identified) $("card-status").textContent = `${tr("Identified")} (${inc.card_kind || inc.identification})`;
    if (inc.handed_over_at) Steps.handedOverAt(inc.handed_over_at, false);
    Tablet.show(step || savedSteps()[inc.id] || (!inc.identified ? "identify" : !inc.basis ? "basis"
      : inc.record_status !== "fetched" ? "summary" : inc.hospital_id ? "vitals" : "hospitals"), how);
    Patients.render();
    await Live.refreshQueued();
    if (entering !== Tablet.entering) return;
    Live.follow();
    await Live.resync();
    if (entering !== Tablet.entering) return;
    Live.sendQueued();
    refresh(Patients.refresh);
  },

  // This patient's incident is closed: to the list, in place of its screen.
  leave() {
    const gone = App.incident && App.incident.id;
    if (gone) {
      Patients.drafts.delete(gone);
      const steps = savedSteps(); delete steps[gone];
      sessionStorage.setItem(STEPS_KEY, JSON.stringify(steps));
    }
    setIncident(null);
    Tablet.startView("replace");
  },
};

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  Steps.bind(); Vitals.bind();
  for (const b of document.querySelectorAll("nav.steps button")) b.addEventListener("click", () => Tablet.show(b.dataset.step));
  $("to-list").addEventListener("click", () => act(() => Tablet.startView()));
  $("new-patient").addEventListener("click", () => act(async () => { await Tablet.startView(); $("complaint").focus(); }));
  window.addEventListener("popstate", (ev) => act(() => Tablet.went(ev.state)));
  const signIn = submission($("sign-in"), async () => {
    const f = new FormData($("login-form"));
    await Tablet.signedIn(await SecondFactor.after(await api("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") })));
    say(tr("Signed in"), true); });
  $("login-form").addEventListener("submit", (ev) => { ev.preventDefault(); act(signIn); });
  $("sign-out").addEventListener("click", () => act(async () => { await api("POST", "/api/auth/logout"); location.reload(); }));
  // One press, one incident: the press's key goes with it, and the hub answers a repeat with the same incident.
  const openIncident = submission($("open-incident"), async (key) => {
    const opened = await api("POST", "/api/incidents", { chief_complaint: $("complaint").value, location: $("location").value,
      called_at: SceneTimes.callTime(), client_id: key });
    // Cleared before entering, never after: by the time entering has finished, the crew may be
    // typing the next patient's complaint into this same form.
    $("complaint").value = ""; $("location").value = ""; SceneTimes.callTimeUsed();
    await Tablet.enter(opened); });
  $("new-incident-form").addEventListener("submit", (ev) => { ev.preventDefault(); act(openIncident); });
  Live.renderStatus();
  try { await Tablet.signedIn(await api("GET", "/api/auth/me")); }
  catch (e) { $("login-view").hidden = false; if (e.network) Live.noteNetwork(false); }
});
