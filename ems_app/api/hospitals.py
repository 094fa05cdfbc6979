"""The hospital registry the crew chooses from, and the hub's public keys."""
from flask import Blueprint, jsonify
from sqlalchemy import select

from ems_app.api import hub
from ems_app.api.auth import crew_only
from ems_app.models import Hospital
from ems_app.realtime import connected_hospitals
from shared.openapi import api

bp = Blueprint("hospitals", __name__)


@bp.get("/api/hospitals")
@api("Enrolled hospitals, with whether each gateway is connected now", tag="hospitals")
@crew_only
def list_hospitals():
    online = connected_hospitals()
    with hub().db.read() as s:
        rows = s.scalars(select(Hospital).order_by(Hospital.name)).all()
    return jsonify([{"id": h.id, "name": h.name, "address": h.address, "level": h.emergency_level,
                     "latitude": h.latitude, "longitude": h.longitude, "online": h.id in online} for h in rows])


@bp.get("/.well-known/jwks.json")
@api("The keys that sign grants (JWKS)", auth="none", tag="keys")
def jwks():
    resp = jsonify(hub().keys.jwks())
    # Short enough that a rotation reaches verifiers well inside the overlap period.
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
