// Shared by every page of both apps: the message catalogue (Japanese first, English beside it),
// small DOM helpers that only ever set text (never HTML), and a fetch wrapper for the JSON API.
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
  // The chosen language, for text where both would not fit (an aria-label, a chart axis).
  const one = (msgid, params) => text(msgid, lang, params);
  // Both languages as one line of plain text: "送信済 / sent".
  const both = (msgid, params) => `${text(msgid, lang, params)} / ${text(msgid, other, params)}`;
  // A bilingual label: the chosen language large, the other small beside it.
  function label(msgid, params) {
    const span = document.createElement("span"); span.className = "bi";
    const p = document.createElement("span"); p.className = "bi-p"; p.lang = lang; p.textContent = text(msgid, lang, params);
    const s = document.createElement("small"); s.className = "bi-s"; s.lang = other; s.textContent = text(msgid, other, params);
    span.append(p, " ", s);
    return span;
  }
  function setLanguage(to) {
    document.cookie = `lang=${to === "en" ? "en" : "ja"}; path=/; max-age=31536000; SameSite=Strict`;
    location.reload();
  }
  document.addEventListener("DOMContentLoaded", () => {
    for (const b of document.querySelectorAll("[data-lang-switch]")) b.addEventListener("click", () => setLanguage(b.dataset.langSwitch));
  });
  const locale = lang === "ja" ? "ja-JP" : "en-GB";
  return { lang, other, ready, one, both, label, setLanguage, locale };
})();

// Message-id markers the extractor looks for: tr() is plain bilingual text, bi() a bilingual label node.
const tr = (msgid, params) => I18N.both(msgid, params);
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
  constructor(message, status, code) { super(message); this.status = status; this.code = code; }
  get network() { return this.status === 0; }
}

// The API takes writes as JSON only; a refusal comes back as {error, message} in both languages.
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
  if (!res.ok) throw new ApiError(data.message || `HTTP ${res.status}`, res.status, data.error);
  return data;
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
