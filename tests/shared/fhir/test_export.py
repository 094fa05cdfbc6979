"""The FHIR export: the codes the guides fix, the incident on the road, and reading a record as a
national endpoint would send it (the guide's own example shapes, none of our extensions)."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from shared.fhir import IncidentContext, read_record, record_bundle
from shared.fhir import codes as c
from shared.fhir.validate import problems
from shared.schemas.incident import Consent, EmergencyException
from shared.schemas.record import Source
from shared.schemas.vitals import Gcs, Vitals
from shared.sources.simulator import OqcSimulator

from .profiles import bundle_violations

OPENED = datetime(2026, 11, 1, 8, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def sim() -> OqcSimulator:
    return OqcSimulator(patients=20)


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def codings(concept: dict) -> set[tuple[str, str]]:
    return {(x["system"], x["code"]) for x in concept.get("coding", [])}


def on_the_road(basis) -> IncidentContext:
    vitals = (Vitals(taken_at=OPENED + timedelta(minutes=5), heart_rate=118, systolic_bp=86, diastolic_bp=52, spo2=91,
                     respiratory_rate=26, temperature=38.4, jcs=10, gcs=Gcs(eye=3, verbal=4, motor=6)),
              Vitals(taken_at=OPENED + timedelta(minutes=15), heart_rate=104, spo2=95))
    return IncidentContext(incident_id="inc-42", opened_at=OPENED, handed_over_at=OPENED + timedelta(minutes=40),
                           chief_complaint="胸痛", destination="県立中央病院", vitals=vitals, basis=basis,
                           basis_recorded_at=OPENED + timedelta(minutes=3))


def test_the_incident_rides_along_in_loinc_and_v3(sim):
    exception = EmergencyException(reason_code="unconscious", reason_text="呼びかけに反応なし")
    bundle = record_bundle(sim.fetch("SIM-CRITICAL"), card=sim.read_card("SIM-CRITICAL"), context=on_the_road(exception))
    assert problems(bundle) == [] and bundle_violations(bundle) == []
    vitals = [r for r in resources(bundle, "Observation") if any(
        x["code"] == "vital-signs" for cat in r["category"] for x in cat["coding"])]
    by_code = {}
    for r in vitals:
        for system, code in codings(r["code"]):
            by_code.setdefault((system, code), []).append(r)
    loinc = {code for system, code in by_code if system == c.LOINC}
    assert {"8867-4", "85354-9", "59408-5", "2708-6", "9279-1", "8310-5", "9269-2"} <= loinc
    bp = by_code[(c.LOINC, "85354-9")][0]
    assert {(x["code"]["coding"][0]["code"], x["valueQuantity"]["value"]) for x in bp["component"]} == {
        ("8480-6", 86), ("8462-4", 52)}
    assert bp["component"][0]["valueQuantity"]["code"] == "mm[Hg]"
    assert by_code[(c.LOINC, "8310-5")][0]["valueQuantity"] == {"value": 38.4, "unit": "Cel", "system": c.UCUM,
                                                               "code": "Cel"}
    assert by_code[(c.JCS, "jcs")][0]["valueInteger"] == 10
    gcs = by_code[(c.LOINC, "9269-2")][0]
    assert gcs["valueInteger"] == 13 and len(gcs["component"]) == 3
    assert len(by_code[(c.LOINC, "8867-4")]) == 2  # both sets

    ems = [r for r in resources(bundle, "Encounter") if r["class"]["code"] == "FLD"]
    assert len(ems) == 1 and ems[0]["status"] == "finished" and ems[0]["reasonCode"] == [{"text": "胸痛"}]
    assert all(r["encounter"]["reference"] == next(
        e["fullUrl"] for e in bundle["entry"] if e["resource"] is ems[0]) for r in vitals)
    consent = resources(bundle, "Consent")[0]
    assert codings({"coding": consent["provision"]["purpose"]}) == {(c.V3_ACT_REASON, "ETREAT")}
    # The incident is no part of the record: reading the Bundle back gives the record alone.
    assert read_record(bundle) == sim.fetch("SIM-CRITICAL")


def test_consent_is_purpose_treat(sim):
    bundle = record_bundle(sim.fetch("SIM-000001"), context=on_the_road(Consent(given_by="family")))
    consent = resources(bundle, "Consent")[0]
    assert consent["provision"]["purpose"][0]["code"] == "TREAT" and problems(bundle) == []


def test_every_item_keeps_its_source_and_a_provenance_per_service(sim):
    record = sim.fetch("SIM-CRITICAL")
    bundle = record_bundle(record)
    provenance = {p["agent"][0]["who"]["identifier"]["value"]: {t["reference"] for t in p["target"]}
                  for p in resources(bundle, "Provenance")}
    assert set(provenance) == {s.value for s in Source}
    for entry in bundle["entry"][1:]:
        source = entry["resource"].get("meta", {}).get("source")
        if source:
            assert entry["fullUrl"] in provenance[c.SOURCE_OF_URI[source].value]
    assert bundle["entry"][0]["fullUrl"] in provenance["oqc"]  # the card face


def test_allergies_and_contraindications_follow_the_guides_distinction(sim):
    record = sim.fetch("SIM-CRITICAL")
    allergies = resources(record_bundle(record), "AllergyIntolerance")
    contraindications = [a for a in allergies if a.get("criticality") == "high"]
    assert len(contraindications) == len(record.contraindications)
    assert all(a["category"] == ["medication"] for a in contraindications)
    drug = [a for a in allergies if a.get("category") == ["medication"] and "criticality" not in a]
    assert [a["code"]["text"] for a in drug] == [a.substance for a in record.drug_allergies]
    anaphylactic = [a for a in drug if codings(a["reaction"][0]["manifestation"][0]) == {(c.SNOMED, "39579001")}]
    assert len(anaphylactic) == sum(a.anaphylaxis for a in record.drug_allergies) >= 1
    latex = next(a for a in allergies if a["code"]["text"] == "ラテックス")
    assert latex["category"] == ["environment"] and codings(latex["code"]) == {(c.JFAGY_OTHER, "D9N000000000")}


def test_labs_carry_the_local_code_and_the_jlac10_code(sim):
    record = sim.fetch("SIM-CRITICAL")
    bundle = record_bundle(record)
    labs = [r for r in resources(bundle, "Observation") if r.get("meta", {}).get("profile") == [c.JP_LAB_ECS]]
    potassium = next(r for r in labs if r["code"]["text"] == "K")
    assert codings(potassium["code"]) == {(c.LAB_LOCAL, "K"), (c.LAB_CORE, "3H015000002399801")}
    hcv = next(r for r in labs if r["code"]["text"] == "HCV抗体")
    assert (c.LAB_INFECTION, "5F360152102399811") in codings(hcv["code"])
    assert hcv["valueCodeableConcept"]["coding"][0]["code"] == "POS"


def test_the_validator_finds_a_broken_resource(sim):
    bundle = record_bundle(sim.fetch("SIM-000001"))
    bundle["entry"][1]["resource"]["meta"]["lastUpdated"] = "yesterday"
    assert len(problems(bundle)) == 1 and "entry 1" in problems(bundle)[0]


def test_a_jp_clins_bundle_from_elsewhere_reads_by_the_guides_rules():
    """Shapes as in the guide's examples: no tags, no as-of extension, no drug class."""
    patient = {"resourceType": "Patient", "meta": {"profile": [c.JP_PATIENT_ECS]},
               "identifier": [{"system": c.MEMBER_ID_OLD, "value": "00012345:あいう:１８７:05"}],
               "name": [{"extension": [{"url": c.NAME_REPRESENTATION, "valueCode": "IDE"}], "text": "牧野 爛漫",
                         "family": "牧野", "given": ["爛漫"]},
                        {"extension": [{"url": c.NAME_REPRESENTATION, "valueCode": "SYL"}], "text": "マキノ ランマン",
                         "family": "マキノ", "given": ["ランマン"]}],
               "gender": "female", "birthDate": "1930-06-28",
               "address": [{"text": "高知県高知市五台山4200-6", "city": "高知市", "state": "高知県"}]}
    contra = {"resourceType": "AllergyIntolerance", "meta": {"lastUpdated": "2023-04-01T10:00:00+09:00"},
              "category": ["medication"], "criticality": "high",
              "code": {"coding": [{"system": c.JFAGY_MEDICATION, "code": "D9M000000000"}], "text": "ワルファリン"},
              "recordedDate": "2023-03-31", "note": [{"text": "併用禁忌"}]}
    food = {"resourceType": "AllergyIntolerance", "category": ["food"], "recordedDate": "2023-04-01",
            "code": {"coding": [{"system": c.JFAGY_FOOD, "code": "J9FC11310000", "display": "さば類"}], "text": "さば"},
            "reaction": [{"manifestation": [{"text": "全身に発疹"}], "severity": "moderate"}]}
    potassium = {"resourceType": "Observation", "status": "final",
                 "code": {"coding": [{"system": c.LAB_LOCAL, "code": "0198394_082", "display": "血清カリウム"},
                                     {"system": c.LAB_CORE, "code": "3H015000001826101", "display": "K"}],
                          "text": "K"},
                 "effectiveDateTime": "2021-07-05T11:19:41+09:00", "issued": "2021-07-05T15:38:59.000+09:00",
                 "valueQuantity": {"value": 3.5, "unit": "mEq/L"}}
    condition = {"resourceType": "Condition", "code": {"coding": [{"system": c.ICD10, "code": "I48.9"}],
                                                       "text": "心房細動"},
                 "onsetDateTime": "2019-04-01", "recordedDate": "2019-04-02"}
    record = read_record({"resourceType": "Bundle", "type": "collection",
                          "entry": [{"resource": r} for r in (patient, contra, food, potassium, condition)]})
    assert record.card.name == "牧野 爛漫" and record.card.insured_number == "あいう・１８７ 枝番05"
    assert [(k.drug, k.reason, k.as_of) for k in record.contraindications] == [("ワルファリン", "併用禁忌", date(2023, 3, 31))]
    assert [(a.substance, a.kind, a.severity, a.source) for a in record.other_allergies] == [
        ("さば", "food", "moderate", Source.EMR_SHARING)]
    assert [(r.test, r.value, r.unit, r.panel, r.taken_on) for r in record.labs] == [
        ("K", 3.5, "mEq/L", "emergency", date(2021, 7, 5))]
    assert [(d.name, d.icd10, d.onset, d.as_of) for d in record.diagnoses] == [
        ("心房細動", "I48.9", date(2019, 4, 1), date(2019, 4, 2))]
    assert record.status["drug_allergies"].state == "not_recorded"  # nothing said is unknown, never "none"
