"""The emergency record as FHIR R4: one Bundle a FHIR tool can read, and the JP-CLINS bundles.

Why it exists: hospitals, the national 電子カルテ情報共有サービス and audit tools speak HL7 FHIR,
and the 5 information in its JP-CLINS form (AllergyIntolerance, Condition, Observation,
MedicationRequest) are what an ER system can take in without retyping. `record_bundle` gives
the whole record, and with an incident the pre-arrival vitals, the EMS encounter and the basis
as a Consent; `clins_bundles` cuts the 5 information into the guide's one-type JP_Bundle_CLINS.

What the record holds and FHIR keeps: every item's source (meta.source, and one Provenance per
national service) and its as-of date (recordedDate, Observation.issued, DocumentReference.date,
else our as-of extension); what a category's source said when it has no entries (an explicit
"no known allergy", or a List with an emptyReason). shared.fhir.read maps it all back; the
mapping table and what is not carried are in docs/fhir.md."""
from __future__ import annotations

import base64
import hashlib
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone

from shared.schemas.incident import Consent, EmergencyException
from shared.schemas.record import (CATEGORIES, CATEGORY_SOURCE, CardFace, CategoryStatus, Checkup, Contraindication,
                                   Diagnosis, Dialysis, Document, DrugAllergy, EmergencyRecord, Infection,
                                   LabResult, Medication, OtherAllergy, Source, Surgery, Treatment, Visit)
from shared.schemas.vitals import Vitals
from shared.sources import CardRead

from . import codes as c

JST = timezone(timedelta(hours=9))
# Empty strings are not allowed in FHIR; a required element the record leaves empty says why instead.
ABSENT = {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}]}
EMPTY_REASON = {"none_recorded": ("nilknown", "Nil Known"), "not_recorded": ("notasked", "Not Asked"),
                "unavailable": ("unavailable", "Unavailable")}
CLINS_TYPES = {"AllergyIntolerance": c.JP_ALLERGY_ECS, "Condition": c.JP_CONDITION_ECS,
               "Observation": c.JP_LAB_ECS, "MedicationRequest": c.JP_MEDREQ_ECS}


@dataclass(frozen=True)
class IncidentContext:
    """What the crew adds to the record on the road: the transport, its vitals and the basis."""
    incident_id: str
    opened_at: datetime
    handed_over_at: datetime | None = None
    chief_complaint: str = ""
    destination: str | None = None  # the accepting hospital, as its name
    vitals: tuple[Vitals, ...] = ()
    basis: Consent | EmergencyException | None = None
    basis_recorded_at: datetime | None = None


def record_bundle(record: EmergencyRecord, *, card: CardRead | None = None,
                  context: IncidentContext | None = None, at: datetime | None = None) -> dict:
    """The whole record (and the incident, when given) as one collection Bundle, Patient first.
    `card` adds the card the reader presented (its id and certificate), so a FHIR source can
    answer a card read; `at` is when the record was fetched (meta.lastUpdated, Provenance)."""
    out = _Export(record.card, card, at or datetime.now(UTC))
    for category in CATEGORIES:
        for i, item in enumerate(getattr(record, category)):
            out.add(category, i, ITEM[category](out, item), item.source)
        out.status(category, record.status[category], bool(getattr(record, category)))
    if context is not None:
        out.incident(context)
    return out.bundle()


