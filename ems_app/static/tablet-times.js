// The run's times (覚知, 現場到着, 現場出発, 病院到着) and, for a patient identified without the card,
// why the マイナ保険証 was not read: what the fire service's report and the region's figures count
// (ems_app/services/scene_times.py). One tap stamps the moment of the tap; a time already recorded
// opens its correction instead, so a second gloved tap never moves it. Both go through the
// patient's outbox (tablet-outbox.js) like an update: a tap in a dead zone keeps its own time and
// reaches the hub when the link returns. The hub's answer is final: a refused time says why,
// beside the time, and the strip shows what the hub holds.
"use strict";

const MARKS = ["called", "on_scene", "left_scene", "hospital_arrival"];
const MARK_NAMES = { called: () => tr("Call received"), on_scene: () => tr("Arrived on scene"),
  left_scene: () => tr("Left the scene"), hospital_arrival: () => tr("Arrived at hospital") };
// The figures' codes (shared/figures.py CREW_NOT_READ_REASONS), in the crew's words.
const NOT_READ = { not_carried: () => tr("Not carried, or none found"), declined: () => tr("Patient declined"),
  urgent: () => tr("No time (life-threatening)"), unreadable: () => tr("Card or reader failed"),
  other: () => tr("Other (e.g. no My Number insurance card)") };
const TIME_KINDS = ["scene_time", "card_not_read"];
const FIELDS = ["called_at", "on_scene_at", "left_scene_at", "hospital_arrival_at", "card_not_read_reason"];
const SETTLE_TAP_MS = 800;   // a double tap's second tap is not a request to correct
const CLOCK_AHEAD_MS = 60000;

