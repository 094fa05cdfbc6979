"""The second factor's HTTP edge, one blueprint both apps register (`/api/factors`).

After the password a session is at the "password" stage (web/login.py): it reaches only these
endpoints. A user who has a factor shows it here (a passkey, a TOTP code or a recovery code); a
user whose role or organisation needs one and has none enrols one here, and that enrolment is
the second step. Once signed in fully, a user lists, adds and removes factors (the page is
web/factors_page.py); a change needs the sign-in or a factor shown again within a few minutes
(`/reauth`), and ends their other sessions. The rules are in shared/factors.py; each app gives
its tables, its trail and its relying party (`Site`)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flask import Blueprint, current_app, g, jsonify
from pydantic import BaseModel, ConfigDict, Field

from shared import sessions
from shared.accounts import check_password
from shared.clock import utcnow
from shared.errors import N_, Refused
from shared.factors import PASSKEY, REAUTH_S, RECOVERY, TOTP, Factors, Policy, required
from shared.openapi import api
from shared.passkeys import Rp
from shared.qr import svg_data_uri
from web import factors_page, login
from web.http import body

# Wrong second factors per account: a six-digit code has a million values, so 5 free and then
# the sign-in's doubling waits keep a guesser far below one chance in a thousand a day.
FACTOR = login.Rule(free=5, first_wait_s=30, max_wait_s=15 * 60, window_s=24 * 3600)


@dataclass
class Site:
    """What an app gives the blueprint: its factors, its relying party, and the name an
    authenticator app shows (`issuer`)."""
    factors: Factors
    rp: Rp
    issuer: str

    def reset(self, user_id: int, by: str) -> int:
        """An operator's reset (shared/accounts.py calls it through app.extensions["factors"])."""
        return self.factors.reset(user_id, by)


class Confirm(BaseModel):
    model_config = ConfigDict(extra="forbid")
    code: str = Field(min_length=1, max_length=32)
    label: str = Field(default="", max_length=64)
    replaces: int | None = Field(default=None, ge=1, description="the TOTP this one replaces (a new phone)")


class PasskeyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    credential: dict
    label: str = Field(default="", max_length=64)


