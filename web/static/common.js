// Shared by every page of both apps: the message catalogue (one language on screen, Japanese by
// default, English by choice), small DOM helpers that only ever set text (never HTML), a fetch
// wrapper for the JSON API whose refusals go beside the fields they are about, and one-press
// buttons for anything that creates.
"use strict";

const I18N = (() => {
  const lang = document.documentElement.lang === "en" ? "en" : "ja";
  const other = lang === "ja" ? "en" : "ja";
  let messages = { ja: {}, en: {} };
  const ready = fetch("/i18n/messages.json", { credentials: "same-origin" })
    .then((r) => r.json()).then((d) => { messages = d.messages || messages; }).catch(() => {});

  function text(msgid, language, params) {
    let s = (messages[language] && messages[language][msgid]) || msgid;
    if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (k in params ? String(params[k]) : m));
    return s;
  }
  // The chosen language as plain text.
  const one = (msgid, params) => text(msgid, lang, params);
  // Labels were once doubled ("送信済 / sent"), which halved what a clinician could scan: the
  // old name stays for the scripts that call it, and says the chosen language only.
  const both = one;
  // A label node in the chosen language, in the shape the styles and Problems.label look for.
  function label(msgid, params) {
    const p = el("span", { cls: "bi-p", text: text(msgid, lang, params), attrs: { lang } });
    return el("span", { cls: "bi" }, p);
  }

  // Switching language reloads the page (the server renders its labels): what was typed and not
  // yet sent goes across it in this tab's sessionStorage, for a minute at most, never a password.
  // A page whose input belongs to someone (the tablet: to one patient) says whose with `scope`
  // and puts it back itself, with restoreInput(scope), once that one's fields are on screen: typed
  // input goes back to the same patient or nowhere. Input of no scope goes back at load.
  const KEPT = "prearrival.unsent-input";
  const KEPT_FOR_MS = 60000;
  const KEEPABLE = "input:not([type=password]):not([data-password]):not([type=hidden]):not([type=file]):not([type=submit]):not([type=button]), textarea, select";
  let held = null;  // what was kept for a scope, until the page asks for it
  function keyOf(e) {
    if (e.id) return `id:${e.id}`;
    const same = [...document.getElementsByName(e.name)];
    return `name:${e.name}:${same.indexOf(e)}`;
  }
  function changed(e) {
    if (e.type === "checkbox" || e.type === "radio") return e.checked !== e.defaultChecked;
    if (e.tagName === "SELECT") return [...e.options].some((o) => o.selected !== o.defaultSelected);
    return e.value !== e.defaultValue;
  }
  function keepInput() {
    const values = {};
    for (const e of document.querySelectorAll(KEEPABLE)) {
      if (!(e.id || e.name) || !changed(e)) continue;
      values[keyOf(e)] = e.type === "checkbox" || e.type === "radio" ? { checked: e.checked } : { value: e.value };
    }
    try { sessionStorage.setItem(KEPT, JSON.stringify({ at: Date.now(), scope: self.scope(), values })); } catch (err) { /* private mode: nothing kept */ }
  }
  // Each kept value back into its field when the field exists (a script may draw it, or its
  // options, later); given up when the page moves to another scope.
  function putBack(kept) {
    const pending = new Map(Object.entries(kept.values || {}));
    const put = () => {
      if (self.scope() !== kept.scope) { pending.clear(); return true; }
      for (const e of document.querySelectorAll(KEEPABLE)) {
        if (!(e.id || e.name)) continue;
        const key = keyOf(e), v = pending.get(key);
        if (!v) continue;
        if ("checked" in v) e.checked = v.checked;
        else {
          if (e.tagName === "SELECT" && ![...e.options].some((o) => o.value === v.value)) continue;  // options not there yet
          e.value = v.value;
        }
        pending.delete(key);
        e.dispatchEvent(new Event("input", { bubbles: true }));
        e.dispatchEvent(new Event("change", { bubbles: true }));
      }
      return pending.size === 0;
    };
    if (put()) return;
    const watch = new MutationObserver(() => { if (put()) watch.disconnect(); });
    watch.observe(document.body, { childList: true, subtree: true });
    setTimeout(() => watch.disconnect(), KEPT_FOR_MS);
  }
  function takeKept() {
    let kept = null;
    try { kept = JSON.parse(sessionStorage.getItem(KEPT) || "null"); sessionStorage.removeItem(KEPT); } catch (err) { kept = null; }
    return kept && kept.values && Date.now() - kept.at <= KEPT_FOR_MS ? { scope: "", ...kept } : null;
  }
  // The page's scope is on screen now: its kept input back; another scope's is dropped.
  function restoreInput(scope) {
    const kept = held; held = null;
    if (kept && kept.scope === scope) putBack(kept);
  }

  function writeCookie(to) {
    document.cookie = `lang=${to}; path=/; max-age=31536000; SameSite=Strict${location.protocol === "https:" ? "; Secure" : ""}`;
  }
  // The page in the language the server gave at sign-in (the account's): keeps what was typed.
  function follow(to) {
    keepInput();
    writeCookie(to === "en" ? "en" : "ja");
    location.reload();
  }
  // The switch: this device's cookie at once (it works offline); for a signed-in user the
  // account's choice too, so another device gets it at sign-in. Never waits long for the server.
  async function setLanguage(to) {
    const language = to === "en" ? "en" : "ja";
    keepInput();
    writeCookie(language);
    const signOut = document.getElementById("sign-out");
    if (signOut && !signOut.hidden) {
      const remember = fetch("/api/auth/language", { method: "POST", credentials: "same-origin", cache: "no-store",
        headers: { "Content-Type": "application/json" }, body: JSON.stringify({ language }) }).catch(() => {});
      await Promise.race([remember, new Promise((r) => setTimeout(r, 3000))]);
    }
    location.reload();
  }
  document.addEventListener("DOMContentLoaded", () => {
    for (const b of document.querySelectorAll("[data-lang-switch]")) b.addEventListener("click", () => setLanguage(b.dataset.langSwitch));
    const kept = takeKept();
    if (kept && kept.scope === "") putBack(kept); else held = kept;
  });
  const locale = lang === "ja" ? "ja-JP" : "en-GB";
  // `scope`: whose input is on screen ("" for none); a page replaces it (the tablet: the patient).
  const self = { lang, other, ready, one, both, label, setLanguage, follow, locale, restoreInput, scope: () => "" };
  return self;
})();

