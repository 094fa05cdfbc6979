// Vitals in a moving ambulance: number fields with an on-screen number pad (the fields also
// ask the tablet for its numeric keyboard), one tap for the Japan Coma Scale, quick ETA
// buttons, a note. Checked here with the hub's limits, so an update queued offline is not
// refused later; then queued (tablet-outbox.js) and sent in order.
"use strict";

// Physiological limits (shared/schemas/vitals.py): outside them a value is a typo.
const LIMITS = { heart_rate: [0, 300], systolic_bp: [0, 300], diastolic_bp: [0, 200], spo2: [0, 100],
  respiratory_rate: [0, 80], temperature: [25, 45] };
const FIELD_NAMES = { heart_rate: () => tr("Heart rate"), systolic_bp: () => tr("Systolic BP"), diastolic_bp: () => tr("Diastolic BP"),
  spo2: () => "SpO2", respiratory_rate: () => tr("Respiratory rate"), temperature: () => tr("Temperature") };

const Vitals = {
  active: null,
  jcs: null,

  fields() { return [...$("vitals-form").querySelectorAll(".fields input")]; },

  activate(input) {
    for (const f of Vitals.fields()) f.classList.toggle("active", f === input);
    Vitals.active = input;
  },

  buildKeypad() {
    const pad = $("keypad");
    const keys = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "0", ".", "⌫", "C", "→"];
    const names = { "⌫": () => I18N.one("Delete"), C: () => I18N.one("Clear"), "→": () => I18N.one("Next field") };
    for (const k of keys) {
      const b = el("button", { text: k, attrs: { type: "button" }, data: { key: k } });
      if (names[k]) b.setAttribute("aria-label", names[k]());
      pad.append(b);
    }
    pad.addEventListener("click", (ev) => {
      const b = ev.target.closest("button[data-key]"); if (!b) return;
      const fields = Vitals.fields();
      const f = Vitals.active || fields[0];
      if (!Vitals.active) Vitals.activate(f);
      const k = b.dataset.key;
      if (k === "⌫") f.value = f.value.slice(0, -1);
      else if (k === "C") f.value = "";
      else if (k === "→") Vitals.activate(fields[(fields.indexOf(f) + 1) % fields.length]);
      else if (k === "." && (f.name !== "temperature" || f.value.includes("."))) return;
      else if (f.value.length < (f.maxLength > 0 ? f.maxLength : 4)) f.value += k;
    });
  },

  setJcs(v) {
    Vitals.jcs = Vitals.jcs === v ? null : v;  // a second tap clears it
    for (const b of document.querySelectorAll("[data-jcs]")) b.setAttribute("aria-pressed", String(Number(b.dataset.jcs) === Vitals.jcs));
  },

  read() {
    const vitals = {};
    for (const f of Vitals.fields()) {
      const raw = f.value.trim();
      if (raw === "") continue;
      const n = Number(raw);
      const [lo, hi] = LIMITS[f.name];
      if (!Number.isFinite(n) || (f.name !== "temperature" && !Number.isInteger(n)) || n < lo || n > hi) {
        throw fieldProblem(f.dataset.field, tr("{field}: enter a number from {lo} to {hi}", { field: FIELD_NAMES[f.name](), lo, hi }));
      }
      vitals[f.name] = n;
    }
    if (Vitals.jcs !== null) vitals.jcs = Vitals.jcs;
    if (vitals.systolic_bp != null && vitals.diastolic_bp != null && vitals.diastolic_bp >= vitals.systolic_bp) {
      throw fieldProblem("vitals.diastolic_bp", tr("Diastolic BP must be lower than systolic BP"));
    }
    if (!Object.keys(vitals).length) throw new Error(tr("Enter at least one vital sign"));
    return vitals;
  },

  // `key`: this press's idempotency key (common.js `submission`), the queued update's client_id.
  async send(key) {
    const vitals = Vitals.read();
    vitals.taken_at = new Date().toISOString();  // when measured, even if sent later
    await Live.enqueue({ kind: "vitals", vitals }, key);
    for (const f of Vitals.fields()) f.value = "";
    Vitals.setJcs(Vitals.jcs);  // clears the JCS choice
    Vitals.activate(Vitals.fields()[0]);
    say(navigator.onLine ? tr("Vitals sent") : tr("Offline: vitals queued, they go out when the link returns"), true);
  },

  async sendEta(key) {
    const raw = $("eta-minutes").value.trim(), n = Number(raw);
    if (raw === "" || !Number.isInteger(n) || n < 0 || n > 600) throw fieldProblem("eta_minutes", tr("ETA: minutes from 0 to 600"));
    await Live.enqueue({ kind: "eta", eta_minutes: n }, key);
    $("eta-minutes").value = "";
    say(tr("ETA sent"), true);
  },

  async sendNote(key) {
    const text = $("note-text").value.trim();
    if (!text) throw fieldProblem("text", tr("Type a note first"));
    await Live.enqueue({ kind: "note", text }, key);
    $("note-text").value = "";
    say(tr("Note sent"), true);
  },

  bind() {
    Vitals.buildKeypad();
    for (const f of Vitals.fields()) f.addEventListener("focus", () => Vitals.activate(f));
    for (const b of document.querySelectorAll("[data-jcs]")) b.addEventListener("click", () => Vitals.setJcs(Number(b.dataset.jcs)));
    for (const b of document.querySelectorAll("[data-eta]")) b.addEventListener("click", () => { $("eta-minutes").value = b.dataset.eta; });
    // A double tap on "send vitals" is one press: one key, one queued update (common.js `submission`).
    for (const [form, button, send] of [["vitals-form", "send-vitals", Vitals.send], ["eta-form", "send-eta", Vitals.sendEta],
      ["note-form", "send-note", Vitals.sendNote]]) {
      const once = submission($(button), send);
      $(form).addEventListener("submit", (ev) => { ev.preventDefault(); act(once); });
    }
  },
};