def clins_bundles(record: EmergencyRecord, *, institution: str, report: str, at: datetime | None = None) -> list[dict]:
    """The 5 information as JP_Bundle_CLINS: one Bundle per resource type, the Patient first, each
    identified "医療機関番号^被保険者個人識別子^報告単位ID" as the guide asks. `institution` is the
    sender's 10-digit 医療機関番号 and `report` its own id (capitals, digits, hyphens)."""
    if not re.fullmatch(r"\d{10}", institution) or not re.fullmatch(r"[A-Z0-9-]{1,100}", report):
        raise ValueError("institution is 10 digits; report is capitals, digits and hyphens")
    full = record_bundle(record, at=at)
    patient, rest = full["entry"][0], full["entry"][1:]
    bundles = []
    for kind, profile in CLINS_TYPES.items():
        entries = [e for e in rest if profile in e["resource"].get("meta", {}).get("profile", [])]
        if not entries:
            continue
        bundles.append({
            "resourceType": "Bundle",
            "meta": {"lastUpdated": full["timestamp"], "profile": [c.JP_BUNDLE_CLINS],
                     "tag": [{"system": c.BUNDLE_RESOURCE_TYPE, "code": kind}]},
            "identifier": {"system": c.BUNDLE_IDENTIFIER,
                           "value": f"{institution}^{member_id(record.card)}^{report}-{kind.upper()}"},
            "type": "collection", "timestamp": full["timestamp"], "entry": [patient, *entries]})
    return bundles


def member_id(card: CardFace) -> str:
    """被保険者個人識別子: 保険者番号(8):記号:番号:枝番. The card face keeps 記号・番号 as one string."""
    symbol, _, number = card.insured_number.rpartition("・")
    return f"{card.insurer_number.zfill(8)}:{symbol}:{number}:"


class _Export:
    def __init__(self, face: CardFace, card: CardRead | None, at: datetime):
        self.at = _instant(at)
        self.key = card.card_id if card else member_id(face)
        self.patient_url = self.url("Patient")
        self.entries: list[dict] = [{"fullUrl": self.patient_url, "resource": patient_resource(face, card)}]
        self.targets: dict[Source, list[str]] = {Source.OQC: [self.patient_url]}  # the card face comes from the OQC

    def url(self, *parts) -> str:
        return "urn:uuid:" + str(uuid.uuid5(uuid.NAMESPACE_URL, "/".join([c.LOCAL, self.key, *map(str, parts)])))

    def append(self, url: str, resource: dict) -> None:
        self.entries.append({"fullUrl": url, "resource": resource})

    def add(self, category: str, i, resource: dict, source: Source | None) -> None:
        url = self.url(category, i)
        meta = {"lastUpdated": self.at}
        if resource.pop("_profile", False):  # a JP-CLINS resource: its profile
            meta["profile"] = [CLINS_TYPES[resource["resourceType"]]]
        if source is not None:
            meta["source"] = c.SOURCE_URI[source]
            self.targets.setdefault(source, []).append(url)
        meta["tag"] = [{"system": c.CATEGORY, "code": category}]
        resource = {"resourceType": resource.pop("resourceType"), "meta": meta,
                    "identifier": [{"system": c.RESOURCE_INSTANCE, "value": url.removeprefix("urn:uuid:")}],
                    **resource}
        self.append(url, resource)

    @property
    def subject(self) -> dict:
        return {"reference": self.patient_url}

    def status(self, category: str, said: CategoryStatus, has_items: bool) -> None:
        """What the source said when that is more than the lists show (see CategoryStatus)."""
        plain = CategoryStatus(state="recorded" if has_items else "not_recorded", source=CATEGORY_SOURCE[category])
        if said == plain or said.state == "recorded":
            return
        if said.state == "none_recorded" and category in ("drug_allergies", "other_allergies"):
            self.add(category, "none", _no_known(self, category, said), said.source)
            return
        code, display = EMPTY_REASON[said.state]
        when = said.since if said.state == "unavailable" else said.as_of
        resource = {"resourceType": "List", "status": "current", "mode": "snapshot",
                    "title": f"{category}: {said.state}", "code": {"coding": [_coding(c.CATEGORY, category)]},
                    "subject": self.subject, "emptyReason": {"coding": [_coding(c.LIST_EMPTY_REASON, code, display)]}}
        if when is not None:
            resource["date"] = _instant(when) if isinstance(when, datetime) else when.isoformat()
        if said.window_days is not None:
            resource["extension"] = [{"url": c.WINDOW_DAYS, "valueInteger": said.window_days}]
        self.add(category, "status", resource, said.source)

    def incident(self, ctx: IncidentContext) -> None:
        encounter = self.url("incident", ctx.incident_id)
        resource = {"resourceType": "Encounter", "meta": {"lastUpdated": self.at},
                    "identifier": [{"system": c.INCIDENT_ID, "value": ctx.incident_id}],
                    "status": "finished" if ctx.handed_over_at else "in-progress",
                    "class": _coding(c.V3_ACT_CODE, "FLD", "field"), "type": [{"text": "救急搬送"}],
                    "subject": self.subject, "period": {"start": _instant(ctx.opened_at)}}
        if ctx.handed_over_at:
            resource["period"]["end"] = _instant(ctx.handed_over_at)
        if ctx.chief_complaint:
            resource["reasonCode"] = [{"text": ctx.chief_complaint}]
        if ctx.destination:
            resource["hospitalization"] = {"destination": {"display": ctx.destination}}
        self.append(encounter, resource)
        for i, vitals in enumerate(ctx.vitals):
            for measure, observation in _vital_observations(vitals):
                observation.update(subject=self.subject, encounter={"reference": encounter})
                self.append(self.url("incident", ctx.incident_id, "vitals", i, measure), observation)
        if ctx.basis is not None:
            self.append(self.url("incident", ctx.incident_id, "basis"),
                        _consent(ctx.basis, ctx.basis_recorded_at, self.subject))

    def bundle(self) -> dict:
        for source, targets in self.targets.items():
            self.append(self.url("provenance", source.value), {
                "resourceType": "Provenance", "target": [{"reference": t} for t in targets], "recorded": self.at,
                "agent": [{"type": {"coding": [_coding(c.PROVENANCE_AGENT, "custodian", "Custodian")]},
                           "who": {"identifier": {"system": f"{c.LOCAL}/source", "value": source.value},
                                   "display": c.SOURCE_NAME[source]}}]})
        return {"resourceType": "Bundle", "meta": {"lastUpdated": self.at}, "type": "collection", "timestamp": self.at,
                "entry": self.entries}


