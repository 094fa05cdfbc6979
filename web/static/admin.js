// The administrator's page: staff accounts only (web/admin.py). Each action that takes access
// away asks first and says how many sessions it ended.
"use strict";

const ROLES = { paramedic: () => tr("Paramedic"), privacy_officer: () => tr("Privacy officer"), admin: () => tr("Administrator"),
  physician: () => tr("Physician"), nurse: () => tr("Nurse"), clerk: () => tr("Clerk"), board: () => tr("Wall board") };
const roleName = (r) => (ROLES[r] ? ROLES[r]() : r);
let me = null;

async function act(path, body, done, confirmText) {
  if (confirmText && !window.confirm(confirmText)) return;
  try {
    const answer = await api("POST", path, body);
    say(done(answer), true);
    await load();
  } catch (e) { say(e.message); }
}

function actions(account) {
  const at = `/api/admin/accounts/${encodeURIComponent(account.username)}`;
  const ended = (a) => tr("{n} sessions ended", { n: a.ended_sessions });
  const button = (label, action, cls, onClick) => {
    const b = el("button", { cls, attrs: { type: "button" }, data: { action } }, label);
    b.addEventListener("click", onClick);
    return b;
  };
  const cell = el("td", { cls: "actions" });
  if (account.disabled) {
    cell.append(button(bi("Enable"), "enable", "primary", () => act(`${at}/enable`, {}, () => tr("Enabled"))));
  } else if (!me || account.username !== me.username) {
    cell.append(button(bi("Disable"), "disable", "danger", () => act(`${at}/disable`, {}, ended,
      tr("Disable {name}? Every session of this account ends now.", { name: account.username }))));
  }
  cell.append(
    button(bi("End sessions"), "end-sessions", "", () => act(`${at}/sessions/end`, {}, ended)),
    button(bi("Reset second factors"), "reset-factors", "", () => act(`${at}/factors/reset`, {}, ended,
      tr("Remove every second factor of {name}? They enrol again at their next sign-in.", { name: account.username }))),
    button(bi("Set password"), "set-password", "", () => {
      const password = window.prompt(tr("New password for {name} (at least 12 characters)", { name: account.username }));
      if (password) act(`${at}/password`, { password }, ended);
    }));
  return cell;
}

function render(accounts) {
  const body = $("accounts"); body.replaceChildren();
  for (const a of accounts) {
    body.append(el("tr", { testid: "account", cls: a.disabled ? "disabled-account" : "", data: { username: a.username } },
      el("td", {}, el("code", { text: a.username })), el("td", { text: a.display_name }),
      el("td", { text: roleName(a.role), data: { role: a.role } }),
      el("td", { testid: "state", cls: a.disabled ? "state-disabled" : "", text: a.disabled ? tr("Disabled") : tr("Active") }),
      actions(a)));
  }
}

async function load() {
  const answer = await api("GET", "/api/admin/accounts");
  $("login-view").hidden = true; $("accounts-view").hidden = false; $("sign-out").hidden = false;
  render(answer.accounts);
}

async function start() {
  try {
    me = await api("GET", "/api/auth/me");
    $("who").textContent = me.display_name;
    if (me.role !== "admin") { say(tr("Only an administrator manages accounts")); return; }
    await load();
  } catch (e) { $("login-view").hidden = false; }
}

document.addEventListener("DOMContentLoaded", async () => {
  await I18N.ready;
  for (const option of document.querySelectorAll("option[data-role]")) option.textContent = roleName(option.dataset.role);
  $("login-form").addEventListener("submit", async (ev) => {
    ev.preventDefault(); const f = new FormData(ev.target);
    try {
      // An administrator always proves a second factor (shared/factor_policy.py) before the accounts show.
      await SecondFactor.after(await api("POST", "/api/auth/login", { username: f.get("username"), password: f.get("password") }));
      say(""); await start();
    } catch (e) { say(e.message); }
  });
  $("add-form").addEventListener("submit", async (ev) => {
    ev.preventDefault(); const f = new FormData(ev.target);
    const account = { username: f.get("username"), display_name: f.get("display_name"), role: f.get("role"), password: f.get("password") };
    try {
      await api("POST", "/api/admin/accounts", account);
      ev.target.reset(); say(tr("Added {name}", { name: account.username }), true); await load();
    } catch (e) { say(e.message); }
  });
  $("sign-out").addEventListener("click", async () => { await api("POST", "/api/auth/logout").catch(() => {}); location.reload(); });
  await start();
});
