"""What each profile the export claims requires, as a table from the guides, and one check for it.

fhir.resources checks FHIR R4 itself; it knows nothing of JP-CLINS. This table holds, per
profile, the elements the guide makes required and the systems and codes it fixes, as far as
the record carries them (docs/fhir.md lists what it does not: 医療機関番号, 診療科, contained
Encounter and Practitioner, structured dosage). Sources: JP-CLINS (jpfhir.jp/fhir/clins and
/eCS: JP_Bundle_CLINS, JP_Patient_eCS, JP_AllergyIntolerance_eCS, JP_Condition_eCS,
JP_Observation_LabResult_eCS, JP_MedicationRequest_eCS, the 5情報 pages), FHIR R4 vital signs."""
from __future__ import annotations

import re

from shared.fhir import codes as c

JFAGY = (c.JFAGY_FOOD, c.JFAGY_MEDICATION, c.JFAGY_OTHER)
CLINS_TYPES = ("AllergyIntolerance", "Condition", "Observation", "MedicationRequest")
MEMBER_ID = re.compile(r"^[0-9]{8}:[^:\s　]*:[^:\s　]*:([0-9]{2})?$")  # R1013
LOCAL_LAB_CODE = re.compile(r"^[A-Za-z0-9_-]+$")


def _codings(concept: dict | None, system: str | None = None) -> list[dict]:
    return [x for x in (concept or {}).get("coding", []) if system is None or x.get("system") == system]


def _one_identifier(r: dict, system: str) -> bool:
    return sum(i.get("system") == system and bool(i.get("value")) for i in r.get("identifier", [])) == 1


# (what the guide asks, a test on the resource) per profile.
COMMON = [
    ("meta.lastUpdated", lambda r: bool(r.get("meta", {}).get("lastUpdated"))),
    ("identifier: one resourceInstance-identifier", lambda r: _one_identifier(r, c.RESOURCE_INSTANCE)),
]
RULES: dict[str, list[tuple[str, callable]]] = {
    c.JP_PATIENT_ECS: [
        ("identifier: one 被保険者個人識別子 (JP_Insurance_memberID)", lambda r: _one_identifier(r, c.MEMBER_ID)),
        ("被保険者個人識別子 is 保険者番号8桁:記号:番号:枝番", lambda r: all(
            MEMBER_ID.match(i["value"]) for i in r["identifier"] if i["system"] == c.MEMBER_ID)),
        ("name: text, family, given (漢字 IDE and カナ SYL)", lambda r: {
            x["extension"][0]["valueCode"] for x in r["name"] if x.get("text") and x.get("family") and x.get("given")}
            == {"IDE", "SYL"}),
        ("gender", lambda r: r.get("gender") in ("male", "female")),
        ("birthDate", lambda r: bool(r.get("birthDate"))),
        ("address: text, state, city", lambda r: all(a.get(k) for a in r["address"] for k in ("text", "state", "city"))),
    ],
    c.JP_ALLERGY_ECS: [
        *COMMON,
        ("clinicalStatus from allergyintolerance-clinical", lambda r: bool(_codings(r.get("clinicalStatus"), c.ALLERGY_CLINICAL))),
        ("verificationStatus from allergyintolerance-verification",
         lambda r: bool(_codings(r.get("verificationStatus"), c.ALLERGY_VERIFICATION))),
        ("category food|medication|environment (biologic is refused)",
         lambda r: set(r.get("category", [])) <= {"food", "medication", "environment"}),
        ("criticality high only with category medication (薬剤禁忌)",
         lambda r: r.get("criticality") != "high" or "medication" in r.get("category", [])),
        ("code.coding from a JFAGY system, with code and display",
         lambda r: any(x.get("system") in JFAGY and x.get("code") and x.get("display") for x in _codings(r["code"]))),
        ("code.text", lambda r: bool(r["code"].get("text"))),
        ("patient", lambda r: bool(r.get("patient", {}).get("reference"))),
        ("reaction.manifestation.text", lambda r: all(m.get("text") for x in r.get("reaction", []) for m in x["manifestation"])),
    ],
    c.JP_CONDITION_ECS: [
        *COMMON,
        ("clinicalStatus from condition-clinical", lambda r: bool(_codings(r.get("clinicalStatus"), c.CONDITION_CLINICAL))),
        ("verificationStatus confirmed|unconfirmed", lambda r: {x["code"] for x in _codings(
            r.get("verificationStatus"), c.CONDITION_VERIFICATION)} & {"confirmed", "unconfirmed"}),
        ("category encounter-diagnosis", lambda r: [x["code"] for cat in r["category"] for x in _codings(cat)]
            == ["encounter-diagnosis"]),
        ("code.coding: one MEDIS 病名管理番号 (all 9s when uncoded)",
         lambda r: [len(x["code"]) for x in _codings(r["code"], c.MEDIS_DISEASE_KEY)] == [8]),
        ("code.coding.display", lambda r: all(x.get("display") for x in _codings(r["code"], c.MEDIS_DISEASE_KEY))),
        ("code.text", lambda r: bool(r["code"].get("text"))),
        ("subject", lambda r: bool(r.get("subject", {}).get("reference"))),
        ("onsetDateTime (病名開始日)", lambda r: bool(r.get("onsetDateTime"))),
    ],
    c.JP_LAB_ECS: [
        *COMMON,
        ("status", lambda r: r.get("status") == "final"),
        ("category laboratory (JP_SimpleObservationCategory_CS)",
         lambda r: any(x["code"] == "laboratory" for cat in r["category"] for x in _codings(cat, c.JP_SIMPLE_CATEGORY))),
        ("code.coding: the LocalCode coding, always", lambda r: len(_codings(r["code"], c.LAB_LOCAL)) == 1),
        ("local code: letters, digits, hyphen, underscore",
         lambda r: all(LOCAL_LAB_CODE.match(x["code"]) for x in _codings(r["code"], c.LAB_LOCAL))),
        ("code.coding: a JLAC code (43項目, 感染症5項目, JLAC10) or the uncoded 99999999999999999",
         lambda r: any(x.get("system") in (c.LAB_CORE, c.LAB_INFECTION, c.LAB_JLAC10) and len(x["code"]) == 17
                       or (x.get("system"), x.get("code")) == (c.LAB_UNCODED, c.UNCODED_LAB[0]) for x in _codings(r["code"]))),
        ("code.coding.display", lambda r: all(x.get("display") for x in _codings(r["code"]))),
        ("code.text", lambda r: bool(r["code"].get("text"))),
        ("subject", lambda r: bool(r.get("subject", {}).get("reference"))),
        ("effectiveDateTime (検体採取日)", lambda r: bool(r.get("effectiveDateTime"))),
        ("specimen", lambda r: bool(r.get("specimen"))),
        ("value[x]", lambda r: any(k.startswith("value") for k in r)),
    ],
    c.JP_MEDREQ_ECS: [
        *COMMON,
        ("status", lambda r: r.get("status") in ("active", "completed", "stopped", "cancelled")),
        ("intent order", lambda r: r.get("intent") == "order"),
        ("medication: a 12-character YJ code", lambda r: [len(x["code"]) for x in _codings(
            r["medicationCodeableConcept"], c.YJ)] == [12]),
        ("medication text", lambda r: bool(r["medicationCodeableConcept"].get("text"))),
        ("subject", lambda r: bool(r.get("subject", {}).get("reference"))),
        ("authoredOn", lambda r: bool(r.get("authoredOn"))),
    ],
    c.JP_VITAL_SIGNS: [
        ("category vital-signs (FHIR and JP Core)", lambda r: {x.get("system") for cat in r["category"]
            for x in _codings(cat) if x["code"] == "vital-signs"} == {c.OBSERVATION_CATEGORY, c.JP_SIMPLE_CATEGORY}),
        ("code from LOINC (the JCS from ours)", lambda r: bool(_codings(r["code"], c.LOINC) or _codings(r["code"], c.JCS))),
        ("subject", lambda r: bool(r.get("subject", {}).get("reference"))),
        ("effectiveDateTime", lambda r: bool(r.get("effectiveDateTime"))),
        ("a value or components", lambda r: any(k.startswith("value") for k in r) or bool(r.get("component"))),
        ("quantities in UCUM", lambda r: all(q.get("system") == c.UCUM and q.get("code") for q in
            [r.get("valueQuantity"), *(x.get("valueQuantity") for x in r.get("component", []))] if q)),
    ],
}


