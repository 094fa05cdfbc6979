"""The OQC simulator: determinism, edge-case cards, population rates, sources, retention,
operating conditions and the 4-attribute fallback search. No mocks: the real component."""
from __future__ import annotations

import re
import time
from datetime import UTC, date, datetime, timedelta

import pytest

from shared.schemas.record import CATEGORIES, EmergencyRecord, Source
from shared.summary import critical_facts, emergency_summary
from shared.sources import CardNotFound, CertificateExpired, SourceUnavailable
from shared.sources.simulator import EDGE_CASES, OqcSimulator
from shared.sources.simulator.names import luhn_check_digit

TODAY = date(2026, 11, 1)
CLAIMS = ("visits", "medications", "surgeries", "treatments", "dialysis", "checkups")
EMR = ("diagnoses", "drug_allergies", "other_allergies", "infections", "labs", "prescriptions",
       "contraindications", "documents")
FIVE_YEARS_AGO = date(2021, 11, 1)


@pytest.fixture(scope="module")
def sim() -> OqcSimulator:
    return OqcSimulator()


@pytest.fixture(scope="module")
def population(sim) -> dict[str, EmergencyRecord]:
    return {c: sim.fetch(c) for c in sim.cards() if c != "SIM-EXPIRED"}


def generated(population):
    return [r for c, r in population.items() if c.startswith("SIM-0")]


def all_meds(r: EmergencyRecord):
    return r.medications + r.eprescriptions + r.prescriptions


def item_dates(r: EmergencyRecord, category: str) -> list[date]:
    field = {"visits": "visit_date", "medications": "dispensed_on", "eprescriptions": "dispensed_on",
             "surgeries": "performed_on", "treatments": "performed_on", "dialysis": "performed_on",
             "checkups": "checked_on"}[category]
    return [getattr(i, field) for i in getattr(r, category)]


def test_makes_600_patients_and_the_fixed_cards():
    # How fast: `python -m load.simulator_bench` (a figure, not a timed test).
    s = OqcSimulator(seed=99, patients=600)
    ids = [c for c in s.cards() if c.startswith("SIM-0")]
    assert len(ids) == 600 and ids[0] == "SIM-000001" and ids[-1] == "SIM-000600"
    assert set(EDGE_CASES) <= set(s.cards())


def test_same_seed_same_records_different_seed_different():
    a, b, c = OqcSimulator(seed=7), OqcSimulator(seed=7), OqcSimulator(seed=8)
    sample = [f"SIM-{i:06d}" for i in range(1, 600, 23)] + [e for e in EDGE_CASES if e != "SIM-EXPIRED"]
    for card_id in sample:
        assert a.read_card(card_id) == b.read_card(card_id)
        assert a.fetch(card_id).model_dump_json() == b.fetch(card_id).model_dump_json()
    assert [a.fetch(x).card for x in sample[:10]] != [c.fetch(x).card for x in sample[:10]]
    later = date(2027, 6, 1)
    assert a.fetch("SIM-000005", today=later) == b.fetch("SIM-000005", today=later)


