"""The acuity of an incoming patient, from every measure's latest value, never one entry's.

The crew sends what it could measure: a set with blood pressure and JCS, then one with only a
heart rate. Judging the newest entry alone turned a patient in shock green the moment a pulse
came in. Here each measure keeps its own latest value and time, a value too old to trust is
stale and decides nothing, and a patient is "stable" (green) only when every deciding measure
is fresh and normal; otherwise the answer says what is missing. A triage aid, never a diagnosis.

The thresholds are one table (`RULES`), served to the pages by `legend()`, so the legend on the
dashboard and the rule cannot disagree."""
from __future__ import annotations

import operator
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Iterable, Literal

from pydantic import BaseModel, Field

from shared.clock import aware
from shared.schemas.vitals import Vitals

# Pre-hospital vitals are re-taken every 5-15 minutes; 20 minutes is one missed round plus
# margin. A value older than that describes a patient who may no longer exist.
FRESH_FOR = timedelta(minutes=20)

# The primary survey's B, C and D: each alone can make a patient critical, and each is
# measured on every round. Temperature is rarely re-taken en route and alone makes a patient
# only urgent; diastolic pressure has no threshold. Their absence never blocks "green".
DECIDING = ("systolic_bp", "spo2", "consciousness", "heart_rate", "respiratory_rate")
MEASURED = ("heart_rate", "systolic_bp", "diastolic_bp", "spo2", "respiratory_rate",
            "temperature", "consciousness")

Level = Literal["red", "yellow", "green"]
Verdict = Literal["red", "yellow", "green", "incomplete", "none"]
_WORSE = {"green": 0, "yellow": 1, "red": 2}
_OPS = {"<": operator.lt, "<=": operator.le, ">=": operator.ge}


@dataclass(frozen=True)
class Rule:
    """One row of the table: a value meeting any `red` bound is red, else any `yellow` one."""
    scale: str                          # a Vitals field; consciousness is "jcs" or "gcs"
    label: str
    unit: str
    red: tuple[tuple[str, float], ...]
    yellow: tuple[tuple[str, float], ...]

    def level(self, value: float) -> Level:
        for level, bounds in (("red", self.red), ("yellow", self.yellow)):
            if any(_OPS[op](value, limit) for op, limit in bounds):
                return level
        return "green"


# GCS follows the JCS bands so the two scales agree: JCS 1-digit (awake) is about GCS 14-15,
# 2-digit (rousable only by stimulus) about GCS 9-13, 3-digit (not rousable) GCS <= 8, the
# "severe" head injury line at which the airway is at risk.
# Temperature < 35 is the dashboard's existing hypothermia rule, kept.
RULES: tuple[Rule, ...] = (
    Rule("spo2", "SpO2", "%", red=(("<", 90),), yellow=(("<", 94),)),
    Rule("systolic_bp", "SBP", "mmHg", red=(("<", 90),), yellow=(("<", 100),)),
    Rule("jcs", "JCS", "", red=((">=", 100),), yellow=((">=", 10),)),
    Rule("gcs", "GCS", "", red=(("<=", 8),), yellow=(("<=", 13),)),
    Rule("heart_rate", "HR", "/min", red=((">=", 130), ("<", 40)), yellow=((">=", 110), ("<", 50))),
    Rule("respiratory_rate", "RR", "/min", red=((">=", 30), ("<", 8)), yellow=((">=", 24),)),
    Rule("temperature", "T", "℃", red=(), yellow=((">=", 39), ("<", 35))),
)
_RULE = {r.scale: r for r in RULES}


