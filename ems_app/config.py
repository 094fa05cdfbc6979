"""Every setting the hub reads, from the environment, in one place."""
from __future__ import annotations

import os
from pathlib import Path

from shared.instance import first_run_secret as _secret


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
        "EXPIRY_SWEEP_S": float(env.get("EXPIRY_SWEEP_S", 5)),
        "SHARE_LIFETIME_S": int(env.get("SHARE_LIFETIME_S", 60 * 60)),
        "SHARE_MAX_ATTEMPTS": int(env.get("SHARE_MAX_ATTEMPTS", 5)),
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
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "PROXY_HOPS": int(env.get("PROXY_HOPS", 0)),  # reverse proxies in front (docs/operations.md)
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "TESTING": env.get("TESTING", "0") == "1",
    }
