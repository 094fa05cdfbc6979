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

import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from shared.schemas.incident import Consent, EmergencyException
from shared.schemas.record import CATEGORIES, CATEGORY_SOURCE, CardFace, CategoryStatus, EmergencyRecord, Source
from shared.schemas.vitals import Vitals
from shared.sources import CardRead

from . import codes as c
from .items import ITEM, _no_known
from .pieces import _coding, _instant

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