def legend() -> dict:
    """The table as JSON-able data, for the page that draws the legend."""
    return {
        # One table, for adults: a child's normal rates differ (clinical safety H66), and the pages say so.
        "thresholds_for": "adults",
        "fresh_for_minutes": int(FRESH_FOR.total_seconds() // 60),
        "deciding": list(DECIDING),
        "rules": [{"measure": r.scale, "label": r.label, "unit": r.unit,
                   "red": [{"op": op, "value": v} for op, v in r.red],
                   "yellow": [{"op": op, "value": v} for op, v in r.yellow]} for r in RULES],
    }


def _utc(dt: datetime) -> datetime:
    return aware(dt).astimezone(timezone.utc)


class Latest(BaseModel):
    """The newest value of one scale: ordered by when it was taken, then by arrival."""
    value: int | float
    taken_at: datetime
    seq: int

    def newer_than(self, other: "Latest | None") -> bool:
        return other is None or (self.taken_at, self.seq) > (other.taken_at, other.seq)


class LatestVitals(BaseModel):
    """A patient's latest value per scale, kept up to date one entry at a time.

    A pydantic model, so a store can keep it as JSON next to the patient instead of
    reloading every update to assess the patient again."""
    scales: dict[str, Latest] = Field(default_factory=dict)
    last_seq: int = 0

    @classmethod
    def of(cls, entries: Iterable[Vitals]) -> "LatestVitals":
        latest = cls()
        for vitals in entries:
            latest.add(vitals)
        return latest

    def add(self, vitals: Vitals, seq: int | None = None,
            received_at: datetime | None = None) -> "LatestVitals":
        """Keep each value of `vitals` that is newer than the one held.

        `seq` is the update's sequence number when there is one; without it the entry counts
        as arriving after everything seen, which breaks a tie of `taken_at` the same way.
        A `taken_at` ahead of `received_at` (a tablet's clock running fast) counts as
        `received_at`, so it cannot hide the values measured after it."""
        seq = self.last_seq + 1 if seq is None else seq
        self.last_seq = max(self.last_seq, seq)
        taken_at = _utc(vitals.taken_at)
        if received_at is not None:
            taken_at = min(taken_at, _utc(received_at))
        for scale in _RULE.keys() | {"diastolic_bp"}:
            value = getattr(vitals, scale)
            if value is None:
                continue
            if scale == "gcs":
                value = value.total
            candidate = Latest(value=value, taken_at=taken_at, seq=seq)
            if candidate.newer_than(self.scales.get(scale)):
                self.scales[scale] = candidate
        return self


class Reading(BaseModel):
    """What the screen shows for one measure: its own value, its own time, and its level."""
    value: int | float
    taken_at: datetime
    stale: bool
    level: Level
    scale: Literal["jcs", "gcs"] | None = None    # for consciousness only


class Acuity(BaseModel):
    level: Verdict
    missing: list[str] = Field(default_factory=list, description="deciding measures never received")
    stale: list[str] = Field(default_factory=list, description="measures older than the window")
    measures: dict[str, Reading] = Field(default_factory=dict)
    fresh_for_minutes: int = Field(int(FRESH_FOR.total_seconds() // 60),
                                   description="a value older than this is stale: the screen says why")
    changes_at: datetime | None = Field(
        None, description="the moment after which the first fresh value is stale: assess again "
                          "then, even if no entry comes (None: nothing fresh is left to go stale)")


def _consciousness(latest: LatestVitals) -> tuple[str, Latest] | None:
    """The newer of JCS and GCS; when one entry gave both, the worse of the two (JCS on a tie)."""
    held = [(s, latest.scales[s]) for s in ("jcs", "gcs") if s in latest.scales]
    if not held:
        return None
    return max(held, key=lambda sv: (sv[1].taken_at, sv[1].seq,
                                     _WORSE[_RULE[sv[0]].level(sv[1].value)], sv[0] == "jcs"))


def assess(latest: LatestVitals, now: datetime) -> Acuity:
    """The worst level among the fresh values; "incomplete" rather than "green" when a deciding
    measure is missing or stale. A `taken_at` ahead of `now` (a tablet's clock) counts as now."""
    if not latest.scales:
        return Acuity(level="none")
    oldest_fresh = _utc(now) - FRESH_FOR
    held: dict[str, tuple[str, Latest]] = {
        m: (m, latest.scales[m]) for m in MEASURED if m in latest.scales}
    if (c := _consciousness(latest)) is not None:
        held["consciousness"] = c
    measures = {}
    for measure, (scale, value) in held.items():
        rule = _RULE.get(scale)
        measures[measure] = Reading(
            value=value.value, taken_at=value.taken_at, stale=value.taken_at < oldest_fresh,
            level=rule.level(value.value) if rule else "green",
            scale=scale if measure == "consciousness" else None)
    fresh = [r.level for r in measures.values() if not r.stale]
    worst = max(fresh, key=_WORSE.__getitem__, default="green")
    missing = [m for m in DECIDING if m not in measures]
    stale = [m for m in MEASURED if m in measures and measures[m].stale]
    if worst == "green" and (missing or any(m in stale for m in DECIDING)):
        worst = "incomplete"
    # Time alone changes the answer: a screen left open must hear when a value goes stale.
    changes_at = min((r.taken_at + FRESH_FOR for r in measures.values() if not r.stale), default=None)
    return Acuity(level=worst, missing=missing, stale=stale, measures=measures, changes_at=changes_at)


def assess_entries(entries: Iterable[Vitals], now: datetime) -> Acuity:
    """The acuity from a patient's vitals entries in arrival order."""
    return assess(LatestVitals.of(entries), now)