// Every form here is sent by its page's script. One sent before that script is ready (a fast tap
// while the catalogue loads) must not fall back to the browser's own submit: that reloads the page
// with the fields, a passcode among them, in the address, and what was typed is gone. Nor may the
// tap be lost without a word: it is held, one per form, and sent once the pages' scripts have
// their handlers (each attaches them when the catalogue is here, so a moment after that).
const HeldForms = { ready: false, held: new Map() };  // form -> the button that sent it
I18N.ready.then(() => setTimeout(() => {
  HeldForms.ready = true;
  for (const [form, button] of HeldForms.held) {
    if (form.isConnected) form.requestSubmit(button && button.isConnected && button.form === form ? button : undefined);
  }
  HeldForms.held.clear();
}));
document.addEventListener("submit", (ev) => {
  if (ev.target.hasAttribute("action")) return;
  ev.preventDefault();
  if (!HeldForms.ready) { ev.stopImmediatePropagation(); HeldForms.held.set(ev.target, ev.submitter); }
}, true);

// Every password field has a button beside it that shows what was typed (ASVS 2.1.12): twelve
// characters and more, on a tablet's glass keyboard, in gloves. The field stays out of the input kept
// across a language switch while shown (`data-password`), and is masked again when its form is sent.
function addPasswordToggle(input) {
  if (input.dataset.password) return;
  input.dataset.password = "shown-by-toggle";
  const toggle = el("button", { cls: "password-toggle", testid: "password-toggle",
    attrs: { type: "button", "aria-pressed": "false" } });
  if (input.id) toggle.setAttribute("aria-controls", input.id);
  const show = (on) => {
    input.type = on ? "text" : "password";
    toggle.setAttribute("aria-pressed", String(on));
    toggle.textContent = on ? tr("Hide") : tr("Show");
  };
  toggle.addEventListener("click", () => { show(input.type === "password"); input.focus(); });
  if (input.form) input.form.addEventListener("submit", () => show(false));
  const field = el("span", { cls: "password-field" });
  input.replaceWith(field);
  field.append(input, toggle);
  show(false);
  I18N.ready.then(() => show(input.type === "text"));  // the label in the catalogue's words once it is here
}
document.addEventListener("DOMContentLoaded", () => {
  for (const input of document.querySelectorAll("input[type=password]")) addPasswordToggle(input);
});

// Message-id markers the extractor looks for: tr() is plain text, bi() a label node, both in the chosen language.
const tr = (msgid, params) => I18N.one(msgid, params);
const bi = (msgid, params) => I18N.label(msgid, params);
const $ = (id) => document.getElementById(id);

