"""The region's figures for the fire HQ's analyst and the medical-control physician.

A closed case is counted once, at close: one narrow row (`case_figures`, for the times and the
case list) and its week's counters (`figure_weeks` per unit and destination, `decline_weeks`),
all keyed by organisation and week first: a year's figures read a few thousand counters and one
index range, whatever the size of the incidents table (docs/performance.md, Figures). The rules themselves (搬送困難事案, suppression, percentiles) are
in shared/figures.py. Nothing identifying is read: no card, no name, no record."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ems_app.hub import Hub
from ems_app.models import AuditEntry, CaseFigures, DeclineWeek, FigureWeek, Incident, Inquiry, Outcome, User
from ems_app.services import audit
from shared import figures as rules
from shared.clock import utcnow
from shared.errors import Refused
from shared.schemas.outcome import Outcome as OutcomeIn
from shared.schemas.record import EmergencyRecord
from shared.summary import age_on

MAX_WEEKS = 106  # two years per answer: a year beside the one before it
EARLIEST, LATEST = date(2000, 1, 3), date(2099, 12, 28)  # Mondays; no case is older than マイナ救急 anyway
PRINTABLE = r"^[^\x00-\x1f\x7f]+$"  # a unit's or hospital's id: no control character (PostgreSQL refuses NUL)


class FiguresQuery(BaseModel):
    """Which cases (weeks, a station, a destination hospital) and by what the rows go."""
    model_config = ConfigDict(extra="forbid")
    from_week: date | None = Field(None, ge=EARLIEST, le=LATEST)
    to_week: date | None = Field(None, ge=EARLIEST, le=LATEST)
    station: str | None = Field(None, min_length=1, max_length=64, pattern=PRINTABLE)
    hospital: str | None = Field(None, min_length=1, max_length=64, pattern=PRINTABLE)
    by: Literal["week", "station", "hospital"] = "week"

    def weeks(self) -> tuple[date, date]:
        """(first Monday, last Monday): by default the 52 weeks up to this one."""
        last = rules.week_of(utcnow()) if self.to_week is None else self.to_week - timedelta(days=self.to_week.weekday())
        first = last - timedelta(weeks=51) if self.from_week is None else \
            self.from_week - timedelta(days=self.from_week.weekday())
        if first > last:
            raise Refused(400, "the first week must not be after the last", "bad_range")
        if (last - first).days // 7 + 1 > MAX_WEEKS:
            raise Refused(400, "at most %(weeks)s weeks at a time", "range_too_long", weeks=MAX_WEEKS)
        return first, last


# --- written at close ------------------------------------------------------------------------

def record_case(s: Session, incident: Incident) -> None:
    """Count the closed incident in the figures, inside the closing transaction and before its
    record is purged (the age band is all that is kept of it). Once: an incident closes once."""
    if s.scalars(select(CaseFigures.incident_id).where(CaseFigures.incident_id == incident.id)).first():
        return
    inquiries = tuple(rules.InquiryFact(q.id, q.hospital_id, q.status, q.asked_at, q.answered_at, q.decline_reason)
                      for q in s.scalars(select(Inquiry).where(Inquiry.incident_id == incident.id)))
    outcome = s.get(Outcome, incident.id)
    row, declines = rules.case_row(rules.CaseFacts(
        incident_id=incident.id, organisation=incident.organisation, station=incident.team,
        hospital_id=incident.hospital_id, identification=incident.identification,
        not_read_reason=incident.card_not_read_reason or _failed_read(s, incident),
        basis=(incident.basis or {}).get("kind"), created_at=incident.created_at, called_at=incident.called_at,
        on_scene_at=incident.on_scene_at, left_scene_at=incident.left_scene_at,
        arrived_at=incident.hospital_arrival_at or incident.handed_over_at, inquiries=inquiries,
        severity=outcome.severity if outcome else None, age_band=_age_band(incident)))
    s.add(CaseFigures(**row))
    add_to_weeks(s.connection(), [row], declines)


def _upsert(conn, table, rows: list[dict], keys: tuple[str, ...]):
    """Add each row's counters to the stored ones (insert when new), one statement for all rows."""
    if not rows:
        return
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(table)
    counters = [c for c in rows[0] if c not in keys]
    conn.execute(statement.on_conflict_do_update(
        index_elements=list(keys), set_={c: table.c[c] + statement.excluded[c] for c in counters}), rows)


WEEK_KEYS = ("organisation", "week", "station", "hospital_id")


