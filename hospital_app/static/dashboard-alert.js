// The new-patient alert: a banner that flashes and a beep (WebAudio) every few seconds until
// someone acknowledges the patient. Each patient in it has an Acknowledge of its own (so has its
// row on the board): one Acknowledge for several patients once acknowledged the first alone while
// the staff believed all were. Acknowledging emits `acknowledge`; every dashboard of the hospital
// stops alerting for that patient when the server pushes `patient_acknowledged`, and the banner
// goes when no patient in it is left.
"use strict";

const Alert = {
  EVERY_MS: 2000,
  pending: new Map(),   // incident id -> short text
  timer: null,
  audio: null,
  soundOn: true,

  // Browsers start audio only after a user gesture: the sign-in click or any later key or click.
  unlockAudio() {
    try {
      if (!Alert.audio) Alert.audio = new (window.AudioContext || window.webkitAudioContext)();
      if (Alert.audio.state === "suspended") Alert.audio.resume();
    } catch (e) { Alert.audio = null; }
  },

  beep() {
    const ctx = Alert.audio;
    if (!Alert.soundOn || !ctx || ctx.state !== "running") return false;
    for (const [at, freq] of [[0, 880], [0.25, 660]]) {
      const osc = ctx.createOscillator(), gain = ctx.createGain();
      osc.type = "square"; osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.12, ctx.currentTime + at);
      gain.gain.exponentialRampToValueAtTime(0.001, ctx.currentTime + at + 0.2);
      osc.connect(gain).connect(ctx.destination);
      osc.start(ctx.currentTime + at); osc.stop(ctx.currentTime + at + 0.22);
    }
    return true;
  },

  ring() {
    const box = $("alert");
    if (!Alert.pending.size) { Alert.stop(); return; }
    box.classList.toggle("flash");
    box.dataset.repeats = String(Number(box.dataset.repeats) + 1);
    if (Alert.beep()) box.dataset.beeps = String(Number(box.dataset.beeps || 0) + 1);
  },

  render() {
    const box = $("alert");
    const [first] = Alert.pending.keys();
    box.dataset.incident = first || "";
    box.dataset.count = String(Alert.pending.size);
    // Redrawn in place (redraw.js): a press on one patient's Acknowledge counts as another arrives.
    redrawRows($("alert-list"), [...Alert.pending].map(([incidentId, text]) => {
      const item = el("li", { cls: "alert-patient", testid: "alert-patient", data: { incident: incidentId } },
        el("span", { testid: "alert-who", text }));
      if (Dash.clinical) {  // the hub takes the acknowledgement from clinical staff
        const ack = el("button", { attrs: { type: "button" }, testid: "alert-ack" }, bi("Acknowledge"));
        ack.addEventListener("click", () => { ack.disabled = true; Alert.acknowledge(incidentId, ack); });
        item.append(" ", ack);
      }
      return item;
    }), (row) => row.dataset.incident);
  },

  start(incidentId, text) {
    if (Alert.pending.get(incidentId) === text) return;
    Alert.pending.set(incidentId, text);
    Alert.render();
    const box = $("alert");
    box.hidden = false; box.dataset.alerting = "true";
    if (!Alert.timer) { Alert.ring(); Alert.timer = setInterval(Alert.ring, Alert.EVERY_MS); }
  },

  // Someone (here or on another dashboard) acknowledged, or the patient is gone.
  clear(incidentId) {
    Alert.pending.delete(incidentId);
    if (Alert.pending.size) Alert.render(); else Alert.stop();
  },

  stop() {
    clearInterval(Alert.timer); Alert.timer = null;
    const box = $("alert");
    box.hidden = true; box.dataset.alerting = "false"; box.classList.remove("flash");
  },

  // This one patient; `button` comes back to life if the server refuses.
  acknowledge(incidentId, button) {
    if (!incidentId || !Dash.socket) { if (button) button.disabled = false; return; }
    Dash.socket.emit("acknowledge", { incident_id: incidentId }, (r) => {
      if (r && r.error) { say(`${tr("Could not acknowledge")}: ${r.message || r.error}`); if (button) button.disabled = false; }
    });
  },

  bind() {
    $("sound").addEventListener("click", () => {
      Alert.soundOn = !Alert.soundOn; $("sound").setAttribute("aria-pressed", String(Alert.soundOn)); Alert.unlockAudio();
    });
    for (const ev of ["click", "keydown"]) document.addEventListener(ev, () => Alert.unlockAudio());
  },
};
