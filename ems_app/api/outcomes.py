"""The outcome the ER returned for one of the crew's incidents (also pushed live on /crew)."""
from flask import Blueprint, g, jsonify

from ems_app.api import hub
from ems_app.api.auth import crew_only
from ems_app.services import incidents, outcomes
from shared.openapi import api

bp = Blueprint("outcomes", __name__)


@bp.get("/api/incidents/<incident_id>/outcome")
@api("What the ER found: severity at first diagnosis, diagnosis, disposition (null until returned)",
     tag="incidents", errors=[404])
@crew_only
def incident_outcome(incident_id):
    with hub().db.read() as s:
        incidents.load(s, g.user, incident_id)
        return jsonify({"incident_id": incident_id, "outcome": outcomes.as_payload(s, incident_id)})
