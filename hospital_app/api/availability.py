"""This ER's acceptance status by capability, as the crews' tablets will read it: every member of
staff reads it; physicians and nurses set it (hospital_app/availability.py says why not the desk)."""
from flask import Blueprint, current_app, g, jsonify

from hospital_app import availability
from hospital_app.api import db
from hospital_app.api.auth import staff_only
from hospital_app.visibility import CLINICAL_ROLES
from shared.availability import SetIn
from shared.openapi import api
from web.http import body

bp = Blueprint("availability", __name__, url_prefix="/api/availability")


def _ttl() -> int:
    return current_app.config["AVAILABILITY_TTL_S"]


@bp.get("")
@api("Each capability: available, unavailable, or unknown (never set, or not refreshed in time)", tag="availability")
@staff_only()
def show():
    return jsonify({"availability": availability.board(db(), _ttl()), "ttl_s": _ttl()})


@bp.post("")
@api("Set one capability (physicians and nurses); sent to the hub and every crew at once", body=SetIn,
     tag="availability", errors=[403])
@staff_only(*CLINICAL_ROLES)
def set_one():
    return jsonify(availability.set_one(db(), current_app.extensions["gateway"], _ttl(), body(SetIn), g.user.role))


@bp.post("/confirm")
@api("Still true: every capability not yet expired is set again now (physicians and nurses)",
     tag="availability", errors=[403, 409])
@staff_only(*CLINICAL_ROLES)
def confirm():
    return jsonify(availability.confirm(db(), current_app.extensions["gateway"], _ttl(), g.user.role))
