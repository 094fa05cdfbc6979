// One's own second factors (web/templates/factors.html, the API in web/factors.py): the list,
// adding a passkey or an authenticator app, replacing or removing one, new recovery codes. When
// the sign-in is more than a few minutes old the API answers `reauthenticate`: the page asks for
// a factor again (the password only while there is none) and then does what was asked. After a
// change it says that the person's other sessions were signed out, and how many. The same goes
// for a change of one's own password, in its own section.
"use strict";

const KINDS = { passkey: () => tr("Passkey"), totp: () => tr("Authenticator app") };
let state = { factors: [], required: false, recovery_left: 0 };

function when(iso) {
  if (!iso) return el("span", { cls: "never", text: tr("Never") });
  return new Date(iso).toLocaleString(I18N.locale, { dateStyle: "medium", timeStyle: "short" });
}

function saidDone(answer, what) {
  const parts = [what];
  if (answer && typeof answer.ended_sessions === "number") {
    parts.push(answer.ended_sessions > 0
      ? tr("Your other sessions were signed out ({n}).", { n: answer.ended_sessions })
      : tr("No other session of yours was signed in."));
  }
  say(parts.join(" "), true);
}

// The re-authentication panel: resolves once a factor was shown again, rejects on Cancel.
function reauthenticate() {
  const box = $("reauth");
  const kinds = new Set(state.factors.map((f) => f.kind));
  $("reauth-passkey").hidden = !(kinds.has("passkey") && SecondFactor.supported());
  $("reauth-totp").hidden = !kinds.has("totp");
  $("reauth-recovery").hidden = !state.factors.length;
  $("reauth-password").hidden = state.factors.length > 0;
  box.hidden = false;
  $("factors-view").hidden = true;
  return new Promise((resolve, reject) => {
    const forms = { "reauth-totp": ["totp", "reauth-code"], "reauth-recovery": ["recovery", "reauth-recovery-code"],
      "reauth-password": ["password", "reauth-password-input"] };
    const done = () => { cleanup(); resolve(); };
    const handlers = [];
    const on = (node, type, fn) => { node.addEventListener(type, fn); handlers.push([node, type, fn]); };
    const cleanup = () => {
      for (const [node, type, fn] of handlers) node.removeEventListener(type, fn);
      for (const id of ["reauth-code", "reauth-recovery-code", "reauth-password-input"]) $(id).value = "";
      box.hidden = true;
      $("factors-view").hidden = false;
    };
    for (const [formId, [method, inputId]] of Object.entries(forms)) {
      on($(formId), "submit", async (ev) => {
        ev.preventDefault();
        const value = $(inputId).value;
        try {
          await api("POST", "/api/factors/reauth", method === "password" ? { method, password: value } : { method, code: value });
          done();
        } catch (e) { say(e.message); $(inputId).select(); }
      });
    }
    on($("reauth-passkey"), "click", async () => {
      try { await SecondFactor.usePasskey("/api/factors/reauth"); done(); } catch (e) { say(SecondFactor.problem(e)); }
    });
    on($("reauth-cancel"), "click", () => { cleanup(); say(""); reject(new ApiError(tr("Nothing was changed."), 0, "cancelled")); });
    const first = [...box.querySelectorAll("form:not([hidden]) input")][0];
    if (first) first.focus();
  });
}

// Run a change; when the API wants a factor shown again first, ask for it, then run it once more.
async function change(action, what) {
  say("");
  try {
    let answer;
    try { answer = await action(); } catch (e) {
      if (e.code !== "reauthenticate") throw e;
      say(e.message);
      await reauthenticate();
      say("");
      answer = await action();
    }
    if (answer && answer.recovery_codes && answer.recovery_codes.length) showCodes(answer.recovery_codes);
    saidDone(answer, what);
    await load();
    return answer;
  } catch (e) {
    say(SecondFactor.problem(e));
    return null;
  }
}

function showCodes(codes) {
  $("codes-list").replaceChildren(...codes.map((c) => el("li", { text: c })));
  $("codes").hidden = false;
  $("new-recovery").hidden = true;
}

