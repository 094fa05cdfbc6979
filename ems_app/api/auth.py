"""Crew and staff sign in to the hub."""
from flask import Blueprint, g, jsonify, session

from ems_app.api import hub
from ems_app.models import User
from ems_app.services import audit
from shared.openapi import api
from shared.schemas.incident import LoginIn
from sqlalchemy import select
from web import login
from web.http import body

bp = Blueprint("auth", __name__, url_prefix="/api/auth")


def load_user(uid: int) -> User | None:
    with hub().db.read() as s:
        return s.get(User, uid)


def find_user(username: str) -> User | None:
    with hub().db.read() as s:
        return s.scalars(select(User).where(User.username == username)).first()


def crew_only(view):
    return login.requires("paramedic", load_user=load_user)(view)


@bp.post("/login")
@api("Sign in", body=LoginIn, auth="none", tag="auth", errors=[401, 429])
def sign_in():
    data = body(LoginIn)
    user = login.check_sign_in(data.username, data.password, find_user)
    login.start_session(user.id, user.role)
    with hub().db.transaction() as s:
        audit.append(s, hub().audit_key, actor=f"user:{user.username}", action="auth.login")
    return jsonify(me_payload(user))


@bp.post("/logout")
@api("Sign out", auth="none", tag="auth")
def sign_out():
    session.clear()
    return jsonify({"ok": True})


@bp.get("/me")
@api("Who is signed in", tag="auth", errors=[401])
@login.requires(load_user=load_user)
def me():
    return jsonify(me_payload(g.user))


def me_payload(user: User) -> dict:
    return {"username": user.username, "display_name": user.display_name, "role": user.role,
            "team": user.team}
