"""What a hospital gateway calls over HTTP: redeem a grant for the record and missed updates.

Authorization: DPoP <grant>, with a DPoP proof header signed by the hospital key the grant is
bound to. `?view=full` opens the full history, only on a physician's request, which is recorded."""
from flask import Blueprint, jsonify, request

from ems_app.api import hub
from ems_app.services import hospital_access
from shared.openapi import api

bp = Blueprint("hospital_gateway", __name__, url_prefix="/api/hospital")


@bp.get("/records/<incident_id>")
@api("Redeem a grant: the record within the grant's scope, and updates after ?after=",
     auth="hospital", tag="hospital", errors=[401, 403])
def redeem(incident_id):
    after = request.args.get("after", "0")
    return jsonify(hospital_access.redeem(
        hub(), method=request.method, url=request.base_url, authorization=request.headers.get("Authorization"),
        proof=request.headers.get("DPoP"), incident_id=incident_id,
        after_seq=int(after) if after.isdigit() else -1, full=request.args.get("view") == "full",
        requested_by=request.headers.get("X-Requested-By", "")))