# The card face.
def patient_resource(face: CardFace, card: CardRead | None = None) -> dict:
    """The card face as a JP_Patient_eCS; with the card read, its id and certificate too."""
    identifiers = [{"system": c.MEMBER_ID, "value": member_id(face)}]
    resource = {"resourceType": "Patient", "meta": {"profile": [c.JP_PATIENT_ECS]}}
    if card is not None:
        identifiers.insert(0, {"system": c.CARD_ID, "value": card.card_id})
        resource["extension"] = [{"url": c.CARD, "extension": [
            {"url": "kind", "valueCode": card.kind},
            {"url": "certificateExpires", "valueDate": card.certificate_expires.isoformat()},
            {"url": "hasPhoto", "valueBoolean": card.has_photo}]}]
    address = {"text": face.address}
    if m := re.match(r"(.+?[都道府県])(.+?[市区町村])?", face.address):
        address.update({"state": m.group(1)} | ({"city": m.group(2)} if m.group(2) else {}))
    return {**resource, "identifier": identifiers,
            "name": [_name(face.name, "IDE", "official"), _name(face.kana, "SYL", None)],
            "gender": face.sex, "birthDate": face.birth_date.isoformat(), "address": [address]}


def _name(text: str, representation: str, use: str | None) -> dict:
    family, *given = text.split(maxsplit=1)
    name = {"extension": [{"url": c.NAME_REPRESENTATION, "valueCode": representation}], "text": text,
            "family": family}
    if use:
        name["use"] = use
    if given:
        name["given"] = given
    return name


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


