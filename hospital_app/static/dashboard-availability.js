// This ER's acceptance status by capability, as the crews' tablets read it: one tap sets a
// capability available or not (physicians and nurses; the desk reads it), "Still true" sets every
// one not yet expired again. A capability not refreshed in time reads "unknown — not refreshed
// since HH:MM", here as on the tablets, never its old status. Pushed to every dashboard of the ER
// as it changes; a tap made while the hub is out of reach says the crews do not have it yet.
"use strict";

const Availability = {
  board: {}, atHub: true, started: false,
  mayChange() { return ["physician", "nurse"].includes(Dash.me && Dash.me.role); },  // the API's own rule

  // Waits for the board to be up (dashboard.js signs in, then opens the socket).
  start() {
    if (Availability.started) return;
    if (typeof Dash === "undefined" || !Dash.me || !Dash.socket) { setTimeout(Availability.start, 200); return; }
    Availability.started = true;
    Availability.mount();
    Dash.socket.on("availability", (a) => Availability.show(a));
    Dash.socket.on("connect", () => Availability.load());
    Availability.load();
    setInterval(() => Availability.render(), 30000);  // what expires meanwhile turns unknown on screen
  },

  mount() {
    const may = Availability.mayChange();
    const section = el("section", { cls: "availability", testid: "availability", attrs: { "aria-labelledby": "availability-title" } },
      el("h2", { attrs: { id: "availability-title" } }, bi("Acceptance status"), " ", el("small", {}, bi("shown to ambulance crews"))),
      el("ul", { cls: "capabilities", attrs: { id: "capabilities" } }),
      el("p", { cls: "flag", testid: "availability-not-sent", attrs: { id: "availability-not-sent", hidden: "" } },
        "⚠ ", bi("Not yet at the hub: the crews do not see this change until the link is back")));
    if (may) {
      const confirm = el("button", { attrs: { type: "button" }, testid: "availability-confirm" }, bi("All still true"));
      confirm.addEventListener("click", () => Availability.send("POST", "/api/availability/confirm", undefined, confirm));
      section.append(confirm);
    }
    const lists = document.querySelector("#board .lists");
    lists.insertBefore(section, $("acuity-legend"));
  },

  async load() {
    try { Availability.show(await api("GET", "/api/availability")); } catch (e) { say(e.message); }
  },

  // Each capability keeps the setting made last, whichever answer brings it: a list read just
  // before a colleague's change but delivered after its push must not draw the older status
  // again. `set_at` has whole seconds, so within one second the later arrival is drawn.
  show(answer) {
    for (const [cap, s] of Object.entries(answer.availability || {})) {
      if (!Availability.olderThanShown(cap, s)) Availability.board[cap] = s;
    }
    if (answer.at_hub !== undefined) Availability.atHub = answer.at_hub;
    Availability.render();
  },

  olderThanShown(cap, s) {
    const shown = Availability.board[cap];
    if (!shown || !shown.set_at) return false;
    return !s.set_at || Date.parse(s.set_at) < Date.parse(shown.set_at);
  },

  async send(method, path, body, button) {
    if (button) button.disabled = true;
    try { Availability.show(await api(method, path, body)); } catch (e) { say(e.message); }
    finally { if (button) button.disabled = false; }
  },

  render() {
    const ul = $("capabilities");
    if (!ul) return;
    $("availability-not-sent").hidden = Availability.atHub;
    // Redrawn in place (redraw.js): a press counts while a colleague's change is drawn.
    redrawRows(ul, CAPABILITIES.map((cap) => {
      const s = Availability.board[cap], st = capabilityState(s);
      const row = el("li", { testid: "capability", data: { capability: cap, status: st.status } },
        el("span", { cls: "capability-name", text: capabilityName(cap) }),
        el("span", { cls: "capability-state", testid: "capability-state", text: capabilityText(s) }));
      if (Availability.mayChange()) {
        for (const [status, label] of [["available", tr("Available")], ["unavailable", tr("Not available")]]) {
          const b = el("button", { attrs: { type: "button", "aria-pressed": String(st.status === status) },
            testid: `set-${status}`, cls: `set-${status}`, text: label });
          b.addEventListener("click", () => Availability.send("POST", "/api/availability", { capability: cap, status }, b));
          row.append(b);
        }
      }
      return row;
    }), (row) => row.dataset.capability);
  },
};

document.addEventListener("DOMContentLoaded", () => Availability.start());
