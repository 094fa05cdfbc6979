"""The record back from FHIR: our own Bundles exactly, a JP-CLINS Bundle by the guide's rules.

Why it exists: a FHIR record source (shared.sources.fhir) must hand the hub the same
EmergencyRecord the simulator does, so the summary, the critical facts and the grants work
unchanged whichever source answered. Each resource says which list it belongs to (our
record-category tag); a resource without the tag, as a national endpoint sends it, is placed
by what JP-CLINS says it is: an AllergyIntolerance of category medication with criticality
high is a 薬剤禁忌, of category medication a drug allergy, else an other allergy; an
Observation coded from the infection set is an infection, one from the lab sets a lab result.
A resource the record has no place for (vitals, the EMS encounter, Provenance) is left out."""
from __future__ import annotations

import base64
from datetime import date, datetime

from shared.schemas.record import (CATEGORY_SOURCE, CardFace, CategoryStatus, Checkup, CheckupItem, Contraindication,
                                   Diagnosis, Dialysis, Document, DrugAllergy, EmergencyRecord, EPrescription,
                                   Infection, LabResult, Medication, OtherAllergy, Source, Surgery, Treatment, Visit)
from shared.sources import CardRead

from . import codes as c

LIFESTYLE_TESTS = {"HbA1c", "LDL-C", "HDL-C", "TG", "UA", "eGFR"}
DOCUMENT_KINDS = {code: kind for kind, (code, _) in c.DOCUMENT_TYPES.items()}
INFECTION_KINDS = {code: kind for kind, i in c.INFECTIONS.items() for code in (i.jlac10, i.local)}
EMPTY_STATES = {"nilknown": "none_recorded", "notasked": "not_recorded", "unavailable": "unavailable"}


class NotARecord(ValueError):
    """The Bundle holds no Patient: there is no card face to build a record on."""


def resources(bundle: dict) -> list[dict]:
    """Every resource of a Bundle, those of Bundles inside it too (a JP_Bundle_CLINS per type)."""
    out = []
    for entry in bundle.get("entry", []):
        resource = entry.get("resource") or {}
        out.extend(resources(resource) if resource.get("resourceType") == "Bundle" else [resource])
    return out


def patient(bundle: dict) -> dict | None:
    return next((r for r in resources(bundle) if r.get("resourceType") == "Patient"), None)


def card_id(patient: dict) -> str | None:
    return _identifier(patient, c.CARD_ID)


def card_read(patient: dict) -> CardRead | None:
    """What the card reader would see, from our card extension (None if the Patient has none)."""
    card = _extension(patient, c.CARD)
    if card is None or card_id(patient) is None:
        return None
    parts = {x["url"]: next(v for k, v in x.items() if k.startswith("value")) for x in card.get("extension", [])}
    return CardRead(card_id=card_id(patient), kind=parts["kind"],
                    certificate_expires=date.fromisoformat(parts["certificateExpires"]), has_photo=parts["hasPhoto"])


def card_face(patient: dict) -> CardFace:
    names = {_extension_value(n, c.NAME_REPRESENTATION): n for n in patient.get("name", [])}
    kanji = names.get("IDE") or next(iter(patient.get("name", [])), {})
    kana = names.get("SYL", {})
    insurer, insured = _member(_identifier(patient, c.MEMBER_ID) or _identifier(patient, c.MEMBER_ID_OLD) or ":::")
    address = next(iter(patient.get("address", [])), {})
    return CardFace(name=_name_text(kanji), kana=_name_text(kana), birth_date=date.fromisoformat(patient["birthDate"]),
                    sex=patient["gender"], address=address.get("text", ""),
                    insurer_number=insurer, insured_number=insured)


def read_record(bundle: dict) -> EmergencyRecord:
    """The EmergencyRecord a Bundle carries. Raises NotARecord without a Patient."""
    found = patient(bundle)
    if found is None:
        raise NotARecord("the Bundle holds no Patient")
    lists: dict[str, list] = {}
    status: dict[str, CategoryStatus] = {}
    for resource in resources(bundle):
        category = _category(resource)
        if category is None:
            continue
        if resource["resourceType"] == "List":
            status[category] = _status(resource, category)
        elif _is_no_known(resource):
            status[category] = CategoryStatus(state="none_recorded", source=_source(resource, category),
                                              as_of=_date(resource.get("recordedDate")))
        elif (item := READ[category](resource, _source(resource, category))) is not None:
            lists.setdefault(category, []).append(item)
    return EmergencyRecord(card=card_face(found), **lists, status=status)


