"""The page where signed-in staff manage their own second factors, the same on both apps
(`/account/factors`, reached from the tablet's and the dashboard's top bar).

A lost phone, a new tablet, recovery codes used up: people change their factors without an
administrator. The page lists each factor (kind, name, added, last used), adds a passkey or an
authenticator app (its QR drawn by the server), replaces or removes one, and issues new recovery
codes, all through /api/factors (web/factors.py), which asks for a factor again when the sign-in is
more than a few minutes old and ends the person's other sessions after a change. The HTML is
static; web/static/factors-page.js fills it with textContent."""
from __future__ import annotations

from flask import Blueprint, render_template

from shared.openapi import api

bp = Blueprint("factors_page", __name__, template_folder="templates")


@bp.get("/account/factors")
@api("The page to manage your own second factors (HTML)", auth="none", tag="factors", page=True)
def page():
    return render_template("factors.html")
