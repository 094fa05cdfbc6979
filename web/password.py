"""A signed-in user changes their own password (ASVS 2.1.5, 2.1.6), the same on both apps: each
app's auth blueprint routes `POST /api/auth/password` here (`change`).

Without it, a password an administrator typed or the operator printed stayed the password, and a
person who feared theirs was seen had to find an administrator. The change asks for the current
password, past any second factor only (a session still owing one cannot), and checks it
under the sign-in's own throttle: a stolen session must not be a way to guess the password. The
new one follows the one rule (shared/accounts.py). On success every other session of the person
ends at once, their sockets closed (a device someone else holds is out), and the answer says how
many. Both the change and a wrong current password are audited; the password never is.

It is also the way out of a temporary password (shared/accounts.py): a session signed in with one
reaches this and little else (web/login.py, the "change" stage) until the person has chosen their
own here, and the change then completes the session."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from pydantic import BaseModel, ConfigDict, Field

from shared import sessions
from shared.accounts import Accounts, check_password, refuse_weak
from shared.errors import N_, FieldProblem, Refused
from web import login
from web.http import body


class PasswordChange(BaseModel):
    model_config = ConfigDict(extra="forbid")
    # 256 caps the input, as at sign-in; the rule itself refuses a new one over 128 with its field named.
    current_password: str = Field(min_length=1, max_length=256)
    new_password: str = Field(min_length=1, max_length=256)


def change():
    """The route's body, for `g.user` (set by `login.requires(changing=True)`: a complete session,
    or one owing its own password)."""
    data = body(PasswordChange)
    accounts: Accounts = current_app.extensions["accounts"]
    user = g.user
    # A new password the rule refuses needs no current one checked: no guess spent, none counted.
    refuse_weak(data.new_password, "new_password")
    attempt, account = login.password_attempt(user.username)
    # The hash from the database, not the few-seconds cache of the signed-in user (web/login.py).
    if not check_password(accounts.find(user.username).password_hash, data.current_password):
        login.state().audit("auth.password_change_failed", user.username, user.role,
                            {"address": request.remote_addr or ""})
        raise Refused(400, N_("the current password is not right"), "bad_current_password",
                      fields=[FieldProblem("current_password", N_("the current password is not right"))])
    attempt.release(clear=(account,))
    accounts.change_password(user.username, data.current_password, data.new_password)
    if g.session.stage == sessions.CHANGE:
        login.complete_password_change()
    return jsonify({"ok": True, "ended_sessions": login.end_other_sessions(sessions.PASSWORD_CHANGED)})
