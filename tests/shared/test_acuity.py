"""A patient in shock must never turn green because the next entry held only a pulse.

Table-driven: every threshold edge, then the stories that went wrong or could (partial entries,
stale values, entries arriving out of order, JCS against GCS)."""
import json
from datetime import datetime, timedelta, timezone

import pytest

from shared.acuity import (DECIDING, FRESH_FOR, RULES, LatestVitals, assess, assess_entries,
                           legend)
from shared.schemas.vitals import Vitals

NOW = datetime(2025, 4, 1, 3, 0, tzinfo=timezone.utc)
NORMAL = dict(heart_rate=80, systolic_bp=120, diastolic_bp=70, spo2=98, respiratory_rate=16,
              temperature=36.5, jcs=0)
GCS = {8: dict(eye=2, verbal=2, motor=4), 9: dict(eye=2, verbal=2, motor=5),
       13: dict(eye=3, verbal=4, motor=6), 14: dict(eye=4, verbal=4, motor=6),
       15: dict(eye=4, verbal=5, motor=6)}


def at(minutes: float, **values) -> Vitals:
    """A set taken `minutes` from NOW (negative: in the past)."""
    return Vitals(taken_at=NOW + timedelta(minutes=minutes), **values)


def normal_but(**changed) -> dict:
    values = dict(NORMAL, **changed)
    if "gcs" in changed:
        del values["jcs"]
    return values


def normal_without(*names) -> dict:
    return {k: v for k, v in NORMAL.items() if k not in names}


EDGES = [
    ("spo2", 89, "red"), ("spo2", 90, "yellow"), ("spo2", 93, "yellow"), ("spo2", 94, "green"),
    ("systolic_bp", 89, "red"), ("systolic_bp", 90, "yellow"),
    ("systolic_bp", 99, "yellow"), ("systolic_bp", 100, "green"),
    ("jcs", 3, "green"), ("jcs", 10, "yellow"), ("jcs", 30, "yellow"), ("jcs", 100, "red"),
    ("heart_rate", 39, "red"), ("heart_rate", 40, "yellow"), ("heart_rate", 49, "yellow"),
    ("heart_rate", 50, "green"), ("heart_rate", 109, "green"), ("heart_rate", 110, "yellow"),
    ("heart_rate", 129, "yellow"), ("heart_rate", 130, "red"),
    ("respiratory_rate", 7, "red"), ("respiratory_rate", 8, "green"),
    ("respiratory_rate", 23, "green"), ("respiratory_rate", 24, "yellow"),
    ("respiratory_rate", 29, "yellow"), ("respiratory_rate", 30, "red"),
    ("temperature", 38.9, "green"), ("temperature", 39.0, "yellow"),
    ("temperature", 35.0, "green"), ("temperature", 34.9, "yellow"),
    ("gcs", 8, "red"), ("gcs", 9, "yellow"), ("gcs", 13, "yellow"), ("gcs", 14, "green"),
]


@pytest.mark.parametrize("measure,value,level", EDGES,
                         ids=[f"{m} {v} is {lv}" for m, v, lv in EDGES])
def test_threshold_edges(measure, value, level):
    given = GCS[value] if measure == "gcs" else value
    acuity = assess_entries([at(-1, **normal_but(**{measure: given}))], NOW)
    assert acuity.level == level
    shown = "consciousness" if measure in ("jcs", "gcs") else measure
    assert acuity.measures[shown].value == value
    assert acuity.measures[shown].level == level


# JCS has no 9 or 99 (the schema refuses them); the table itself is checked on those edges.
RAW_EDGES = [("jcs", 9, "green"), ("jcs", 10, "yellow"), ("jcs", 99, "yellow"), ("jcs", 100, "red")]


@pytest.mark.parametrize("scale,value,level", RAW_EDGES,
                         ids=[f"table {s} {v} is {lv}" for s, v, lv in RAW_EDGES])
def test_the_table_on_values_the_scale_lacks(scale, value, level):
    assert {r.scale: r for r in RULES}[scale].level(value) == level


