// Words both screens use for an ER's acceptance status and for the outcome it returns, so the
// crew's tablet and the ER's dashboard say the same thing (codes: shared/availability.py,
// shared/schemas/outcome.py). A status past its time is "unknown", with when it was last set:
// never its old value.
"use strict";

const CAPABILITY = {
  stroke: () => tr("Stroke"), cardiac: () => tr("Cardiac"), trauma: () => tr("Trauma"),
  paediatrics: () => tr("Paediatrics"), burns: () => tr("Burns"), dialysis: () => tr("Dialysis"),
  ct: () => tr("CT"), cath_lab: () => tr("Cath lab"), icu_bed: () => tr("ICU bed"),
};
const CAPABILITIES = Object.keys(CAPABILITY);
const capabilityName = (c) => (CAPABILITY[c] ? CAPABILITY[c]() : c);

// A capability's state as the server sent it, judged again against this clock: one that has
// expired since the answer reads unknown here too.
function capabilityState(s) {
  if (!s || !s.set_at) return { status: "unknown", expired: false, setAt: null };
  const expired = s.expired || (s.expires_at && Date.now() >= new Date(s.expires_at).getTime());
  return { status: expired ? "unknown" : s.status, expired: !!expired, setAt: s.set_at };
}

function capabilityText(s) {
  const st = capabilityState(s);
  if (st.expired) return tr("unknown — not refreshed since {t}", { t: fmt.hm(st.setAt) });
  if (st.status === "unknown") return tr("unknown — not set");
  const word = st.status === "available" ? tr("available") : tr("not available");
  return `${word} (${tr("set {t}", { t: fmt.hm(st.setAt) })})`;
}

const OUTCOME_SEVERITY = {
  death: () => tr("Death"), severe: () => tr("Severe (admission 3 weeks or more)"),
  moderate: () => tr("Moderate (admission)"), mild: () => tr("Mild (outpatient)"), other: () => tr("Other"),
};
const OUTCOME_DISPOSITION = {
  admitted: () => tr("Admitted"), icu: () => tr("ICU"), transferred: () => tr("Transferred"),
  discharged: () => tr("Discharged"), died: () => tr("Died"),
};
const severityName = (c) => (OUTCOME_SEVERITY[c] ? OUTCOME_SEVERITY[c]() : c);
const dispositionName = (c) => (OUTCOME_DISPOSITION[c] ? OUTCOME_DISPOSITION[c]() : c);
const diagnosisText = (d) => [d && d.code, d && d.display].filter(Boolean).join(" ");

// How long a request to accept has waited for the ER's answer, the same on both screens. The ERs'
// boards ring until a request is answered; one not answered within INQUIRY_LONG_WAIT_MS is marked
// on both, so the crew weighs asking elsewhere and the ER sees a crew kept waiting. Counted from
// the hub's asked_at by this device's clock (never below zero).
const INQUIRY_LONG_WAIT_MS = 3 * 60 * 1000;
function inquiryWait(askedAt) {
  const at = Date.parse(askedAt || "");
  if (!at) return null;
  const waited = Math.max(0, Date.now() - at), long = waited >= INQUIRY_LONG_WAIT_MS;
  const d = fmt.duration(waited);
  return { long, text: long ? tr("no answer for {d}", { d }) : tr("waiting {d}", { d }) };
}

// Draws it into a span (the caller's tick, every second): marked when long.
function showInquiryWait(span, askedAt) {
  const w = inquiryWait(askedAt);
  span.textContent = w ? w.text : "";
  span.dataset.long = String(Boolean(w && w.long));
  span.classList.toggle("warn", Boolean(w && w.long));
}