# The incident.
def _vital_observations(v: Vitals):
    """(measure, Observation) for each measure taken in this set."""
    def observation(codings: list[dict], profile: str | None, **value) -> dict:
        return {"resourceType": "Observation", "meta": {"profile": [c.JP_VITAL_SIGNS, *([profile] if profile else [])]},
                "status": "final",
                "category": [{"coding": [_coding(c.OBSERVATION_CATEGORY, "vital-signs", "Vital Signs")]},
                             {"coding": [_coding(c.JP_SIMPLE_CATEGORY, "vital-signs", "Vital Signs")]}],
                "code": {"coding": codings}, "effectiveDateTime": _instant(v.taken_at), **value}

    for measure, code in c.VITALS.items():
        value = getattr(v, measure)
        if value is None:
            continue
        codings = [_coding(c.LOINC, code.loinc, code.display)]
        if measure == "spo2":
            codings.append(_coding(c.LOINC, *c.SPO2_R4))
        yield measure, observation(codings, code.profile, valueQuantity={
            "value": value, "unit": code.unit, "system": c.UCUM, "code": code.unit})
    if v.systolic_bp is not None or v.diastolic_bp is not None:
        parts = [(c.SYSTOLIC, v.systolic_bp), (c.DIASTOLIC, v.diastolic_bp)]
        yield "bp", observation([_coding(c.LOINC, c.BP_PANEL.loinc, c.BP_PANEL.display)], c.BP_PANEL.profile, component=[
            {"code": {"coding": [_coding(c.LOINC, *code)]},
             "valueQuantity": {"value": value, "unit": "mmHg", "system": c.UCUM, "code": "mm[Hg]"}}
            for code, value in parts if value is not None])
    if v.jcs is not None:  # no JP Core or LOINC code for the Japan Coma Scale: ours (docs/fhir.md)
        yield "jcs", observation([_coding(c.JCS, *c.JCS_CODE)], None, valueInteger=v.jcs)
    if v.gcs is not None:
        yield "gcs", observation([_coding(c.LOINC, *c.GCS_TOTAL)], None, valueInteger=v.gcs.total, component=[
            {"code": {"coding": [_coding(c.LOINC, *c.GCS_PARTS[part])]}, "valueInteger": getattr(v.gcs, part)}
            for part in ("eye", "verbal", "motor")])


def _consent(basis: Consent | EmergencyException, recorded_at: datetime | None, subject: dict) -> dict:
    """The basis of the access: consent is purpose TREAT, the emergency exception ETREAT (v3 ActReason)."""
    if isinstance(basis, Consent):
        purpose, rule = ("TREAT", "treatment"), f"本人同意 / consent (given by {basis.given_by}, {basis.method})"
    else:
        purpose = ("ETREAT", "Emergency Treatment")
        rule = f"緊急時例外 / emergency exception ({basis.reason_code}): {basis.reason_text}"
    resource = {"resourceType": "Consent", "status": "active",
                "scope": {"coding": [_coding(c.CONSENT_SCOPE, "patient-privacy", "Privacy Consent")]},
                "category": [{"coding": [_coding(c.LOINC, "59284-0", "Patient Consent")]}], "patient": subject,
                "policyRule": {"coding": [_coding(c.BASIS, basis.kind)], "text": rule},
                "provision": {"type": "permit", "purpose": [_coding(c.V3_ACT_REASON, *purpose)]}}
    if recorded_at is not None:
        resource["dateTime"] = _instant(recorded_at)
    return resource


# Small pieces.
def _coding(system: str, code: str, display: str | None = None) -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def _text(text: str) -> dict:
    return {"text": text} if text else {}


def _who(name: str) -> dict:
    """A reference by name only: the record names institutions, it has no identifiers for them."""
    return {"display": name} if name else ABSENT


def _as_of(item) -> dict:
    return {"extension": [{"url": c.AS_OF, "valueDate": item.as_of.isoformat()}]}


def _drug(m: Medication) -> dict:
    coding = [_coding(c.YJ, m.code, m.drug or None)] if m.code else []
    return {**({"coding": coding} if coding else {}), **_text(m.drug)} or ABSENT


def _days(days: int) -> dict:
    return {"value": days, "unit": "日", "system": c.UCUM, "code": "d"}


def _quantity(value: float, unit: str) -> dict:
    return {"value": value, **({"unit": unit} if unit else {})}


def _instant(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()


def _day_instant(day: date) -> str:
    """A date as an instant: midnight in Japan, so it reads back as the same day."""
    return datetime(day.year, day.month, day.day, tzinfo=JST).isoformat()
