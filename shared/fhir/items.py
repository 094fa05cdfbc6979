"""The record's items as FHIR resources: one function per category (ITEM), each giving the
resource without meta and identifier, which the export adds with the item's source
(shared.fhir.export). Split from the export so each reads in one sitting; the mapping table is in
docs/fhir.md."""
from __future__ import annotations

import base64
import hashlib
import re
from datetime import date
from typing import TYPE_CHECKING

from shared.schemas.record import (CategoryStatus, Checkup, Contraindication, Diagnosis, Dialysis, Document,
                                   DrugAllergy, Infection, LabResult, Medication, OtherAllergy, Surgery, Treatment,
                                   Visit)

from . import codes as c
from .pieces import ABSENT, _as_of, _coding, _day_instant, _days, _drug, _quantity, _text, _who

if TYPE_CHECKING:
    from .export import _Export

# One function per category: the resource without meta and identifier (added by _Export.add).
def _visit(out: _Export, v: Visit) -> dict:
    code, display = ("IMP", "inpatient encounter") if v.setting == "inpatient" else ("AMB", "ambulatory")
    return {"resourceType": "Encounter", **_as_of(v), "status": "finished", "class": _coding(c.V3_ACT_CODE, code, display),
            "subject": out.subject, "period": {"start": v.visit_date.isoformat()},
            "serviceProvider": _who(v.institution)}


def _dispensing(out: _Export, m: Medication) -> dict:
    return {"resourceType": "MedicationDispense", **_as_of(m), "status": "completed",
            "category": {"coding": [_coding(c.DRUG_CLASS, m.drug_class)]},
            "medicationCodeableConcept": _drug(m), "subject": out.subject,
            "performer": [{"actor": _who(m.institution)}], "daysSupply": _days(m.days_supplied),
            "whenHandedOver": m.dispensed_on.isoformat(), "dosageInstruction": [_text(m.dose) or ABSENT]}


def _prescription(out: _Export, m: Medication) -> dict:
    return {"resourceType": "MedicationRequest", "_profile": True, **_as_of(m), "status": "active",
            "intent": "order", "category": [{"coding": [_coding(c.DRUG_CLASS, m.drug_class)]}],
            "medicationCodeableConcept": _drug(m), "subject": out.subject,
            "authoredOn": m.dispensed_on.isoformat(), "requester": _who(m.institution),
            "dosageInstruction": [_text(m.dose) or ABSENT],
            "dispenseRequest": {"expectedSupplyDuration": _days(m.days_supplied)}}


def _procedure(kind: tuple[str, str]):
    def build(out: _Export, p: Surgery | Treatment | Dialysis) -> dict:
        return {"resourceType": "Procedure", **_as_of(p), "status": "completed",
                "category": {"coding": [_coding(c.SNOMED, *kind)]},
                "code": _dialysis_code(p) if isinstance(p, Dialysis) else _text(p.procedure) or ABSENT,
                "subject": out.subject, "performedDateTime": p.performed_on.isoformat(),
                "performer": [{"actor": _who(p.institution)}]}
    return build


def _dialysis_code(d: Dialysis) -> dict:
    text = "血液透析" if d.modality == "hemodialysis" else "腹膜透析"
    return {"coding": [_coding(c.SNOMED, *c.DIALYSIS[d.modality])], "text": text}


def _checkup(out: _Export, k: Checkup) -> dict:
    components = []
    for item in k.items:
        component = {"code": _text(item.item) or ABSENT, "valueQuantity": _quantity(item.value, item.unit)}
        ranges = []
        if item.reference_low is not None or item.reference_high is not None:
            normal = {"type": {"coding": [_coding(c.REFERENCE_RANGE_MEANING, "normal", "Normal Range")]}}
            for bound in ("low", "high"):
                if (value := getattr(item, f"reference_{bound}")) is not None:
                    normal[bound] = _quantity(value, item.unit)
            ranges.append(normal)
        if item.referral_threshold is not None:  # 受診勧奨: at or above `low`
            ranges.append({"low": _quantity(item.referral_threshold, item.unit),
                           "type": {"coding": [_coding(c.REFERRAL, "referral", "受診勧奨判定値")],
                                    "text": "受診勧奨判定値"}})
        if ranges:
            component["referenceRange"] = ranges
        components.append(component)
    resource = {"resourceType": "Observation", "status": "final",
                "category": [{"coding": [_coding(c.OBSERVATION_CATEGORY, "exam", "Exam")]}],
                "code": {"coding": [_coding(c.CHECKUP, "specific-health-checkup", "特定健康診査")], "text": "特定健康診査"},
                "subject": out.subject, "effectiveDateTime": k.checked_on.isoformat(), "issued": _day_instant(k.as_of)}
    if components:
        resource["component"] = components
    return resource