# Where a resource belongs.
def _category(r: dict) -> str | None:
    tagged = next((t["code"] for t in r.get("meta", {}).get("tag", []) if t.get("system") == c.CATEGORY), None)
    if tagged:
        return tagged
    kind = r.get("resourceType")
    if kind == "AllergyIntolerance":
        if "medication" in r.get("category", []):
            return "contraindications" if r.get("criticality") == "high" else "drug_allergies"
        return "other_allergies"
    if kind == "Condition":
        return "diagnoses"
    if kind == "Observation":
        systems = {x.get("system") for x in r.get("code", {}).get("coding", [])}
        if c.LAB_INFECTION in systems or _has_code(r.get("code"), c.LAB_LOCAL, *INFECTION_KINDS):
            return "infections"
        if c.CHECKUP in systems:
            return "checkups"
        if systems & {c.LAB_CORE, c.LAB_JLAC10, c.LAB_LOCAL, c.LAB_UNCODED} and "valueQuantity" in r:
            return "labs"
        return None
    if kind == "MedicationRequest":
        return "prescriptions"
    if kind == "MedicationDispense":
        return "eprescriptions" if _source(r, "medications") == Source.EPRESCRIPTION else "medications"
    if kind == "Encounter":
        fld = r.get("class", {}).get("code") == "FLD" or _identifier(r, c.INCIDENT_ID)
        return None if fld else "visits"
    if kind == "Procedure":
        if any(_has_code(r.get("code"), c.SNOMED, code) for code, _ in c.DIALYSIS.values()):
            return "dialysis"
        return "surgeries" if _has_code(r.get("category"), c.SNOMED, c.SURGICAL[0]) else "treatments"
    if kind == "DocumentReference":
        return "documents"
    if kind == "List":
        return next((x["code"] for x in r.get("code", {}).get("coding", []) if x.get("system") == c.CATEGORY), None)
    return None


def _source(r: dict, category: str) -> Source:
    return c.SOURCE_OF_URI.get(r.get("meta", {}).get("source"), CATEGORY_SOURCE[category])


def _is_no_known(r: dict) -> bool:
    return r.get("resourceType") == "AllergyIntolerance" and _has_code(r.get("code"), c.SNOMED, *c.NO_KNOWN)


def _status(r: dict, category: str) -> CategoryStatus:
    reason = next((x["code"] for x in r.get("emptyReason", {}).get("coding", []) if x.get("system") == c.LIST_EMPTY_REASON),
                  "notasked")
    state = EMPTY_STATES.get(reason, "not_recorded")
    when = r.get("date")
    return CategoryStatus(state=state, source=_source(r, category),
                          as_of=_date(when) if state == "none_recorded" else None,
                          since=datetime.fromisoformat(when) if state == "unavailable" and when else None,
                          window_days=_extension_value(r, c.WINDOW_DAYS))


# One reader per category: the item, or None when the resource cannot be one (left out).
def _visit(r: dict, source: Source) -> Visit:
    setting = "inpatient" if r.get("class", {}).get("code") == "IMP" else "outpatient"
    day = _date(r["period"]["start"])
    return Visit(source=source, as_of=_as_of(r, day), institution=_display(r.get("serviceProvider")),
                 visit_date=day, setting=setting)


def _medication(kind: type[Medication]):
    def read(r: dict, source: Source) -> Medication:
        if r["resourceType"] == "MedicationRequest":
            day, days = _date(r.get("authoredOn")), r.get("dispenseRequest", {}).get("expectedSupplyDuration", {})
            institution = _display(r.get("requester"))
            drug_class = {"coding": [x for cat in r.get("category", []) for x in cat.get("coding", [])]}
        else:
            day, days = _date(r.get("whenHandedOver")), r.get("daysSupply", {})
            institution = _display(next(iter(r.get("performer", [])), {}).get("actor"))
            drug_class = r.get("category")
        medicine = r.get("medicationCodeableConcept", {})
        return kind(source=source, as_of=_as_of(r, day), drug=medicine.get("text", ""),
                    code=_code(medicine, c.YJ) or "", dose=next(iter(r.get("dosageInstruction", [])), {}).get("text", ""),
                    days_supplied=int(days.get("value", 0)), dispensed_on=day, institution=institution,
                    drug_class=_code(drug_class, c.DRUG_CLASS) or "other")
    return read


