// The open patient's record leaving PreArrival, for a physician: the FHIR R4 Bundle as a file,
// and, when this hospital files to an EMR (GET /api/emr), "File to EMR" with a result line: the
// EMR's id for the patient and how many resources it holds, or why not (the EMR's own words, or
// that it could not be reached in time). One press files once (common.js `submission`: disabled
// while in flight, the same key on a retry). The result stays with the patient while the detail
// is redrawn. Nurses and the desk see none of it; the server refuses them as well (api/emr.py).
"use strict";

const EmrFiling = {
  filing: null,         // whether this hospital files to an EMR: asked once, a promise
  results: new Map(),   // incident id -> { state, text }

  // What dashboard-detail.js adds to the patient's actions.
  controls(p) {
    const box = el("span", { cls: "emr", testid: "emr" });
    if (!Dash.me || Dash.me.role !== "physician") return box;
    const id = p.incident_id;
    const file = { href: `/api/patients/${encodeURIComponent(id)}/fhir`, download: `prearrival-${id}.json` };
    box.append(el("a", { cls: "button", testid: "fhir-download", attrs: file }, bi("Download FHIR")));
    const line = el("span", { cls: "emr-result", testid: "emr-result", attrs: { role: "status" } });
    box.append(line);
    EmrFiling.draw(line, EmrFiling.results.get(id));
    EmrFiling.configured().then((yes) => {
      if (!yes || !line.isConnected) return;
      const button = el("button", { attrs: { type: "button" }, testid: "file-to-emr" }, bi("File to EMR"));
      const once = submission(button, (key) => EmrFiling.file(id, key));
      if ((EmrFiling.results.get(id) || {}).state === "filing") {  // drawn again while a press is in flight
        button.disabled = true; button.dataset.waiting = "true";
      }
      button.addEventListener("click", () => once().catch(() => {}));  // the result line says why
      line.before(button);
    });
    return box;
  },

  configured() {
    if (!EmrFiling.filing) {
      EmrFiling.filing = api("GET", "/api/emr").then((d) => Boolean(d.filing))
        .catch(() => { EmrFiling.filing = null; return false; });
    }
    return EmrFiling.filing;
  },

  async file(incidentId, key) {
    EmrFiling.results.set(incidentId, { state: "filing", text: tr("Filing to the EMR…") });
    EmrFiling.show(incidentId);
    try {
      const r = await api("POST", `/api/patients/${encodeURIComponent(incidentId)}/file-to-emr`, { client_id: key });
      const ids = [...r.created, ...r.existing];
      const patient = ids.find((i) => i.startsWith("Patient/"));
      const held = tr("{count} resources", { count: ids.length }) + (patient ? ` (${patient})` : "");
      EmrFiling.results.set(incidentId, { state: "filed", text: `✓ ${tr("Filed to the EMR")} ${fmt.hm(r.filed_at)}: ${held}` });
    } catch (e) {
      EmrFiling.results.set(incidentId, { state: e.code || "failed", text: `⚠ ${tr("Not filed")}: ${e.message}` });
      throw e;  // submission keeps the key: pressing again is the same filing
    } finally {
      EmrFiling.show(incidentId);
    }
  },

  // The result line of this patient, if its detail is on screen (it may have been redrawn since the press).
  show(incidentId) {
    const body = $("detail-body");
    const line = body && body.dataset.incident === incidentId ? body.querySelector("[data-testid=emr-result]") : null;
    if (!line) return;
    const result = EmrFiling.results.get(incidentId);
    EmrFiling.draw(line, result);
    const waiting = body.querySelector("[data-testid=file-to-emr][data-waiting]");
    if (waiting && (!result || result.state !== "filing")) { waiting.disabled = false; delete waiting.dataset.waiting; }
  },

  draw(line, result) {
    line.textContent = result ? result.text : "";
    line.dataset.state = result ? result.state : "";
  },
};
