"""`python -m hospital_app run|seed-demo|export-jwk|users|backup|restore|audit`: the hospital app's command line."""
from __future__ import annotations

import argparse
import json
import secrets
import sys

from web.serve import add_backup_commands, run_backup_command, serve

DEMO_STAFF = [("er-doctor", "救急医 高橋", "physician"), ("er-nurse", "看護師 田中", "nurse"),
              ("er-clerk", "受付 伊藤", "clerk")]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m hospital_app")
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run", help="serve the dashboard and run the gateway")
    run.add_argument("--host", default="127.0.0.1")
    run.add_argument("--port", type=int, default=5100)
    seed = sub.add_parser("seed-demo", help="create demo ER staff; prints their passwords")
    seed.add_argument("--password")
    sub.add_parser("export-jwk", help="print this hospital's public key for enrolment at the hub")
    from hospital_app.api.auth import ROLES
    from web.accounts_cli import add_users_command, run_users_command
    add_users_command(sub, ROLES)
    add_backup_commands(sub)
    from hospital_app import audit_cli
    audit_cli.add_commands(sub)
    args = parser.parse_args(argv)
    if args.command == "audit":
        return audit_cli.run(args)
    if args.command in ("backup", "restore"):
        from hospital_app import config
        return run_backup_command(args, config.load())

    from hospital_app import create_app
    app = create_app({"GATEWAY": "1" if args.command == "run" else "0"})
    if args.command == "users":
        return run_users_command(args, app)
    if args.command == "run":
        serve(app, args.host, args.port, f"hospital {app.config['HOSPITAL_ID']}")
    elif args.command == "seed-demo":
        from hospital_app.staff import create_staff
        for username, display, role in DEMO_STAFF:
            password = args.password or secrets.token_urlsafe(12)
            create_staff(app.extensions["db"], username, display, role, password)
            print(f"{username}\t{password}")
    elif args.command == "export-jwk":
        print(json.dumps(app.extensions["hospital_key"].public))
    return 0


if __name__ == "__main__":
    sys.exit(main())