function render() {
  const body = $("factors");
  body.replaceChildren();
  for (const f of state.factors) {
    const remove = el("button", { cls: "danger", data: { action: "remove" }, attrs: { type: "button" } }, bi("Remove"));
    remove.addEventListener("click", () => {
      const name = f.label || KINDS[f.kind]();
      if (!window.confirm(tr("Remove {name}? Your other sessions will be signed out.", { name }))) return;
      change(() => api("DELETE", `/api/factors/${f.id}`), tr("{name} was removed.", { name }));
    });
    body.append(el("tr", { testid: "factor", data: { kind: f.kind, id: String(f.id) } },
      el("td", { text: KINDS[f.kind] ? KINDS[f.kind]() : f.kind }), el("td", { text: f.label }),
      el("td", {}, when(f.created_at)), el("td", { testid: "last-used" }, when(f.last_used_at)), el("td", {}, remove)));
  }
  const hasTotp = state.factors.some((f) => f.kind === "totp");
  $("add-totp").textContent = hasTotp ? tr("Replace the authenticator app") : tr("Add an authenticator app");
  $("add-passkey").hidden = !SecondFactor.supported();
  $("required-note").hidden = !state.required;
  $("none-note").hidden = state.factors.length > 0;
  $("recovery-left").textContent = state.factors.length
    ? tr("{n} recovery codes left", { n: state.recovery_left }) : tr("Recovery codes come with your first factor.");
  $("new-recovery").disabled = !state.factors.length;
}

async function load() {
  state = await api("GET", "/api/factors");
  render();
}

function enrolTotp() {
  const old = state.factors.find((f) => f.kind === "totp");
  change(async () => {
    const t = await api("POST", "/api/factors/totp");
    $("totp-enrol-title").textContent = old ? tr("Replace the authenticator app") : tr("Add an authenticator app");
    $("totp-qr").src = t.qr;  // an SVG data URI drawn by the server (img-src allows data:)
    $("totp-secret").textContent = t.secret;
    $("totp-uri").textContent = t.uri;
    $("totp-enrol").hidden = false;
    $("totp-new-code").value = "";
    $("totp-new-code").focus();
  }, tr("Enter the code the app shows."));
  $("totp-confirm").dataset.replaces = old ? String(old.id) : "";
}

async function confirmTotp(ev) {
  ev.preventDefault();
  Problems.clear();
  const replaces = $("totp-confirm").dataset.replaces;
  const label = $("new-label").value.trim() || tr("Authenticator app");
  try {
    const answer = await api("POST", "/api/factors/totp/confirm",
      { code: $("totp-new-code").value, label, ...(replaces ? { replaces: Number(replaces) } : {}) });
    $("totp-enrol").hidden = true;
    $("new-label").value = "";
    if (answer.recovery_codes && answer.recovery_codes.length) showCodes(answer.recovery_codes);
    saidDone(answer, replaces ? tr("The authenticator app was replaced.") : tr("The authenticator app was added."));
    await load();
  } catch (e) { Problems.show(e); $("totp-new-code").select(); }
}

// One's own password (web/password.py): the two new ones must match before anything is sent; the
// answer's field errors go beside their fields, and success says how many other sessions ended.
async function changePassword() {
  Problems.clear();
  const fresh = $("new-password").value;
  if (fresh !== $("new-password-again").value) {
    Problems.show(fieldProblem("new_password_again", tr("The two new passwords are not the same.")));
    return;
  }
  try {
    const answer = await api("POST", "/api/auth/password", { current_password: $("current-password").value, new_password: fresh });
    $("password-form").reset();
    saidDone(answer, tr("Your password was changed."));
  } catch (e) { Problems.show(e); }
}

async function start() {
  try {
    await load();
  } catch (e) {
    if (e.status === 401) { $("signed-out").hidden = false; return; }
    say(e.message); return;
  }
  $("factors-view").hidden = false;
  $("password-view").hidden = state.stage !== "complete";  // the second factor first, if one is due
  $("sign-out").hidden = false;
  try { $("who").textContent = (await api("GET", "/api/auth/me")).display_name || ""; } catch (e) { /* shown without a name */ }
}

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  $("back").addEventListener("click", () => { location.href = "/"; });
  $("sign-out").addEventListener("click", async () => { await api("POST", "/api/auth/logout").catch(() => {}); location.href = "/"; });
  $("add-passkey").addEventListener("click", () => change(
    () => SecondFactor.createPasskey($("new-label").value.trim() || tr("Passkey")), tr("The passkey was added.")));
  $("add-totp").addEventListener("click", enrolTotp);
  $("totp-confirm").addEventListener("submit", confirmTotp);
  $("totp-cancel").addEventListener("click", () => { $("totp-enrol").hidden = true; say(""); });
  $("new-recovery").addEventListener("click", () => change(
    () => api("POST", "/api/factors/recovery-codes"), tr("New recovery codes: the old ones no longer work.")));
  const sendPassword = submission($("change-password"), changePassword);
  $("password-form").addEventListener("submit", (ev) => { ev.preventDefault(); sendPassword(); });
  $("codes-kept").addEventListener("click", () => {
    $("codes").hidden = true; $("codes-list").replaceChildren(); $("new-recovery").hidden = false;
  });
  await start();
});
