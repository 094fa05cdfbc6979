"""The region's figures as the fire service counts them, free of Flask and of the database.

One rule each, so the page, the API, the CSV, the seeder and the benchmark cannot disagree:
- 救急搬送困難事案 (the Fire and Disaster Management Agency's definition): four or more acceptance
  inquiries AND thirty minutes or more on scene, on scene being arrival on scene -> departure from
  scene. With four or more inquiries and no scene times the case is "unknown", never "not difficult".
- A case without a returned outcome counts as "outcome not returned", never as mild.
- Anonymous: no identity in any figure, and every count of 1 to 9 cases is suppressed ("<10") in
  what leaves the system, with complementary suppression ("*") so no suppressed count can be
  worked out from a row's or a column's total. A zero is shown: it describes nobody, and hiding
  the zeros of a category that never occurs would hide a real count beside each one.
Weeks run Monday to Sunday in Japan time, as the Agency publishes them."""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from shared.schemas.inquiry import DECLINE_REASONS
from shared.schemas.outcome import SEVERITIES

JST = timezone(timedelta(hours=9))
DIFFICULT_INQUIRIES = 4
DIFFICULT_ON_SCENE = timedelta(minutes=30)
SMALL = 10            # a count under this is suppressed
PRIMARY, SECONDARY = "<10", "*"

# How the patient was identified (Incident.identification), or that the card was not read.
CARD_USE = ("card_photo", "smartphone", "attributes", "not_read")
# Why the card was not read: what the crew records (Incident.card_not_read_reason), or what the
# last failed read said (the audit's identify.failed), else not recorded.
NOT_READ_REASONS = ("not_carried", "declined", "urgent", "unreadable", "other",
                    "certificate_expired", "card_not_found", "source_unavailable", "not_recorded")
CREW_NOT_READ_REASONS = NOT_READ_REASONS[:5]
BASES = ("consent", "emergency_exception", "none")
DIFFICULTY = ("difficult", "not_difficult", "unknown")
INQUIRY_BUCKETS = ("0", "1", "2", "3", "4", "5+")
OUTCOMES = (*SEVERITIES, "not_returned")


def week_of(at: datetime) -> date:
    """The Monday (Japan time) of the week a naive-UTC time falls in."""
    local = at.replace(tzinfo=timezone.utc).astimezone(JST).date()
    return local - timedelta(days=local.weekday())


