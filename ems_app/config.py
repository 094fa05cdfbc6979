"""Every setting the hub reads, from the environment, in one place."""
from __future__ import annotations

import os
from pathlib import Path

from shared.instance import first_run_secret as _secret
from shared.sessions import Limits, parse_limits

# Each role's session: (idle, absolute). A crew works a 24-hour shift (隔日勤務) and its tablet
# is in use on every run; an office role's desk is left more often (docs/security.md, Sessions).
SESSION_LIMITS = {"paramedic": Limits(30 * 60, 24 * 3600), "privacy_officer": Limits(15 * 60, 8 * 3600),
                  "fire_analyst": Limits(30 * 60, 8 * 3600), "medical_control": Limits(15 * 60, 8 * 3600),
                  "admin": Limits(10 * 60, 4 * 3600)}


def load(overrides: dict | None = None) -> dict:
    env = {**os.environ, **{k: str(v) for k, v in (overrides or {}).items()}}
    instance = Path(env.get("EMS_INSTANCE", "instance/ems")).resolve()
    instance.mkdir(parents=True, exist_ok=True)
    return {
        "INSTANCE": instance,
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'ems.db'}",
        "DATABASE_SCHEMA": env.get("DATABASE_SCHEMA") or None,
        "DATABASE_POOL_SIZE": int(env.get("DATABASE_POOL_SIZE", 10)),  # PostgreSQL: docs/operations.md
        "SECRET_KEY": env.get("EMS_SECRET_KEY") or _secret(instance, "session-secret"),
        "AUDIT_KEY": (env.get("EMS_AUDIT_KEY") or _secret(instance, "audit-key")).encode(),
        "ISSUER": env.get("EMS_ISSUER", "https://prearrival.invalid/hub"),
        # A grant lives from acceptance until handover plus a window, never past the hard cap.
        "GRANT_WINDOW_AFTER_HANDOVER_S": int(env.get("GRANT_WINDOW_AFTER_HANDOVER_S", 30 * 60)),
        "GRANT_HARD_CAP_S": int(env.get("GRANT_HARD_CAP_S", 3 * 3600)),
        # An ER's acceptance status reads "unknown" once not refreshed for this long (shared/availability.py).
        "AVAILABILITY_TTL_S": int(env.get("AVAILABILITY_TTL_S", 2 * 3600)),
        "EXPIRY_SWEEP_S": float(env.get("EXPIRY_SWEEP_S", 5)),
        "SHARE_LIFETIME_S": int(env.get("SHARE_LIFETIME_S", 60 * 60)),
        "SHARE_MAX_ATTEMPTS": int(env.get("SHARE_MAX_ATTEMPTS", 5)),
        "SHARE_MAX_USES": int(env.get("SHARE_MAX_USES", 3)),  # right-passcode openings; 0: until it expires
        # Refused grant redemptions per window: itemised in the trail, then counted; 429 past the
        # per-address and per-hospital limits (services/refusal_limit.py).
        "REDEEM_REFUSAL_WINDOW_S": int(env.get("REDEEM_REFUSAL_WINDOW_S", 60)),
        "REDEEM_REFUSALS_ITEMISED": int(env.get("REDEEM_REFUSALS_ITEMISED", 5)),
        "REDEEM_REFUSALS_PER_ADDRESS": int(env.get("REDEEM_REFUSALS_PER_ADDRESS", 20)),
        "REDEEM_REFUSALS_PER_HOSPITAL": int(env.get("REDEEM_REFUSALS_PER_HOSPITAL", 60)),
        # A gateway not heard of by its hub process's heartbeat for this long is offline (services/presence.py).
        "GATEWAY_PRESENCE_TTL_S": float(env.get("GATEWAY_PRESENCE_TTL_S", 30)),
        # Where one-time codes to patients go: "file" writes EMS_INSTANCE/outbox/messages.jsonl (services/outbox.py).
        "OUTBOX": env.get("OUTBOX", "file"),
        "SOCKETIO_MESSAGE_QUEUE": env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        "SOCKETIO_CHANNEL": env.get("SOCKETIO_CHANNEL", "prearrival"),  # one per deployment sharing a Redis
        "ASYNC_MODE": env.get("ASYNC_MODE", "threading"),
        "OQC_SEED": int(env.get("OQC_SEED", 2025)),
        "OQC_CONDITION": env.get("OQC_CONDITION", "up"),
        # Where records come from: the simulator (default) or a FHIR endpoint in the JP-CLINS form (docs/fhir.md).
        "RECORD_SOURCE": env.get("RECORD_SOURCE", "simulator"),
        "FHIR_BASE_URL": env.get("FHIR_BASE_URL") or None,
        "FHIR_TOKEN": env.get("FHIR_TOKEN") or None,
        "FHIR_TIMEOUT_S": float(env.get("FHIR_TIMEOUT_S", 5)),  # per request; then a few retries with backoff
        "FHIR_RETRIES": int(env.get("FHIR_RETRIES", 2)),
        "SESSION_COOKIE_SECURE": env.get("COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_NAME": "ems_session",
        "PERMANENT_SESSION_LIFETIME": 24 * 3600,  # the cookie's; each session ends by its role's limits
        "SESSION_LIMITS": parse_limits(env.get("SESSION_LIMITS"), SESSION_LIMITS),
        # A password someone else set (admin page, `users add|reset-password`) signs in only to choose
        # one's own, and not at all after this many hours (shared/accounts.py).
        "TEMPORARY_PASSWORD_HOURS": float(env.get("TEMPORARY_PASSWORD_HOURS", 24)),
        # Second factors (shared/factors.py, docs/security.md): physicians, privacy officers, analysts
        # and administrators always; the other staff of the organisations listed here too (fire:<hq>,
        # hospital:<id>). SECOND_FACTOR=off asks nobody: development and the automated tests only.
        "SECOND_FACTOR": env.get("SECOND_FACTOR", "policy"),
        "SECOND_FACTOR_ORGANISATIONS": env.get("SECOND_FACTOR_ORGANISATIONS", ""),
        # A change to one's own factors needs the sign-in or a factor shown again within this.
        "SECOND_FACTOR_FRESH_S": float(env.get("SECOND_FACTOR_FRESH_S", 300)),
        "FACTOR_KEY": env.get("EMS_FACTOR_KEY") or _secret(instance, "factor-key"),  # seals TOTP secrets
        "WEBAUTHN_RP_ID": env.get("WEBAUTHN_RP_ID", "localhost"),  # the site's domain for passkeys
        "WEBAUTHN_ORIGINS": tuple(o.strip() for o in env.get("WEBAUTHN_ORIGINS", "").split(",") if o.strip()),
        "PROXY_HOPS": int(env.get("PROXY_HOPS", 0)),  # reverse proxies in front (docs/operations.md)
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "TESTING": env.get("TESTING", "0") == "1",
    }