def add_to_weeks(conn, rows: list[dict], declines: list[dict], change: dict | None = None) -> None:
    """Add cases (case_row rows) and their declines to the weekly counters, summed per key first."""
    weeks: dict[tuple, dict] = {}
    for row in rows:
        key = (row["organisation"], row["week"], row["station"], row["hospital_id"] or "")
        counters = weeks.setdefault(key, dict.fromkeys(rules.TALLY_COLUMNS, 0))
        for column, n in (change or rules.tallies(row)).items():
            counters[column] += n
    _upsert(conn, FigureWeek.__table__, [{**dict(zip(WEEK_KEYS, k)), **v} for k, v in weeks.items()], WEEK_KEYS)
    counted: dict[tuple, int] = {}
    for d in declines:
        key = (d["organisation"], d["week"], d["station"], d["hospital_id"], d["reason"])
        counted[key] = counted.get(key, 0) + 1
    _upsert(conn, DeclineWeek.__table__, [{**dict(zip((*WEEK_KEYS, "reason"), k)), "declines": n}
                                          for k, n in counted.items()], (*WEEK_KEYS, "reason"))


def _failed_read(s: Session, incident: Incident) -> str | None:
    """Why the last card read failed (certificate expired, no match, OQC down), if one did."""
    detail = s.scalars(select(AuditEntry.detail).where(AuditEntry.incident_id == incident.id,
                                                       AuditEntry.action == "identify.failed")
                       .order_by(AuditEntry.id.desc()).limit(1)).first()
    return (detail or {}).get("reason")


def _age_band(incident: Incident) -> str | None:
    if not incident.record_json:
        return None
    born = EmergencyRecord.model_validate_json(incident.record_json).card.birth_date
    return f"{age_on(born, incident.created_at.date()) // 10 * 10}s"


def record_outcome(s: Session, hub: Hub, incident_id: str, hospital_id: str, outcome: OutcomeIn, by: str) -> None:
    """Keep the ER's outcome (at or after handover, even after close) and count it in the figures."""
    kept = s.get(Outcome, incident_id) or Outcome(incident_id=incident_id)
    kept.hospital_id, kept.severity, kept.disposition = hospital_id, outcome.severity, outcome.disposition
    kept.diagnosis_system, kept.diagnosis_code = outcome.diagnosis.system, outcome.diagnosis.code
    kept.diagnosis_display, kept.recorded_at, kept.recorded_by = outcome.diagnosis.display, outcome.recorded_at, by
    s.add(kept)
    row = s.scalars(select(CaseFigures).where(CaseFigures.incident_id == incident_id)).first()
    if row is not None and row.severity != outcome.severity:  # already counted: move it to its severity
        add_to_weeks(s.connection(), [{c: getattr(row, c) for c in WEEK_KEYS}], [],
                     change=rules.severity_change(row.severity, outcome.severity))
        row.severity = outcome.severity
    audit.append(s, hub.audit_key, actor=by, action="outcome.record", incident_id=incident_id,
                 detail={"hospital": hospital_id, "severity": outcome.severity})


# --- read by the figures page -------------------------------------------------------------------

def answer(hub: Hub, user: User, query: FiguresQuery) -> dict:
    """The figures as they may leave the system (suppressed), for the user's fire HQ; audited."""
    first, last = query.weeks()
    with hub.db.read() as s:
        raw = compute(s, user.organisation, query, first, last)
    with hub.db.transaction() as s:
        audit.append(s, hub.audit_key, actor=f"user:{user.username}", action="figures.view",
                     detail={"from": first.isoformat(), "to": last.isoformat(), "by": query.by,
                             "station": query.station, "hospital": query.hospital})
    return publish(raw)


TABLES = {  # topic -> its columns, each a partition of the cases in a row (not_read: of those not read)
    "difficulty": rules.DIFFICULTY, "card": rules.CARD_USE, "not_read": rules.NOT_READ_REASONS,
    "basis": rules.BASES, "inquiries": rules.INQUIRY_BUCKETS, "outcomes": rules.OUTCOMES}
MEASURES = ("call_to_acceptance", "acceptance_to_arrival")


def _filters(model, organisation: str, query: FiguresQuery, first: date, last: date) -> list:
    where = [model.organisation == organisation, model.week >= first, model.week <= last]
    if query.station:
        where.append(model.station == query.station)
    if query.hospital:
        where.append(model.hospital_id == query.hospital)
    return where