# (id, entries in arrival order as (minutes from now, values), level, missing, stale, shown values)
STORIES = [
    ("no vitals at all is none", [], "none", [], [], {}),
    ("all fresh and normal is green", [(-3, NORMAL)], "green", [], [], {"systolic_bp": 120}),
    ("BP and JCS then HR only stays red, each value shown",
     [(-6, dict(systolic_bp=85, diastolic_bp=50, jcs=100)), (-2, dict(heart_rate=88))],
     "red", ["spo2", "respiratory_rate"], [],
     {"systolic_bp": 85, "diastolic_bp": 50, "consciousness": 100, "heart_rate": 88}),
    ("full red set then HR only stays red",
     [(-6, normal_but(systolic_bp=85, diastolic_bp=50, jcs=100)), (-2, dict(heart_rate=88))],
     "red", [], [], {"systolic_bp": 85, "consciousness": 100, "heart_rate": 88, "spo2": 98}),
    ("a later normal value replaces the abnormal one",
     [(-6, normal_but(systolic_bp=85, diastolic_bp=50)), (-2, dict(systolic_bp=125))],
     "green", [], [], {"systolic_bp": 125}),
    ("fresh normal but SpO2 never taken is incomplete",
     [(-2, normal_without("spo2"))],
     "incomplete", ["spo2"], [], {}),
    ("no consciousness scale is incomplete",
     [(-2, normal_without("jcs"))],
     "incomplete", ["consciousness"], [], {}),
    ("HR only and normal is incomplete, never stable", [(-1, dict(heart_rate=80))],
     "incomplete", ["systolic_bp", "spo2", "consciousness", "respiratory_rate"], [], {}),
    ("an abnormal fresh value is yellow even with measures missing", [(-1, dict(heart_rate=115))],
     "yellow", ["systolic_bp", "spo2", "consciousness", "respiratory_rate"], [], {}),
    ("no temperature is still green (not deciding)",
     [(-2, normal_without("temperature"))], "green", [], [], {}),
    ("a red SBP past the window is stale and the patient incomplete",
     [(-25, dict(systolic_bp=85, diastolic_bp=50)),
      (-2, normal_without("systolic_bp", "diastolic_bp"))],
     "incomplete", [], ["systolic_bp", "diastolic_bp"], {"systolic_bp": 85}),
    ("a value exactly at the window's edge is still fresh",
     [(-20, normal_but(systolic_bp=85, diastolic_bp=50))], "red", [], [], {}),
    ("everything stale is incomplete, not green", [(-21, NORMAL)], "incomplete", [],
     ["heart_rate", "systolic_bp", "diastolic_bp", "spo2", "respiratory_rate", "temperature",
      "consciousness"], {}),
    ("a stale red value does not count, a fresh yellow one does",
     [(-30, normal_but(spo2=85)), (-1, dict(heart_rate=120))],
     "yellow", [], ["systolic_bp", "diastolic_bp", "spo2", "respiratory_rate", "temperature",
                    "consciousness"], {"heart_rate": 120, "spo2": 85}),
    ("a stale temperature alone still lets the patient be green",
     [(-40, dict(temperature=36.5)), (-2, normal_without("temperature"))],
     "green", [], ["temperature"], {}),
    ("an older entry arriving later does not replace the newer value",
     [(-2, NORMAL), (-10, dict(systolic_bp=85, diastolic_bp=50))],
     "green", [], [], {"systolic_bp": 120, "diastolic_bp": 70}),
    ("an older normal entry arriving later does not hide a newer red one",
     [(-2, normal_but(spo2=85)), (-10, dict(spo2=99))], "red", [], [], {"spo2": 85}),
    ("same taken_at: the later arrival wins",
     [(-2, normal_but(systolic_bp=85, diastolic_bp=50)), (-2, dict(systolic_bp=120))],
     "green", [], [], {"systolic_bp": 120}),
    ("GCS newer than JCS wins", [(-10, normal_but(jcs=100)), (-2, dict(gcs=GCS[15]))],
     "green", [], [], {"consciousness": 15}),
    ("JCS newer than GCS wins", [(-10, normal_but(gcs=GCS[15])), (-2, dict(jcs=100))],
     "red", [], [], {"consciousness": 100}),
    ("newer GCS arriving first still wins over older JCS",
     [(-2, normal_but(gcs=GCS[8])), (-10, dict(jcs=0))], "red", [], [], {"consciousness": 8}),
    ("JCS and GCS in one entry: the worse counts", [(-2, normal_but(jcs=0, gcs=GCS[8]))],
     "red", [], [], {"consciousness": 8}),
    ("a taken_at ahead of now counts as now (fresh)",
     [(+30, normal_but(systolic_bp=85, diastolic_bp=50))], "red", [], [], {"systolic_bp": 85}),
]


