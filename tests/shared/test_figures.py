"""The region's figures' rules: the Agency's 搬送困難事案 on its edges, outcomes never assumed,
and suppression that hides every count of 1 to 9 and leaves none recoverable from a total."""
from __future__ import annotations

import itertools
import random
from datetime import datetime, timedelta

import pytest

from shared import figures as rules

T0 = datetime(2026, 11, 2, 1, 0)  # a Monday, 10:00 in Japan


@pytest.mark.parametrize("inquiries, on_scene, difficult", [
    (4, timedelta(minutes=30), True),                 # exactly 4 inquiries and exactly 30 minutes
    (4, timedelta(minutes=29, seconds=59), False),    # 29 minutes: not yet
    (4, timedelta(minutes=29), False),
    (3, timedelta(minutes=60), False),                # 3 inquiries, however long on scene
    (5, timedelta(minutes=45), True),
    (4, None, None),                                  # scene times missing: unknown, never "not difficult"
    (2, None, False),                                 # too few inquiries: the time cannot change it
])
def test_difficult_transport_by_the_agency_definition(inquiries, on_scene, difficult):
    assert rules.is_difficult(inquiries, on_scene) is difficult


def _case(inquiries: int, scene_minutes: float | None, severity=None, identification="card_photo", reason=None):
    asked = [rules.InquiryFact(f"q{i}", f"h{i}", "accepted" if i == inquiries - 1 else "declined",
                               T0 + timedelta(minutes=10 + i), T0 + timedelta(minutes=11 + i),
                               None if i == inquiries - 1 else "no_bed") for i in range(inquiries)]
    return rules.CaseFacts(
        incident_id="i1", organisation="fire:tokyo", station="tokyo-1", hospital_id=f"h{inquiries - 1}",
        identification=identification, not_read_reason=reason, basis="consent", created_at=T0, called_at=T0,
        on_scene_at=T0 + timedelta(minutes=8) if scene_minutes is not None else None,
        left_scene_at=T0 + timedelta(minutes=8 + scene_minutes) if scene_minutes is not None else None,
        arrived_at=T0 + timedelta(minutes=60), inquiries=tuple(asked), severity=severity, age_band="70s")


def test_case_row_counts_the_rule_from_the_incidents_times():
    row, declines = rules.case_row(_case(4, 30))
    assert row["difficult"] is True and row["on_scene_min"] == 30 and row["inquiries"] == 4
    assert [d["reason"] for d in declines] == ["no_bed"] * 3
    assert row["call_to_acceptance_min"] == 14 and row["acceptance_to_arrival_min"] == 46
    row, _ = rules.case_row(_case(4, 29.99))
    assert row["difficult"] is False and row["on_scene_min"] == 29
    row, _ = rules.case_row(_case(3, 60))
    assert row["difficult"] is False
    row, _ = rules.case_row(_case(4, None))
    assert rules.case_difficulty(row) == "unknown"


def test_a_case_without_an_outcome_is_counted_as_not_returned_never_mild():
    row, _ = rules.case_row(_case(1, 10))
    assert row["severity"] is None
    tallies = rules.tallies(row)
    assert tallies["sev_not_returned"] == 1 and "sev_mild" not in tallies
    assert rules.severity_change(None, "severe") == {"sev_not_returned": -1, "sev_severe": 1}


def test_why_the_card_was_not_read():
    row, _ = rules.case_row(_case(1, 10, identification=None, reason="not_carried"))
    assert (row["card"], row["not_read_reason"]) == ("not_read", "not_carried")
    row, _ = rules.case_row(_case(1, 10, identification=None))
    assert row["not_read_reason"] == "not_recorded"
    row, _ = rules.case_row(_case(1, 10, identification="smartphone", reason="not_carried"))
    assert (row["card"], row["not_read_reason"]) == ("smartphone", None)


def test_weeks_run_monday_to_sunday_in_japan_time():
    assert rules.week_of(datetime(2026, 11, 1, 15, 30)) == datetime(2026, 11, 2).date()  # Mon 00:30 JST
    assert rules.week_of(datetime(2026, 11, 1, 14, 59)) == datetime(2026, 10, 26).date()  # Sun 23:59 JST


def test_percentiles_by_nearest_rank():
    assert rules.percentile({}, 0.5) is None
    assert rules.percentile({10: 1, 20: 1, 30: 1}, 0.5) == 20
    assert rules.percentile({v: 1 for v in range(1, 11)}, 0.9) == 9
    assert rules.percentile({5: 9, 50: 1}, 0.9) == 5


def _lines(table: dict) -> list[list]:
    """Each row with its total, each column with its total, the column totals with the grand total."""
    rows = [cells + [total] for cells, total in zip(table["cells"], table["row_totals"])]
    rows.append(table["column_totals"] + [table["total"]])
    return rows + [list(column) for column in zip(*rows)]


def _hidden(value) -> bool:
    return value in (rules.PRIMARY, rules.SECONDARY)


def test_counts_under_ten_are_hidden_and_zero_is_shown():
    out = rules.suppress([[120, 3, 0], [80, 40, 12]])
    assert out["cells"][0][1] == "<10" and out["cells"][0][2] == 0
    # the 3 could be worked out from its row (123 - 120) or its column (43 - 40): both get a partner
    assert out["cells"][0][0] == "*" and out["cells"][1][1] == "*"
    assert out["row_totals"] == [123, 132] and out["total"] == 255


def test_no_hidden_count_can_be_recovered_from_a_row_or_column_total():
    rng = random.Random(7)
    for _ in range(300):
        rows, cols = rng.randint(1, 6), rng.randint(1, 6)
        cells = [[rng.choice([0, 1, 2, 5, 9, 10, 11, 30, 200]) for _ in range(cols)] for _ in range(rows)]
        out = rules.suppress(cells)
        for line in _lines(out):
            assert sum(_hidden(v) for v in line) != 1, (cells, out)
        shown = [v for line in _lines(out) for v in line if not _hidden(v)]
        assert all(v == 0 or v >= rules.SMALL for v in shown), (cells, out)
        # each hidden cell fits more than one value given every line's visible numbers
        for i, j in itertools.product(range(rows), range(cols)):
            if _hidden(out["cells"][i][j]):
                assert out["cells"][i][j] == rules.SECONDARY or 0 < cells[i][j] < rules.SMALL


def test_an_empty_table_is_still_a_table():
    assert rules.suppress([]) == {"cells": [], "row_totals": [], "column_totals": [], "total": 0}
