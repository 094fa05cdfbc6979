"""`python -m ems_app run|seed-demo|enroll-hospital`: the hub's command line."""
from __future__ import annotations

import argparse
import json
import sys


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
    sub.add_parser("rotate-keys", help="make a new grant-signing key current; old keys stay published "
                                       "until grants they signed have expired")
    args = parser.parse_args(argv)

    from ems_app import create_app
    app = create_app()
    hub = app.extensions["hub"]
    if args.command == "run":
        socketio = app.extensions["socketio"]
        print(f"hub listening on http://{args.host}:{args.port}/", flush=True)
        socketio.run(app, host=args.host, port=args.port, allow_unsafe_werkzeug=True,
                     use_reloader=False, log_output=False)
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
    elif args.command == "rotate-keys":
        kid = hub.keys.rotate()
        with hub.db.transaction() as s:
            from ems_app.services import audit
            audit.append(s, hub.audit_key, actor="operator", action="keys.rotate", detail={"kid": kid})
        print(f"new signing key {kid}; published keys: {len(hub.keys.jwks()['keys'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
