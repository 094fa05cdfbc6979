"""Crew and staff sign in to the hub."""
from flask import Blueprint, current_app, g, jsonify

from ems_app.api import hub
from ems_app.models import User
from ems_app.services import audit
from shared.openapi import api
from shared.schemas.incident import LoginIn
from sqlalchemy import select
from shared.accounts import Accounts
from web import i18n, login, password
from web.http import body

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


def load_user(uid: int) -> User | None:
    with hub().db.read() as s:
        return s.get(User, uid)


def find_user(username: str) -> User | None:
    with hub().db.read() as s:
        return s.scalars(select(User).where(User.username == username)).first()


# Who may have an account at the hub; an admin manages accounts and sees no incident (web/admin.py).
ROLES = ("paramedic", "privacy_officer", "fire_analyst", "medical_control", login.ADMIN)


def init_app(app) -> None:
    """Server-side sessions for the hub, audited in its trail; its accounts for the admin page and CLI."""
    the_hub = app.extensions["hub"]

    def audit_sign_in(action: str, username: str, role: str, detail: dict) -> None:
        with the_hub.db.transaction() as s:
            audit.append(s, the_hub.audit_key, actor=f"user:{username}", action=action,
                         detail={"role": role, **detail} if role else detail)

    def audit_account(s, actor: str, action: str, username: str, detail: dict) -> None:
        audit.append(s, the_hub.audit_key, actor=actor, action=action, detail={"username": username, **detail})

    login.init_app(app, the_hub.db, load_user, audit_sign_in)
    app.extensions["accounts"] = Accounts(
        the_hub.db, User, ROLES, audit_account,
        lambda user, reason, actor: login.end_user_sessions(user, reason, actor),
        lambda user_id, actor: current_app.extensions["factors"].reset(user_id, actor)
        if "factors" in current_app.extensions else None)


def crew_only(view):
    return login.requires("paramedic", load_user=load_user)(view)


@bp.post("/login")
@api("Sign in", body=LoginIn, auth="none", tag="auth", errors=[401, 429])
def sign_in():
    data = body(LoginIn)
    user = login.check_sign_in(data.username, data.password, find_user)
    stage = login.start_session(user)  # audited as auth.login
    return i18n.set_cookie(jsonify({**me_payload(user), "stage": stage,
                                    "must_change_password": login.must_change_password(user)}), user.language or "")


@bp.post("/logout")
@api("Sign out", auth="none", tag="auth")
def sign_out():
    login.sign_out()
    return jsonify({"ok": True})


@bp.get("/me")
@api("Who is signed in, and whether they must first choose their own password", tag="auth", errors=[401])
@login.requires(load_user=load_user, admin=True, changing=True)
def me():
    return jsonify({**me_payload(g.user), "must_change_password": login.must_change_password()})


@bp.post("/password")
@api("Change your own password: the current one and the new one; your other sessions end "
     "(and a temporary password's sign-in is complete)", body=password.PasswordChange, tag="auth",
     errors=[400, 401, 429])
@login.requires(load_user=load_user, admin=True, changing=True)
def change_password():
    return password.change()


@bp.post("/language")
@api("Remember the signed-in user's language (ja or en): set on this device now, on others at sign-in",
     body=i18n.LanguageIn, tag="auth", errors=[401])
@login.requires(load_user=load_user, admin=True)
def choose_language():
    language = body(i18n.LanguageIn).language
    with hub().db.transaction() as s:
        s.get(User, g.user.id).language = language
    return i18n.set_cookie(jsonify({"language": language}), language)


def me_payload(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "team": user.team, "language": user.language}