class Verify(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["passkey", "totp", "recovery"]
    code: str | None = Field(default=None, max_length=32)
    credential: dict | None = None


class Reauth(BaseModel):
    model_config = ConfigDict(extra="forbid")
    method: Literal["passkey", "totp", "recovery", "password"]
    code: str | None = Field(default=None, max_length=32)
    credential: dict | None = None
    password: str | None = Field(default=None, max_length=256)


bp = Blueprint("factors", __name__, url_prefix="/api/factors")
first_factor = login.requires_first_factor


def init_app(app, site: Site, policy: Policy) -> None:
    """Register the endpoints and give sign-in its policy, bound to this app's enrolled factors."""
    app.extensions["factors"] = site
    app.config["SECOND_FACTOR_POLICY"] = policy.bound(site.factors.enrolled)
    app.register_blueprint(bp)
    app.register_blueprint(factors_page.bp)


def _site() -> Site:
    return current_app.extensions["factors"]


def _ref() -> str:
    return g.session.key  # the stored hash: ceremonies belong to the session that began them


def _may_enrol() -> None:
    """A full session may add factors; a password-stage one only its first, or an attacker with
    the password alone could add a factor of their own next to the owner's."""
    if g.session.stage != sessions.COMPLETE and _site().factors.enrolled(g.user.id):
        raise Refused(403, "show your second factor first", "second_factor_due")


def _fresh_s() -> float:
    return float(current_app.config.get("SECOND_FACTOR_FRESH_S") or REAUTH_S)


def _must_be_fresh() -> None:
    """A change by a full session: signed in, or a factor shown again, within the last few
    minutes; else 403 `reauthenticate` and the page asks for the factor (POST /reauth). A
    password-stage session's first enrolment is its sign-in, moments after the password."""
    if g.session.stage != sessions.COMPLETE:
        return
    if (utcnow() - g.session.created_at).total_seconds() < _fresh_s():
        return
    if not _site().factors.fresh(_ref(), g.user.id):
        raise Refused(403, "confirm it is you: show your second factor again", "reauthenticate")


def _enrolled(codes: list[str]) -> dict:
    """After an enrolment: a password-stage session is now complete (the enrolment was its second
    step); a full one ends the user's other sessions (a factor changed), and the answer says how
    many, for the screen to say."""
    if g.session.stage != sessions.COMPLETE:
        login.complete_second_factor()
        return {"ok": True, "recovery_codes": codes, "ended_sessions": 0}
    return {"ok": True, "recovery_codes": codes, "ended_sessions": login.end_other_sessions(sessions.FACTOR_CHANGED)}


@bp.get("")
@api("Your second factors, and whether sign-in is waiting for one", tag="factors", errors=[401])
@first_factor()
def listed():
    factors = _site().factors
    shown = factors.shown(g.user.id)
    return jsonify({
        "stage": g.session.stage, "required": required(g.user, current_app.config.get("SECOND_FACTOR_POLICY")),
        "factors": [{"id": f.id, "kind": f.kind, "label": f.label, "created_at": f.created_at.isoformat() + "Z",
                     "last_used_at": f.last_used_at.isoformat() + "Z" if f.last_used_at else None} for f in shown],
        "recovery_left": factors.recovery_left(g.user.id) if shown else 0})


@bp.post("/totp")
@api("Begin enrolling an authenticator app (TOTP): its secret", tag="factors", errors=[401, 403])
@first_factor()
def totp_begin():
    _may_enrol()
    _must_be_fresh()
    secret, uri = _site().factors.begin_totp(_ref(), g.user.id, g.user.username, _site().issuer)
    # The QR is drawn here from the very URI the text shows, and travels only in this answer (no-store).
    return jsonify({"secret": secret, "uri": uri, "qr": svg_data_uri(uri)})


@bp.post("/totp/confirm")
@api("Finish enrolling TOTP with a code from the app (replacing one, with `replaces`)", body=Confirm,
     tag="factors", errors=[400, 401, 403, 404])
@first_factor()
def totp_confirm():
    data = body(Confirm)
    _may_enrol()
    return jsonify(_enrolled(_site().factors.confirm_totp(_ref(), g.user.id, data.code, data.label or "TOTP",
                                                          replaces=data.replaces)))


@bp.post("/passkey/options")
@api("Begin enrolling a passkey: options for navigator.credentials.create()", tag="factors",
     errors=[401, 403])
@first_factor()
def passkey_begin():
    _may_enrol()
    _must_be_fresh()
    site = _site()
    return jsonify(site.factors.begin_passkey(_ref(), g.user.id, g.user.username,
                                              getattr(g.user, "display_name", "") or g.user.username, site.rp))


@bp.post("/passkey")
@api("Finish enrolling a passkey with the browser's answer", body=PasskeyIn, tag="factors",
     errors=[400, 401, 403, 409])
@first_factor()
def passkey_finish():
    data = body(PasskeyIn)
    _may_enrol()
    site = _site()
    return jsonify(_enrolled(site.factors.finish_passkey(_ref(), g.user.id, data.credential, site.rp,
                                                         data.label or "passkey")))


@bp.post("/sign-in/passkey-options")
@api("Options for navigator.credentials.get(), naming your passkeys", tag="factors",
     errors=[401, 409])
@first_factor()
def passkey_sign_in_options():
    return jsonify(_site().factors.begin_passkey_sign_in(_ref(), g.user.id, _site().rp))


def _check(data: Verify | Reauth) -> None:
    """The factor shown, throttled per account like a password; 401 if it is not right."""
    site, key = _site(), f"factor:{g.user.username}"
    attempt = login.throttle().take({key: FACTOR}, N_("too many failed attempts; try again in %(minutes)s min"))
    checks: dict[str, Callable[[], bool]] = {
        PASSKEY: lambda: data.credential is not None and site.factors.verify_passkey(_ref(), g.user.id, data.credential,
                                                                                       site.rp),
        TOTP: lambda: bool(data.code) and site.factors.verify_totp(g.user.id, data.code),
        RECOVERY: lambda: bool(data.code) and site.factors.use_recovery_code(g.user.id, data.code),
        "password": lambda: bool(data.password) and check_password(g.user.password_hash, data.password)}
    if not checks[data.method]():
        site.factors.failed(g.user.id, data.method)
        raise Refused(401, "that second factor was not accepted", "bad_second_factor")
    attempt.release(clear=(key,))


@bp.post("/verify")
@api("The second step of sign-in: a passkey, a TOTP code or a recovery code", body=Verify,
     tag="factors", errors=[400, 401, 429])
@first_factor()
def verify():
    data = body(Verify)
    _check(data)
    if g.session.stage != sessions.COMPLETE:
        login.complete_second_factor()  # the sign-in itself: fresh from its start (_must_be_fresh)
    else:
        _site().factors.reauthenticated(_ref(), g.user.id, data.method, _fresh_s())
    return jsonify({"ok": True, "recovery_left": _site().factors.recovery_left(g.user.id)})


@bp.post("/reauth")
@api("Show a factor again before changing your factors (the password only while you have none)", body=Reauth,
     tag="factors", errors=[400, 401, 429])
@login.requires(admin=True)
def reauth():
    data = body(Reauth)
    if data.method == "password" and _site().factors.enrolled(g.user.id):
        raise Refused(400, "show your second factor, not the password", "second_factor_due")
    _check(data)
    _site().factors.reauthenticated(_ref(), g.user.id, data.method, _fresh_s())
    return jsonify({"ok": True, "fresh_for_s": _fresh_s()})


@bp.delete("/<int:factor_id>")
@api("Remove one of your factors", tag="factors", errors=[401, 403, 404, 409])
@login.requires(admin=True)
def remove(factor_id: int):
    _must_be_fresh()
    _site().factors.remove(g.user.id, factor_id,
                           keep_one=required(g.user, current_app.config.get("SECOND_FACTOR_POLICY")))
    return jsonify({"ok": True, "ended_sessions": login.end_other_sessions(sessions.FACTOR_CHANGED)})


@bp.post("/recovery-codes")
@api("Ten new recovery codes (the old ones stop working); shown only in this answer", tag="factors",
     errors=[401, 403, 409])
@login.requires(admin=True)
def recovery_codes():
    _must_be_fresh()
    if not _site().factors.enrolled(g.user.id):
        raise Refused(409, "enrol a passkey or an authenticator app first", "no_factor")
    return jsonify({"recovery_codes": _site().factors.new_recovery_codes(g.user.id)})
