"""Synthetic past incidents for the region's figures: `python -m load.seed_figures --incidents 1000000`.

Why: the figures page must answer in under a second over a region's years of cases (a region
runs about 100,000 incidents a year), and that can only be measured on that many rows. Each
incident is written as the hub holds a closed one (incident with its run times, inquiries,
answers, the ER's outcome for most) plus its figures rows, made by the same rule the hub applies
at close (shared.figures.case_row), in bulk inserts of a batch at a time, on SQLite or PostgreSQL
(DATABASE_URL / DATABASE_SCHEMA as the hub reads them). Synthetic cases carry no patient at all
(no card, no record, no audit entries: nobody looked at anything).

Also used by the tests and the demo with a few hundred cases (`seed(db, ...)`)."""
from __future__ import annotations

import argparse
import json
import random
import secrets
import time
from datetime import date, datetime, timedelta

from sqlalchemy import JSON, insert, select

from ems_app.models import CaseFigures, Hospital, Incident, Inquiry, Outcome, User
from ems_app.services.figures import add_to_weeks
from shared import figures as rules
from shared.clock import utcnow
from shared.schemas.inquiry import DECLINE_REASONS

SYNTHETIC_USER = "synthetic-past-cases"
BATCH = 20_000
COMPLAINTS = ["胸痛", "呼吸困難", "意識障害", "腹痛", "転倒・外傷", "発熱", "めまい", "けいれん", "吐血", "頭痛"]
SEVERITY_WEIGHTS = {"mild": 48, "moderate": 38, "severe": 9, "death": 1.5, "other": 3.5}
DISPOSITION = {"mild": "discharged", "moderate": "admitted", "severe": "icu", "death": "died", "other": "transferred"}
DIAGNOSES = [("I21.9", "急性心筋梗塞"), ("I63.9", "脳梗塞"), ("J18.9", "肺炎"), ("S72.0", "大腿骨頸部骨折"),
             ("R55", "失神"), ("K35.8", "急性虫垂炎"), ("E86", "脱水症")]
INQUIRY_WEIGHTS = [(1, 70), (2, 17), (3, 7), (4, 3), (5, 1.5), (6, 1), (8, 0.5)]


def _user_id(conn, organisation: str) -> int:
    """The account the synthetic incidents are opened by: it cannot sign in (no password hash)."""
    found = conn.execute(select(User.id).where(User.username == SYNTHETIC_USER)).scalar()
    if found is not None:
        return found
    return conn.execute(insert(User).values(username=SYNTHETIC_USER, display_name="synthetic past cases",
                                            role="none", password_hash="!", team="", organisation=organisation,
                                            **({"disabled_at": utcnow()} if hasattr(User, "disabled_at") else {}))
                        .returning(User.id)).scalar()


def _hospitals(conn, extra: int) -> list[str]:
    ids = list(conn.execute(select(Hospital.id).order_by(Hospital.id)).scalars())
    if extra or not ids:
        made = [{"id": f"synthetic-hp-{i:02d}", "name": f"合成病院 {i:02d} / Synthetic Hospital {i:02d}",
                 "public_keys": [], "emergency_level": "secondary"} for i in range(max(extra, 1))]
        new = [h for h in made if h["id"] not in ids]
        if new:
            conn.execute(insert(Hospital), new)
        ids += [h["id"] for h in new]
    return ids


