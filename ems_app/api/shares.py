"""The QR share: the crew creates it; a hospital that is not enrolled opens it in any browser."""
from flask import Blueprint, g, jsonify, render_template, request
from pydantic import BaseModel, ConfigDict, Field

from ems_app.api import hub
from ems_app.api.auth import crew_only
from ems_app.services import shares
from shared.openapi import api
from shared.schemas.incident import ClientId
from web.http import body

bp = Blueprint("shares", __name__)


class ShareIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    recipient: str = Field(min_length=1, max_length=200, description="the hospital told the passcode by phone")
    client_id: ClientId | None = Field(None, description="the tablet's key for this press: a repeat ends the share "
                                                         "made with it and makes a new one (one live link)")
    max_uses: int | None = Field(None, ge=1, le=20, description="right-passcode openings allowed (a reload is one); "
                                                               "null: until the link expires; omitted: the hub's default")


class PasscodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    passcode: str = Field(pattern=r"^\d{6}$", description="six digits, given by phone")


@bp.post("/api/incidents/<incident_id>/shares")
@api("Create a QR link and a passcode for a hospital that is not enrolled: it opens until it expires, at most "
     "max_uses times; a repeat of client_id ends the link made with it", body=ShareIn,
     tag="shares", errors=[404, 409], ok=[201])
@crew_only
def create_share(incident_id):
    data = body(ShareIn)
    limit = {"max_uses": data.max_uses} if "max_uses" in data.model_fields_set else {}
    return jsonify(shares.create(hub(), g.user, incident_id, data.recipient, request.host_url, data.client_id,
                                 **limit)), 201


@bp.get("/s/<token>")
@api("The page the QR code opens (HTML)", auth="none", tag="shares", page=True, errors=[404, 410])
def share_page(token):
    """The page the QR code opens: a passcode form, no patient data until the passcode is right."""
    state = shares.status(hub(), token)
    return render_template("share.html", state=state), {"open": 200, "unknown": 404}.get(state, 410)


@bp.post("/api/shares/<token>/open")
@api("Open a shared summary with its passcode (wrong passcodes limited, openings counted against the use "
     "limit, audited)", body=PasscodeIn, auth="none",
     tag="shares", errors=[401, 403, 404, 410])
def open_share(token):
    return jsonify(shares.open_share(hub(), token, body(PasscodeIn).passcode, request.remote_addr or ""))