def minutes(start: datetime | None, end: datetime | None) -> int | None:
    """Whole minutes from start to end (rounded down), or None when either is unknown."""
    if start is None or end is None or end < start:
        return None
    return int((end - start).total_seconds() // 60)


def is_difficult(inquiries: int, on_scene: timedelta | None) -> bool | None:
    """True or False by the Agency's rule; None when it cannot be told (the scene times are missing
    and there were enough inquiries for the time to decide)."""
    if inquiries < DIFFICULT_INQUIRIES:
        return False
    if on_scene is None:
        return None
    return on_scene >= DIFFICULT_ON_SCENE


def difficulty(inquiries: int, on_scene: timedelta | None) -> str:
    return {True: "difficult", False: "not_difficult", None: "unknown"}[is_difficult(inquiries, on_scene)]


def inquiry_bucket(n: int) -> str:
    return str(n) if n < 5 else "5+"


@dataclass(frozen=True)
class InquiryFact:
    id: str
    hospital_id: str
    status: str                     # pending | accepted | declined | withdrawn
    asked_at: datetime
    answered_at: datetime | None
    reason: str | None


@dataclass(frozen=True)
class CaseFacts:
    """What a closed incident holds that the figures count."""
    incident_id: str
    organisation: str
    station: str
    hospital_id: str | None
    identification: str | None      # card_photo | smartphone | attributes | None (not read)
    not_read_reason: str | None
    basis: str | None
    created_at: datetime
    called_at: datetime | None
    on_scene_at: datetime | None
    left_scene_at: datetime | None
    arrived_at: datetime | None     # at the hospital (病院到着), or the handover when not recorded
    inquiries: tuple[InquiryFact, ...]
    severity: str | None
    age_band: str | None


def case_row(case: CaseFacts) -> tuple[dict, list[dict]]:
    """The case's row of the figures (CaseFigures) and one row per declined inquiry (CaseDecline).

    Every inquiry asked counts (asked in parallel or one after another); the acceptance is the last
    acceptance by the hospital that took the patient (after a re-routing, the one that counts)."""
    week = week_of(case.called_at or case.created_at)
    on_scene = (case.left_scene_at - case.on_scene_at
                if case.on_scene_at is not None and case.left_scene_at is not None
                and case.left_scene_at >= case.on_scene_at else None)
    accepted = [q.answered_at for q in case.inquiries
                if q.status == "accepted" and q.hospital_id == case.hospital_id and q.answered_at is not None]
    acceptance = max(accepted) if accepted else None
    n = len(case.inquiries)
    card = case.identification if case.identification in CARD_USE else "not_read"
    reason = None
    if card == "not_read":
        reason = case.not_read_reason if case.not_read_reason in NOT_READ_REASONS else "not_recorded"
    row = {"organisation": case.organisation, "week": week, "incident_id": case.incident_id,
           "station": case.station, "hospital_id": case.hospital_id, "card": card, "not_read_reason": reason,
           "basis": case.basis if case.basis in BASES else "none", "inquiries": n,
           "on_scene_min": None if on_scene is None else int(on_scene.total_seconds() // 60),
           "difficult": bool(is_difficult(n, on_scene)),
           "call_to_acceptance_min": minutes(case.called_at, acceptance),
           "acceptance_to_arrival_min": minutes(acceptance, case.arrived_at),
           "severity": case.severity if case.severity in SEVERITIES else None, "age_band": case.age_band}
    declines = [{"organisation": case.organisation, "week": week, "incident_id": case.incident_id,
                 "inquiry_id": q.id, "station": case.station, "hospital_id": q.hospital_id,
                 "reason": q.reason if q.reason in DECLINE_REASONS else "other"}
                for q in case.inquiries if q.status == "declined"]
    return row, declines


def percentile(histogram: dict[int, int], q: float) -> int | None:
    """The nearest-rank q-quantile of values given as {value: how many}; None when empty."""
    n = sum(histogram.values())
    if n == 0:
        return None
    rank, seen = max(1, math.ceil(q * n)), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # not reached


def suppress(cells: list[list[int]]) -> dict:
    """A table of counts as it may leave the system: cells, each row's total, each column's total
    and the grand total, every one a number, PRIMARY ("<10": 1 to SMALL - 1) or SECONDARY ("*": hidden
    so that a "<10" cannot be worked out by subtraction).

    Each row with its total, each column with its total, the row of column totals with the grand
    total: in each such line a total is the sum of the rest, so one hidden member alone could be
    recovered. Until every line hides none or at least two, the smallest visible cell of a line
    with exactly one hidden is hidden too (a total only when the line has no visible cell left)."""
    rows, cols = len(cells), len(cells[0]) if cells else 0
    grid = [list(r) + [sum(r)] for r in cells]
    grid.append([sum(grid[i][j] for i in range(rows)) for j in range(cols + 1)])
    hidden: dict[tuple[int, int], str] = {(i, j): PRIMARY for i in range(rows + 1) for j in range(cols + 1)
                                          if 0 < grid[i][j] < SMALL}
    lines = [[(i, j) for j in range(cols + 1)] for i in range(rows + 1)] + \
            [[(i, j) for i in range(rows + 1)] for j in range(cols + 1)]
    changed = bool(rows and cols)
    while changed:
        changed = False
        for line in lines:
            if sum(m in hidden for m in line) != 1:
                continue
            visible = [m for m in line if m not in hidden]
            inner = [m for m in visible if m[0] < rows and m[1] < cols]
            # A zero hides nobody: the smallest count above zero, a cell before a total.
            pick = min(inner or visible, key=lambda m: (grid[m[0]][m[1]] == 0, grid[m[0]][m[1]], m))
            hidden[pick] = SECONDARY
            changed = True

    def shown(i: int, j: int):
        return hidden.get((i, j), grid[i][j])
    return {"cells": [[shown(i, j) for j in range(cols)] for i in range(rows)],
            "row_totals": [shown(i, cols) for i in range(rows)],
            "column_totals": [shown(rows, j) for j in range(cols)],
            "total": shown(rows, cols)}


def _column(prefix: str, code: str) -> str:
    return f"{prefix}_{code.replace('+', 'p')}"


# The weekly rollup's counters (figure_weeks): one per category of each table, summed per
# organisation, week, unit and destination hospital.
TALLIES = {"difficulty": [_column("difficulty", k) for k in DIFFICULTY],
           "card": [_column("card", k) for k in CARD_USE], "not_read": [_column("nr", k) for k in NOT_READ_REASONS],
           "basis": [_column("basis", k) for k in BASES], "inquiries": [_column("inq", k) for k in INQUIRY_BUCKETS],
           "outcomes": [_column("sev", k) for k in OUTCOMES]}
TALLY_COLUMNS = ["cases", "inquiries_sum", *(c for columns in TALLIES.values() for c in columns)]


def case_difficulty(row: dict) -> str:
    if row["difficult"]:
        return "difficult"
    return "unknown" if row["on_scene_min"] is None and row["inquiries"] >= DIFFICULT_INQUIRIES else "not_difficult"


def tallies(row: dict) -> dict[str, int]:
    """What one case (a case_row) adds to its week's counters."""
    out = {"cases": 1, "inquiries_sum": row["inquiries"], _column("difficulty", case_difficulty(row)): 1,
           _column("card", row["card"]): 1, _column("basis", row["basis"]): 1,
           _column("inq", inquiry_bucket(row["inquiries"])): 1, _column("sev", row["severity"] or "not_returned"): 1}
    if row["not_read_reason"]:
        out[_column("nr", row["not_read_reason"])] = 1
    return out


def severity_change(old: str | None, new: str) -> dict[str, int]:
    """The counters' change when an outcome arrives (or is corrected) after the case was counted."""
    change = {_column("sev", old or "not_returned"): -1}
    key = _column("sev", new)
    change[key] = change.get(key, 0) + 1
    return change
