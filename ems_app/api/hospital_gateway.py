"""What a hospital gateway calls over HTTP: redeem a grant for the record and missed updates.

Authorization: DPoP <grant>, with a DPoP proof header signed by the hospital key the grant is
bound to. `?view=full` opens the full history, only on a physician's request, which is recorded.
The query is read strictly before anything else, and a bad one is refused and audited like any
other refused redemption: probing is what an attacker does first. Refusals are limited per
address and per hospital, and a flood is summed up in the trail (services/refusal_limit.py)."""
import re
from typing import Annotated, Literal

from flask import Blueprint, jsonify, request
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError

from ems_app.api import hub
from ems_app.services import hospital_access, refusal_limit
from shared.errors import Invalid
from shared.openapi import api
from shared.problems import WHOLE_NUMBER, refused

bp = Blueprint("hospital_gateway", __name__, url_prefix="/api/hospital")


def _sequence_number(value):
    # ASCII digits only: str.isdigit() takes "²", and int() refuses 5,000 digits with a ValueError.
    if isinstance(value, str):
        if not re.fullmatch(r"-?[0-9]+", value):
            raise Invalid(WHOLE_NUMBER)
        if len(value) > 20:
            raise Invalid("should be less than %(lt)s", lt=2**31)
    return value


class RedeemQuery(BaseModel):
    model_config = ConfigDict(extra="ignore")
    # Below 2**31: sequence numbers are an INTEGER column, and PostgreSQL refuses a larger one outright.
    after: Annotated[int, BeforeValidator(_sequence_number)] = Field(
        0, ge=0, lt=2**31, description="only the updates after this sequence number, without the record")
    view: Literal["full"] | None = Field(None, description="the full history (a physician's request only)")


@bp.get("/records/<incident_id>")
@api("Redeem a grant: the record within the grant's scope, and updates after ?after=", query=RedeemQuery,
     auth="hospital", tag="hospital", errors=[400, 401, 403, 429])
def redeem(incident_id):
    try:
        query = RedeemQuery.model_validate(request.args.to_dict())
    except ValidationError as e:
        refusal = refused(e)
        refusal_limit.refused(hub(), "unknown", request.remote_addr or "", incident_id, refusal.english)
        raise refusal from None
    return jsonify(hospital_access.redeem(
        hub(), method=request.method, url=request.base_url, authorization=request.headers.get("Authorization"),
        proof=request.headers.get("DPoP"), incident_id=incident_id,
        after_seq=query.after, full=query.view == "full",
        requested_by=request.headers.get("X-Requested-By", ""), address=request.remote_addr or ""))
