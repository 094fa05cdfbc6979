"""`python -m ems_app run|seed-demo|enroll-hospital|register-unit|users|rotate-keys|verify-audit|export-audit|backup|restore`:
the hub's command line.

verify-audit and export-audit open only the database and the instance's audit key (no web app,
no socket layer, no grant-expiry sweeper), so a privacy officer's check does not serve or
end grants as a side effect. verify-audit only reads and exits 1 on a broken trail, so a cron job
or monitor can alert on it; export-audit records itself in the trail before it writes."""
from __future__ import annotations

import argparse
import json
import os
import sys

from web.serve import add_backup_commands, run_backup_command, serve


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ems_app")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the hub")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=5000)
    seed = sub.add_parser("seed-demo", help="create demo crew accounts; prints their passwords")
    seed.add_argument("--password", help="use this password for every demo account")
    enrol = sub.add_parser("enroll-hospital", help="register a hospital and its public key")
    enrol.add_argument("--id", required=True)
    enrol.add_argument("--name", required=True)
    enrol.add_argument("--address", default="")
    enrol.add_argument("--jwk-file", required=True, help="the hospital's public JWK or JWKS (JSON)")
    enrol.add_argument("--level", default="secondary", help="primary | secondary | tertiary")
    enrol.add_argument("--lat", type=float)
    enrol.add_argument("--lon", type=float)
    unit = sub.add_parser("register-unit", help="set an ambulance unit's callback number (sent with its inquiries)")
    unit.add_argument("--organisation", required=True, help="the fire HQ, e.g. fire:tokyo")
    unit.add_argument("--team", required=True, help="the unit, as its crew accounts name it")
    unit.add_argument("--phone", help="the unit's phone; leave out to clear it")
    sub.add_parser("rotate-keys", help="make a new grant-signing key current; old keys stay published "
                                       "until grants they signed have expired")
    sub.add_parser("verify-audit", help="check the audit trail's HMAC chain; exit 1 if it is broken")
    from ems_app.api.auth import ROLES
    from web.accounts_cli import add_users_command, run_users_command
    add_users_command(sub, ROLES, team=True)
    add_backup_commands(sub)
    export = sub.add_parser("export-audit", help="write the audit trail as a FHIR R4 Bundle of AuditEvent")
    export.add_argument("--out", required=True, help="file to write (created mode 0600)")
    export.add_argument("--since", help="ISO date or time (UTC unless it says otherwise)")
    args = parser.parse_args(argv)
    if args.command in ("verify-audit", "export-audit"):
        return _audit_command(args)
    if args.command in ("backup", "restore"):
        from ems_app import config
        return run_backup_command(args, config.load())

    from ems_app import create_app
    app = create_app()
    hub = app.extensions["hub"]
    if args.command == "users":
        return run_users_command(args, app)
    if args.command == "run":
        from ems_app import start_background_work
        start_background_work(app)
        serve(app, args.host, args.port, "hub")
    elif args.command == "seed-demo":
        from ems_app.services.enrolment import seed_demo_crew
        for username, password in seed_demo_crew(hub, args.password).items():
            print(f"{username}\t{password}")
    elif args.command == "enroll-hospital":
        from ems_app.services.enrolment import enroll_hospital
        with open(args.jwk_file) as f:
            jwk = json.load(f)
        try:
            hospital = enroll_hospital(hub, args.id, args.name, args.address, jwk, args.level, args.lat, args.lon)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"enrolled {hospital.id} with {len(hospital.public_keys)} key(s)")
    elif args.command == "register-unit":
        from ems_app.services.units import register
        try:
            register(hub, args.organisation, args.team, args.phone)
        except ValueError as e:
            print(f"error: {e}", file=sys.stderr)
            return 2
        print(f"unit {args.organisation}/{args.team}: callback {args.phone or '(none)'}")
    elif args.command == "rotate-keys":
        kid = hub.keys.rotate()
        with hub.db.transaction() as s:
            from ems_app.services import audit
            audit.append(s, hub.audit_key, actor="operator", action="keys.rotate", detail={"kid": kid})
        print(f"new signing key {kid}; published keys: {len(hub.keys.jwks()['keys'])}")
    return 0


def _audit_command(args) -> int:
    from datetime import datetime
    from pathlib import Path

    from ems_app import config
    from ems_app.hub import Hub
    from ems_app.services import audit, audit_export
    cfg = config.load()
    hub = Hub.from_config(cfg)
    try:
        if args.command == "verify-audit":
            with hub.db.read() as s:
                count, broken = audit.check(s, hub.audit_key, Path(cfg["INSTANCE"]) / "audit-head.json")
            if broken is not None:
                print(f"audit trail BROKEN at entry {broken.id} ({broken.at}, {broken.action})")
                print(f"  {broken.why}", file=sys.stderr)
                return 1
            print(f"audit trail intact: {count} entries")
            return 0
        try:
            since = datetime.fromisoformat(args.since) if args.since else None
        except ValueError:
            print(f"error: --since {args.since!r} is not an ISO date or time", file=sys.stderr)
            return 2
        # Open first, so a bad path fails before the export is recorded. Mode 0600: who viewed what.
        fd = os.open(args.out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            bundle = audit_export.export(hub, since=since)
            json.dump(bundle, f, ensure_ascii=False, indent=1)
        print(f"exported {len(bundle['entry'])} audit events to {args.out}")
        return 0
    finally:
        hub.db.dispose()


if __name__ == "__main__":
    sys.exit(main())