def _case(rng: random.Random, organisation: str, stations: list[str], hospitals: list[str], user_id: int,
          called: datetime):
    """One closed incident called at `called`: (incident, inquiries, outcome or None, figures row, declines)."""
    iid = f"{rng.getrandbits(64):016x}"
    created = called + timedelta(seconds=rng.randint(60, 180))
    on_scene = called + timedelta(seconds=rng.randint(300, 900))
    transported = rng.random() < 0.92
    n = rng.choices([k for k, _ in INQUIRY_WEIGHTS], [w for _, w in INQUIRY_WEIGHTS])[0] if transported else 0
    asked = on_scene + timedelta(seconds=rng.randint(240, 900))
    inquiries, facts, hospital = [], [], None
    for k in range(n):
        hospital_id = rng.choice(hospitals)
        answered = asked + timedelta(seconds=rng.randint(60, 420))
        last = k == n - 1
        reason = None if last else rng.choice(DECLINE_REASONS)
        qid = f"{rng.getrandbits(64):016x}"
        inquiries.append({"id": qid, "incident_id": iid, "hospital_id": hospital_id,
                          "status": "accepted" if last else "declined", "asked_at": asked, "answered_at": answered,
                          "answered_by": "救急医", "decline_reason": reason})
        facts.append(rules.InquiryFact(qid, hospital_id, inquiries[-1]["status"], asked, answered, reason))
        asked = answered + timedelta(seconds=rng.randint(30, 240))
        hospital = hospital_id if last else hospital
    left = (asked if n else on_scene + timedelta(seconds=rng.randint(600, 1800))) + timedelta(seconds=rng.randint(60, 300))
    arrival = left + timedelta(seconds=rng.randint(300, 1500)) if hospital else None
    handed = arrival + timedelta(seconds=rng.randint(60, 300)) if arrival else None
    closed = (handed or left) + timedelta(minutes=30)
    roll = rng.random()
    identification = ("card_photo" if roll < 0.52 else "smartphone" if roll < 0.58
                      else "attributes" if roll < 0.59 else None)
    not_read = None if identification else rng.choice(rules.CREW_NOT_READ_REASONS + ("certificate_expired", None))
    basis = (("consent" if rng.random() < 0.84 else "emergency_exception") if identification else None)
    severity = None
    outcome = None
    if hospital and rng.random() < 0.86:
        severity = rng.choices(list(SEVERITY_WEIGHTS), list(SEVERITY_WEIGHTS.values()))[0]
        code, display = rng.choice(DIAGNOSES)
        outcome = {"incident_id": iid, "hospital_id": hospital, "severity": severity, "diagnosis_system": "ICD-10",
                   "diagnosis_code": code, "diagnosis_display": display, "disposition": DISPOSITION[severity],
                   "recorded_at": handed + timedelta(minutes=rng.randint(10, 120)), "recorded_by": f"hospital:{hospital}"}
    station = rng.choice(stations)
    age_band = f"{rng.choice([0, 10, 20, 30, 40, 50, 60, 70, 70, 80, 80, 90])}s"
    incident = {"id": iid, "created_by": user_id, "created_at": created, "team": station, "status": "closed",
                "chief_complaint": rng.choice(COMPLAINTS), "organisation": organisation,
                "identification": identification, "card_kind": identification and "mynumber",
                "basis": {"kind": basis} if basis else None, "record_status": "fetched" if basis else "not_fetched",
                "hospital_id": hospital, "handed_over_at": handed, "closed_at": closed, "called_at": called,
                "on_scene_at": on_scene, "left_scene_at": left, "hospital_arrival_at": arrival,
                "card_not_read_reason": not_read}
    row, declines = rules.case_row(rules.CaseFacts(
        incident_id=iid, organisation=organisation, station=station, hospital_id=hospital,
        identification=identification, not_read_reason=not_read, basis=basis, created_at=created, called_at=called,
        on_scene_at=on_scene, left_scene_at=left, arrived_at=arrival, inquiries=tuple(facts), severity=severity,
        age_band=age_band))
    return incident, inquiries, outcome, row, declines


def _write(conn, table, rows: list[dict]) -> None:
    """Bulk-insert rows: COPY on PostgreSQL, the driver's executemany on SQLite (values in the
    forms SQLAlchemy stores them in), each several times faster than the ORM's executemany."""
    columns = [c.name for c in table.columns]
    defaults = [_default(c) for c in table.columns]
    raw = conn.connection.driver_connection
    if conn.dialect.name == "postgresql":
        from psycopg.types.json import Jsonb
        json_columns = {i for i, c in enumerate(table.columns) if isinstance(c.type, JSON)}
        with raw.cursor().copy(f'COPY {table.name} ({", ".join(columns)}) FROM STDIN') as copy:
            for row in rows:
                values = [row.get(c, d) for c, d in zip(columns, defaults)]
                for i in json_columns:
                    values[i] = None if values[i] is None else Jsonb(values[i])
                copy.write_row(values)
        return
    convert = [_sqlite_form(c) for c in table.columns]
    values = [[f(row.get(c, d)) if f else row.get(c, d) for c, d, f in zip(columns, defaults, convert)] for row in rows]
    raw.cursor().executemany(f'INSERT INTO {table.name} ({", ".join(columns)}) VALUES '
                             f'({", ".join("?" * len(columns))})', values)


def _default(column):
    default = column.default
    if default is None or not default.is_scalar:
        return None  # a callable default (created_at's clock) is always given here
    return default.arg


