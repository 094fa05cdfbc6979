// The shared summary: nothing is shown until the passcode is right; all text goes in as text.
"use strict";

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  const form = $("passcode-form");
  if (!form) return;
  const token = location.pathname.split("/").pop();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    let data;
    try { data = await api("POST", `/api/shares/${encodeURIComponent(token)}/open`, { passcode: $("passcode").value.trim() }); }
    catch (e) {
      say(e.message);
      $("message").dataset.code = e.code || "";
      if (e.status === 403 || e.status === 410 || e.status === 404) form.hidden = true;  // locked or gone for good
      $("passcode").value = "";
      return;
    }
    form.hidden = true; say("");
    $("patient").replaceChildren(patientLine(data.patient || data.summary.card), el("p", {}, bi("Basis"), `: ${code(data.basis)}`));
    $("critical").replaceChildren(criticalBox(data.critical));
    $("sections").replaceChildren(recordSections(data.summary, { limit: 30 }));
    $("summary").hidden = false;
  });
});
