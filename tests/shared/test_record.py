"""Every record item carries its source and as-of date; the summary keeps the periods of the
national emergency summary (救急用サマリー, `shared/summary.py`)."""
from datetime import date, timedelta

import pytest
from pydantic import ValidationError

from shared.schemas.record import CATEGORIES, EmergencyRecord, Medication
from shared.summary import critical_facts, emergency_summary

TODAY = date(2026, 12, 1)
CARD = {"name": "山田 太郎", "kana": "ヤマダ タロウ", "birth_date": "1940-01-02", "sex": "male",
        "address": "東京都千代田区1-1", "insurer_number": "12345678", "insured_number": "0001"}


def med(days_ago: int, drug="アムロジピン錠5mg", drug_class="other") -> dict:
    d = (TODAY - timedelta(days=days_ago)).isoformat()
    return {"source": "oqc", "as_of": d, "drug": drug, "code": "2171022F1", "dose": "1錠", "days_supplied": 28,
            "dispensed_on": d, "institution": "千代田クリニック", "drug_class": drug_class}


def test_an_item_without_source_or_as_of_is_refused():
    data = med(10)
    del data["source"], data["as_of"]
    with pytest.raises(ValidationError) as e:
        Medication.model_validate(data)
    assert {err["loc"][0] for err in e.value.errors()} == {"source", "as_of"}


def test_every_summary_category_is_in_the_record():
    for category in ("visits", "medications", "eprescriptions", "surgeries", "treatments", "dialysis",
                     "checkups", "diagnoses", "drug_allergies", "other_allergies", "infections", "labs",
                     "prescriptions", "contraindications", "documents"):
        assert category in CATEGORIES


def test_summary_keeps_three_months_of_medications_and_flags_anticoagulants():
    record = EmergencyRecord.model_validate({"card": CARD, "medications": [
        med(30, "ワルファリンK錠1mg", "anticoagulant"), med(200, "バイアスピリン錠100mg", "antiplatelet")]})
    summary = emergency_summary(record, TODAY)
    assert [m.drug for m in summary.medications] == ["ワルファリンK錠1mg"]
    facts = critical_facts(summary)
    assert facts.anticoagulants == ["ワルファリンK錠1mg"] and facts.antiplatelets == []


def test_summary_shows_checkup_dates_only():
    record = EmergencyRecord.model_validate({"card": CARD, "checkups": [{
        "source": "oqc", "as_of": "2026-06-01", "checked_on": "2026-06-01",
        "items": [{"item": "HbA1c", "value": 8.1, "unit": "%", "reference_high": 5.5, "referral_threshold": 6.5}]}]})
    assert record.checkups[0].items[0].above_referral
    summary = emergency_summary(record, TODAY)
    assert summary.checkups[0].checked_on == date(2026, 6, 1) and summary.checkups[0].items == []


def test_scope_limits_categories():
    record = EmergencyRecord.model_validate({"card": CARD, "medications": [med(5)]})
    assert emergency_summary(record, TODAY, scope=("drug_allergies",)).medications == []