// el("li", {text, cls, testid, data: {...}, attrs: {...}}, ...children): text only, never HTML.
function el(tag, opts, ...children) {
  const e = document.createElement(tag);
  const o = opts || {};
  if (o.text !== undefined && o.text !== null) e.textContent = String(o.text);
  if (o.cls) e.className = o.cls;
  if (o.testid) e.dataset.testid = o.testid;
  for (const [k, v] of Object.entries(o.data || {})) e.dataset[k] = v;
  for (const [k, v] of Object.entries(o.attrs || {})) e.setAttribute(k, v);
  for (const c of children) if (c !== null && c !== undefined) e.append(c);
  return e;
}

class ApiError extends Error {
  // `summary` is the refusal without its fields; `fields` is [{field, reason}], each reason in the user's language.
  constructor(message, status, code, fields = [], summary = message) {
    super(message); this.status = status; this.code = code; this.fields = fields; this.summary = summary;
  }
  get network() { return this.status === 0; }
}

// A problem the page found itself, on one field (a vital sign out of range): shown like the hub's.
function fieldProblem(field, reason) {
  return new ApiError(reason, 400, "invalid", [{ field, reason }], "");
}

// The API takes writes as JSON only; a refusal comes back in the user's language as
// {error, message, fields: [{field, reason}]}. The message the hub builds names each field by its
// path ("basis.emergency_exception.reason_text"): a paramedic must never see one, so the error's
// message names the field by its label on this page instead.
async function api(method, path, body) {
  if (method !== "GET" && body === undefined) body = {};
  let res;
  try {
    res = await fetch(path, { method, credentials: "same-origin", cache: "no-store",
      headers: body ? { "Content-Type": "application/json" } : {}, body: body ? JSON.stringify(body) : undefined });
  } catch (e) {
    throw new ApiError(tr("No connection"), 0, "network");
  }
  const data = await res.json().catch(() => ({}));
  // Signing in brings the account's language (the server set the cookie): the page follows it, and
  // the caller waits for nothing, the page it would go on with is being replaced. Not while a
  // second factor is still due: that step's page stays, and the next load is in the language.
  if (res.ok && method === "POST" && path === "/api/auth/login" && data.language && data.language !== I18N.lang
      && (!data.stage || data.stage === "complete")) {
    I18N.follow(data.language);
    return new Promise(() => {});
  }
  // A session signed in with a temporary password reaches nothing until the person has chosen
  // their own (second-factor.js): any page that asks who is signed in asks for that first.
  if (res.ok && method === "GET" && path === "/api/auth/me" && data.must_change_password
      && typeof SecondFactor !== "undefined") return SecondFactor.choosePassword();
  if (!res.ok) {
    const fields = Array.isArray(data.fields) ? data.fields : [];
    const summary = Problems.summary(data.message || `HTTP ${res.status}`, fields);
    throw new ApiError(Problems.sentence(summary, fields), res.status, data.error, fields, summary);
  }
  return data;
}