def _procedure(kind: type[Surgery] | type[Treatment]):
    def read(r: dict, source: Source):
        day = _date(r.get("performedDateTime") or r.get("performedPeriod", {}).get("start"))
        return kind(source=source, as_of=_as_of(r, day), procedure=r.get("code", {}).get("text", ""),
                    performed_on=day, institution=_display(next(iter(r.get("performer", [])), {}).get("actor")))
    return read


def _dialysis(r: dict, source: Source) -> Dialysis:
    day = _date(r.get("performedDateTime") or r.get("performedPeriod", {}).get("start"))
    peritoneal = _has_code(r.get("code"), c.SNOMED, c.DIALYSIS["peritoneal"][0])
    return Dialysis(source=source, as_of=_as_of(r, day), modality="peritoneal" if peritoneal else "hemodialysis",
                    performed_on=day, institution=_display(next(iter(r.get("performer", [])), {}).get("actor")))


def _checkup(r: dict, source: Source) -> Checkup:
    items = []
    for x in r.get("component", []):
        value = x.get("valueQuantity", {})
        ranges = {"normal": {}, "referral": {}}
        for rr in x.get("referenceRange", []):
            ranges["referral" if _has_code(rr.get("type"), c.REFERRAL, "referral") else "normal"] = rr
        items.append(CheckupItem(item=x.get("code", {}).get("text", ""), value=value["value"], unit=value.get("unit", ""),
                                 reference_low=ranges["normal"].get("low", {}).get("value"),
                                 reference_high=ranges["normal"].get("high", {}).get("value"),
                                 referral_threshold=ranges["referral"].get("low", {}).get("value")))
    day = _date(r.get("effectiveDateTime"))
    return Checkup(source=source, as_of=_date(r.get("issued")) or day, checked_on=day, items=items)


def _diagnosis(r: dict, source: Source) -> Diagnosis:
    code = r.get("code", {})
    name = code.get("text") or next((x.get("display") for x in code.get("coding", []) if x.get("display")), "")
    onset = _date(r.get("onsetDateTime"))
    return Diagnosis(source=source, as_of=_date(r.get("recordedDate")) or onset or _date(_updated(r)), name=name,
                     icd10=_code(code, c.ICD10) or "", onset=onset)


def _allergy_fields(r: dict) -> dict:
    reaction = next(iter(r.get("reaction", [])), {})
    manifestation = next(iter(reaction.get("manifestation", [])), {})
    return dict(as_of=_date(r.get("recordedDate")) or _date(_updated(r)), substance=r.get("code", {}).get("text", ""),
                reaction=manifestation.get("text", ""), severity=reaction.get("severity"),
                anaphylaxis=any(_has_code(m, c.SNOMED, c.ANAPHYLAXIS[0]) for m in reaction.get("manifestation", [])))


def _drug_allergy(r: dict, source: Source) -> DrugAllergy:
    return DrugAllergy(source=source, **_allergy_fields(r))


FOREIGN_ALLERGY_KIND = {"food": "food", "environment": "environment", "biologic": "biologic"}


def _other_allergy(r: dict, source: Source) -> OtherAllergy:
    category = next(iter(r.get("category", [])), None)
    kind = _extension_value(r, c.ALLERGY_KIND) or FOREIGN_ALLERGY_KIND.get(category, "other")
    return OtherAllergy(source=source, kind=kind, **_allergy_fields(r))


def _contraindication(r: dict, source: Source) -> Contraindication:
    return Contraindication(source=source, as_of=_date(r.get("recordedDate")) or _date(_updated(r)),
                            drug=r.get("code", {}).get("text", ""),
                            reason=next(iter(r.get("note", [])), {}).get("text", ""))


