"""`python -m hospital_app audit verify|export`: the access log's checks from the command line.

Like the hub's verify-audit and export-audit, these open only the database and the instance's
audit key (no web app, no gateway), so a privacy officer's check neither serves nor connects to
the hub. verify only reads (and remembers the head it verified) and exits 1 on a broken chain, so
a cron job or monitor can alert on it; export writes every entry with its chain fields, so the
copy can be checked again by whoever holds the key, and records itself in the log first."""
from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime

from sqlalchemy import select


def add_commands(sub) -> None:
    audit = sub.add_parser("audit", help="the access log: verify its hash chain, or export it")
    what = audit.add_subparsers(dest="audit_command", required=True)
    what.add_parser("verify", help="check the access log's HMAC chain; exit 1 if it is broken")
    export = what.add_parser("export", help="write the access log with its chain fields as JSON")
    export.add_argument("--out", required=True, help="file to write (created mode 0600)")


def run(args: argparse.Namespace) -> int:
    from hospital_app import MIGRATIONS, config
    from shared.storage import Database
    cfg = config.load()
    db = Database(cfg["DATABASE_URL"], cfg["DATABASE_SCHEMA"], MIGRATIONS, 2)
    try:
        db.migrate()
        if args.audit_command == "verify":
            return _verify(db, cfg)
        return _export(db, cfg, args.out)
    finally:
        db.dispose()


def _verify(db, cfg) -> int:
    from hospital_app import access_log
    count, before_chain, broken = access_log.check(db, cfg["AUDIT_KEY"], cfg["INSTANCE"])
    if broken is not None:
        print(f"access log BROKEN at entry {broken.id} ({broken.at}, {broken.action})")
        print(f"  {broken.why}", file=sys.stderr)
        return 1
    earlier = f" ({before_chain} written before the chain began, not covered)" if before_chain else ""
    print(f"access log intact: {count} entries{earlier}")
    return 0


def _export(db, cfg, out: str) -> int:
    from hospital_app import access_log
    from hospital_app.models import AccessLog
    # Open first, so a bad path fails before the export is recorded. Mode 0600: names of staff.
    fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with db.transaction() as s:  # the record of the export is the last entry exported
        access_log.append(s, cfg["AUDIT_KEY"], staff="operator", role="operator", incident_id="-",
                          action="log_export", reported=True)
    with db.read() as s:
        entries = [{"id": e.id, "at": _iso(e.at), "staff": e.staff, "role": e.role, "incident_id": e.incident_id,
                    "action": e.action, "previous_hash": e.previous_hash, "hash": e.hash}
                   for e in s.scalars(select(AccessLog).order_by(AccessLog.id))]
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump({"hospital": cfg["HOSPITAL_ID"], "entries": entries}, f, ensure_ascii=False, indent=1)
    print(f"exported {len(entries)} access log entries to {out}")
    return 0


def _iso(at: datetime) -> str:
    return at.isoformat() + "Z"  # stored as naive UTC
