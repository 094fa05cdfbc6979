"""Incoming patients as the signed-in role may see them; each look at a record is logged."""
from flask import Blueprint, g, jsonify

from hospital_app import store
from hospital_app.api import db
from hospital_app.api.auth import staff_only
from hospital_app.models import AccessLog
from shared.openapi import api
from web.http import ApiError

bp = Blueprint("patients", __name__, url_prefix="/api/patients")


@bp.get("")
@api("Incoming patients this hospital holds a live grant for", tag="patients")
@staff_only()
def list_patients():
    return jsonify([store.patient_view(db(), i, g.user.role) for i in store.patient_ids(db())])


@bp.get("/<incident_id>")
@api("One incoming patient", tag="patients", errors=[404])
@staff_only()
def show_patient(incident_id):
    view = store.patient_view(db(), incident_id, g.user.role)
    if view is None:
        raise ApiError(404, "no such patient, or the grant has ended / 該当患者なし", "not_found")
    with db().transaction() as s:
        s.add(AccessLog(staff=g.user.username, incident_id=incident_id, action="view"))
    return jsonify(view)
