"""ER staff sign in; the role decides what the dashboard shows."""
from flask import Blueprint, g, jsonify, session
from sqlalchemy import select

from hospital_app.api import db
from hospital_app.models import Staff
from shared.openapi import api
from shared.schemas.incident import LoginIn
from web import login
from web.http import body

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


def load_staff(uid: int) -> Staff | None:
    with db().read() as s:
        return s.get(Staff, uid)


def find_staff(username: str) -> Staff | None:
    with db().read() as s:
        return s.scalars(select(Staff).where(Staff.username == username)).first()


def staff_only(*roles: str):
    return login.requires(*roles, load_user=load_staff)


@bp.post("/login")
@api("Sign in", body=LoginIn, auth="none", tag="auth", errors=[401, 429])
def sign_in():
    data = body(LoginIn)
    staff = login.check_sign_in(data.username, data.password, find_staff)
    login.start_session(staff.id, staff.role)
    return jsonify(me_payload(staff))


@bp.post("/logout")
@api("Sign out", auth="none", tag="auth")
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
