"""The full history grouped: each drug once with its dates and every dose it had, newest first.

The hazards these guard: a physician scrolling 500 monthly lines misses the one dose change; a
strength change shown as a second drug (or swallowed as the same line); a line that no longer
says which source holds it and how old it is; an empty group read as "none"."""
from datetime import UTC, date, datetime, timedelta

from shared.history_groups import drug_key, group_history, normalised
from shared.schemas.record import EmergencyRecord, unavailable

TODAY = date(2026, 11, 1)
CARD = {"name": "山田 太郎", "kana": "ヤマダ タロウ", "birth_date": "1940-01-02", "sex": "male",
        "address": "東京都千代田区1-1", "insurer_number": "12345678", "insured_number": "0001"}
# Twelve regular drugs, dispensed every 28 days for four years by claims: 12 x 53 = 636 lines.
REGULAR = [("アムロジピン錠5mg", "2171022F2037"), ("カンデサルタン錠8mg", "2149040F3024"),
           ("トラゼンタ錠5mg", "3969015F1022"), ("ロスバスタチン錠2.5mg", "2189017F1037"),
           ("ドネペジル塩酸塩OD錠5mg", "1190012F2034"), ("ランソプラゾールOD錠15mg", "2329023F2028"),
           ("酸化マグネシウム錠330mg", "2344009F1028"), ("デエビゴ錠5mg", "1190026F2024"),
           ("フロセミド錠20mg", "2139005F1026"), ("ビソプロロールフマル酸塩錠2.5mg", "2123016F2020"),
           ("エディロールカプセル0.75μg", "3112005M2025"), ("バイアスピリン錠100mg", "3399007H1021")]
MONTHS = 53


def on(days_ago: int) -> str:
    return (TODAY - timedelta(days=days_ago)).isoformat()


def med(days_ago, drug, code, dose="1回1錠 1日1回 朝食後", source="oqc", drug_class="other", institution="けやき内科医院"):
    return {"source": source, "as_of": on(days_ago), "drug": drug, "code": code, "dose": dose, "days_supplied": 28,
            "dispensed_on": on(days_ago), "institution": institution, "drug_class": drug_class}


def long_history() -> EmergencyRecord:
    meds = [med(40 + 28 * i, drug, code, drug_class="antiplatelet" if "アスピリン" in drug else "other")
            for drug, code in REGULAR for i in range(MONTHS)]
    # Apixaban: 2.5 mg for two years, then 5 mg (a strength change: same drug, a dose change), the
    # newest from the e-prescription service and again in the EMR's prescriptions.
    meds += [med(40 + 28 * i, "エリキュース錠5mg", "3339004F2021", "1回1錠 1日2回 朝夕食後", drug_class="anticoagulant")
             for i in range(12)]
    meds += [med(40 + 28 * i, "エリキュース錠2.5mg", "3339004F1025", "1回1錠 1日2回 朝夕食後", drug_class="anticoagulant")
             for i in range(12, 36)]
    eprescriptions = [med(12, "エリキュース錠5mg", "3339004F2021", "1回1錠 1日2回 朝夕食後", source="eprescription",
                          drug_class="anticoagulant")]
    prescriptions = [med(12, "エリキュース錠５ｍｇ", "", "1回1錠 1日2回 朝夕食後", source="emr_sharing",
                         drug_class="anticoagulant", institution="綾瀬総合病院")]
    # Furosemide doubled 300 days ago: same product, a new dosage.
    meds = [m if not (m["drug"].startswith("フロセミド") and m["dispensed_on"] >= on(300)) else {**m, "dose": "1回2錠 1日1回 朝食後"}
            for m in meds]
    visits = [{"source": "oqc", "as_of": on(40 + 28 * i), "institution": "けやき内科医院", "visit_date": on(40 + 28 * i),
               "setting": "outpatient"} for i in range(MONTHS)]
    return EmergencyRecord.model_validate({
        "card": CARD, "medications": meds, "eprescriptions": eprescriptions, "prescriptions": prescriptions,
        "visits": visits,
        "drug_allergies": [{"source": "emr_sharing", "as_of": on(400), "substance": "ペニシリン", "reaction": "蕁麻疹",
                            "severity": "moderate"},
                           {"source": "emr_sharing", "as_of": on(100), "substance": "ペニシリン",
                            "reaction": "アナフィラキシーショック", "severity": "severe"}],
        "status": {"other_allergies": {"state": "none_recorded", "source": "emr_sharing", "as_of": on(200)}},
    })


def group(history, category):
    return next(g for g in history.groups if g.category == category)


