"""The administrator's page and API, the same on both apps: staff accounts and nothing else.

An administrator adds staff, disables and re-enables them, resets a password or the second
factors, and ends a user's sessions (a lost tablet). A password set here is temporary: the person
chooses their own at first sign-in, or the administrator could sign in as them (shared/accounts.py). The role sees names and roles only, never an
incident or a patient: every other route leaves it out (web/login.py, `requires`). Each change is
audited in the app's trail, and one that takes access away ends the user's sessions and closes
their sockets at once (shared/accounts.py). The same operations are on each app's command line
(`python -m ems_app users ...`, `python -m hospital_app users ...`)."""
from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, current_app, g, jsonify, render_template
from pydantic import BaseModel, ConfigDict, Field

from shared.accounts import Accounts
from shared.errors import Refused
from shared.openapi import api
from web import login
from web.http import body

bp = Blueprint("admin", __name__, template_folder="templates")
admin_only = login.requires(login.ADMIN)


class NewAccount(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    display_name: str = Field(min_length=1, max_length=128)
    role: str = Field(min_length=1, max_length=32)
    password: str = Field(min_length=1, max_length=256)
    team: str = Field(default="", max_length=64)  # the hub's crews; the hospital has none


class NewPassword(BaseModel):
    model_config = ConfigDict(extra="forbid")
    password: str = Field(min_length=1, max_length=256)


def accounts() -> Accounts:
    return current_app.extensions["accounts"]


def actor() -> str:
    return f"admin:{g.user.username}"


@bp.get("/admin")
@api("The administrator's page (accounts)", auth="none", tag="admin", page=True)
def page():
    return render_template("admin.html", roles=accounts().roles)


@bp.get("/api/admin/accounts")
@api("Every staff account: username, name, role, disabled", tag="admin", errors=[401, 403])
@admin_only
def listing():
    return jsonify({"accounts": [asdict(a) for a in accounts().list()], "roles": list(accounts().roles)})


@bp.post("/api/admin/accounts")
@api("Add a staff account (the password rule applies; temporary: chosen anew at first sign-in)", body=NewAccount,
     tag="admin", errors=[400, 401, 403, 409], ok=(201,))
@admin_only
def add():
    data = body(NewAccount)
    extra = {"team": data.team} if hasattr(accounts().model, "team") else {}
    account = accounts().add(data.username, data.display_name, data.role, data.password, actor(), **extra)
    return jsonify(asdict(account)), 201


@bp.post("/api/admin/accounts/<username>/disable")
@api("Disable an account: no sign-in, its sessions end now", tag="admin", errors=[401, 403, 404, 409])
@admin_only
def disable(username: str):
    if username == g.user.username:  # the last administrator must not lock everyone out
        raise Refused(409, "you cannot disable your own account", "conflict")
    return jsonify({"ended_sessions": accounts().disable(username, actor())})


@bp.post("/api/admin/accounts/<username>/enable")
@api("Enable a disabled account again", tag="admin", errors=[401, 403, 404])
@admin_only
def enable(username: str):
    return jsonify(asdict(accounts().enable(username, actor())))


@bp.post("/api/admin/accounts/<username>/password")
@api("Set a new temporary password (chosen anew at next sign-in); the user's sessions end", body=NewPassword,
     tag="admin", errors=[400, 401, 403, 404])
@admin_only
def password(username: str):
    return jsonify({"ended_sessions": accounts().reset_password(username, body(NewPassword).password, actor())})


@bp.post("/api/admin/accounts/<username>/factors/reset")
@api("Remove the user's second factors; the user's sessions end", tag="admin", errors=[401, 403, 404])
@admin_only
def reset_factors(username: str):
    return jsonify({"ended_sessions": accounts().reset_factors(username, actor())})


@bp.post("/api/admin/accounts/<username>/sessions/end")
@api("End every session of the user now (and close its sockets)", tag="admin", errors=[401, 403, 404])
@admin_only
def revoke(username: str):
    return jsonify({"ended_sessions": accounts().revoke(username, actor())})
