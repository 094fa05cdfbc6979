"""Sign-in in two steps at the hub: privacy officers always, a fire service's crews when its
policy says so. The hub's audit trail records every factor event, and a password-stage session
reaches no incident and no review queue."""
from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select

from ems_app import create_app
from ems_app.models import AuditEntry
from ems_app.services.enrolment import create_user

PASSWORD = "correct horse battery"


@pytest.fixture
def hub_app(database, tmp_path):
    app = create_app({"EMS_INSTANCE": tmp_path / "ems", "EXPIRY_SWEEP_S": 0, "SECOND_FACTOR": "policy",
                      "SECOND_FACTOR_ORGANISATIONS": "fire:tokyo", **database("ems")})
    hub = app.extensions["hub"]
    create_user(hub, "privacy", "個人情報保護担当", "privacy_officer", "", PASSWORD, "fire:osaka")
    create_user(hub, "tokyo-crew", "隊員", "paramedic", "tokyo-1", PASSWORD, "fire:tokyo")
    create_user(hub, "osaka-crew", "隊員", "paramedic", "osaka-1", PASSWORD, "fire:osaka")
    yield app
    hub.db.dispose()


def password_only(app, username):
    client = app.test_client()
    resp = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return client, resp.json["stage"]


def trail(app) -> list[tuple[str, str, dict]]:
    with app.extensions["hub"].db.read() as s:
        return [(e.actor, e.action, e.detail) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))
                if e.action.startswith("factor.")]


def test_a_privacy_officer_reaches_no_review_before_the_second_step(hub_app):
    client, stage = password_only(hub_app, "privacy")
    assert stage == "password"
    assert client.get("/api/review").status_code == 401
    assert client.get("/api/auth/me").status_code == 401
    begun = client.post("/api/factors/totp", json={}).json
    assert begun["uri"].startswith("otpauth://totp/PreArrival:privacy")
    done = client.post("/api/factors/totp/confirm", json={"code": pyotp.TOTP(begun["secret"]).now()})
    assert done.status_code == 200 and len(done.json["recovery_codes"]) == 10
    assert client.get("/api/auth/me").json["role"] == "privacy_officer"
    actions = trail(hub_app)
    assert ("user:privacy", "factor.enrolled", {"kind": "totp"}) in actions
    assert all(begun["secret"] not in str(detail) for _, _, detail in actions)


def test_a_fire_service_that_asks_for_it_gets_it_from_its_crews_and_no_other(hub_app):
    crew, stage = password_only(hub_app, "tokyo-crew")
    assert stage == "password"
    assert crew.post("/api/incidents", json={"chief_complaint": "胸痛"}).status_code == 401
    _other, stage = password_only(hub_app, "osaka-crew")
    assert stage == "complete"


def test_factor_use_and_failure_are_on_the_trail(hub_app):
    client, _ = password_only(hub_app, "privacy")
    begun = client.post("/api/factors/totp", json={}).json
    client.post("/api/factors/totp/confirm", json={"code": pyotp.TOTP(begun["secret"]).now()})
    again, _ = password_only(hub_app, "privacy")
    assert again.post("/api/factors/verify", json={"method": "recovery", "code": "aaaa-bbbb-cccc"}).status_code == 401
    code = pyotp.TOTP(begun["secret"]).at(time.time() + 30)
    assert again.post("/api/factors/verify", json={"method": "totp", "code": code}).status_code == 200
    actions = [(actor, action) for actor, action, _ in trail(hub_app)]
    assert ("user:privacy", "factor.failed") in actions and ("user:privacy", "factor.used") in actions