@pytest.mark.parametrize("entries,level,missing,stale,shown",
                         [s[1:] for s in STORIES], ids=[s[0] for s in STORIES])
def test_stories(entries, level, missing, stale, shown):
    acuity = assess_entries([at(m, **values) for m, values in entries], NOW)
    assert acuity.level == level
    assert acuity.missing == missing
    assert sorted(acuity.stale) == sorted(stale)
    assert {m: acuity.measures[m].value for m in shown} == shown


def test_each_measure_keeps_its_own_time():
    acuity = assess_entries([at(-6, systolic_bp=85, jcs=100), at(-2, heart_rate=88)], NOW)
    assert acuity.measures["systolic_bp"].taken_at == NOW - timedelta(minutes=6)
    assert acuity.measures["consciousness"].scale == "jcs"
    assert acuity.measures["heart_rate"].taken_at == NOW - timedelta(minutes=2)
    assert acuity.measures["systolic_bp"].level == "red"
    assert acuity.measures["heart_rate"].level == "green"


def test_naive_times_are_utc():
    acuity = assess_entries([Vitals(taken_at=NOW.replace(tzinfo=None) - timedelta(minutes=1),
                                    **NORMAL)], NOW.replace(tzinfo=None))
    assert acuity.level == "green"


def test_a_fast_tablet_clock_cannot_hide_later_values():
    latest = LatestVitals()
    fast = at(+60, **normal_but(systolic_bp=85, diastolic_bp=50))
    latest.add(fast, received_at=NOW - timedelta(minutes=5))
    latest.add(at(-1, systolic_bp=125), received_at=NOW - timedelta(minutes=1))
    assert assess(latest, NOW).measures["systolic_bp"].value == 125


def test_the_hub_seq_breaks_a_tie():
    latest = LatestVitals()
    latest.add(at(-2, **NORMAL), seq=7)
    latest.add(at(-2, systolic_bp=85), seq=6)     # redelivered late: an earlier update
    assert assess(latest, NOW).measures["systolic_bp"].value == 120


def test_the_kept_state_survives_a_round_trip_and_goes_on():
    entries = [at(-6, systolic_bp=85, jcs=100), at(-4, **NORMAL),
               at(-8, spo2=85), at(-1, heart_rate=131)]
    kept = LatestVitals.of(entries[:2])
    kept = LatestVitals.model_validate_json(kept.model_dump_json())
    for vitals in entries[2:]:
        kept.add(vitals)
    assert assess(kept, NOW) == assess_entries(entries, NOW)
    assert assess(kept, NOW).level == "red"


def test_the_legend_is_the_table():
    served = json.loads(json.dumps(legend()))
    assert served["fresh_for_minutes"] == FRESH_FOR.total_seconds() / 60 == 20
    assert served["deciding"] == list(DECIDING)
    rows = {r["measure"]: r for r in served["rules"]}
    assert rows["spo2"]["red"] == [{"op": "<", "value": 90}]
    assert rows["heart_rate"]["yellow"] == [{"op": ">=", "value": 110}, {"op": "<", "value": 50}]
    assert rows["gcs"]["yellow"] == [{"op": "<=", "value": 13}]
    assert len(rows) == len(RULES)


def test_the_assessment_says_when_time_alone_changes_it():
    """A screen left open must be told when a fresh value goes stale: changes_at is that moment."""
    latest = LatestVitals.of([at(-15, systolic_bp=85, diastolic_bp=50, jcs=100), at(-2, heart_rate=88)])
    now_red = assess(latest, NOW)
    assert now_red.changes_at == NOW - timedelta(minutes=15) + FRESH_FOR   # the oldest fresh value's end
    assert assess(latest, now_red.changes_at).stale == []                  # still fresh at that moment
    after = assess(latest, now_red.changes_at + timedelta(microseconds=1))
    assert after.level == "incomplete" and "systolic_bp" in after.stale    # and stale just after it
    assert after.changes_at == NOW - timedelta(minutes=2) + FRESH_FOR      # then the next one's end
    assert assess(latest, NOW + timedelta(hours=1)).changes_at is None    # nothing fresh is left
    assert assess(LatestVitals(), NOW).changes_at is None
