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


def seed_demo_factors(system) -> list[str]:
    """A TOTP secret for each demo account the policy asks a second factor of (physicians,
    privacy officers), replacing any factor from an earlier start, as the passwords are: lines
    for the launcher to print. `python -m launcher.totp SECRET` prints the current code."""
    import pyotp

    from ems_app.api.factors import factors_of, policy_of
    from ems_app.models import User
    from shared.factors import required
    from sqlalchemy import select

    lines = []
    hub = open_hub(system.hub_env())
    try:
        factors, policy = factors_of(hub, hub.settings), policy_of(hub.settings)
        with hub.db.read() as s:
            users = [u for u in s.scalars(select(User).order_by(User.id)) if required(u, policy)]
        for user in users:
            lines.append(_demo_totp(factors, user, pyotp.random_base32()))
    finally:
        hub.db.dispose()
    from hospital_app import create_app
    from hospital_app.models import Staff
    for hid, server in system.hospitals.items():
        app = create_app({**server.env, "GATEWAY": "0"})
        try:
            factors = app.extensions["factors"].factors
            with app.extensions["db"].read() as s:
                staff = [u for u in s.scalars(select(Staff).order_by(Staff.id))
                         if required(u, app.config["SECOND_FACTOR_POLICY"])]
            lines += [f"{hid}: " + _demo_totp(factors, u, pyotp.random_base32()) for u in staff]
        finally:
            app.extensions["db"].dispose()
    return lines


def _demo_totp(factors, user, secret: str) -> str:
    factors.reset(user.id, "demo launcher")
    factors.add_totp(user.id, secret, "demo", "demo launcher")
    return f"{user.username}  TOTP {secret}"


def seed_demo_past_cases(system, incidents: int = 2000) -> int:
    """A year of synthetic closed cases for the demo's figures and case review (load.seed_figures),
    once per instance: a restart keeps the cases it made before. How many it wrote."""
    from sqlalchemy import select

    from ems_app.models import User
    from load.seed_figures import SYNTHETIC_USER, seed
    hub = open_hub(system.hub_env())
    try:
        with hub.db.read() as s:
            if s.scalars(select(User.id).where(User.username == SYNTHETIC_USER)).first() is not None:
                return 0
        return seed(hub.db, incidents, organisation="fire:tokyo", weeks=52, seed=2026)["incidents"]
    finally:
        hub.db.dispose()