def compute(s: Session, organisation: str, query: FiguresQuery, first: date, last: date) -> dict:
    """The raw counts (before suppression): the weekly counters summed, the times' histograms
    from the cases' index, the declines' counters."""
    w = FigureWeek.__table__.c
    by = {"week": w.week, "station": w.station, "hospital": w.hospital_id}[query.by]
    grouped = {row[0]: [int(v or 0) for v in row[1:]] for row in s.execute(
        select(by, *(func.sum(w[c]) for c in rules.TALLY_COLUMNS))
        .where(*_filters(w, organisation, query, first, last)).group_by(by))}
    keys = sorted(grouped, key=lambda k: (k in (None, ""), k))
    index = {c: i for i, c in enumerate(rules.TALLY_COLUMNS)}
    tables = {topic: [[grouped[k][index[c]] for c in columns] for k in keys]
              for topic, columns in rules.TALLIES.items()}
    c = CaseFigures
    by_case = {"week": c.week, "station": c.station, "hospital": c.hospital_id}[query.by]
    times = {}
    for measure in MEASURES:
        column = getattr(c, f"{measure}_min")
        histograms: dict = {}
        for key, value, n in s.execute(select(by_case, column, func.count())
                                       .where(*_filters(c, organisation, query, first, last), column.is_not(None))
                                       .group_by(by_case, column)):
            histograms.setdefault(key or "", {})[value] = n
        times[measure] = histograms
    d = DeclineWeek
    declines: dict = {}
    for hospital, reason, n in s.execute(select(d.hospital_id, d.reason, func.sum(d.declines))
                                         .where(*_filters(d, organisation, query, first, last))
                                         .group_by(d.hospital_id, d.reason)):
        declines.setdefault(hospital, dict.fromkeys(rules.DECLINE_REASONS, 0))[reason] = int(n)
    return {"filters": {"from_week": first.isoformat(), "to_week": last.isoformat(), "station": query.station,
                        "hospital": query.hospital, "by": query.by},
            "rows": [_key(k) for k in keys], "cases": [grouped[k][index["cases"]] for k in keys],
            "inquiries_sum": [grouped[k][index["inquiries_sum"]] for k in keys], "tables": tables,
            "times": {m: [times[m].get(k or "", {}) for k in keys] for m in MEASURES},
            "declines": {_key(h): [declines[h][r] for r in rules.DECLINE_REASONS] for h in sorted(declines)}}


def _key(value) -> str:
    return "none" if value in (None, "") else value.isoformat() if isinstance(value, date) else str(value)


def publish(raw: dict) -> dict:
    """What leaves the system: every count table suppressed, a mean or a percentile only over 10
    cases or more, and no other number."""
    rows = raw["rows"]
    tables = [{"id": topic, "rows": rows, "columns": list(columns),
               **rules.suppress(raw["tables"][topic] or [])}
              for topic, columns in TABLES.items()]
    decline_rows = list(raw["declines"])
    tables.append({"id": "declines", "rows": decline_rows, "columns": list(rules.DECLINE_REASONS),
                   **rules.suppress([raw["declines"][h] for h in decline_rows])})
    mean = [round(total / n, 1) if n >= rules.SMALL else None for total, n in zip(raw["inquiries_sum"], raw["cases"])]
    all_cases = sum(raw["cases"])
    mean_all = round(sum(raw["inquiries_sum"]) / all_cases, 1) if all_cases >= rules.SMALL else None
    times = []
    for measure in MEASURES:
        per_row = raw["times"][measure]
        merged: dict[int, int] = {}
        for histogram in per_row:
            for value, n in histogram.items():
                merged[value] = merged.get(value, 0) + n
        counted = rules.suppress([[sum(h.values())] for h in per_row])
        times.append({"id": measure, "rows": rows, "cases": [r[0] for r in counted["cells"]],
                      "cases_total": counted["total"],
                      "median": [_stat(h, 0.5) for h in per_row], "p90": [_stat(h, 0.9) for h in per_row],
                      "median_all": _stat(merged, 0.5), "p90_all": _stat(merged, 0.9)})
    return {"filters": raw["filters"], "tables": tables, "mean_inquiries": mean, "mean_inquiries_all": mean_all,
            "times": times}


def _stat(histogram: dict[int, int], q: float) -> int | None:
    return rules.percentile(histogram, q) if sum(histogram.values()) >= rules.SMALL else None


def options(hub: Hub, user: User) -> dict:
    """The fire HQ's units that have closed cases in the last two years, and every enrolled hospital."""
    from ems_app.models import Hospital
    since = rules.week_of(utcnow()) - timedelta(weeks=MAX_WEEKS)
    with hub.db.read() as s:
        stations = s.scalars(select(FigureWeek.__table__.c.station).where(
            FigureWeek.__table__.c.organisation == user.organisation,
            FigureWeek.__table__.c.week >= since).distinct()).all()
        hospitals = s.execute(select(Hospital.id, Hospital.name).order_by(Hospital.id)).all()
    return {"stations": sorted(stations), "hospitals": [{"id": h.id, "name": h.name} for h in hospitals]}
