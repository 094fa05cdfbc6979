"""What the record says about each category, and the critical facts an ER physician reads first.

The hazards these guard: "none" shown for a category the source has nothing on (read as "no known
allergy"); a latex or contrast allergy missing from the critical box; the same anticoagulant once
per source instead of once with its sources and dates."""
from datetime import UTC, date, datetime, timedelta

import pytest
from pydantic import ValidationError

from shared.schemas.record import CATEGORIES, EmergencyRecord, unavailable
from shared.summary import critical_facts, emergency_summary

TODAY = date(2026, 12, 1)
CARD = {"name": "山田 太郎", "kana": "ヤマダ タロウ", "birth_date": "1940-01-02", "sex": "male",
        "address": "東京都千代田区1-1", "insurer_number": "12345678", "insured_number": "0001"}
WARFARIN = {"drug": "ワルファリンK錠1mg", "code": "3332001F1010", "drug_class": "anticoagulant"}


def ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def med(days: int, source="oqc", drug="アムロジピン錠5mg", code="2171022F2037", drug_class="other") -> dict:
    return {"source": source, "as_of": ago(days), "drug": drug, "code": code, "dose": "1錠", "days_supplied": 28,
            "dispensed_on": ago(days), "institution": "千代田クリニック", "drug_class": drug_class}


def allergy(substance: str, reaction: str, **more) -> dict:
    return {"source": "emr_sharing", "as_of": ago(400), "substance": substance, "reaction": reaction, **more}


def record(**categories) -> EmergencyRecord:
    return EmergencyRecord.model_validate({"card": CARD, **categories})


# What each category says.

def test_a_record_without_status_reads_entries_as_recorded_and_empty_as_unknown_never_none():
    r = record(medications=[med(10)])
    assert r.status["medications"].state == "recorded"
    assert all(r.status[c].state == "not_recorded" for c in CATEGORIES if c != "medications")
    assert set(r.status) == set(CATEGORIES)


def test_recorded_as_none_is_kept_with_its_date_and_is_not_unknown():
    r = record(status={"drug_allergies": {"state": "none_recorded", "source": "emr_sharing", "as_of": "2025-04-01"}})
    said = r.status["drug_allergies"]
    assert said.state == "none_recorded" and said.as_of == date(2025, 4, 1) and not said.unknown
    facts = critical_facts(emergency_summary(r, TODAY))
    assert facts.states["drug_allergies"].state == "none_recorded"
    assert "drug_allergies" not in facts.unknown and "other_allergies" in facts.unknown


def test_an_entry_wins_over_a_recorded_none():
    r = record(drug_allergies=[allergy("ペニシリン系抗菌薬", "蕁麻疹", severity="moderate")],
               status={"drug_allergies": {"state": "none_recorded", "source": "emr_sharing"}})
    assert r.status["drug_allergies"].state == "recorded"
    assert [a.substance for a in critical_facts(r).drug_allergies] == ["ペニシリン系抗菌薬"]


def test_an_unavailable_source_says_which_and_since_when():
    since = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    r = record(medications=[med(10)], status=unavailable("emr_sharing", since))
    for category in ("drug_allergies", "other_allergies", "infections", "diagnoses", "prescriptions"):
        assert r.status[category].state == "unavailable" and r.status[category].since == since
        assert r.status[category].source == "emr_sharing"
    assert r.status["medications"].state == "recorded"
    with pytest.raises(ValidationError):
        record(status={"drug_allergies": {"state": "unavailable"}})  # who failed, and when, must be said
    with pytest.raises(ValidationError):
        record(status={"allergies": {"state": "not_recorded"}})
    again = EmergencyRecord.model_validate_json(r.model_dump_json())
    assert again == r and again.status["labs"].since == since


def test_critical_facts_list_the_unknown_rows_and_an_unavailable_source_makes_drugs_unknown():
    since = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    r = record(medications=[med(10, **WARFARIN)], dialysis=[],
               status={**unavailable("eprescription", since),
                       "drug_allergies": {"state": "none_recorded", "source": "emr_sharing"}})
    facts = critical_facts(emergency_summary(r, TODAY))
    # Warfarin is on the claims, but the e-prescription service did not answer: the list may be short.
    assert facts.anticoagulants == ["ワルファリンK錠1mg"]
    assert facts.states["anticoagulants"].state == "unavailable"
    assert facts.states["anticoagulants"].source == "eprescription"
    assert facts.unknown == ["other_allergies", "contraindications", "anticoagulants", "antiplatelets",
                             "dialysis", "infections"]