def _diagnosis(out: _Export, d: Diagnosis) -> dict:
    coding = [_coding(c.MEDIS_DISEASE_KEY, c.UNCODED_DISEASE, d.name or None)]
    if d.icd10:
        coding.append(_coding(c.ICD10, d.icd10))
    resource = {"resourceType": "Condition", "_profile": True,
                "clinicalStatus": {"coding": [_coding(c.CONDITION_CLINICAL, "active", "Active")]},
                "verificationStatus": {"coding": [_coding(c.CONDITION_VERIFICATION, "confirmed", "Confirmed")]},
                "category": [{"coding": [_coding(c.CONDITION_CATEGORY, "encounter-diagnosis", "Encounter Diagnosis")]}],
                "code": {"coding": coding, **_text(d.name)}, "subject": out.subject}
    if d.onset is not None:
        resource["onsetDateTime"] = d.onset.isoformat()
    return {**resource, "recordedDate": d.as_of.isoformat()}


def _allergy(category: list[str], dummy: str, criticality: str | None, substance: str, as_of) -> dict:
    code, display = c.ALLERGEN_DUMMY[dummy]
    resource = {"resourceType": "AllergyIntolerance", "_profile": True,
                "clinicalStatus": {"coding": [_coding(c.ALLERGY_CLINICAL, "active", "Active")]},
                "verificationStatus": {"coding": [_coding(c.ALLERGY_VERIFICATION, "confirmed", "Confirmed")]}}
    if category:
        resource["category"] = category
    if criticality:
        resource["criticality"] = criticality
    return {**resource, "code": {"coding": [_coding(dummy, code, display)], **_text(substance)},
            "recordedDate": as_of.isoformat()}


def _reaction(a: DrugAllergy | OtherAllergy) -> list[dict]:
    manifestation = {**_text(a.reaction)}
    if a.anaphylaxis:
        manifestation["coding"] = [_coding(c.SNOMED, *c.ANAPHYLAXIS)]
    reaction = {"manifestation": [manifestation or ABSENT]}
    if a.severity is not None:
        reaction["severity"] = a.severity
    return [reaction]


def _drug_allergy(out: _Export, a: DrugAllergy) -> dict:
    # JP-CLINS: category medication is a drug allergy; medication with criticality high a 薬剤禁忌, so never high here.
    return {**_allergy(["medication"], c.JFAGY_MEDICATION, None, a.substance, a.as_of),
            "patient": out.subject, "reaction": _reaction(a)}


OTHER_ALLERGY_CATEGORY = {"food": "food", "environment": "environment", "latex": "environment"}
OTHER_ALLERGY_CODES = {"food": c.JFAGY_FOOD, "contrast": c.JFAGY_MEDICATION}


def _other_allergy(out: _Export, a: OtherAllergy) -> dict:
    # Contrast media are drugs, yet an other allergy here: coded as a medicine, with no category
    # (medication would make the sharing service file it under drug allergies). The guide forbids biologic.
    category = [OTHER_ALLERGY_CATEGORY[a.kind]] if a.kind in OTHER_ALLERGY_CATEGORY else []
    resource = _allergy(category, OTHER_ALLERGY_CODES.get(a.kind, c.JFAGY_OTHER), None, a.substance, a.as_of)
    return {**resource, "extension": [{"url": c.ALLERGY_KIND, "valueCode": a.kind}], "patient": out.subject,
            "reaction": _reaction(a)}


def _contraindication(out: _Export, k: Contraindication) -> dict:
    resource = {**_allergy(["medication"], c.JFAGY_MEDICATION, "high", k.drug, k.as_of), "patient": out.subject}
    if k.reason:
        resource["note"] = [{"text": k.reason}]
    return resource


