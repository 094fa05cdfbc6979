"""Filing a patient's pre-arrival record into the hospital's EMR, as one FHIR transaction.

Why: what arrived before the patient must not be retyped, and once the grant window ends the
hospital's copy is purged. So while the hospital still holds the patient, a physician files the
Bundle (hospital_app/patient_fhir.py) into the EMR's FHIR endpoint (`EMR_FHIR_URL`, a Bearer
`EMR_FHIR_TOKEN`, `EMR_FHIR_TIMEOUT_S`). Every resource is sent as a conditional create on its
identifier, so an EMR that is sent the same patient twice can keep what it already has.

Each attempt is the hospital's to account for: who (name and role), when, and what came of it
(`emr_filings`): filed, with the EMR's HTTP status and the ids it gave; refused, with the EMR's
own words (its OperationOutcome); or not reached at all (refused connection, or no answer in
time). The physician's press carries a key (`client_id`): a resend after a lost answer gets the
filing it already made, never a second one in the EMR."""
from __future__ import annotations

import json
from datetime import datetime

import requests
from sqlalchemy import JSON, String, select
from sqlalchemy.orm import Mapped, mapped_column

from hospital_app.models import Base
from shared.clock import utcnow
from shared.errors import Refused
from shared.storage import Database

FHIR_JSON = "application/fhir+json"
CONNECT_TIMEOUT_S = 3.05
SAID_MAX = 500


class EmrFiling(Base):
    """One attempt to file a patient's record into the EMR (migration 0004)."""
    __tablename__ = "emr_filings"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    staff: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    client_id: Mapped[str | None] = mapped_column(String(64))
    outcome: Mapped[str] = mapped_column(String(16))       # filed | refused | unreachable | timeout
    emr_status: Mapped[int | None]                         # the EMR's HTTP status, when it answered
    created: Mapped[list] = mapped_column(JSON, default=list)   # the ids the EMR made: "Patient/123"
    existing: Mapped[list] = mapped_column(JSON, default=list)  # the ids it already had (conditional create)
    said: Mapped[str | None] = mapped_column(String(SAID_MAX))  # the EMR's OperationOutcome text, if refused


def transaction(bundle: dict) -> dict:
    """The collection Bundle as a transaction: each resource a POST, conditional on its identifier;
    references between entries stay their urn:uuid fullUrls, which the EMR resolves."""
    entries = []
    for entry in bundle["entry"]:
        resource = entry["resource"]
        request = {"method": "POST", "url": resource["resourceType"]}
        identifier = resource.get("identifier")
        first = identifier[0] if isinstance(identifier, list) and identifier else identifier
        if isinstance(first, dict) and first.get("system") and first.get("value"):
            request["ifNoneExist"] = f"identifier={first['system']}|{first['value']}"
        entries.append({"fullUrl": entry["fullUrl"], "resource": resource, "request": request})
    return {"resourceType": "Bundle", "type": "transaction", "timestamp": bundle["timestamp"], "entry": entries}


def filed_with(db: Database, incident_id: str, client_id: str | None) -> EmrFiling | None:
    """The filing this press already made (a resend after a lost answer), if it succeeded."""
    if client_id is None:
        return None
    with db.read() as s:
        return s.scalars(select(EmrFiling).where(EmrFiling.incident_id == incident_id, EmrFiling.client_id == client_id,
                                                 EmrFiling.outcome == "filed")).first()


def file_record(db: Database, settings: dict, incident_id: str, bundle: dict, *, staff: str, role: str,
                client_id: str | None) -> EmrFiling:
    """Send the Bundle, log the attempt whatever came of it, and return it if the EMR filed it;
    a refusal (502, the EMR's words), no connection (503) or no answer in time (504) otherwise."""
    filing = EmrFiling(incident_id=incident_id, staff=staff, role=role, client_id=client_id, created=[], existing=[])
    headers = {"Content-Type": FHIR_JSON, "Accept": FHIR_JSON}
    if settings["EMR_FHIR_TOKEN"]:
        headers["Authorization"] = f"Bearer {settings['EMR_FHIR_TOKEN']}"
    try:
        resp = requests.post(settings["EMR_FHIR_URL"], data=json.dumps(transaction(bundle)).encode(), headers=headers,
                             timeout=(CONNECT_TIMEOUT_S, settings["EMR_FHIR_TIMEOUT_S"]), allow_redirects=False)
    except requests.Timeout:
        filing.outcome = "timeout"
    except requests.RequestException:
        filing.outcome = "unreachable"
    else:
        filing.emr_status = resp.status_code
        if 200 <= resp.status_code < 300:
            filing.outcome = "filed"
            filing.created, filing.existing = _ids(_json(resp))
        else:
            filing.outcome, filing.said = "refused", _outcome_text(_json(resp))[:SAID_MAX] or None
    with db.transaction() as s:
        s.add(filing)
    if filing.outcome == "refused":
        if filing.said:
            raise Refused(502, "the EMR refused the record (HTTP %(emr_status)s): %(emr_said)s", "emr_refused",
                          emr_status=filing.emr_status, emr_said=filing.said)
        raise Refused(502, "the EMR refused the record (HTTP %(emr_status)s)", "emr_refused",
                      emr_status=filing.emr_status)
    if filing.outcome == "timeout":
        raise Refused(504, "the EMR did not answer in time", "emr_timeout")
    if filing.outcome == "unreachable":
        raise Refused(503, "the EMR could not be reached", "emr_unreachable")
    return filing


def _json(resp: requests.Response):
    try:
        return resp.json()
    except ValueError:
        return None


def _ids(answer) -> tuple[list[str], list[str]]:
    """(created, already there) from a transaction-response: each entry's location, without its version."""
    created, existing = [], []
    entries = answer.get("entry") if isinstance(answer, dict) else None
    for entry in entries if isinstance(entries, list) else []:
        response = entry.get("response") if isinstance(entry, dict) else None
        if not isinstance(response, dict) or not isinstance(response.get("location"), str):
            continue
        location = response["location"].split("/_history/")[0]
        (created if str(response.get("status", "")).startswith("201") else existing).append(location)
    return created, existing


def _outcome_text(answer) -> str:
    """What an OperationOutcome says, each issue's words once ("" if the EMR said nothing readable)."""
    if not isinstance(answer, dict) or answer.get("resourceType") != "OperationOutcome":
        return ""
    said = []
    for issue in answer.get("issue") or []:
        if not isinstance(issue, dict):
            continue
        details = issue.get("details") if isinstance(issue.get("details"), dict) else {}
        for text in (details.get("text"), issue.get("diagnostics")):
            if isinstance(text, str) and text.strip() and text.strip() not in said:
                said.append(text.strip())
    return "; ".join(said)