def test_medications_recorded_without_an_anticoagulant_are_not_unknown():
    facts = critical_facts(record(medications=[med(10)]))
    assert facts.anticoagulants == [] and facts.states["anticoagulants"].state == "recorded"
    assert "anticoagulants" not in facts.unknown


# The summary window.

def test_a_category_cut_to_empty_by_the_summary_window_is_unknown_for_that_period_not_none():
    r = record(medications=[med(200, **WARFARIN)], visits=[{
        "source": "oqc", "as_of": ago(300), "institution": "千代田クリニック", "visit_date": ago(300),
        "setting": "outpatient"}])
    summary = emergency_summary(r, TODAY)
    assert summary.medications == [] and summary.visits == []
    said = summary.status["medications"]
    assert said.state == "not_recorded" and said.window_days == 92 and said.source == "oqc"
    assert summary.status["surgeries"].state == "not_recorded" and summary.status["surgeries"].window_days is None
    assert r.status["medications"].state == "recorded"  # the full view still has it
    facts = critical_facts(summary)
    assert facts.states["anticoagulants"].state == "not_recorded"
    assert facts.states["anticoagulants"].window_days == 92 and "anticoagulants" in facts.unknown


def test_the_summary_keeps_the_status_of_categories_in_scope_only():
    since = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
    r = record(medications=[med(10)], documents=[{
        "source": "emr_sharing", "as_of": ago(20), "kind": "referral_letter", "title": "診療情報提供書",
        "written_on": ago(20), "institution": "千代田病院", "body": "..."}],
        status={"drug_allergies": {"state": "none_recorded", "source": "emr_sharing"},
                **{c: s for c, s in unavailable("eprescription", since).items()}})
    summary = emergency_summary(r, TODAY, scope=("medications", "drug_allergies", "eprescriptions"))
    assert summary.status["drug_allergies"].state == "none_recorded"
    assert summary.status["eprescriptions"].state == "unavailable"
    assert summary.status["documents"].state == "not_recorded"  # outside the grant: nothing learnt of it
    shown = r.within(("medications", "drug_allergies"))
    assert set(shown) == {"medications", "drug_allergies", "status"}
    assert set(shown["status"]) == {"medications", "drug_allergies"}
    assert shown["status"]["drug_allergies"]["state"] == "none_recorded"


# Allergies in the critical box.

def test_latex_contrast_severe_and_anaphylaxis_are_in_the_critical_box_a_mild_food_allergy_is_not():
    r = record(
        drug_allergies=[allergy("ペニシリン系抗菌薬", "アナフィラキシーショック", severity="severe")],
        other_allergies=[
            allergy("ラテックス", "接触蕁麻疹", kind="latex"),
            allergy("ガドリニウム造影剤", "蕁麻疹", kind="contrast", severity="moderate"),
            allergy("そば", "呼吸困難", kind="food", severity="severe"),
            allergy("ハチ毒", "全身蕁麻疹・血圧低下", kind="environment", anaphylaxis=True),
            allergy("卵", "蕁麻疹", kind="food", severity="mild"),
        ])
    facts = critical_facts(emergency_summary(r, TODAY))
    [drug] = facts.drug_allergies
    assert (drug.substance, drug.kind, drug.reaction, drug.severity, drug.anaphylaxis) == (
        "ペニシリン系抗菌薬", "drug", "アナフィラキシーショック", "severe", True)
    assert [(s.source, s.on) for s in drug.seen] == [("emr_sharing", TODAY - timedelta(days=400))]
    other = {a.substance: a for a in facts.other_allergies}
    assert set(other) == {"ラテックス", "ガドリニウム造影剤", "そば", "ハチ毒"}
    assert other["ラテックス"].kind == "latex" and other["ラテックス"].severity is None  # unknown, not mild
    assert other["ラテックス"].reaction == "接触蕁麻疹"
    assert other["ガドリニウム造影剤"].kind == "contrast" and other["ハチ毒"].anaphylaxis
    assert facts.other_allergies[0].substance == "ハチ毒"  # anaphylaxis first
    assert "卵" in {a.substance for a in emergency_summary(r, TODAY).other_allergies}  # still in the record
    assert facts.any