def _infection(r: dict, source: Source) -> Infection | None:
    coded = [x.get("code") for x in r.get("code", {}).get("coding", []) if x.get("code") in INFECTION_KINDS]
    results = [r.get("valueCodeableConcept"), *r.get("interpretation", [])]
    result = ("positive" if any(_has_code(x, c.V3_INTERPRETATION, "POS") for x in results) else
              "negative" if any(_has_code(x, c.V3_INTERPRETATION, "NEG") for x in results) else None)
    if not coded or result is None:
        return None  # a kind or result the record cannot hold
    day = _date(r.get("effectiveDateTime"))
    return Infection(source=source, as_of=_date(r.get("issued")) or day, kind=INFECTION_KINDS[coded[0]],
                     result=result, tested_on=day)


def _lab(r: dict, source: Source) -> LabResult | None:
    value = r.get("valueQuantity", {})
    if "value" not in value:
        return None  # a result without a number: the record's lab list holds numbers only
    test = r.get("code", {}).get("text", "")
    panel = next((x for cat in r.get("category", []) for x in cat.get("coding", []) if x.get("system") == c.LAB_PANEL),
                 {}).get("code") or ("lifestyle" if test in LIFESTYLE_TESTS else "emergency")
    day = _date(r.get("effectiveDateTime"))
    return LabResult(source=source, as_of=_date(r.get("issued")) or day, panel=panel, test=test, value=value["value"],
                     unit=value.get("unit", ""), taken_on=day)


def _document(r: dict, source: Source) -> Document | None:
    kind = DOCUMENT_KINDS.get(_code(r.get("type"), c.DOC_TYPE))
    if kind is None:
        return None
    attachment = next(iter(r.get("content", [])), {}).get("attachment", {})
    written = _date(attachment.get("creation")) or _date(r.get("date"))
    return Document(source=source, as_of=_date(r.get("date")) or written, kind=kind,
                    title=r.get("description") or attachment.get("title", ""), written_on=written,
                    institution=_display(next(iter(r.get("author", [])), None)),
                    body=base64.b64decode(attachment["data"]).decode() if attachment.get("data") else "")


READ = {
    "visits": _visit, "medications": _medication(Medication), "eprescriptions": _medication(EPrescription),
    "surgeries": _procedure(Surgery), "treatments": _procedure(Treatment), "dialysis": _dialysis,
    "checkups": _checkup, "diagnoses": _diagnosis, "drug_allergies": _drug_allergy, "other_allergies": _other_allergy,
    "infections": _infection, "labs": _lab, "prescriptions": _medication(Medication),
    "contraindications": _contraindication, "documents": _document,
}


# Small pieces.
def _date(value: str | None) -> date | None:
    """The day a FHIR date, dateTime or instant names, in its own time zone."""
    return date.fromisoformat(value[:10]) if value else None


def _as_of(r: dict, fallback: date | None) -> date:
    return _date(_extension_value(r, c.AS_OF)) or fallback or _date(_updated(r))


def _updated(r: dict) -> str | None:
    return r.get("meta", {}).get("lastUpdated")


def _display(reference: dict | None) -> str:
    return (reference or {}).get("display", "")


def _identifier(r: dict, system: str) -> str | None:
    return next((i.get("value") for i in r.get("identifier", []) if i.get("system") == system), None)


def _extension(r: dict, url: str) -> dict | None:
    return next((x for x in r.get("extension", []) if x.get("url") == url), None)


def _extension_value(r: dict, url: str):
    x = _extension(r, url)
    return next((v for k, v in x.items() if k.startswith("value")), None) if x else None


def _code(concept: dict | None, system: str) -> str | None:
    return next((x.get("code") for x in (concept or {}).get("coding", []) if x.get("system") == system), None)


def _has_code(concept: dict | None, system: str, *wanted: str) -> bool:
    return any(x.get("system") == system and x.get("code") in wanted for x in (concept or {}).get("coding", []))


def _name_text(name: dict) -> str:
    return name.get("text") or " ".join([name.get("family", ""), *name.get("given", [])]).strip()


def _member(value: str) -> tuple[str, str]:
    """(insurer, insured) from 保険者番号:記号:番号:枝番; 記号・番号 as the card face writes them."""
    insurer, symbol, number, *branch = (value.split(":") + ["", "", ""])[:4]
    insured = f"{symbol}・{number}" if symbol else number
    if branch and branch[0]:
        insured += f" 枝番{branch[0]}"
    return insurer, insured
