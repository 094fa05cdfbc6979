"""The pre-arrival record leaves PreArrival for the hospital's own systems: a physician downloads
it as a FHIR R4 Bundle, or files it into the EMR as a FHIR transaction (docs/fhir.md).

Least privilege: physicians only, as for the full history. A nurse's or a clerk's attempt is
refused and kept in the hospital's access log with the name, like every refused look. The hub
has no word for these (it is told of looks and of full-history refusals), so they stay in this
hospital's log: marked as reported, or the gateway would offer them to the hub forever."""
from flask import Blueprint, current_app, g, jsonify
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from hospital_app import access_log, emr_filing, store
from hospital_app.api import db
from hospital_app.api.auth import staff_only
from hospital_app.api.patients import log_access
from hospital_app.patient_fhir import patient_bundle
from shared.clock import aware
from shared.errors import Refused
from shared.openapi import api
from shared.schemas.incident import ClientId
from web.http import body

bp = Blueprint("emr", __name__, url_prefix="/api")

EMR_ROLES = ("physician",)


class FilingIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    client_id: ClientId | None = Field(None, description="idempotency key of the press: a resend gets the same filing")


class FilingOut(BaseModel):
    incident_id: str
    outcome: str = Field(description="filed")
    emr_status: int | None = Field(description="the EMR's HTTP status")
    created: list[str] = Field(description="the ids the EMR made, e.g. Patient/123")
    existing: list[str] = Field(description="the ids the EMR already had (sent before)")
    filed_at: AwareDatetime
    filed_by: str


class EmrOut(BaseModel):
    filing: bool = Field(description="an EMR is configured: physicians may file to it")


@bp.get("/emr")
@api("Whether this hospital files to an EMR (else the dashboard offers the download only)", response=EmrOut,
     tag="patients")
@staff_only()
def emr_settings():
    return jsonify({"filing": bool(current_app.config["EMR_FHIR_URL"])})


@bp.get("/patients/<incident_id>/fhir")
@api("The patient's pre-arrival record as a FHIR R4 Bundle, as a file (physicians only; refusals are logged)",
     response=dict, tag="patients", errors=[403, 404, 409])
@staff_only()
def patient_fhir(incident_id):
    _physician_only(incident_id, "fhir_export_refused")
    bundle = _held_bundle(incident_id)
    _log(incident_id, "fhir_export")
    log_access(incident_id, "view")  # what the hub hears: a physician's look at the summary
    resp = jsonify(bundle)
    resp.headers["Content-Disposition"] = f"attachment; filename=prearrival-{incident_id}.json"
    return resp


@bp.post("/patients/<incident_id>/file-to-emr")
@api("File the pre-arrival record into the hospital's EMR as a FHIR transaction (physicians only; every "
     "attempt is logged here); 200 with the earlier filing if client_id was used for one",
     body=FilingIn, response=FilingOut, tag="patients", errors=[403, 404, 409, 502, 503, 504], ok=[201, 200])
@staff_only()
def file_to_emr(incident_id):
    client_id = body(FilingIn).client_id
    _physician_only(incident_id, "emr_filing_refused")
    earlier = emr_filing.filed_with(db(), incident_id, client_id)
    if earlier is not None:
        return jsonify(_filing_out(earlier)), 200
    settings = current_app.config
    bundle = _held_bundle(incident_id)
    if not settings["EMR_FHIR_URL"]:
        raise Refused(409, "no EMR is configured for filing; download the FHIR file instead", "no_emr")
    filing = emr_filing.file_record(db(), settings, incident_id, bundle, staff=g.user.username, role=g.user.role,
                                    client_id=client_id)
    return jsonify(_filing_out(filing)), 201


def _physician_only(incident_id: str, refused_as: str) -> None:
    """Anyone else is refused, and the attempt logged with the name (whether or not the patient is here)."""
    if g.user.role not in EMR_ROLES:
        _log(incident_id, refused_as)
        raise Refused(403, "your role may not do this", "forbidden")


def _held_bundle(incident_id: str) -> dict:
    """The Bundle of a patient this hospital still holds (the grant window has not ended)."""
    if store.grant_if_held(db(), incident_id) is None:
        raise Refused(404, "no such patient, or the grant has ended", "not_found")
    bundle = patient_bundle(db(), incident_id, current_app.config["HOSPITAL_NAME"])
    if bundle is None:  # purged between the two reads
        raise Refused(404, "no such patient, or the grant has ended", "not_found")
    return bundle


def _log(incident_id: str, action: str) -> None:
    with db().transaction() as s:
        access_log.append(s, current_app.config["AUDIT_KEY"], staff=g.user.username, role=g.user.role,
                          incident_id=incident_id, action=action, reported=True)


def _filing_out(filing: emr_filing.EmrFiling) -> dict:
    return {"incident_id": filing.incident_id, "outcome": filing.outcome, "emr_status": filing.emr_status,
            "created": filing.created, "existing": filing.existing, "filed_at": aware(filing.at).isoformat(),
            "filed_by": filing.staff}

