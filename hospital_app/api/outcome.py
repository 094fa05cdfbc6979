"""The outcome this ER returns to the fire service for a patient it took: recorded by a
physician, read by clinical staff (hospital_app/outcome_return.py)."""
from flask import Blueprint, current_app, g, jsonify

from hospital_app import outcome_return, store
from hospital_app.api import db
from hospital_app.api.auth import staff_only
from hospital_app.visibility import CLINICAL_ROLES
from shared import diagnoses
from shared.errors import Refused
from shared.openapi import api
from web import i18n
from web.http import body

bp = Blueprint("outcome", __name__)


@bp.get("/api/outcome/diagnoses")
@api("Common diagnoses by ICD-10 code, in the reader's language, for the outcome form", tag="outcome")
@staff_only(*CLINICAL_ROLES)
def common_diagnoses():
    return jsonify(diagnoses.common(i18n.current()))


@bp.get("/api/patients/<incident_id>/outcome")
@api("The outcome this ER returned for the patient (null until returned)", tag="outcome", errors=[404])
@staff_only(*CLINICAL_ROLES)
def show(incident_id):
    if store.last_seq(db(), incident_id) is None:
        raise Refused(404, "no such patient, or the grant has ended", "not_found")
    return jsonify({"incident_id": incident_id, **outcome_return.held(db(), incident_id)})


@bp.post("/api/patients/<incident_id>/outcome")
@api("Return the outcome to the fire service, or correct it (physicians; at or after handover)",
     body=outcome_return.OutcomeIn, tag="outcome", errors=[403, 404, 409, 503, 504])
@staff_only("physician")
def record(incident_id):
    return jsonify(outcome_return.record(db(), current_app.extensions["gateway"], current_app.config["AUDIT_KEY"],
                                         incident_id, body(outcome_return.OutcomeIn), g.user))