// "HH:MM" as typed: the latest such moment that is not in the future (a run crosses midnight).
function latestAt(hhmm) {
  const [h, m] = String(hhmm).split(":").map(Number);
  if (!Number.isInteger(h) || !Number.isInteger(m)) return null;
  const at = new Date(); at.setHours(h, m, 0, 0);
  if (at - Date.now() > CLOCK_AHEAD_MS) at.setDate(at.getDate() - 1);
  return at;
}
const hhmm = (d) => `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;

const SceneTimes = {
  editing: null,        // the mark whose correction is open
  pending: [],          // this patient's queued entries of these kinds, oldest first
  tappedAt: {},         // mark -> when it was last stamped here (the settle guard)
  callDirty: false,     // the crew changed the call time on the new-incident form
  accepted: {},         // incident id -> the hub's times in its answer to the last one sent from here

  owns(entry) { return !!entry.body && TIME_KINDS.includes(entry.body.kind); },

  // The outbox's sender for these entries (tablet-live.js): each to its own endpoint, without the kind.
  send(entry) {
    const { kind, ...body } = entry.body;
    const path = kind === "scene_time" ? "times" : "card-not-read";
    return api("POST", `/api/incidents/${encodeURIComponent(entry.incident_id)}/${path}`, body);
  },

  describe(body) {
    if (body.kind === "card_not_read") return `${tr("Why the card was not read")}: ${NOT_READ[body.reason] ? NOT_READ[body.reason]() : body.reason}`;
    const name = MARK_NAMES[body.mark] ? MARK_NAMES[body.mark]() : body.mark;
    return `${name} ${fmt.hm(body.at)}${body.correction ? ` (${tr("corrected")})` : ""}`;
  },

  // The hub took it: its incident's times, for the patient it was queued for.
  sent(entry, inc) {
    if (!inc || !inc.id) return;
    SceneTimes.accepted[inc.id] = Object.fromEntries(FIELDS.map((k) => [k, inc[k]]));
    if (!App.incident || inc.id !== App.incident.id) return;
    for (const k of FIELDS) App.incident[k] = inc[k];
    SceneTimes.render();
  },

  // The hub refused it for good: the reason beside the time it is about, with the time refused.
  refused(entry, e) {
    if (!App.incident || entry.incident_id !== App.incident.id) return;
    if (e.status === 409) Live.resync();  // recorded meanwhile (another tablet of the crew): the hub's times
    if (entry.body.kind === "scene_time") {
      SceneTimes.edit(entry.body.mark, new Date(entry.body.at));
      Problems.show(e);
    }
  },

  show(inc) {
    // A read of the incident that left before a time was taken can arrive after it (the resync
    // at a reconnect races the queue): the hub never forgets a time, so its "none" there is stale.
    const known = inc && SceneTimes.accepted[inc.id];
    if (known) for (const k of FIELDS) if (inc[k] == null && known[k] != null) inc[k] = known[k];
    if (!inc || (SceneTimes.editing && SceneTimes.editingFor !== inc.id)) SceneTimes.closeEditor();
    SceneTimes.render();
    SceneTimes.refreshPending();
  },

  async refreshPending() {
    const iid = App.incident && App.incident.id;
    const queued = iid ? await Outbox.queued(iid) : [];
    if ((App.incident && App.incident.id) !== iid) return;
    SceneTimes.pending = queued.filter((e) => SceneTimes.owns(e));
    SceneTimes.render();
  },

  // What the strip shows for a mark: a time queued here (latest), else the hub's, else nothing.
  timeOf(mark) {
    const queued = SceneTimes.pending.filter((e) => e.body.kind === "scene_time" && e.body.mark === mark).pop();
    if (queued) return { at: queued.body.at, state: "queued" };
    const at = App.incident && App.incident[`${mark}_at`];
    return at ? { at, state: "recorded" } : { at: null, state: "empty" };
  },

  notReadReason() {
    const queued = SceneTimes.pending.filter((e) => e.body.kind === "card_not_read").pop();
    return queued ? { reason: queued.body.reason, state: "queued" }
      : { reason: App.incident && App.incident.card_not_read_reason, state: "recorded" };
  },

  render() {
    let next = null;
    for (const mark of MARKS) {
      const b = document.querySelector(`#scene-times [data-mark="${mark}"]`);
      if (!b) continue;
      const v = SceneTimes.timeOf(mark);
      b.dataset.state = v.state;
      const when = b.querySelector(".when");
      if (v.at) {
        when.replaceChildren(el("time", { text: fmt.hm(v.at), attrs: { datetime: v.at } }));
        if (v.state === "queued") when.append(el("span", { cls: "queued", text: ` ${tr("queued")}` }));
      } else {
        when.textContent = mark === "called" ? tr("not entered") : tr("tap to record");
      }
      if (v.state !== "empty") next = null; else if (next === null && mark !== "called") next = mark;
    }
    // The first time still to tap after the last recorded one: where the crew's finger goes next.
    for (const b of document.querySelectorAll("#scene-times [data-mark]")) b.classList.toggle("next", b.dataset.mark === next);
    const chosen = SceneTimes.notReadReason();
    for (const b of document.querySelectorAll("[data-not-read]")) {
      const on = b.dataset.notRead === chosen.reason;
      b.setAttribute("aria-pressed", String(on));
      b.dataset.state = on ? chosen.state : "";
    }
    const status = $("not-read-status");
    if (status) {
      status.textContent = chosen.reason ? `${tr("Recorded")}: ${NOT_READ[chosen.reason] ? NOT_READ[chosen.reason]() : chosen.reason}`
        + (chosen.state === "queued" ? ` (${tr("queued")})` : "") : "";
    }
  },

  // A tap: an empty time is stamped now (the call is typed: it came before the crew had the
  // tablet in hand); a recorded or queued one opens its correction.
  async tap(mark) {
    if (!App.incident) return;
    if (Date.now() - (SceneTimes.tappedAt[mark] || 0) < SETTLE_TAP_MS) return;
    const v = SceneTimes.timeOf(mark);
    if (v.state !== "empty" || mark === "called") { SceneTimes.edit(mark, v.at ? new Date(v.at) : new Date()); return; }
    const at = new Date().toISOString();  // the tap's moment, whenever the hub receives it
    SceneTimes.tappedAt[mark] = Date.now();
    SceneTimes.closeEditor();
    await Live.enqueue({ kind: "scene_time", mark, at, correction: false });
    await SceneTimes.refreshPending();
    say(`${MARK_NAMES[mark]()} ${fmt.hm(at)}`, true);
  },

  edit(mark, at) {
    SceneTimes.editing = mark; SceneTimes.editingFor = App.incident && App.incident.id;
    const input = $("time-editor-at");
    $("time-editor-label").textContent = `${MARK_NAMES[mark]()} — ${tr("correct the time")}`;
    input.dataset.fieldLabel = MARK_NAMES[mark]();
    input.value = hhmm(at && !isNaN(at) ? at : new Date());
    $("time-editor").hidden = false;
    for (const b of document.querySelectorAll("#scene-times [data-mark]")) b.setAttribute("aria-expanded", String(b.dataset.mark === mark));
    input.focus();
  },

  closeEditor() {
    SceneTimes.editing = null; SceneTimes.editingFor = null;
    const form = $("time-editor"); if (form) form.hidden = true;
    for (const b of document.querySelectorAll("#scene-times [data-mark]")) b.setAttribute("aria-expanded", "false");
  },

  async saveCorrection() {
    const mark = SceneTimes.editing;
    if (!mark || !App.incident) return;
    const at = latestAt($("time-editor-at").value);
    if (!at) throw fieldProblem("at", tr("Enter the time as hours and minutes"));
    SceneTimes.closeEditor();
    await Live.enqueue({ kind: "scene_time", mark, at: at.toISOString(), correction: true });
    await SceneTimes.refreshPending();
  },

  async notRead(reason) {
    if (!App.incident) return;
    if (SceneTimes.notReadReason().reason === reason) return;
    await Live.enqueue({ kind: "card_not_read", reason });
    await SceneTimes.refreshPending();
  },

  // The call time on the new-incident form: now, kept current until the crew changes it.
  fillCallTime() {
    const input = $("called-at");
    // As the field's default too: a language switch keeps only what the crew changed (common.js).
    if (input && !SceneTimes.callDirty && document.activeElement !== input) input.value = input.defaultValue = hhmm(new Date());
  },

  // What the new incident is opened with (tablet.js): the moment of the press if the crew left the
  // call time as it was, the time typed if changed, unknown if cleared.
  callTime() {
    const input = $("called-at");
    const typed = SceneTimes.callDirty && input ? input.value : null;
    const at = !SceneTimes.callDirty ? new Date() : typed ? latestAt(typed) : null;
    return at ? at.toISOString() : null;
  },

  callTimeUsed() { SceneTimes.callDirty = false; SceneTimes.fillCallTime(); },

  bind() {
    for (const b of document.querySelectorAll("#scene-times [data-mark]")) b.addEventListener("click", () => act(() => SceneTimes.tap(b.dataset.mark)));
    $("time-editor").addEventListener("submit", (ev) => { ev.preventDefault(); act(SceneTimes.saveCorrection); });
    $("time-editor-cancel").addEventListener("click", () => { Problems.clear(); SceneTimes.closeEditor(); });
    for (const b of document.querySelectorAll("[data-not-read]")) b.addEventListener("click", () => act(() => SceneTimes.notRead(b.dataset.notRead)));
    const call = $("called-at");
    call.addEventListener("input", () => { SceneTimes.callDirty = true; });
    SceneTimes.fillCallTime();
    setInterval(SceneTimes.fillCallTime, 15000);
    Outbox.onChange(() => SceneTimes.refreshPending());
    SceneTimes.render();
  },
};

document.addEventListener("DOMContentLoaded", async () => { await I18N.ready; SceneTimes.bind(); });
