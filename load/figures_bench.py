"""`python -m load.figures_bench`: how long the figures page's answers take on the database the
hub is configured for (DATABASE_URL / DATABASE_SCHEMA), after `python -m load.seed_figures`.

Why: the target is under one second per figures answer on SQLite and on PostgreSQL over a region's
million past incidents. Each scenario is what one page view asks (the counts, the times'
percentiles, the declines, and the suppression), timed in this process against the database, so
the figure is the service's, not the network's. Prints a table and writes JSON under
load/results/<date>-figures/."""
from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from ems_app.models import CaseFigures, Incident
from ems_app.services import figures
from shared import figures as rules

RESULTS = Path(__file__).parent / "results"


def scenarios(last: date, station: str, hospital: str) -> dict[str, figures.FiguresQuery]:
    year = last - timedelta(weeks=51)
    return {
        "year by week (the page's default)": figures.FiguresQuery(from_week=year, to_week=last),
        "year by unit": figures.FiguresQuery(from_week=year, to_week=last, by="station"),
        "year by hospital": figures.FiguresQuery(from_week=year, to_week=last, by="hospital"),
        "year, one unit, by week": figures.FiguresQuery(from_week=year, to_week=last, station=station),
        "year, one hospital, by week": figures.FiguresQuery(from_week=year, to_week=last, hospital=hospital),
        "two years by week": figures.FiguresQuery(from_week=last - timedelta(weeks=figures.MAX_WEEKS - 1), to_week=last),
        "one full week by hospital": figures.FiguresQuery(from_week=last - timedelta(weeks=1),
                                                          to_week=last - timedelta(weeks=1), by="hospital"),
    }


def main(argv: list[str] | None = None) -> int:
    from ems_app import config
    from ems_app.hub import MIGRATIONS
    from shared.storage import Database

    parser = argparse.ArgumentParser(prog="python -m load.figures_bench")
    parser.add_argument("--organisation", default="fire:tokyo")
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--label", help="results file name (default: the database kind)")
    args = parser.parse_args(argv)
    cfg = config.load()
    db = Database(cfg["DATABASE_URL"], cfg["DATABASE_SCHEMA"], MIGRATIONS)
    with db.read() as s:
        incidents = s.scalar(select(func.count()).select_from(Incident))
        last = s.scalar(select(func.max(CaseFigures.week)).where(CaseFigures.organisation == args.organisation))
        station, hospital = s.execute(select(CaseFigures.station, CaseFigures.hospital_id).where(
            CaseFigures.organisation == args.organisation, CaseFigures.hospital_id.is_not(None)).limit(1)).one()
    kind = db.engine.dialect.name
    print(f"{kind}: {incidents:,} incidents; last week {last}")
    rows = []
    for name, query in scenarios(last, station, hospital).items():
        first, end = query.weeks()
        times, cases = [], 0
        for _ in range(args.repeat):
            began = time.perf_counter()
            with db.read() as s:
                raw = figures.compute(s, args.organisation, query, first, end)
            figures.publish(raw)
            times.append(time.perf_counter() - began)
            cases = sum(raw["cases"])
        row = {"scenario": name, "cases": cases, "median_ms": round(statistics.median(times) * 1000, 1),
               "max_ms": round(max(times) * 1000, 1), "first_ms": round(times[0] * 1000, 1)}
        rows.append(row)
        print(f"  {name:<36} {cases:>9,} cases  median {row['median_ms']:>7.1f} ms  max {row['max_ms']:>7.1f} ms"
              f"  first {row['first_ms']:>7.1f} ms")
    began = time.perf_counter()
    with db.read() as s:
        counters = s.scalar(select(func.count()).select_from(figures.FigureWeek))
    out = {"database": kind, "incidents": incidents, "load_average_1_5_15": [round(x, 2) for x in os.getloadavg()], "figure_weeks_rows": counters, "repeat": args.repeat,
           "rule": {"small": rules.SMALL}, "scenarios": rows,
           "under_1s": all(r["max_ms"] < 1000 for r in rows)}
    folder = RESULTS / f"{date.today().isoformat()}-figures"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{args.label or kind}.json"
    path.write_text(json.dumps(out, ensure_ascii=False, indent=1) + "\n")
    print(f"  figure_weeks rows: {counters:,}; every answer under 1 s: {out['under_1s']}; machine load "
          f"{out['load_average_1_5_15']}; wrote {path} ({time.perf_counter() - began:.2f} s)")
    db.dispose()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