def _sqlite_form(column):
    """How SQLAlchemy's SQLite types store a value: datetimes with microseconds, JSON as text."""
    kind = column.type.python_type if not isinstance(column.type, JSON) else dict
    if kind is datetime:
        return lambda v: None if v is None else v.isoformat(" ", "microseconds")
    if kind is date:
        return lambda v: None if v is None else v.isoformat()
    if kind in (dict, list):
        return lambda v: None if v is None else json.dumps(v, ensure_ascii=False)
    return None


def seed(db, incidents: int, *, organisation: str = "fire:tokyo", weeks: int = 52, stations: int = 12,
         extra_hospitals: int = 0, seed: int | None = None, end: datetime | None = None,
         station_prefix: str | None = None, progress=None) -> dict:
    """Write `incidents` closed synthetic incidents over the `weeks` before `end` (default now)."""
    rng = random.Random(seed if seed is not None else secrets.randbits(32))
    prefix = station_prefix or organisation.split(":")[-1]
    station_names = [f"{prefix}-{i}" for i in range(1, stations + 1)]
    end = end or utcnow() - timedelta(hours=6)  # the last case is closed by now, not in the future
    start, span_s = end - timedelta(weeks=weeks), weeks * 7 * 24 * 3600.0
    with db.engine.begin() as conn:
        user_id = _user_id(conn, organisation)
        hospitals = _hospitals(conn, extra_hospitals)
    counts = dict.fromkeys(("incidents", "inquiries", "outcomes", "case_figures", "declines"), 0)
    tables = [(Incident, "incidents"), (Inquiry, "inquiries"), (Outcome, "outcomes"), (CaseFigures, "case_figures")]
    done, step = 0, span_s / max(incidents, 1)
    while done < incidents:
        batch = {name: [] for name in counts}
        for k in range(done, min(done + BATCH, incidents)):
            # In time order, so a batch's cases fall in a few weeks and sum into few counters.
            called = start + timedelta(seconds=(k + rng.random()) * step)
            incident, inquiries, outcome, row, declines = _case(rng, organisation, station_names, hospitals,
                                                                user_id, called)
            batch["incidents"].append(incident)
            batch["inquiries"] += inquiries
            if outcome:
                batch["outcomes"].append(outcome)
            batch["case_figures"].append(row)
            batch["declines"] += declines
        with db.engine.begin() as conn:
            for model, name in tables:
                if batch[name]:
                    _write(conn, model.__table__, batch[name])
                    counts[name] += len(batch[name])
            add_to_weeks(conn, batch["case_figures"], batch["declines"])
            counts["declines"] += len(batch["declines"])
        done += len(batch["incidents"])
        if progress:
            progress(done, incidents)
    return counts


def main(argv: list[str] | None = None) -> int:
    from ems_app import config
    from ems_app.hub import MIGRATIONS
    from shared.storage import Database

    parser = argparse.ArgumentParser(prog="python -m load.seed_figures", description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--weeks", type=int, default=520, help="spread over this many past weeks (default: 10 years)")
    parser.add_argument("--organisation", default="fire:tokyo")
    parser.add_argument("--stations", type=int, default=12)
    parser.add_argument("--hospitals", type=int, default=24, help="synthetic hospitals added (never enrolled keys)")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    cfg = config.load()
    db = Database(cfg["DATABASE_URL"], cfg["DATABASE_SCHEMA"], MIGRATIONS)
    db.migrate()
    began = time.monotonic()

    def progress(done, total):
        if done % 100_000 < BATCH or done == total:
            print(f"  {done:>9,} / {total:,}  {time.monotonic() - began:6.1f} s", flush=True)
    counts = seed(db, args.incidents, organisation=args.organisation, weeks=args.weeks, stations=args.stations,
                  extra_hospitals=args.hospitals, seed=args.seed, progress=progress)
    print(f"wrote {counts} in {time.monotonic() - began:.1f} s on {db.engine.dialect.name}")
    analysed = time.monotonic()
    # Fresh statistics and (PostgreSQL) the visibility map, as autovacuum would make them after such
    # a load: without it the times' index is not read alone.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        for table in ("incidents", "inquiries", "outcomes", "case_figures", "figure_weeks", "decline_weeks"):
            conn.exec_driver_sql(f"{'VACUUM ANALYZE' if db.is_postgres else 'ANALYZE'} {table}")
    print(f"{'vacuumed and ' if db.is_postgres else ''}analysed in {time.monotonic() - analysed:.1f} s")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
