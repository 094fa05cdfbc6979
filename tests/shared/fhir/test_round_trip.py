"""Record -> FHIR -> record loses nothing a clinician sees, for every synthetic patient.

The property: for each card the simulator knows, the record read back from its Bundle equals
the record (every item, its source and as-of date, every category's status), each resource
is valid FHIR R4 (fhir.resources) and keeps the rules of the profile it claims (profiles.py).
All 600 take half a minute, so that run is marked slow; the quick set holds the edge cases
and a sample. What FHIR cannot carry is tested below as the documented exceptions."""
from __future__ import annotations

import copy
import json
from datetime import UTC, date, datetime

import pytest

from shared.fhir import clins_bundles, read_record, record_bundle
from shared.fhir import codes as c
from shared.fhir.export import member_id
from shared.fhir.read import NotARecord, card_face, card_read
from shared.fhir.validate import problems
from shared.schemas.record import CATEGORIES, CategoryStatus, EmergencyRecord, Source
from shared.sources.simulator import EDGE_CASES, OqcSimulator

from .profiles import bundle_violations, clins_bundle_violations


@pytest.fixture(scope="module")
def sim() -> OqcSimulator:
    return OqcSimulator()


def readable(sim: OqcSimulator) -> list[str]:
    return [card for card in sim.cards() if card != "SIM-EXPIRED"]


def assert_round_trip(sim: OqcSimulator, card: str, *, over_the_wire: bool = False) -> None:
    record = sim.fetch(card)
    bundle = record_bundle(record, card=sim.read_card(card))
    if over_the_wire:
        bundle = json.loads(json.dumps(bundle, ensure_ascii=False))
    assert read_record(bundle) == record, card
    assert problems(bundle) == [], card
    assert bundle_violations(bundle) == [], card


@pytest.mark.slow
@pytest.mark.timeout(600)  # 45-60 s alone; more on a busy machine
def test_every_synthetic_patient_comes_back_whole(sim):
    for card in readable(sim):
        assert_round_trip(sim, card)


@pytest.mark.parametrize("card", [*(c for c in EDGE_CASES if c != "SIM-EXPIRED"), "SIM-000001", "SIM-000200"])
def test_edge_cases_come_back_whole_over_the_wire(sim, card):
    assert_round_trip(sim, card, over_the_wire=True)


def test_a_sample_of_the_population_comes_back_whole(sim):
    for card in readable(sim)[5::37]:
        assert_round_trip(sim, card)


@pytest.mark.parametrize("condition", ["emr_sharing_down", "eprescription_down"])
def test_a_service_down_comes_back_as_unavailable_since_when(condition):
    sim = OqcSimulator(condition=condition)
    record = sim.fetch("SIM-CRITICAL")
    back = read_record(json.loads(json.dumps(record_bundle(record))))
    assert back == record
    failing = Source.EMR_SHARING if condition == "emr_sharing_down" else Source.EPRESCRIPTION
    unavailable = {k for k, s in back.status.items() if s.state == "unavailable"}
    assert unavailable and all(back.status[k].source == failing and back.status[k].since for k in unavailable)


def test_no_known_drug_allergy_is_an_explicit_allergy_intolerance(sim):
    record = sim.fetch("SIM-LONG")
    assert record.status["drug_allergies"].state == "none_recorded"
    bundle = record_bundle(record)
    nka = [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == "AllergyIntolerance"
           and e["resource"]["code"]["coding"][0]["system"] == c.SNOMED]
    assert [r["code"]["coding"][0]["code"] for r in nka] == [c.NO_KNOWN_DRUG_ALLERGY[0]]
    assert nka[0]["category"] == ["medication"] and nka[0]["recordedDate"] == record.status["drug_allergies"].as_of.isoformat()
    assert read_record(bundle).status["drug_allergies"] == record.status["drug_allergies"]


def test_the_guides_own_rules_alone_put_every_item_in_its_place(sim):
    """Without our category tags, as a national endpoint would send it, the record still comes back:
    the JP-CLINS rules (category, criticality, code systems) and meta.source say where each item goes."""
    for card in ["SIM-CRITICAL", "SIM-LONG", "SIM-000002", "SIM-000150"]:
        record = sim.fetch(card)
        bundle = record_bundle(record)
        for entry in bundle["entry"]:
            entry["resource"].get("meta", {}).pop("tag", None)
        assert read_record(bundle) == record, card


