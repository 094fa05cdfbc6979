"""The crew downloads its incident's emergency record as a FHIR R4 Bundle (docs/fhir.md)."""
from flask import Blueprint, g, jsonify

from ems_app.api import hub
from ems_app.api.auth import crew_only
from ems_app.services import fhir_export
from shared.openapi import api

bp = Blueprint("fhir", __name__, url_prefix="/api")


@bp.get("/incidents/<incident_id>/fhir")
@api("The incident's emergency summary, vitals, transport and basis as a FHIR R4 Bundle, as a file "
     "(audited like a view of the record)", response=dict, tag="incidents", errors=[404, 409])
@crew_only
def incident_bundle(incident_id):
    resp = jsonify(fhir_export.incident_bundle(hub(), g.user, incident_id))
    resp.headers["Content-Disposition"] = f"attachment; filename=prearrival-{incident_id}.json"
    return resp
