"""ER staff sign in; the role decides what the dashboard shows."""
from flask import Blueprint, current_app, g, jsonify
from sqlalchemy import select

from hospital_app.api import db
from hospital_app.models import Staff
from shared.openapi import api
from shared.schemas.incident import LoginIn
from hospital_app import access_log
from hospital_app.staff import ROLES  # who may have an account here
from shared.accounts import Accounts
from web import i18n, login, password
from web.http import body

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


def load_staff(uid: int) -> Staff | None:
    with db().read() as s:
        return s.get(Staff, uid)


def find_staff(username: str) -> Staff | None:
    with db().read() as s:
        return s.scalars(select(Staff).where(Staff.username == username)).first()


def init_app(app) -> None:
    """Server-side sessions for the ER, audited in its access log; its accounts for the admin page and CLI."""
    database, key = app.extensions["db"], app.config["AUDIT_KEY"]

    def audit_sign_in(action: str, username: str, role: str, detail: dict) -> None:
        with database.transaction() as s:  # not a look at a patient: never reported to the hub
            access_log.append(s, key, staff=username[:64], role=(role or "-")[:16], incident_id="-",
                              action=action, reported=True)

    def audit_account(s, actor: str, action: str, username: str, detail: dict) -> None:
        # An administrator's or the operator's change (role admin), or a person's own (actor_role: theirs).
        access_log.append(s, key, staff=actor[:64], role=detail.get("actor_role", login.ADMIN)[:16],
                          incident_id=f"user:{username}"[:32],
                          action=action, reported=True)

    login.init_app(app, database, load_staff, audit_sign_in)
    app.extensions["accounts"] = Accounts(
        database, Staff, ROLES, audit_account,
        lambda user, reason, actor: login.end_user_sessions(user, reason, actor),
        lambda user_id, actor: current_app.extensions["factors"].reset(user_id, actor)
        if "factors" in current_app.extensions else None)


def staff_only(*roles: str):
    return login.requires(*roles, load_user=load_staff)


@bp.post("/login")
@api("Sign in", body=LoginIn, auth="none", tag="auth", errors=[401, 429])
def sign_in():
    data = body(LoginIn)
    staff = login.check_sign_in(data.username, data.password, find_staff)
    stage = login.start_session(staff)  # audited in the access log
    return i18n.set_cookie(jsonify({**me_payload(staff), "stage": stage,
                                    "must_change_password": login.must_change_password(staff)}), staff.language or "")


@bp.post("/logout")
@api("Sign out", auth="none", tag="auth")
def sign_out():
    login.sign_out()
    return jsonify({"ok": True})


@bp.get("/me")
@api("Who is signed in, and whether they must first choose their own password", tag="auth", errors=[401])
@login.requires(load_user=load_staff, admin=True, changing=True)
def me():
    return jsonify({**me_payload(g.user), "must_change_password": login.must_change_password()})


@bp.post("/password")
@api("Change your own password: the current one and the new one; your other sessions end "
     "(and a temporary password's sign-in is complete)", body=password.PasswordChange, tag="auth",
     errors=[400, 401, 429])
@login.requires(load_user=load_staff, admin=True, changing=True)
def change_password():
    return password.change()


@bp.post("/language")
@api("Remember the signed-in user's language (ja or en): set on this device now, on others at sign-in",
     body=i18n.LanguageIn, tag="auth", errors=[401])
@login.requires(load_user=load_staff, admin=True)
def choose_language():
    language = body(i18n.LanguageIn).language
    with db().transaction() as s:
        s.get(Staff, g.user.id).language = language
    return i18n.set_cookie(jsonify({"language": language}), language)


def me_payload(staff: Staff) -> dict:
    return {"username": staff.username, "display_name": staff.display_name, "role": staff.role,
            "language": staff.language}
