"""ER staff sign in; the role decides what the dashboard shows."""
from flask import Blueprint, g, jsonify, session
from sqlalchemy import select

from hospital_app.api import db
from hospital_app.models import Staff
from shared.accounts import DUMMY_HASH, check_password
from shared.errors import Refused
from shared.openapi import api
from shared.schemas.incident import LoginIn
from web import login
from web.http import body

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


def load_staff(uid: int) -> Staff | None:
    with db().read() as s:
        return s.get(Staff, uid)


def staff_only(*roles: str):
    return login.requires(*roles, load_user=load_staff)


@bp.post("/login")
@api("Sign in", body=LoginIn, auth="none", tag="auth", errors=[401, 429])
def sign_in():
    data = body(LoginIn)
    if login.throttle().locked(data.username):
        raise Refused(429, "too many failed attempts; wait 15 minutes", "locked")
    with db().read() as s:
        staff = s.scalars(select(Staff).where(Staff.username == data.username)).first()
    # An unknown user costs the same scrypt as a wrong password: timing tells nothing.
    if not check_password(staff.password_hash if staff else DUMMY_HASH, data.password) or staff is None:
        login.throttle().failed(data.username)
        raise Refused(401, "wrong username or password", "bad_credentials")
    login.throttle().succeeded(data.username)
    login.start_session(staff.id, staff.role)
    return jsonify(me_payload(staff))


@bp.post("/logout")
@api("Sign out", tag="auth")
def sign_out():
    session.clear()
    return jsonify({"ok": True})


@bp.get("/me")
@api("Who is signed in", tag="auth", errors=[401])
@staff_only()
def me():
    return jsonify(me_payload(g.user))


def me_payload(staff: Staff) -> dict:
    return {"username": staff.username, "display_name": staff.display_name, "role": staff.role}
