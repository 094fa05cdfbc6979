// What the ER found, on the crew's incident: the 初診時傷病程度 the crew needs for its transport
// report, the diagnosis and the disposition, pushed the moment the ER returns it (or corrects it)
// and read again whenever the incident is opened. Until then: "not returned yet", never a guess.
"use strict";

const OutcomeView = {
  shownFor: null,
  version: 0,   // of the outcome on screen (0: none): an answer read before the ER's push, delivered after it, is older

  newer(o) { return (o ? o.version || 1 : 0) >= OutcomeView.version; },

  mount() {
    const facts = document.querySelector(".side .facts");
    if (!facts || $("incident-outcome")) return;
    facts.append(el("dt", {}, bi("Outcome at the ER")), el("dd", { testid: "incident-outcome", attrs: { id: "incident-outcome" } }, "-"));
  },

  // The incident on screen changed (setIncident): read its outcome.
  async show(inc) {
    OutcomeView.mount();
    if (!inc) { OutcomeView.shownFor = null; OutcomeView.render(null); return; }
    if (OutcomeView.shownFor === inc.id) return;
    OutcomeView.shownFor = inc.id;
    OutcomeView.render(null);
    try {
      const answer = await api("GET", `/api/incidents/${encodeURIComponent(inc.id)}/outcome`);
      if (App.incident && App.incident.id === inc.id && OutcomeView.newer(answer.outcome)) OutcomeView.render(answer.outcome);
    } catch (e) { if (e.status !== 404 && !e.network) say(e.message); }
  },

  pushed(o) {
    if (!App.incident || o.incident_id !== App.incident.id || !OutcomeView.newer(o)) return;
    OutcomeView.render(o);
    say(`${tr("The ER returned the outcome")}: ${severityName(o.severity)}`, true);
  },

  render(o) {
    const dd = $("incident-outcome");
    if (!dd) return;
    OutcomeView.version = o ? o.version || 1 : 0;
    dd.dataset.severity = o ? o.severity : "";
    if (!o) { dd.replaceChildren(App.incident ? tr("Not returned yet") : "-"); return; }
    dd.replaceChildren(el("strong", { testid: "outcome-severity", text: severityName(o.severity) }),
      el("br"), el("span", { testid: "outcome-diagnosis", text: diagnosisText(o.diagnosis) }),
      el("br"), el("span", { testid: "outcome-disposition", text: dispositionName(o.disposition) }),
      el("br"), el("small", { text: `${fmt.hm(o.recorded_at)}${o.version > 1 ? ` · ${tr("corrected, version {n}", { n: o.version })}` : ""}` }));
  },
};

document.addEventListener("DOMContentLoaded", () => OutcomeView.mount());
