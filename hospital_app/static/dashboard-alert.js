// The new-patient alert: a banner that flashes and a beep (WebAudio) every few seconds until
// someone acknowledges the patient. Acknowledging emits `acknowledge`; every dashboard of the
// hospital stops when the server pushes `patient_acknowledged`.
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
    $("alert-text").textContent = [...Alert.pending.values()].join(" / ");
    $("alert-ack").hidden = !Dash.clinical;  // the hub takes the acknowledgement from clinical staff
  },

  start(incidentId, text) {
    if (Alert.pending.has(incidentId)) return;
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

  acknowledge(incidentId) {
    if (!incidentId || !Dash.socket) return;
    Dash.socket.emit("acknowledge", { incident_id: incidentId }, (r) => {
      if (r && r.error) say(`${tr("Could not acknowledge")}: ${r.error}`);
    });
  },

  bind() {
    $("alert-ack").addEventListener("click", () => Alert.acknowledge($("alert").dataset.incident));
    $("sound").addEventListener("click", () => {
      Alert.soundOn = !Alert.soundOn; $("sound").setAttribute("aria-pressed", String(Alert.soundOn)); Alert.unlockAudio();
    });
    for (const ev of ["click", "keydown"]) document.addEventListener(ev, () => Alert.unlockAudio());
  },
};
