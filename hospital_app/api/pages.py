"""The pre-arrival dashboard page and a health check that says whether the hub is reachable."""
from flask import Blueprint, current_app, jsonify, render_template

from shared.openapi import api

bp = Blueprint("pages", __name__)


@bp.get("/")
def dashboard():
    """The ER pre-arrival dashboard."""
    return render_template("dashboard.html", hospital=current_app.config["HOSPITAL_NAME"])


@bp.get("/healthz")
@api("Liveness, and whether the gateway is connected to the hub", auth="none", tag="ops")
def healthz():
    return jsonify({"ok": True, "hub_connected": current_app.extensions["gateway"].connected})