def test_other_allergies_recorded_but_none_critical_leave_the_row_recorded_and_empty():
    facts = critical_facts(record(other_allergies=[allergy("スギ花粉", "鼻炎", kind="environment", severity="mild")]))
    assert facts.other_allergies == [] and facts.states["other_allergies"].state == "recorded"


def test_the_same_allergen_from_two_entries_is_one_line_with_the_worst_severity():
    r = record(drug_allergies=[allergy("ヨード造影剤", "蕁麻疹", severity="mild"),
                               {**allergy("ヨード造影剤", "血圧低下", severity="severe"), "as_of": ago(30)}])
    [one] = critical_facts(r).drug_allergies
    assert one.severity == "severe" and one.reaction == "蕁麻疹、血圧低下"
    assert [s.on for s in one.seen] == [TODAY - timedelta(days=30)]


def test_old_stored_allergies_parse_and_latex_and_anaphylaxis_are_read_from_their_words():
    old = EmergencyRecord.model_validate_json(record().model_dump_json(exclude={"status"}).replace(
        '"other_allergies":[]', '"other_allergies":[{"source":"emr_sharing","as_of":"2020-01-01",'
        '"substance":"ラテックス","reaction":"接触蕁麻疹"},{"source":"emr_sharing","as_of":"2020-01-01",'
        '"substance":"そば","reaction":"アナフィラキシー"}]').replace(
        '"drug_allergies":[]', '"drug_allergies":[{"source":"emr_sharing","as_of":"2020-01-01",'
        '"substance":"ペニシリン","reaction":"蕁麻疹","severity":"moderate"}]'))
    latex, soba = old.other_allergies
    assert latex.kind == "latex" and latex.severity is None and not latex.anaphylaxis
    assert soba.kind == "other" and soba.anaphylaxis
    assert old.drug_allergies[0].severity == "moderate" and not old.drug_allergies[0].anaphylaxis
    assert old.status["other_allergies"].state == "recorded" and old.status["labs"].state == "not_recorded"
    assert {a.substance for a in critical_facts(old).other_allergies} == {"ラテックス", "そば"}
    explicit = record(other_allergies=[allergy("そば", "アナフィラキシー", kind="food", anaphylaxis=False)])
    assert not explicit.other_allergies[0].anaphylaxis  # an explicit field is believed over the words


# Anticoagulants and antiplatelets across sources.

def test_the_same_drug_from_claims_eprescription_and_emr_is_one_line_with_its_sources_and_dates():
    aspirin = {"drug": "バイアスピリン錠100mg", "code": "3399007H1021", "drug_class": "antiplatelet"}
    r = record(medications=[med(60, **WARFARIN), med(30, **WARFARIN), med(40, **aspirin)],
               eprescriptions=[med(5, source="eprescription", **WARFARIN)],
               # The EMR writes the same product's name in full: the YJ code says it is the same drug.
               prescriptions=[med(20, source="emr_sharing", **{**WARFARIN, "drug": "ワルファリンカリウム錠1mg"})])
    facts = critical_facts(emergency_summary(r, TODAY))
    [warfarin] = [d for d in facts.drugs if d.drug_class == "anticoagulant"]
    assert warfarin.drug == "ワルファリンK錠1mg" and warfarin.last_dispensed == TODAY - timedelta(days=5)
    assert [(s.source, s.on) for s in warfarin.seen] == [
        ("eprescription", TODAY - timedelta(days=5)), ("emr_sharing", TODAY - timedelta(days=20)),
        ("oqc", TODAY - timedelta(days=30))]
    assert facts.anticoagulants == ["ワルファリンK錠1mg"]
    assert facts.antiplatelets == ["バイアスピリン錠100mg"]
    [aspirin] = [d for d in facts.drugs if d.drug_class == "antiplatelet"]
    assert [s.source for s in aspirin.seen] == ["oqc"]


def test_critical_facts_travel_as_json():
    r = record(medications=[med(10, **WARFARIN)], status=unavailable("emr_sharing", datetime(2026, 12, 1, tzinfo=UTC)))
    data = critical_facts(r).model_dump(mode="json")
    assert data["drugs"][0]["seen"] == [{"source": "oqc", "on": ago(10)}]
    assert data["states"]["drug_allergies"] == {"state": "unavailable", "source": "emr_sharing", "as_of": None,
                                                "since": "2026-12-01T00:00:00Z", "window_days": None}
    assert data["unknown"][0] == "drug_allergies"
