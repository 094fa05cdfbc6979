// What the ER must not miss about a patient's record leaving this hospital (clinical safety):
// after handover the record is kept only for the grant's window, so the countdown to its purge is
// on screen beforehand; and when a patient is removed the screen says so and why, in a notice
// that stays until someone dismisses it, instead of the patient silently vanishing. A request to
// accept that leaves the board without this screen answering it (another hospital accepted, the
// incident was closed, a colleague answered) says so the same way: a clinician who was about to
// answer it must not find it simply gone.
"use strict";

// Why a patient is no longer held here: the reason codes the hub and the gateway send.
const REMOVED_WHY = {
  handover_window_over: () => bi("the time to keep the record after handover is over"),
  expired: () => bi("the access time limit was reached without a handover"),
  closed_before_handover: () => bi("the incident was closed before handover"),
  rerouted: () => bi("another hospital accepted the patient"),
  revoked: () => bi("access was revoked"),
  ended: () => bi("access has ended"),
};

// Shown from handover on, and whenever less than this is left anyway.
const PURGE_SHOWN_MS = 60 * 60 * 1000;
const PURGE_SOON_MS = 5 * 60 * 1000;

// The countdown to this patient's purge here, kept current by Notices.tick every second.
function purgeCountdown(p, testid) {
  const span = el("span", { cls: "chip purge", testid, data: {
    purgeAt: String(new Date(p.grant_expires_at).getTime()),
    handedOver: p.incident && p.incident.handed_over_at ? "yes" : "no" } });
  Notices.tickOne(span);
  return span;
}

// Why a request to accept left the board (hospital_app/inquiry_store.py, the hub's reasons).
const INQUIRY_LEFT_WHY = {
  accepted_elsewhere: () => bi("another hospital accepted the patient"),
  closed: () => bi("the crew closed the incident"),
  no_longer_open: () => bi("no longer open at the hub"),
  expired: () => bi("no answer within 24 hours: expired"),
  withdrawn: () => bi("withdrawn"),
  offline: () => bi("closed while this screen was offline"),
};
const INQUIRY_ANSWERED = { accepted: () => bi("accepted by a colleague"), declined: () => bi("declined by a colleague") };

const Notices = {
  // Once per patient (the newest reason), until dismissed. What the detail panel shows too.
  removed(p, reason) {
    const why = () => (REMOVED_WHY[reason] ? REMOVED_WHY[reason]() : el("span", {}, bi("access has ended"), ` (${reason || "-"})`));
    const notice = { who: whoText(p), reason: reason || "ended", why };
    const ul = $("notices");
    for (const old of [...ul.children]) if (old.dataset.incident === p.incident_id) old.remove();
    const dismiss = el("button", { attrs: { type: "button" }, testid: "dismiss-notice" }, bi("Dismiss"));
    const item = el("li", { cls: "notice", testid: "removed-notice", data: { incident: p.incident_id, reason: notice.reason } },
      el("strong", {}, "⚠ ", bi("No longer held at this hospital")), " ",
      el("span", { testid: "removed-who", text: `${notice.who} ${(p.incident && p.incident.chief_complaint) || ""}`.trim() }),
      " — ", el("span", { testid: "removed-why" }, why()), dismiss);
    dismiss.addEventListener("click", () => item.remove());
    ul.prepend(item);
    return notice;
  },

  // A request to accept left the board without this screen answering it: once, until dismissed.
  inquiryLeft(q, status, reason) {
    const why = INQUIRY_ANSWERED[status] ? INQUIRY_ANSWERED[status]()
      : INQUIRY_LEFT_WHY[reason] ? INQUIRY_LEFT_WHY[reason]() : INQUIRY_LEFT_WHY.withdrawn();
    const ul = $("notices");
    for (const old of [...ul.children]) if (old.dataset.inquiry === q.inquiry_id) old.remove();
    const dismiss = el("button", { attrs: { type: "button" }, testid: "dismiss-notice" }, bi("Dismiss"));
    const item = el("li", { cls: "notice", testid: "inquiry-notice",
      data: { inquiry: q.inquiry_id, incident: q.incident_id, status: status || "", reason: reason || "" } },
      el("strong", {}, "ⓘ ", bi("Request to accept closed")), " ",
      el("span", { testid: "inquiry-notice-who", text: inquiryWho(q) }), " — ", el("span", { testid: "inquiry-notice-why" }, why), dismiss);
    dismiss.addEventListener("click", () => item.remove());
    ul.prepend(item);
  },

  tick() {
    for (const span of document.querySelectorAll("[data-purge-at]")) Notices.tickOne(span);
  },

  tickOne(span) {
    const left = Number(span.dataset.purgeAt) - Date.now();
    span.hidden = !(span.dataset.handedOver === "yes" || left < PURGE_SHOWN_MS);
    span.classList.toggle("soon", left < PURGE_SOON_MS);
    span.textContent = I18N.one("Record removed in {d}", { d: fmt.duration(Math.max(0, left)) });
  },
};