// Each field's problem beside the field: the input says which problem paths it answers for with
// data-field="basis.emergency_exception.reason_text", and its visible label names it. A path no
// input on the page claims goes to the message line, without the path.
const Problems = {
  BODY: "(body)",  // the input as a whole (shared/problems.py)

  control(field) {
    if (!field || field === Problems.BODY) return null;
    return [...document.querySelectorAll("[data-field]")].find((e) => e.dataset.field === field) || null;
  },

  // What a paramedic calls the field: its label in the chosen language, never the path.
  label(field) {
    const c = Problems.control(field);
    if (!c) return "";
    if (c.dataset.fieldLabel) return c.dataset.fieldLabel;
    const lab = c.closest("label") || (c.id && document.querySelector(`label[for="${c.id}"]`));
    if (!lab) return c.getAttribute("aria-label") || "";
    const primary = lab.querySelector(".bi-p");
    if (primary) return primary.textContent.trim();
    return [...lab.childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join(" ").trim();
  },

  // The hub's message without the field list it appends (web/http.py reply): the pages show that list beside the fields.
  summary(message, fields) {
    if (!fields.length) return message;
    const listed = ": " + fields.map((f) => (f.field === Problems.BODY ? f.reason : `${f.field}: ${f.reason}`)).join("; ");
    if (message.endsWith(listed)) return message.slice(0, -listed.length);
    return fields.some((f) => message.includes(f.field)) ? I18N.one("check what you entered") : message;
  },

  // One line for where only text fits (the message line, a rejected update's reason).
  sentence(summary, fields) {
    const parts = fields.map((f) => { const l = Problems.label(f.field); return l ? `${l}: ${f.reason}` : f.reason; });
    return [summary, parts.join("; ")].filter(Boolean).join(": ");
  },

  // The error on screen: each field's reason beside it, the rest on the message line.
  show(e) {
    const fields = (e && e.fields) || [];
    const loose = [];
    for (const f of fields) {
      const c = Problems.control(f.field);
      if (!c) { loose.push(f.reason); continue; }
      let note = (c.closest("label") || c.parentElement).querySelector(":scope > .field-error");
      if (!note) {
        note = el("span", { cls: "field-error", testid: "field-error", data: { for: f.field },
          attrs: { id: `problem-${f.field.replace(/[^A-Za-z0-9_-]/g, "-")}` } });
        const lab = c.closest("label");
        if (lab) lab.append(note); else c.after(note);
      }
      note.textContent = note.textContent ? `${note.textContent}; ${f.reason}` : f.reason;
      c.setAttribute("aria-invalid", "true");
      c.setAttribute("aria-describedby", note.id);
    }
    say((fields.length && [e.summary, ...loose].filter(Boolean).join(": ")) || (e ? e.message : ""));
    const first = fields.map((f) => Problems.control(f.field)).find(Boolean);
    if (first) first.focus();
  },

  // Every problem off the page, fields and message line: the next action succeeded or started.
  clear() {
    for (const n of document.querySelectorAll(".field-error")) n.remove();
    for (const c of document.querySelectorAll("[data-field][aria-invalid]")) {
      c.removeAttribute("aria-invalid"); c.removeAttribute("aria-describedby");
    }
    say("");
  },
};

// An idempotency key: 32 hex characters from the platform's CSPRNG, within the API's 8-64 [A-Za-z0-9_-].
function newKey() {
  const bytes = new Uint8Array(16); crypto.getRandomValues(bytes);
  return "t" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

// One press of a button that creates something, however often a gloved finger fires it: the
// button is disabled while the work is in flight and a moment after it succeeds (a double tap's
// second tap lands on it then), and the work gets the same key until it succeeds, so a retry
// after a lost answer is the same submission and the hub applies it once.
const SETTLE_MS = 600;
function submission(control, work) {
  let key = null;
  return async (...args) => {
    if (control.disabled) return;
    control.disabled = true; control.setAttribute("aria-busy", "true");
    key = key || newKey();
    let ok = false;
    try { await work(key, ...args); ok = true; key = null; }
    finally {
      control.removeAttribute("aria-busy");
      if (ok) setTimeout(() => { control.disabled = false; }, SETTLE_MS); else control.disabled = false;
    }
  };
}

function say(text, ok = false) {
  const m = $("message"); if (!m) return;
  m.textContent = text || ""; m.className = ok ? "ok" : "";
}

const fmt = {
  time(iso) { const d = new Date(iso); return isNaN(d) ? "" : d.toLocaleTimeString(I18N.locale, { hour: "2-digit", minute: "2-digit", second: "2-digit" }); },
  hm(iso) { const d = new Date(iso); return isNaN(d) ? "" : d.toLocaleTimeString(I18N.locale, { hour: "2-digit", minute: "2-digit" }); },
  date(iso) { return iso ? String(iso).slice(0, 10) : "-"; },
  dateTime(iso) { const d = new Date(iso); return isNaN(d) ? "" : d.toLocaleString(I18N.locale, { dateStyle: "short", timeStyle: "short" }); },
  // 65000 -> "1:05", 3723000 -> "1:02:03"; negative shows as "-0:12"
  duration(ms) {
    const sign = ms < 0 ? "-" : ""; let s = Math.floor(Math.abs(ms) / 1000);
    const h = Math.floor(s / 3600); s -= h * 3600; const m = Math.floor(s / 60); s -= m * 60;
    const pad = (n) => String(n).padStart(2, "0");
    return h ? `${sign}${h}:${pad(m)}:${pad(s)}` : `${sign}${m}:${pad(s)}`;
  },
};

// Sex and basis codes the API returns, as bilingual text.
const CODES = {
  male: () => tr("male"), female: () => tr("female"),
  consent: () => tr("Consent"), emergency_exception: () => tr("Emergency exception"),
};
const code = (c) => (c && CODES[c] ? CODES[c]() : (c ?? "-"));

// Why a hospital declined, in the order the ER's decline form offers them; the codes live in
// shared/schemas/inquiry.py (DECLINE_REASONS), and the crew's tablet says the same words.
const DECLINE_REASONS = {
  no_bed: () => tr("no bed"), no_specialist: () => tr("no specialist"), treating_others: () => tr("treating other patients"),
  equipment: () => tr("equipment unavailable"), other: () => tr("other"),
};
const declineReason = (c) => (DECLINE_REASONS[c] ? DECLINE_REASONS[c]() : c);
