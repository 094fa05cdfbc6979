"""The tablet UI: one page, large touch targets, Japanese first with English beside it."""
from flask import Blueprint, jsonify, render_template

from shared.openapi import api

bp = Blueprint("pages", __name__)


@bp.get("/")
def tablet():
    """The paramedic's tablet."""
    return render_template("tablet.html")


@bp.get("/healthz")
@api("Liveness", auth="none", tag="ops")
def healthz():
    return jsonify({"ok": True})