def test_card_faces_look_real(population):
    records = generated(population)
    assert len(records) >= 500
    ages = [(TODAY - r.card.birth_date).days // 365 for r in records]
    assert min(ages) <= 5 and 90 <= max(ages) <= 100
    assert sum(a >= 65 for a in ages) / len(ages) > 0.5  # transports are mostly elderly
    assert {r.card.sex for r in records} == {"male", "female"}
    for r in records:
        assert re.fullmatch(r"\S+ \S+", r.card.name)
        assert re.fullmatch(r"[ァ-ヶー]+ [ァ-ヶー]+", r.card.kana)
        assert re.search(r"^(北海道|東京都|大阪府|京都府|.{2,3}県).+丁目\d+番\d+号", r.card.address)
        assert re.fullmatch(r"\d{8}", r.card.insurer_number)
        assert luhn_check_digit(r.card.insurer_number[:7]) == r.card.insurer_number[7]
        assert r.card.insured_number


def test_empty_card(sim, population):
    assert sim.read_card("SIM-EMPTY").kind == "physical"
    record = population["SIM-EMPTY"]
    assert record.card.name
    assert all(getattr(record, category) == [] for category in CATEGORIES)


def test_expired_certificate(sim):
    with pytest.raises(CertificateExpired):
        sim.read_card("SIM-EXPIRED")
    with pytest.raises(CertificateExpired) as err:
        sim.fetch("SIM-EXPIRED")
    assert err.value.code == "certificate_expired"


def test_smartphone_card(sim, population):
    card = sim.read_card("SIM-PHONE")
    assert card.kind == "smartphone" and card.has_photo is False
    record = population["SIM-PHONE"]
    assert record.medications and record.visits
    physical = sim.read_card("SIM-000001")
    assert physical.certificate_expires > TODAY


def test_long_history(population):
    record = population["SIM-LONG"]
    assert sum(len(getattr(record, c)) for c in CATEGORIES) >= 300
    for category in ("visits", "medications"):
        dates = item_dates(record, category)
        assert len(dates) >= 100
        assert min(dates) <= FIVE_YEARS_AGO + timedelta(days=60)  # spans the whole 5-year window
        assert min(dates) >= FIVE_YEARS_AGO


def test_critical_patient_has_what_the_er_needs_first(population):
    r = population["SIM-CRITICAL"]
    assert any(a.severity == "severe" for a in r.drug_allergies)
    assert r.contraindications
    classes = {m.drug_class for m in all_meds(r)}
    assert {"anticoagulant", "antiplatelet"} <= classes
    assert any("ワルファリン" in m.drug for m in r.medications if m.drug_class == "anticoagulant")
    hd = [d for d in r.dialysis if d.modality == "hemodialysis"]
    assert hd and max(d.performed_on for d in hd) >= TODAY - timedelta(days=31)
    assert any(i.kind in ("HBs", "HCV") and i.result == "positive" for i in r.infections)
    assert max(v.visit_date for v in r.visits) >= TODAY - timedelta(days=45)
    assert max(e.dispensed_on for e in r.eprescriptions) >= TODAY - timedelta(days=14)


def test_critical_patient_has_latex_contrast_and_anaphylaxis_in_the_critical_box(population):
    facts = critical_facts(emergency_summary(population["SIM-CRITICAL"], TODAY))
    drug = {a.substance: a for a in facts.drug_allergies}
    assert drug["ペニシリン系抗菌薬"].anaphylaxis and drug["ペニシリン系抗菌薬"].severity == "severe"
    assert drug["ヨード造影剤"].reaction == "嘔吐・血圧低下"
    [latex] = facts.other_allergies
    assert latex.kind == "latex" and latex.substance == "ラテックス" and latex.severity is None
    assert facts.unknown == []


def test_allergy_states_and_kinds_in_the_population(population):
    records = generated(population)
    states = [r.status["drug_allergies"].state for r in records]
    # Most have nothing recorded (unknown); some an explicit "no known drug allergy"; a few an allergy.
    assert states.count("not_recorded") > len(records) / 2
    assert 0.05 <= states.count("none_recorded") / len(records) <= 0.25
    assert states.count("recorded") == sum(1 for r in records if r.drug_allergies)
    for r in records:
        said = r.status["drug_allergies"]
        if said.state == "none_recorded":
            assert r.drug_allergies == [] and said.source == Source.EMR_SHARING and said.as_of <= TODAY
        for category in CATEGORIES:
            assert r.status[category].state in (("recorded",) if getattr(r, category) else (
                "not_recorded", "none_recorded"))
    others = [a for r in records for a in r.other_allergies]
    assert {"latex", "food", "environment"} <= {a.kind for a in others}
    assert any(a.anaphylaxis and a.severity == "severe" for a in others)
    assert any(a.kind == "food" and a.severity == "mild" for a in others)
    assert any(a.anaphylaxis for r in records for a in r.drug_allergies)
    assert any("造影剤" in a.substance for r in records for a in r.drug_allergies)
    assert population["SIM-LONG"].status["drug_allergies"].state == "none_recorded"
    assert all(s.state == "not_recorded" for s in population["SIM-EMPTY"].status.values())


def test_one_service_down_leaves_its_categories_unavailable_while_the_others_answer():
    s = OqcSimulator(patients=10)
    up = s.fetch("SIM-CRITICAL")
    s.set_condition("emr_sharing_down")
    before = datetime.now(UTC).replace(microsecond=0)
    r = s.fetch("SIM-CRITICAL")
    assert s.read_card("SIM-CRITICAL").card_id == "SIM-CRITICAL"
    for category in EMR:
        said = r.status[category]
        assert getattr(r, category) == [] and said.state == "unavailable"
        assert said.source == Source.EMR_SHARING and before <= said.since <= datetime.now(UTC)
    for category in CLAIMS + ("eprescriptions",):
        assert getattr(r, category) == getattr(up, category)
        assert r.status[category] == up.status[category]
    facts = critical_facts(emergency_summary(r, TODAY))
    assert facts.drug_allergies == [] and facts.anticoagulants  # warfarin on the claims, still shown
    assert {"drug_allergies", "other_allergies", "contraindications", "infections", "anticoagulants"} <= set(
        facts.unknown)
    assert "dialysis" not in facts.unknown

    s.set_condition("eprescription_down")
    r = s.fetch("SIM-CRITICAL")
    assert r.eprescriptions == [] and r.status["eprescriptions"].state == "unavailable"
    assert r.drug_allergies == up.drug_allergies and r.status["drug_allergies"].state == "recorded"
    s.set_condition("down")
    with pytest.raises(SourceUnavailable):
        s.fetch("SIM-CRITICAL")


def test_population_rates(population):
    records = generated(population)
    n = len(records)

    def rate(pred) -> float:
        return sum(1 for r in records if pred(r)) / n

    assert 0.02 <= rate(lambda r: any(m.drug_class == "anticoagulant" for m in all_meds(r))) <= 0.15
    assert 0.03 <= rate(lambda r: any(m.drug_class == "antiplatelet" for m in all_meds(r))) <= 0.20
    assert 0.02 <= rate(lambda r: bool(r.dialysis)) <= 0.09
    assert 0.05 <= rate(lambda r: bool(r.drug_allergies)) <= 0.16
    assert 0.02 <= rate(lambda r: bool(r.other_allergies)) <= 0.16
    assert 0.0 < rate(lambda r: any(i.result == "positive" for i in r.infections)) <= 0.08
    assert rate(lambda r: bool(r.infections)) > 0.2  # mostly negative results
    assert rate(lambda r: bool(r.eprescriptions)) > 0.2
    assert rate(lambda r: bool(r.checkups)) > 0.15
    assert rate(lambda r: bool(r.contraindications)) > 0.03
    kinds = {d.kind for r in records for d in r.documents}
    assert kinds == {"referral_letter", "discharge_summary", "checkup_report"}
    drugs = {m.drug for r in records for m in all_meds(r)}
    for name in ("ワルファリンカリウム錠", "エリキュース錠", "リクシアナ錠", "イグザレルト錠", "プラザキサ",
                 "バイアスピリン錠", "プラビックス錠", "アムロジピン", "メトホルミン"):
        assert any(d.startswith(name) for d in drugs), name


def test_every_item_has_source_and_as_of_within_windows(population):
    for card_id, r in population.items():
        for category in CATEGORIES:
            for item in getattr(r, category):
                assert item.as_of <= TODAY, (card_id, category)
                if category in CLAIMS:
                    assert item.source == Source.OQC
                    assert item.as_of <= TODAY - timedelta(days=30), (card_id, category)  # claims lag
                elif category == "eprescriptions":
                    assert item.source == Source.EPRESCRIPTION
                else:
                    assert category in EMR and item.source == Source.EMR_SHARING
        for document in r.documents:
            if document.kind == "discharge_summary":  # only attached to a referral letter
                assert any(d.kind == "referral_letter" and d.written_on == document.written_on
                           and d.institution == document.institution for d in r.documents)
        for m in all_meds(r):
            assert re.fullmatch(r"\d{7}[A-Z]\d{4}", m.code)
        for c in r.checkups:
            assert all(i.unit for i in c.items)


def test_retention_windows(population):
    for r in population.values():
        for category in ("visits", "medications", "surgeries", "treatments", "dialysis"):
            assert all(d >= FIVE_YEARS_AGO for d in item_dates(r, category)), category
        assert all(d >= TODAY - timedelta(days=100) for d in item_dates(r, "eprescriptions"))
        assert len(r.checkups) <= 5


def test_round_trips_through_json(population):
    for card_id in ("SIM-CRITICAL", "SIM-LONG", "SIM-000001", "SIM-000002"):
        record = population[card_id]
        assert EmergencyRecord.model_validate_json(record.model_dump_json()) == record


def test_fetch_relative_to_another_today(sim):
    later = date(2027, 5, 1)
    record = sim.fetch("SIM-CRITICAL", today=later)
    assert all(i.as_of <= later for c in CATEGORIES for i in getattr(record, c))
    assert max(d.performed_on for d in record.dialysis) > TODAY


def test_unknown_card(sim):
    with pytest.raises(CardNotFound):
        sim.read_card("SIM-999999")
    with pytest.raises(CardNotFound):
        sim.fetch("nope")


def test_conditions():
    s = OqcSimulator(patients=10)
    s.set_condition("down")
    with pytest.raises(SourceUnavailable):
        s.read_card("SIM-000001")
    with pytest.raises(SourceUnavailable):
        s.fetch("SIM-000001")
    s.set_condition("slow", latency_s=0.2)
    start = time.perf_counter()
    s.read_card("SIM-000001")
    assert time.perf_counter() - start >= 0.2
    s.set_condition("up")
    assert s.fetch("SIM-000001") == OqcSimulator(patients=10).fetch("SIM-000001") and s.latency_s == 0.0
    s.set_condition("slow")
    assert s.latency_s == 2.0
    assert OqcSimulator(patients=1, condition="slow").latency_s == 2.0
    assert OqcSimulator(patients=1, latency_s=0.05).latency_s == 0.05


def test_invalid_condition():
    s = OqcSimulator(patients=1)
    with pytest.raises(ValueError, match="up, slow, down"):
        s.set_condition("sideways")
    with pytest.raises(ValueError):
        s.set_condition("slow", latency_s=-1)
    with pytest.raises(ValueError):
        OqcSimulator(patients=1, condition="broken")
    assert s.condition == "up"


def test_four_attribute_search(sim, population):
    face = population["SIM-000123"].card
    assert "SIM-000123" in sim.search_by_attributes(face.name, face.birth_date, face.sex, face.address)
    assert "SIM-000123" in sim.search_by_attributes(
        face.kana.replace(" ", "\u3000"), face.birth_date.isoformat(), face.sex, face.address[:3])
    other_sex = "male" if face.sex == "female" else "female"
    assert sim.search_by_attributes(face.name, face.birth_date, other_sex, face.address) == []
    assert sim.search_by_attributes(face.name, face.birth_date + timedelta(days=1), face.sex,
                                    face.address) == []
    # Every 200th patient is a namesake of the one before: same prefecture, different address.
    a, b = population["SIM-000199"].card, population["SIM-000200"].card
    prefecture = re.match(r"北海道|東京都|大阪府|京都府|.{2,3}県", a.address).group()
    both = sim.search_by_attributes(a.name, a.birth_date, a.sex, prefecture)
    assert {"SIM-000199", "SIM-000200"} <= set(both)
    assert sim.search_by_attributes(b.name, b.birth_date, b.sex, b.address) == ["SIM-000200"]
    with pytest.raises(ValueError):
        sim.search_by_attributes(a.name, a.birth_date, a.sex, "")
    sim.set_condition("down")
    try:
        with pytest.raises(SourceUnavailable):
            sim.search_by_attributes(a.name, a.birth_date, a.sex, a.address)
    finally:
        sim.set_condition("up")