def violations(resource: dict) -> list[str]:
    """The guide's rules this resource breaks, for every profile it claims."""
    out = []
    for profile in resource.get("meta", {}).get("profile", []):
        for rule, holds in RULES.get(profile, []):
            try:
                ok = holds(resource)
            except (KeyError, TypeError, IndexError, AttributeError):
                ok = False
            if not ok:
                out.append(f"{resource['resourceType']} ({profile.rsplit('/', 1)[-1]}): {rule}")
    return out


def bundle_violations(bundle: dict) -> list[str]:
    return [v for e in bundle["entry"] for v in violations(e["resource"])]


def clins_bundle_violations(bundle: dict) -> list[str]:
    """JP_Bundle_CLINS: one type of the 5 information per Bundle, the Patient first."""
    tag = [t["code"] for t in bundle["meta"]["tag"] if t["system"] == c.BUNDLE_RESOURCE_TYPE]
    rest = bundle["entry"][1:]
    checks = [
        ("meta.profile JP_Bundle_CLINS", bundle["meta"].get("profile") == [c.JP_BUNDLE_CLINS]),
        ("meta.lastUpdated", bool(bundle["meta"].get("lastUpdated"))),
        ("meta.tag: one BundleResourceType", len(tag) == 1 and tag[0] in CLINS_TYPES),
        ("identifier.system bundle-identifier", bundle["identifier"]["system"] == c.BUNDLE_IDENTIFIER),
        ("identifier.value 医療機関番号^被保険者個人識別子^報告単位ID",
         bool(re.fullmatch(r"\d{10}\^[^^]+\^[A-Z0-9-]{1,128}", bundle["identifier"]["value"]))),
        ("type collection", bundle["type"] == "collection"),
        ("timestamp", bool(bundle.get("timestamp"))),
        ("entry[0] is the JP_Patient_eCS", bundle["entry"][0]["resource"]["meta"]["profile"] == [c.JP_PATIENT_ECS]),
        ("every other entry is of the tagged type", bool(rest) and all(e["resource"]["resourceType"] == tag[0] for e in rest)),
        ("every entry has its own fullUrl", len({e["fullUrl"] for e in bundle["entry"]}) == len(bundle["entry"])),
    ]
    return [f"JP_Bundle_CLINS: {rule}" for rule, ok in checks if not ok] + bundle_violations(bundle)
