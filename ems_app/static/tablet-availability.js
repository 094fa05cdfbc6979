// The hospitals step by what the patient needs: the crew picks the need (stroke, cardiac, ...),
// and the hub sorts the list: those with it available first, then unknown, then unavailable,
// nearest first within each (distance from the tablet's own location, when it has one). Each row
// says what the ER set and when; one not refreshed in time says "unknown — not refreshed since
// HH:MM", never its old status. An ER's change is pushed to every tablet and the list is read
// again at once; the list is read again every minute too, so what expires meanwhile turns unknown.
"use strict";

const HospitalNeed = {
  need: null, position: null,

  init() {
    const ul = $("hospitals");
    if (!ul) return;
    const picker = el("div", { cls: "needs", testid: "needs", attrs: { role: "group", "aria-label": tr("What the patient needs") } },
      el("span", { cls: "needs-label" }, bi("What the patient needs")));
    for (const cap of [null, ...CAPABILITIES]) {
      const b = el("button", { attrs: { type: "button", "aria-pressed": String(cap === null) }, data: { need: cap || "" },
        testid: "need", text: cap ? capabilityName(cap) : tr("Any") });
      b.addEventListener("click", () => HospitalNeed.choose(cap));
      picker.append(b);
    }
    ul.before(picker);
    if (navigator.geolocation) {
      navigator.geolocation.getCurrentPosition((p) => {
        HospitalNeed.position = { latitude: p.coords.latitude, longitude: p.coords.longitude };
        HospitalNeed.reload();
      }, () => {}, { maximumAge: 60000, timeout: 10000 });
    }
    setInterval(() => { if (!$("step-hospitals").hidden) HospitalNeed.reload(); }, 60000);
  },

  choose(cap) {
    HospitalNeed.need = cap;
    for (const b of document.querySelectorAll("[data-testid=need]")) b.setAttribute("aria-pressed", String((b.dataset.need || null) === cap));
    HospitalNeed.reload();
  },

  reload() { if (typeof Steps !== "undefined") Steps.loadHospitals().catch((e) => say(e.message)); },

  path() {
    const q = new URLSearchParams();
    if (HospitalNeed.need) q.set("need", HospitalNeed.need);
    if (HospitalNeed.position) { q.set("latitude", HospitalNeed.position.latitude); q.set("longitude", HospitalNeed.position.longitude); }
    const s = q.toString();
    return s ? `/api/hospitals?${s}` : "/api/hospitals";
  },

  // One row's distance and acceptance status: the need's first, then what else it has available.
  decorate(item, h) {
    let box = item.querySelector("[data-testid=hospital-availability]");
    if (!box) { box = el("div", { cls: "hospital-availability", testid: "hospital-availability" }); item.append(box); }
    const board = h.availability || {};
    const parts = [el("span", { testid: "hospital-distance", text: h.distance_km == null ? tr("distance unknown") : `${h.distance_km} km` })];
    if (HospitalNeed.need) {
      const st = capabilityState(board[HospitalNeed.need]);
      parts.push(el("strong", { testid: "hospital-need", data: { status: st.status } },
        `${capabilityName(HospitalNeed.need)}: ${capabilityText(board[HospitalNeed.need])}`));
    }
    const open = CAPABILITIES.filter((c) => capabilityState(board[c]).status === "available");
    parts.push(el("small", { testid: "hospital-available", text: open.length ? `${tr("available")}: ${open.map(capabilityName).join("・")}` : tr("nothing set as available") }));
    box.replaceChildren(...parts);
    item.dataset.needStatus = HospitalNeed.need ? capabilityState(board[HospitalNeed.need]).status : "";
  },

  // The rows in the hub's order, moved rather than redrawn (a checked box stays checked).
  order(ul, list) {
    for (const h of list) {
      const item = [...ul.children].find((e) => e.dataset.hospital === h.id);
      if (item) ul.append(item);
    }
  },
};

document.addEventListener("DOMContentLoaded", () => HospitalNeed.init());