def test_the_five_information_as_jp_bundle_clins(sim):
    record = sim.fetch("SIM-CRITICAL")
    bundles = clins_bundles(record, institution="1318814790", report="PA-0001")
    assert [b["meta"]["tag"][0]["code"] for b in bundles] == ["AllergyIntolerance", "Condition", "Observation",
                                                             "MedicationRequest"]
    for bundle in bundles:
        assert problems(bundle) == []
        assert clins_bundle_violations(bundle) == []
        assert bundle["identifier"]["value"].split("^")[1] == member_id(record.card)
    # Read together, they give back the 5 information (the rest of the record is not theirs to carry).
    back = read_record({"resourceType": "Bundle", "type": "collection",
                        "entry": [{"resource": b} for b in bundles]})
    for category in ("diagnoses", "drug_allergies", "other_allergies", "contraindications", "infections", "labs",
                     "prescriptions"):
        assert getattr(back, category) == getattr(record, category), category
    with pytest.raises(ValueError):
        clins_bundles(record, institution="13188", report="PA-0001")


def test_card_read_and_face_travel_on_the_patient(sim):
    bundle = record_bundle(sim.fetch("SIM-PHONE"), card=sim.read_card("SIM-PHONE"))
    patient = bundle["entry"][0]["resource"]
    assert card_read(patient) == sim.read_card("SIM-PHONE")
    assert card_face(patient) == sim.fetch("SIM-PHONE").card
    with pytest.raises(NotARecord):
        read_record({"resourceType": "Bundle", "type": "collection", "entry": bundle["entry"][1:]})


def test_a_summary_window_comes_back(sim):
    record = sim.fetch("SIM-000003")
    status = {**record.status, "visits": CategoryStatus(state="not_recorded", source=Source.OQC, window_days=92)}
    windowed = record.model_copy(update={"visits": [], "status": status})
    assert read_record(record_bundle(windowed)) == windowed


# The documented exceptions (docs/fhir.md, "What is not carried").
def test_exception_a_recorded_status_is_read_from_the_list(sim):
    """A category with entries is "recorded"; a source other than its usual one for the category
    as a whole is not carried (each item keeps its own source)."""
    record = sim.fetch("SIM-CRITICAL")
    odd = record.model_copy(update={"status": {**record.status, "visits": CategoryStatus(
        state="recorded", source=Source.EMR_SHARING)}})
    assert read_record(record_bundle(odd)).status["visits"] == CategoryStatus(state="recorded", source=Source.OQC)


def test_exception_a_short_insurer_number_comes_back_padded_to_eight_digits(sim):
    record = sim.fetch("SIM-EMPTY")
    short = record.model_copy(update={"card": record.card.model_copy(update={"insurer_number": "138057"})})
    assert read_record(record_bundle(short)).card.insurer_number == "00138057"


def test_exception_a_foreign_drug_without_our_class_is_other(sim):
    """A MedicationRequest from elsewhere has no drug class: the record reads "other", so the
    anticoagulant flag rests on our coding (docs/fhir.md)."""
    record = sim.fetch("SIM-CRITICAL")
    bundle = record_bundle(record)
    for entry in bundle["entry"]:
        if entry["resource"]["resourceType"] == "MedicationRequest":
            entry["resource"].pop("category")
    back = read_record(bundle)
    assert {m.drug_class for m in back.prescriptions} == {"other"}
    assert [m.model_copy(update={"drug_class": "other"}) for m in record.prescriptions] == back.prescriptions


def test_every_category_has_a_resource_type(sim):
    """Nothing in the record is left without a place in FHIR."""
    from shared.fhir.export import ITEM
    from shared.fhir.read import READ
    assert set(ITEM) == set(READ) == set(CATEGORIES)


def test_export_is_deterministic_but_for_its_time(sim):
    record = sim.fetch("SIM-000010")
    at = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    first, second = record_bundle(record, at=at), record_bundle(copy.deepcopy(record), at=at)
    assert first == second
    assert first["timestamp"] == at.isoformat() and EmergencyRecord.model_validate(read_record(first).model_dump())
    assert date.fromisoformat(first["entry"][0]["resource"]["birthDate"]) == record.card.birth_date