def test_five_hundred_monthly_lines_become_one_line_per_drug_newest_first():
    record = long_history()
    raw = len(record.medications) + len(record.eprescriptions) + len(record.prescriptions)
    assert raw > 500
    meds = group(group_history(record), "medications")
    assert meds.entries == raw
    assert len(meds.lines) == len(REGULAR) + 1  # apixaban once, whatever its strength or source
    lasts = [line.last for line in meds.lines]
    assert lasts == sorted(lasts, reverse=True)
    assert meds.lines[0].name == "エリキュース錠5mg"  # the newest dispensing leads, under its newest name
    amlodipine = next(line for line in meds.lines if line.name == "アムロジピン錠5mg")
    assert (amlodipine.first, amlodipine.last, amlodipine.count) == (
        TODAY - timedelta(days=40 + 28 * (MONTHS - 1)), TODAY - timedelta(days=40), MONTHS)
    assert not amlodipine.dose_changed and len(amlodipine.doses) == 1


def test_a_strength_change_is_a_dose_change_of_one_drug_never_hidden():
    apixaban = group(group_history(long_history()), "medications").lines[0]
    assert apixaban.dose_changed and apixaban.tags == ["anticoagulant"]
    assert [(d.drug, d.dispensings) for d in apixaban.doses] == [("エリキュース錠5mg", 12 + 2), ("エリキュース錠2.5mg", 24)]
    newer, older = apixaban.doses
    assert older.last < newer.first  # newest first, each with its own dates
    assert apixaban.count == 12 + 24 + 2


def test_a_new_dosage_of_the_same_product_is_a_dose_change():
    furosemide = next(line for line in group(group_history(long_history()), "medications").lines
                      if line.name.startswith("フロセミド"))
    assert [d.dose for d in furosemide.doses] == ["1回2錠 1日1回 朝食後", "1回1錠 1日1回 朝食後"]
    assert furosemide.doses[0].first >= TODAY - timedelta(days=300) > furosemide.doses[1].last


def test_every_line_keeps_each_source_with_its_latest_as_of():
    apixaban = group(group_history(long_history()), "medications").lines[0]
    seen = {s.source.value: s.as_of for s in apixaban.seen}
    assert seen == {"eprescription": TODAY - timedelta(days=12), "emr_sharing": TODAY - timedelta(days=12),
                    "oqc": TODAY - timedelta(days=40)}
    assert apixaban.institutions[:1] in (["綾瀬総合病院"], ["けやき内科医院"]) and len(apixaban.institutions) == 2


def test_identity_is_the_codes_ingredient_and_form_else_the_normalised_name():
    five = {"drug": "エリキュース錠5mg", "code": "3339004F2021"}
    half = {"drug": "エリキュース錠2.5mg", "code": "3339004F1025"}
    common = {"source": "oqc", "as_of": on(1), "dose": "1錠", "days_supplied": 1, "dispensed_on": on(1), "institution": "x"}
    from shared.schemas.record import Medication
    assert drug_key(Medication(**common, **five)) == drug_key(Medication(**common, **half))
    assert drug_key(Medication(**common, drug="ｴﾘｷｭｰｽ錠 2.5 mg", code="")) == drug_key(
        Medication(**common, drug="エリキュース錠5mg", code=""))
    assert normalised("アムロジピン錠 5mg", strength=True) == normalised("アムロジピン錠10ｍｇ", strength=True)
    assert drug_key(Medication(**common, drug="アムロジピン錠5mg", code="2171022F2037")) != drug_key(
        Medication(**common, **five))


def test_visits_group_by_place_and_allergies_keep_every_reaction_and_the_worst_severity():
    history = group_history(long_history())
    [clinic] = group(history, "visits").lines
    assert clinic.count == MONTHS and clinic.tags == ["outpatient"]
    [penicillin] = group(history, "drug_allergies").lines
    assert penicillin.notes == ["アナフィラキシーショック", "蕁麻疹"] and penicillin.tags == ["anaphylaxis", "severe"]


def test_an_empty_group_says_what_its_source_said_never_none_by_itself():
    history = group_history(long_history())
    other = group(history, "other_allergies")
    assert other.lines == [] and other.status["other_allergies"].state == "none_recorded"
    dialysis = group(history, "dialysis")
    assert dialysis.lines == [] and dialysis.status["dialysis"].state == "not_recorded"


def test_an_unavailable_source_is_said_on_its_group():
    record = EmergencyRecord.model_validate({**long_history().model_dump(mode="json"), "eprescriptions": [],
                                             "status": unavailable("eprescription", datetime(2026, 11, 1, 9, tzinfo=UTC))})
    meds = group(group_history(record), "medications")
    assert meds.status["eprescriptions"].state == "unavailable" and meds.lines  # the other sources still answer


def test_only_the_categories_in_scope_are_grouped():
    history = group_history(long_history(), scope=["medications", "drug_allergies"])
    assert [g.category for g in history.groups] == ["drug_allergies", "medications"]
    meds = group(history, "medications")
    assert meds.categories == ["medications"]
    assert {s.source.value for line in meds.lines for s in line.seen} == {"oqc"}