def _no_known(out: _Export, category: str, said: CategoryStatus) -> dict:
    drug = category == "drug_allergies"
    code, display = c.NO_KNOWN_DRUG_ALLERGY if drug else c.NO_KNOWN_ALLERGY
    resource = {"resourceType": "AllergyIntolerance",
                "clinicalStatus": {"coding": [_coding(c.ALLERGY_CLINICAL, "active", "Active")]},
                "verificationStatus": {"coding": [_coding(c.ALLERGY_VERIFICATION, "confirmed", "Confirmed")]},
                **({"category": ["medication"]} if drug else {}),
                "code": {"coding": [_coding(c.SNOMED, code, display)],
                         "text": "薬剤アレルギーなし" if drug else "アレルギーなし"},
                "patient": out.subject}
    if said.as_of is not None:
        resource["recordedDate"] = said.as_of.isoformat()
    return resource


def _lab_observation(out: _Export, codings: list[dict], text: str, category: list[dict], effective: date,
                     as_of: date, specimen: str) -> dict:
    return {"resourceType": "Observation", "_profile": True, "status": "final",
            "category": [{"coding": [_coding(c.JP_SIMPLE_CATEGORY, "laboratory", "Laboratory")]}, *category],
            "code": {"coding": codings, **_text(text)}, "subject": out.subject,
            "effectiveDateTime": effective.isoformat(), "issued": _day_instant(as_of),
            "specimen": {"display": specimen}}


def _infection(out: _Export, i: Infection) -> dict:
    code = c.INFECTIONS[i.kind]
    result, display, text = c.INFECTION_RESULT[i.result]
    value = {"coding": [_coding(c.V3_INTERPRETATION, result, display)], "text": text}
    resource = _lab_observation(out, [_coding(c.LAB_LOCAL, code.local, code.text),
                                      _coding(c.LAB_INFECTION, code.jlac10, code.display)],
                                code.text, [], i.tested_on, i.as_of, "血清")
    return {**resource, "valueCodeableConcept": value, "interpretation": [value]}


def _lab(out: _Export, r: LabResult) -> dict:
    code = c.LABS.get(r.test)
    if code is not None:
        codings = [_coding(c.LAB_LOCAL, code.local, r.test), _coding(code.system, code.jlac10, code.display)]
    else:  # a test outside our table: a local code made from its name, and the guide's "not standardised"
        local = r.test if re.fullmatch(r"[A-Za-z0-9_-]+", r.test) else "X" + hashlib.sha1(r.test.encode()).hexdigest()[:10]
        codings = [_coding(c.LAB_LOCAL, local, r.test or None), _coding(c.LAB_UNCODED, *c.UNCODED_LAB)]
    panel = [{"coding": [_coding(c.LAB_PANEL, r.panel)]}]
    return {**_lab_observation(out, codings, r.test, panel, r.taken_on, r.as_of, code.specimen if code else "血清"),
            "valueQuantity": _quantity(r.value, r.unit)}


def _document(out: _Export, d: Document) -> dict:
    code, display = c.DOCUMENT_TYPES[d.kind]
    attachment = {"contentType": "text/plain; charset=utf-8", "creation": d.written_on.isoformat()}
    if d.body:
        attachment["data"] = base64.b64encode(d.body.encode()).decode()
    if d.title:
        attachment["title"] = d.title
    resource = {"resourceType": "DocumentReference", "status": "current",
                "type": {"coding": [_coding(c.DOC_TYPE, code, display)]}, "subject": out.subject,
                "date": _day_instant(d.as_of), "author": [_who(d.institution)], "content": [{"attachment": attachment}]}
    if d.title:
        resource["description"] = d.title
    return resource


ITEM = {
    "visits": _visit, "medications": _dispensing, "eprescriptions": _dispensing,
    "surgeries": _procedure(c.SURGICAL), "treatments": _procedure(c.THERAPEUTIC),
    "dialysis": _procedure(c.THERAPEUTIC), "checkups": _checkup, "diagnoses": _diagnosis,
    "drug_allergies": _drug_allergy, "other_allergies": _other_allergy, "infections": _infection, "labs": _lab,
    "prescriptions": _prescription, "contraindications": _contraindication, "documents": _document,
}
