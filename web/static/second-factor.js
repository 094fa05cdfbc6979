// The second step of sign-in, on the tablet and the dashboard alike. After the password the
// session reaches only /api/factors (web/factors.py): a user with a factor shows it (a passkey,
// a code from the authenticator app, or a recovery code); a user whose role needs one and has
// none sets one up here, and sees the recovery codes once. The sign-in scripts call
// `await SecondFactor.after(loginAnswer)`, which resolves with the signed-in user once done.
// The page where people manage their own factors (factors-page.js) uses the same ceremonies, and
// the top bar's Security button leads there. Everything is drawn with el() and textContent, never HTML.
// A password someone else set (an administrator, the operator) is temporary: after any factor the
// person chooses their own in a dialog (`choosePassword`) before the page carries on, at sign-in
// here and wherever a page learns from /api/auth/me that it is still owed (common.js, api()).
"use strict";

const SecondFactor = (() => {
  const toBuf = (s) => {
    let t = s.replace(/-/g, "+").replace(/_/g, "/");
    while (t.length % 4) t += "=";
    return Uint8Array.from(atob(t), (c) => c.charCodeAt(0)).buffer;
  };
  const fromBuf = (buf) => btoa(String.fromCharCode(...new Uint8Array(buf)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
  const ids = (list) => (list || []).map((c) => ({ ...c, id: toBuf(c.id) }));

  function credentialJSON(c) {
    const r = c.response;
    const out = { id: c.id, rawId: fromBuf(c.rawId), type: c.type, response: { clientDataJSON: fromBuf(r.clientDataJSON) },
      clientExtensionResults: c.getClientExtensionResults ? c.getClientExtensionResults() : {} };
    if (c.authenticatorAttachment) out.authenticatorAttachment = c.authenticatorAttachment;
    if (r.attestationObject) {
      out.response.attestationObject = fromBuf(r.attestationObject);
      if (r.getTransports) out.response.transports = r.getTransports();
    }
    if (r.authenticatorData) {
      out.response.authenticatorData = fromBuf(r.authenticatorData);
      out.response.signature = fromBuf(r.signature);
      if (r.userHandle) out.response.userHandle = fromBuf(r.userHandle);
    }
    return out;
  }

  async function createPasskey(label) {
    const o = await api("POST", "/api/factors/passkey/options");
    const made = await navigator.credentials.create({ publicKey: {
      ...o, challenge: toBuf(o.challenge), user: { ...o.user, id: toBuf(o.user.id) }, excludeCredentials: ids(o.excludeCredentials) } });
    return api("POST", "/api/factors/passkey", { credential: credentialJSON(made), label: label || tr("Passkey") });
  }

  // At sign-in (/verify), or again before a change to one's factors (/reauth).
  async function usePasskey(path = "/api/factors/verify") {
    const o = await api("POST", "/api/factors/sign-in/passkey-options");
    const got = await navigator.credentials.get({ publicKey: { ...o, challenge: toBuf(o.challenge), allowCredentials: ids(o.allowCredentials) } });
    return api("POST", path, { method: "passkey", credential: credentialJSON(got) });
  }

  const supported = () => typeof window.PublicKeyCredential !== "undefined" && window.isSecureContext;

  // One panel in place of the sign-in form; `done` resolves the sign-in.
  function panel() {
    const form = $("login-form");
    let box = $("second-factor");
    if (!box) {
      box = el("div", { attrs: { id: "second-factor", "data-testid": "second-factor" } });
      form.after(box);
    }
    form.hidden = true;
    box.hidden = false;
    return box;
  }

  function problem(e) {
    // A passkey the person cancelled, or a browser that refused, is said plainly; the API's own
    // refusals carry their message.
    if (e && e.name && !(e instanceof ApiError)) return tr("The passkey was not used. Try again or use a code.");
    return (e && e.message) || String(e);
  }

  function codeField(id, labelNode, auto) {
    const input = el("input", { attrs: { id, inputmode: auto ? "numeric" : "text", autocomplete: auto ? "one-time-code" : "off",
      maxlength: "32", required: "" } });
    return [el("label", { attrs: { for: id } }, labelNode), input];
  }

  function showRecoveryCodes(box, codes, resolve) {
    const list = el("ol", { cls: "recovery-codes", attrs: { "data-testid": "recovery-codes" } },
      ...codes.map((c) => el("li", { text: c })));
    const go = el("button", { cls: "primary big", text: tr("I have kept the codes"), attrs: { type: "button", id: "codes-kept" } });
    go.addEventListener("click", resolve);
    box.replaceChildren(el("h3", {}, bi("Recovery codes")),
      el("p", {}, bi("Each code signs you in once if your passkey or phone is lost. Keep them somewhere safe: they are shown only now.")),
      list, go);
  }

  function enrol(box, finish) {
    const intro = el("p", {}, bi("Your role needs a second factor. Set one up now to continue."));
    const passkey = el("button", { cls: "primary big", text: tr("Set up a passkey"), attrs: { type: "button", id: "enrol-passkey" } });
    const app = el("button", { cls: "big", text: tr("Set up an authenticator app"), attrs: { type: "button", id: "enrol-totp" } });
    const area = el("div");
    passkey.hidden = !supported();
    passkey.addEventListener("click", async () => {
      try { finish(await createPasskey()); } catch (e) { say(problem(e)); }
    });
    app.addEventListener("click", async () => {
      try {
        const t = await api("POST", "/api/factors/totp");
        const [lab, input] = codeField("totp-new-code", bi("6-digit code from the app"), true);
        const confirm = el("button", { cls: "primary big", text: tr("Confirm"), attrs: { type: "submit" } });
        const qr = el("img", { attrs: { id: "totp-qr", "data-testid": "totp-qr", src: t.qr, width: "220", height: "220",
          alt: tr("QR code for the authenticator app") } });
        const form = el("form", {}, el("p", {}, bi("Scan the QR code with the authenticator app, or type the key, then enter the code it shows.")),
          qr, el("p", { cls: "totp-secret", text: t.secret, attrs: { "data-testid": "totp-secret" } }),
          el("p", { cls: "totp-uri", text: t.uri }), lab, input, confirm);
        form.addEventListener("submit", async (ev) => {
          ev.preventDefault();
          try { finish(await api("POST", "/api/factors/totp/confirm", { code: input.value, label: tr("Authenticator app") })); }
          catch (e) { say(problem(e)); }
        });
        area.replaceChildren(form);
        input.focus();
      } catch (e) { say(problem(e)); }
    });
    box.replaceChildren(el("h3", {}, bi("Second factor")), intro, passkey, app, area);
  }

  function prove(box, factors, finish) {
    const kinds = new Set(factors.map((f) => f.kind));
    const children = [el("h3", {}, bi("Second factor"))];
    if (kinds.has("passkey") && supported()) {
      const b = el("button", { cls: "primary big", text: tr("Use a passkey"), attrs: { type: "button", id: "use-passkey" } });
      b.addEventListener("click", async () => { try { finish(await usePasskey()); } catch (e) { say(problem(e)); } });
      children.push(b);
    }
    const codeForm = (method, id, labelNode, numeric) => {
      const [lab, input] = codeField(id, labelNode, numeric);
      const go = el("button", { cls: "primary big", text: tr("Confirm"), attrs: { type: "submit" } });
      const form = el("form", { cls: "factor-code" }, lab, input, go);
      form.addEventListener("submit", async (ev) => {
        ev.preventDefault();
        try { finish(await api("POST", "/api/factors/verify", { method, code: input.value })); } catch (e) { say(problem(e)); input.select(); }
      });
      return form;
    };
    if (kinds.has("totp")) children.push(codeForm("totp", "totp-code", bi("6-digit code from the app"), true));
    const recovery = codeForm("recovery", "recovery-code", bi("Recovery code"), false);
    recovery.hidden = true;
    const toggle = el("button", { cls: "link", text: tr("Use a recovery code"), attrs: { type: "button", id: "use-recovery" } });
    toggle.addEventListener("click", () => { recovery.hidden = false; toggle.hidden = true; $("recovery-code").focus(); });
    children.push(toggle, recovery);
    box.replaceChildren(...children);
    const first = $("totp-code");
    if (first) first.focus();
  }

  // The temporary password's way out (web/password.py): the current one asked again, the new one
  // twice, the rule on screen, each refusal beside its field. Resolves with the signed-in user once
  // changed; Sign out ends the session and starts the page again. One dialog however often asked.
  let choosing = null;
  function choosePassword() {
    if (choosing) return choosing;
    // Each input inside its label, as on the security page: a refusal goes beside it (Problems.show).
    const field = (id, name, label, autocomplete) => {
      const input = el("input", { attrs: { id, type: "password", autocomplete, required: "", maxlength: "256",
        "data-field": name } });
      return [el("label", {}, label, input), input];
    };
    const [curLabel, current] = field("choose-current", "current_password", bi("Current password"), "current-password");
    const [newLabel, fresh] = field("choose-new", "new_password", bi("New password"), "new-password");
    const [againLabel, again] = field("choose-again", "new_password_again", bi("New password again"), "new-password");
    const note = el("p", { cls: "choose-note", attrs: { role: "alert", "data-testid": "choose-password-message" } });
    const go = el("button", { cls: "primary big", text: tr("Change the password"), attrs: { type: "submit", id: "choose-save" } });
    const out = el("button", { cls: "big", text: tr("Sign out"), attrs: { type: "button", id: "choose-sign-out" } });
    const form = el("form", { attrs: { id: "choose-password-form" } },
      el("h2", {}, bi("Choose your own password")),
      el("p", {}, bi("Your password was set by someone else; choose your own to continue.")),
      el("p", { cls: "choose-rule" }, bi("At least 12 characters (a run of spaces counts as one), at most 128. Length makes a password strong, not symbols: a few words in a row will do.")),
      curLabel, newLabel, againLabel, note, el("div", { cls: "choose-actions" }, go, out));
    const dialog = el("dialog", { cls: "choose-password", attrs: { id: "choose-password", "data-testid": "choose-password" } }, form);
    document.body.append(dialog);
    for (const input of [current, fresh, again]) addPasswordToggle(input);
    dialog.addEventListener("cancel", (ev) => ev.preventDefault());  // Escape: there is no page behind it yet
    out.addEventListener("click", async () => {
      await api("POST", "/api/auth/logout").catch(() => {});
      location.reload();
    });
    choosing = new Promise((resolve) => {
      const send = submission(go, async () => {
        Problems.clear();
        note.textContent = "";
        if (fresh.value !== again.value) {
          Problems.show(fieldProblem("new_password_again", tr("The two new passwords are not the same.")));
          return;
        }
        try {
          await api("POST", "/api/auth/password", { current_password: current.value, new_password: fresh.value });
        } catch (e) {
          Problems.show(e);
          if (!(e.fields && e.fields.length)) note.textContent = e.message;
          return;
        }
        form.reset();
        dialog.close();
        dialog.remove();
        say("");
        choosing = null;
        resolve(await api("GET", "/api/auth/me"));
      });
      form.addEventListener("submit", (ev) => { ev.preventDefault(); send(); });
    });
    dialog.showModal();
    current.focus();
    return choosing;
  }

  // The sign-in's steps after the password: the second factor when one is due, then one's own
  // password when the one shown was temporary; resolves with the signed-in user.
  async function after(answer) {
    const me = answer && answer.stage === "password" ? await factorStep() : answer;
    return me && me.must_change_password ? choosePassword() : me;
  }

  async function factorStep() {
    const state = await api("GET", "/api/factors");
    const box = panel();
    return new Promise((resolve) => {
      const signedIn = async () => {
        box.hidden = true;
        $("login-form").hidden = false;
        $("login-form").reset();
        resolve(await api("GET", "/api/auth/me"));
      };
      const finish = (done) => {
        say("");
        if (done && done.recovery_codes && done.recovery_codes.length) showRecoveryCodes(box, done.recovery_codes, signedIn);
        else signedIn();
      };
      if (state.factors.length) prove(box, state.factors, finish); else enrol(box, finish);
    });
  }

  return { after, choosePassword, createPasskey, usePasskey, supported, problem };
})();

// The top bar's Security button (tablet, dashboard) is there while someone is signed in: it
// follows the sign-out button, which each page's own script shows and hides.
document.addEventListener("DOMContentLoaded", () => {
  const security = $("security"), signOut = $("sign-out");
  if (!security || !signOut) return;
  const follow = () => { security.hidden = signOut.hidden; };
  new MutationObserver(follow).observe(signOut, { attributes: true, attributeFilter: ["hidden"] });
  follow();
  security.addEventListener("click", () => { location.href = "/account/factors"; });
});
