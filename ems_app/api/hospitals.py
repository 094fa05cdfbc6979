"""The hospital registry the crew chooses from, sorted by what the patient needs, and the hub's
public keys."""
from flask import Blueprint, jsonify, request
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ems_app.api import hub
from ems_app.api.auth import crew_only
from ems_app.realtime import connected_hospitals
from ems_app.services import availability
from shared.availability import Capability
from shared.openapi import api
from shared.problems import refused

bp = Blueprint("hospitals", __name__)


class ListQuery(BaseModel):
    """What the patient needs, and where the crew is (from the tablet's location, when it has one)."""
    model_config = ConfigDict(extra="forbid")
    need: Capability | None = Field(None, description="those with it available first, then unknown, then unavailable")
    latitude: float | None = Field(None, ge=-90, le=90)
    longitude: float | None = Field(None, ge=-180, le=180)


@bp.get("/api/hospitals")
@api("Enrolled hospitals: whether each gateway is connected now, its acceptance status by capability "
     "(unknown once not refreshed), the distance; sorted by the need", query=ListQuery, tag="hospitals", errors=[400])
@crew_only
def list_hospitals():
    try:
        q = ListQuery.model_validate({k: v for k, v in request.args.items() if v != ""})
    except ValidationError as e:
        raise refused(e) from None
    return jsonify(availability.hospital_list(hub(), connected_hospitals(hub()), q.need, q.latitude, q.longitude))


@bp.get("/.well-known/jwks.json")
@api("The keys that sign grants (JWKS)", auth="none", tag="keys")
def jwks():
    resp = jsonify(hub().keys.jwks())
    # Short enough that a rotation reaches verifiers well inside the overlap period.
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp
