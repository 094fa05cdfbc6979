// The shared summary: nothing is shown until the passcode is right; all text goes in as text.
// Nothing is kept in the page: a reload asks for the passcode again and counts as an opening, and
// the page says how many openings are left and when the link ends.
"use strict";

// The handler is attached at once, not after the catalogue has loaded: a passcode typed and sent
// in between would otherwise be lost (common.js stops the browser's own submit, which would put
// it in the address).
document.addEventListener("DOMContentLoaded", () => {
  const form = $("passcode-form");
  if (!form) return;
  const token = location.pathname.split("/").pop();
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    await I18N.ready;
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
    $("share-uses").textContent = data.max_uses
      ? tr("Opened {uses} of {max} times; the link ends at {time}", { uses: data.uses, max: data.max_uses, time: fmt.dateTime(data.expires_at) })
      : tr("The link ends at {time}", { time: fmt.dateTime(data.expires_at) });
    $("summary").hidden = false;
  });
});
