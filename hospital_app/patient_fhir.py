"""A patient this hospital holds, as a FHIR R4 Bundle built from the hospital's own copy.

Why from the copy and not from the hub: the download and the EMR filing must be exactly what the
grant gave this hospital (the emergency summary within the grant's scope, who the patient is,
the crew's updates), with no new look at the hub. What the copy lacks, the Bundle leaves out
rather than make up: the card's insurance numbers and address never reach a hospital (the
Patient has name, kana, birth date and sex), nor when the crew opened the incident (the EMS
Encounter has the handover only), nor how consent was given or why the exception was used (the
Consent has the basis alone)."""
from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime

from pydantic import ValidationError

from hospital_app import store
from shared.errors import Refused
from shared.fhir import IncidentContext, codes as c, record_bundle
from shared.schemas.record import CardFace, EmergencyRecord
from shared.schemas.vitals import Vitals
from shared.storage import Database

log = logging.getLogger(__name__)

# The basis as a purpose of use (v3 ActReason), as the hub's export says it.
PURPOSE = {"consent": ("TREAT", "treatment"), "emergency_exception": ("ETREAT", "Emergency Treatment")}


def patient_bundle(db: Database, incident_id: str, hospital_name: str) -> dict | None:
    """The Bundle of a patient held here (None: not held); 409 when no record came with it."""
    view = store.patient_view(db, incident_id, "physician")
    if view is None:
        return None
    identity, incident = view.get("identity"), view.get("incident") or {}
    if not view.get("record") or not identity:
        raise Refused(409, "no record arrived with this patient", "no_record")
    # The export keys every resource's id on the card's insured number, which the hospital never
    # gets: the incident id stands in, so the ids are this patient's own. Not written out: the
    # Patient below loses the insurance identifier and the (empty) address.
    face = CardFace(name=identity["name"], kana=identity["kana"], birth_date=identity["birth_date"],
                    sex=identity["sex"], address="", insurer_number="", insured_number=incident_id)
    record = EmergencyRecord.model_validate({**view["record"], "card": face})
    handed_over = _instant(incident.get("handed_over_at"))
    context = IncidentContext(incident_id=incident_id, opened_at=handed_over or datetime.now(UTC),
                              handed_over_at=handed_over, chief_complaint=incident.get("chief_complaint") or "",
                              destination=hospital_name, vitals=tuple(_vitals(incident_id, view.get("updates", []))))
    bundle = record_bundle(record, context=context)
    patient = bundle["entry"][0]
    # Without the insurance identifier the Patient is no JP_Patient_eCS; its own instance id lets
    # an EMR that is sent it twice know it (hospital_app/emr_filing.py).
    for what in ("address", "meta"):
        patient["resource"].pop(what, None)
    patient["resource"]["identifier"] = [{"system": c.RESOURCE_INSTANCE,
                                          "value": patient["fullUrl"].removeprefix("urn:uuid:")}]
    for entry in bundle["entry"]:
        resource = entry["resource"]
        if resource["resourceType"] == "Encounter" and resource["class"]["code"] == "FLD":
            # The start is not known here (opened_at above is a stand-in): the handover, if any, ends the transport.
            resource.pop("period", None)
            if handed_over:
                resource["period"] = {"end": handed_over.isoformat()}
    if view.get("basis") in PURPOSE:
        bundle["entry"].append(_basis(view["basis"], patient["fullUrl"], incident_id))
    return bundle


def _basis(kind: str, patient_url: str, incident_id: str) -> dict:
    """The basis as a Consent: its kind and purpose, all the hospital was told of it."""
    consent = {"resourceType": "Consent", "status": "active",
               "scope": {"coding": [{"system": c.CONSENT_SCOPE, "code": "patient-privacy",
                                     "display": "Privacy Consent"}]},
               "category": [{"coding": [{"system": c.LOINC, "code": "59284-0", "display": "Patient Consent"}]}],
               "patient": {"reference": patient_url}, "policyRule": {"coding": [{"system": c.BASIS, "code": kind}]},
               "provision": {"type": "permit", "purpose": [
                   {"system": c.V3_ACT_REASON, "code": PURPOSE[kind][0], "display": PURPOSE[kind][1]}]}}
    url = "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, f"{c.LOCAL}/hospital/{incident_id}/basis"))
    return {"fullUrl": url, "resource": consent}


def _vitals(incident_id: str, updates: list[dict]):
    for update in updates:
        if update.get("kind") != "vitals":
            continue
        try:
            yield Vitals.model_validate(update["payload"]["vitals"])
        except (KeyError, TypeError, ValidationError):
            # Not silently: the file would look complete without the set that could not be read.
            log.warning("fhir: vitals update %s of incident %s could not be read", update.get("seq"), incident_id)


def _instant(text: str | None) -> datetime | None:
    if not text:
        return None
    at = datetime.fromisoformat(text)
    return at if at.tzinfo else at.replace(tzinfo=UTC)
