// The crew tablet's start: sign in, open or resume an incident, move between the steps.
// Everything the API returns goes on screen with textContent, never as HTML: a complaint or a
// note is whatever someone typed, and the CSP forbids inline scripts anyway.
"use strict";

const Tablet = {
  step: "identify",
  hospitalTimer: null,

  show(step) {
    Tablet.step = step;
    if (App.incident) sessionStorage.setItem("prearrival.step", JSON.stringify({ incident: App.incident.id, step }));
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
      hospitals: !!inc.hospital_id, handover: inc.status !== "open" };
    for (const b of document.querySelectorAll("nav.steps button")) b.classList.toggle("done", !!done[b.dataset.step]);
  },

  async signedIn(me) {
    App.me = me;
    $("who").textContent = `${me.display_name} (${me.team})`;
    $("login-view").hidden = true; $("sign-out").hidden = false; $("status").hidden = false;
    Live.start();
    refresh(Steps.loadCards);
    refresh(Steps.loadHospitals);
    // A gateway may come online (or drop) at any time: refresh the list while it is on screen.
    Tablet.hospitalTimer = setInterval(() => { if (Tablet.step === "hospitals" && App.incident) refresh(Steps.loadHospitals); }, 10000);
    const resume = localStorage.getItem("prearrival.incident");
    if (resume) {
      try { await Tablet.enter(await api("GET", `/api/incidents/${encodeURIComponent(resume)}`)); return; }
      catch (e) { if (e.network) { Live.noteNetwork(false); } else localStorage.removeItem("prearrival.incident"); }
    }
    await Tablet.startView();
  },

  async startView() {
    $("incident-view").hidden = true; $("start-view").hidden = false;
    const ul = $("open-incidents"); ul.replaceChildren();
    try {
      for (const inc of await api("GET", "/api/incidents")) {
        const b = el("button", { attrs: { type: "button" }, data: { incident: inc.id } },
          el("code", { text: inc.id }), ` ${fmt.hm(inc.created_at)} ${inc.chief_complaint || "-"}`);
        b.addEventListener("click", () => act(async () => Tablet.enter(await api("GET", `/api/incidents/${inc.id}`))));
        ul.append(el("li", { testid: "open-incident" }, b));
      }
      if (!ul.children.length) ul.append(el("li", { cls: "empty", text: tr("none") }));
    } catch (e) { say(e.message); }
  },

  async enter(inc) {
    if (inc.status !== "open") { Tablet.leave(); return; }
    App.record = null; App.updates = []; App.rejected = [];
    App.delivery = { delivered_seq: 0, seen_seq: 0, acknowledged_at: null, hospital_id: null };
    $("record-view").replaceChildren(); $("fetch").hidden = false; $("inquiries").replaceChildren();
    $("share-result").hidden = true; $("card-status").textContent = ""; $("basis-status").textContent = "";
    $("handover-status").textContent = ""; $("incident-patient").textContent = "-";
    Live.showAcuity(null);  // never the last incident's patient: the resync below brings this one's
    setIncident(inc);
    $("start-view").hidden = true; $("incident-view").hidden = false;
    Steps.setMode("card"); Tablet.markDone();
    if (inc.basis) $("basis-status").textContent = `${tr("Recorded")}: ${code(inc.basis)}`;
    if (inc.identified) $("card-status").textContent = `${tr("Identified")} (${inc.card_kind || inc.identification})`;
    // After a reload (the language switch, say) the same step; otherwise the next one to do.
    const saved = JSON.parse(sessionStorage.getItem("prearrival.step") || "{}");
    Tablet.show(saved.incident === inc.id ? saved.step : !inc.identified ? "identify" : !inc.basis ? "basis"
      : inc.record_status !== "fetched" ? "summary" : inc.hospital_id ? "vitals" : "hospitals");
    await Live.refreshQueued();
    Live.follow();
    await Live.resync();
    Live.sendQueued();
  },

  leave() {
    setIncident(null);
    Live.showAcuity(null);
    sessionStorage.removeItem("prearrival.step");
    App.record = null; App.updates = []; App.queued = [];
    Live.renderStatus();
    Tablet.startView();
  },
};

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  Steps.bind(); Vitals.bind();
  for (const b of document.querySelectorAll("nav.steps button")) b.addEventListener("click", () => Tablet.show(b.dataset.step));
  const signIn = submission($("sign-in"), async () => {
    const f = new FormData($("login-form"));
    await Tablet.signedIn(await api("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") }));
    say(tr("Signed in"), true); });
  $("login-form").addEventListener("submit", (ev) => { ev.preventDefault(); act(signIn); });
  $("sign-out").addEventListener("click", () => act(async () => { await api("POST", "/api/auth/logout"); location.reload(); }));
  // One press, one incident: the press's key goes with it, and the hub answers a repeat with the same incident.
  const openIncident = submission($("open-incident"), async (key) => {
    await Tablet.enter(await api("POST", "/api/incidents", { chief_complaint: $("complaint").value, location: $("location").value, client_id: key }));
    $("complaint").value = ""; $("location").value = ""; });
  $("new-incident-form").addEventListener("submit", (ev) => { ev.preventDefault(); act(openIncident); });
  Live.renderStatus();
  try { await Tablet.signedIn(await api("GET", "/api/auth/me")); }
  catch (e) { $("login-view").hidden = false; if (e.network) Live.noteNetwork(false); }
});
