"""Sign-in in two steps at the ER: after the password a physician reaches nothing but the second
factor; enrolling one, or showing it, completes the session. Every factor event is in the
hospital's own access log, and wrong factors are throttled."""
from __future__ import annotations

import time

import pyotp
import pytest
from sqlalchemy import select

from hospital_app import create_app
from hospital_app.models import AccessLog
from hospital_app.staff import create_staff

PASSWORD = "correct horse battery"


@pytest.fixture
def er_app(database, tmp_path):
    app = create_app({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", "SECOND_FACTOR": "policy",
                      **database("er")})
    for username, role in (("doc", "physician"), ("nurse", "nurse")):
        create_staff(app.extensions["db"], username, username, role, PASSWORD)
    yield app
    app.extensions["db"].dispose()


def password_only(app, username="doc"):
    client = app.test_client()
    resp = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return client, resp.json


def enrol_totp(client) -> tuple[str, list[str]]:
    begun = client.post("/api/factors/totp", json={})
    assert begun.status_code == 200, begun.json
    done = client.post("/api/factors/totp/confirm", json={"code": pyotp.TOTP(begun.json["secret"]).now(),
                                                          "label": "iPhone"})
    assert done.status_code == 200, done.json
    return begun.json["secret"], done.json["recovery_codes"]


def next_code(secret: str) -> str:
    """A code of a later step than any used: a code is accepted once, so wait for the next step."""
    return pyotp.TOTP(secret).at(time.time() + 30)


def access_log(app) -> list[tuple[str, str]]:
    with app.extensions["db"].read() as s:
        return [(e.staff, e.action) for e in s.scalars(select(AccessLog).order_by(AccessLog.id))]


def test_a_physician_after_the_password_reaches_only_the_second_factor(er_app):
    client, answer = password_only(er_app)
    assert answer["stage"] == "password"
    for path in ("/api/auth/me", "/api/patients", "/api/inquiries"):
        assert client.get(path).status_code == 401, path
    listed = client.get("/api/factors").json
    assert listed["stage"] == "password" and listed["required"] and listed["factors"] == []


def test_the_live_board_refuses_a_password_stage_session_and_opens_after_the_second_step(er_app):
    sio = er_app.extensions["socketio"]
    client, _ = password_only(er_app)
    assert not sio.test_client(er_app, namespace="/dashboard", flask_test_client=client).is_connected("/dashboard")
    enrol_totp(client)
    assert sio.test_client(er_app, namespace="/dashboard", flask_test_client=client).is_connected("/dashboard")


def test_enrolling_the_first_factor_is_the_second_step_and_shows_recovery_codes_once(er_app):
    client, _ = password_only(er_app)
    secret, codes = enrol_totp(client)
    assert len(codes) == 10
    assert client.get("/api/auth/me").status_code == 200
    assert client.get("/api/patients").status_code == 200
    listed = client.get("/api/factors").json
    assert [f["kind"] for f in listed["factors"]] == ["totp"] and listed["recovery_left"] == 10
    assert secret not in str(listed) and not any(c in str(listed) for c in codes)
    assert ("doc", "factor.enrolled") in access_log(er_app)


def test_the_next_sign_in_needs_the_code_and_a_code_works_once(er_app):
    first, _ = password_only(er_app)
    secret, _codes = enrol_totp(first)
    client, answer = password_only(er_app)
    assert answer["stage"] == "password"
    # With a factor enrolled, a password-stage session may not add another (an attacker's own).
    assert client.post("/api/factors/totp", json={}).status_code == 403
    assert client.post("/api/factors/passkey/options", json={}).status_code == 403
    code = next_code(secret)
    assert client.post("/api/factors/verify", json={"method": "totp", "code": code}).status_code == 200
    assert client.get("/api/patients").status_code == 200
    again, _ = password_only(er_app)
    refused = again.post("/api/factors/verify", json={"method": "totp", "code": code})
    assert refused.status_code == 401 and refused.json["error"] == "bad_second_factor"
    assert again.get("/api/patients").status_code == 401
    assert ("doc", "factor.used") in access_log(er_app) and ("doc", "factor.failed") in access_log(er_app)


def test_a_recovery_code_signs_in_once(er_app):
    first, _ = password_only(er_app)
    _secret, codes = enrol_totp(first)
    client, _ = password_only(er_app)
    ok = client.post("/api/factors/verify", json={"method": "recovery", "code": codes[0].upper()})
    assert ok.status_code == 200 and ok.json["recovery_left"] == 9
    other, _ = password_only(er_app)
    assert other.post("/api/factors/verify", json={"method": "recovery", "code": codes[0]}).status_code == 401


def test_wrong_factors_are_throttled(er_app):
    first, _ = password_only(er_app)
    secret, _ = enrol_totp(first)
    client, _ = password_only(er_app)
    wrong = "000000" if next_code(secret) != "000000" else "111111"
    answers = [client.post("/api/factors/verify", json={"method": "totp", "code": wrong}).status_code
               for _ in range(6)]
    assert answers == [401] * 5 + [429], "five wrong are free, then the next waits"
    # Even the right code waits now: the guesser learns nothing from a late success.
    assert client.post("/api/factors/verify", json={"method": "totp", "code": next_code(secret)}).status_code == 429


def test_a_nurse_is_not_asked_unless_the_hospital_says_so(er_app, database, tmp_path):
    _client, answer = password_only(er_app, "nurse")
    assert answer["stage"] == "complete"
    strict = create_app({"HOSPITAL_INSTANCE": tmp_path / "strict", "GATEWAY": "0", "SECOND_FACTOR": "policy",
                         "SECOND_FACTOR_ALL_STAFF": "1", **database("strict")})
    try:
        create_staff(strict.extensions["db"], "nurse", "nurse", "nurse", PASSWORD)
        _client, answer = password_only(strict, "nurse")
        assert answer["stage"] == "password"
    finally:
        strict.extensions["db"].dispose()


def test_removing_a_factor_keeps_the_last_one_a_physician_needs_and_ends_other_sessions(er_app):
    client, _ = password_only(er_app)
    secret, _ = enrol_totp(client)
    other, _ = password_only(er_app)
    assert other.post("/api/factors/verify", json={"method": "totp", "code": next_code(secret)}).status_code == 200
    [totp] = client.get("/api/factors").json["factors"]
    refused = client.delete(f"/api/factors/{totp['id']}", json={})
    assert refused.status_code == 409 and refused.json["error"] == "last_factor"
    fresh = client.post("/api/factors/recovery-codes", json={})
    assert fresh.status_code == 200 and len(fresh.json["recovery_codes"]) == 10
    # A second TOTP, then the first can go; the other session ends with the change.
    begun = client.post("/api/factors/totp", json={}).json
    assert client.post("/api/factors/totp/confirm", json={"code": pyotp.TOTP(begun["secret"]).now()}).status_code == 200
    assert other.get("/api/auth/me").status_code == 401
    assert client.delete(f"/api/factors/{totp['id']}", json={}).status_code == 200
    assert client.get("/api/auth/me").status_code == 200
    assert ("doc", "factor.removed") in access_log(er_app)
