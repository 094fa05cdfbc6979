"""What a hospital gateway calls over HTTP: redeem a grant for the record and missed updates."""
from flask import Blueprint, jsonify, request

from ems_app.api import hub
from ems_app.services import hospital_access
from shared.openapi import api
from web.http import ApiError

bp = Blueprint("hospital_gateway", __name__, url_prefix="/api/hospital")


def _bearer() -> str | None:
    header = request.headers.get("Authorization", "")
    return header[7:] if header.startswith("Bearer ") else None


@bp.get("/records/<incident_id>")
@api("Redeem a grant: the emergency summary within the grant's scope, and updates after ?after=",
     auth="hospital", tag="hospital", errors=[401, 403])
def redeem(incident_id):
    hospital = hospital_access.authenticate(hub(), request.headers.get("X-Hospital-Assertion"))
    try:
        after = int(request.args.get("after", 0))
    except ValueError:
        raise ApiError(400, "after: must be an integer sequence number", "invalid") from None
    return jsonify(hospital_access.redeem(hub(), hospital, _bearer(), incident_id, after))
