"""Every setting the hospital app reads, from the environment, in one place."""
from __future__ import annotations

import os
from pathlib import Path

from shared.instance import first_run_secret as _secret


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
        "DATABASE_URL": env.get("DATABASE_URL") or f"sqlite:///{instance / 'hospital.db'}",
        "DATABASE_SCHEMA": env.get("DATABASE_SCHEMA") or None,
        "DATABASE_POOL_SIZE": int(env.get("DATABASE_POOL_SIZE", 10)),  # PostgreSQL: docs/operations.md
        "SECRET_KEY": env.get("HOSPITAL_SECRET_KEY") or _secret(instance, "session-secret"),
        "ASYNC_MODE": env.get("ASYNC_MODE", "threading"),
        "SOCKETIO_MESSAGE_QUEUE": env.get("SOCKETIO_MESSAGE_QUEUE") or None,
        # Dashboards' rooms have the same names in every hospital: two hospital apps sharing one
        # Redis must never share a channel, or one ER would see the other's patients.
        "SOCKETIO_CHANNEL": f"{env.get('SOCKETIO_CHANNEL', 'prearrival')}:hospital:{env.get('HOSPITAL_ID', 'hospital')}",
        "SESSION_COOKIE_SECURE": env.get("COOKIE_SECURE", "0") == "1",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Strict",
        "SESSION_COOKIE_NAME": "er_session",
        "PERMANENT_SESSION_LIFETIME": 12 * 3600,
        "PROXY_HOPS": int(env.get("PROXY_HOPS", 0)),  # reverse proxies in front (docs/operations.md)
        "MAX_CONTENT_LENGTH": 64 * 1024,
        # The hospital's EMR, where a physician files the pre-arrival record as a FHIR transaction
        # (hospital_app/emr_filing.py, docs/fhir.md). Unset: the dashboard offers the download only.
        "EMR_FHIR_URL": (env.get("EMR_FHIR_URL") or "").rstrip("/") or None,
        "EMR_FHIR_TOKEN": env.get("EMR_FHIR_TOKEN") or None,
        "EMR_FHIR_TIMEOUT_S": float(env.get("EMR_FHIR_TIMEOUT_S", 10)),
    }
