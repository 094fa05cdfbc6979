"""The demo accounts and the hospitals' enrolment, made in this process through the apps' own
services: what `seed-demo`, `export-jwk` and `enroll-hospital` do on the command line, without
starting a Python process for each (they cost the end-to-end tests about 17 s per system).

Settings are passed as overrides, never put in os.environ: the caller (a test run) may start
several systems, each on its own databases."""
from __future__ import annotations

import secrets

from ems_app import config as hub_config
from ems_app.hub import Hub


def open_hub(env: dict) -> Hub:
    """The hub's services on its database (migrated), as its command line opens them."""
    return Hub.from_config(hub_config.load(env))


def seed_hospital(env: dict, password: str | None) -> tuple[dict, dict[str, str]]:
    """A hospital app's database, key and demo staff -> (its public key, {username: password})."""
    from hospital_app import create_app
    from hospital_app.__main__ import DEMO_STAFF
    from hospital_app.staff import create_staff

    app = create_app({**env, "GATEWAY": "0"})  # as its command line does: no gateway, no server
    db = app.extensions["db"]
    try:
        staff = {}
        for username, display, role in DEMO_STAFF:
            staff[username] = password or secrets.token_urlsafe(12)
            create_staff(db, username, display, role, staff[username])
        return app.extensions["hospital_key"].public, staff
    finally:
        db.dispose()
