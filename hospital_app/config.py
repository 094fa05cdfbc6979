"""Every setting the hospital app reads, from the environment, in one place."""
from __future__ import annotations

import os
from pathlib import Path

from shared.instance import first_run_secret as _secret
from shared.sessions import Limits, parse_limits

# Each role's session: (idle, absolute). A physician's or nurse's tablet left on a counter closes
# soon; a wall-mounted board (the board role) is watched, never touched, for days on end
# (docs/security.md, Sessions).
SESSION_LIMITS = {"physician": Limits(15 * 60, 12 * 3600), "nurse": Limits(15 * 60, 12 * 3600),
                  "clerk": Limits(30 * 60, 12 * 3600), "board": Limits(24 * 3600, 7 * 24 * 3600),
                  "admin": Limits(10 * 60, 4 * 3600)}


def load(overrides: dict | None = None) -> dict:
    env = {**os.environ, **{k: str(v) for k, v in (overrides or {}).items()}}
    instance = Path(env.get("HOSPITAL_INSTANCE", "instance/hospital")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    return {
        "INSTANCE": instance,
        "HOSPITAL_ID": env.get("HOSPITAL_ID", "demo-hospital"),
        "HOSPITAL_NAME": env.get("HOSPITAL_NAME", "デモ救命救急センター"),
        "HUB_URL": env.get("HUB_URL", "http://127.0.0.1:5000"),
        "HUB_ISSUER": env.get("EMS_ISSUER", "https://prearrival.invalid/hub"),
        "GATEWAY": env.get("GATEWAY", "1") == "1",
        # This ER's acceptance status reads "unknown" once not refreshed for this long (shared/availability.py).
        "AVAILABILITY_TTL_S": int(env.get("AVAILABILITY_TTL_S", 2 * 3600)),
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'hospital.db'}",
        "DATABASE_SCHEMA": env.get("DATABASE_SCHEMA") or None,
        "DATABASE_POOL_SIZE": int(env.get("DATABASE_POOL_SIZE", 10)),  # PostgreSQL: docs/operations.md
        "SECRET_KEY": env.get("HOSPITAL_SECRET_KEY") or _secret(instance, "session-secret"),
        # The access log's HMAC chain key (hospital_app/access_log.py): kept out of the database.
        "AUDIT_KEY": (env.get("HOSPITAL_AUDIT_KEY") or _secret(instance, "audit-key")).encode(),
        "ASYNC_MODE": env.get("ASYNC_MODE", "threading"),
        "SOCKETIO_MESSAGE_QUEUE": env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # Dashboards' rooms have the same names in every hospital: two hospital apps sharing one
        # Redis must never share a channel, or one ER would see the other's patients.
        "SOCKETIO_CHANNEL": f"{env.get('SOCKETIO_CHANNEL', 'prearrival')}:hospital:{env.get('HOSPITAL_ID', 'hospital')}",
        "SESSION_COOKIE_SECURE": env.get("COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_NAME": "er_session",
        "PERMANENT_SESSION_LIFETIME": 7 * 24 * 3600,  # the cookie's; each session ends by its role's limits
        "SESSION_LIMITS": parse_limits(env.get("SESSION_LIMITS"), SESSION_LIMITS),
        # A password someone else set (admin page, `users add|reset-password`) signs in only to choose
        # one's own, and not at all after this many hours (shared/accounts.py).
        "TEMPORARY_PASSWORD_HOURS": float(env.get("TEMPORARY_PASSWORD_HOURS", 24)),
        # Second factors (shared/factors.py, docs/security.md): physicians and administrators always;
        # every other staff member too with SECOND_FACTOR_ALL_STAFF=1 (this hospital's policy).
        # SECOND_FACTOR=off asks nobody: development and the automated tests only.
        "SECOND_FACTOR": env.get("SECOND_FACTOR", "policy"),
        "SECOND_FACTOR_ALL_STAFF": env.get("SECOND_FACTOR_ALL_STAFF", "0") == "1",
        # A change to one's own factors needs the sign-in or a factor shown again within this.
        "SECOND_FACTOR_FRESH_S": float(env.get("SECOND_FACTOR_FRESH_S", 300)),
        "FACTOR_KEY": env.get("HOSPITAL_FACTOR_KEY") or _secret(instance, "factor-key"),  # seals TOTP secrets
        "WEBAUTHN_RP_ID": env.get("WEBAUTHN_RP_ID", "localhost"),  # the site's domain for passkeys
        "WEBAUTHN_ORIGINS": tuple(o.strip() for o in env.get("WEBAUTHN_ORIGINS", "").split(",") if o.strip()),
        "PROXY_HOPS": int(env.get("PROXY_HOPS", 0)),  # reverse proxies in front (docs/operations.md)
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # The hospital's EMR, where a physician files the pre-arrival record as a FHIR transaction
        # (hospital_app/emr_filing.py, docs/fhir.md). Unset: the dashboard offers the download only.
        "EMR_FHIR_URL": (env.get("EMR_FHIR_URL") or "").rstrip("/") or None,
        "EMR_FHIR_TOKEN": env.get("EMR_FHIR_TOKEN") or None,
        "EMR_FHIR_TIMEOUT_S": float(env.get("EMR_FHIR_TIMEOUT_S", 10)),
    }
