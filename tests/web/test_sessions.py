"""Server-side sessions on both apps (shared/sessions.py, web/login.py): a session that ends is
over for every copy of its cookie and every socket it opened; idle and absolute limits per role,
on the project's clock; a second factor still due keeps the session out of the application; an
administrator's revoke and a disabled account end it at once; each step audited."""
from __future__ import annotations

from datetime import timedelta

import pytest
from flask import jsonify
from sqlalchemy import select

from ems_app import create_app as create_hub
from ems_app.models import AuditEntry
from ems_app.services.enrolment import create_user
from hospital_app import create_app as create_hospital
from hospital_app.models import AccessLog
from hospital_app.staff import create_staff
from shared import clock, sessions
from web import login

PASSWORD = "correct horse battery"


@pytest.fixture
def er_app(database, tmp_path):
    app = create_hospital({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", **database("er")})
    db = app.extensions["db"]
    for username, role in (("doc", "physician"), ("clerk", "clerk")):
        create_staff(db, username, username, role, PASSWORD)
    app.extensions["accounts"].add("wall", "ER board", "board", PASSWORD, "operator", temporary=False)
    app.extensions["accounts"].add("boss", "ER admin", "admin", PASSWORD, "operator", temporary=False)
    yield app
    db.dispose()


@pytest.fixture
def hub_app(database, tmp_path):
    app = create_hub({"EMS_INSTANCE": tmp_path / "ems", **database("ems")})
    create_user(app.extensions["hub"], "kyu", "kyu", "paramedic", "t1", PASSWORD)
    yield app
    app.extensions["hub"].db.dispose()


def signed_in(app, username: str):
    client = app.test_client()
    resp = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return client


def cookie_of(client, app) -> str:
    return client.get_cookie(app.config["SESSION_COOKIE_NAME"]).value


def replay(app, cookie: str):
    """Another client holding a copy of the cookie (a stolen one, or the same tablet's old one)."""
    thief = app.test_client()
    thief.set_cookie(app.config["SESSION_COOKIE_NAME"], cookie)
    return thief


class Later:
    """The project's clock moved on (shared/clock.utcnow), the session cache forgotten."""

    def __init__(self, monkeypatch, app):
        self.monkeypatch, self.app, self.offset = monkeypatch, app, timedelta()
        self.real = clock.utcnow

    def by(self, **delta) -> None:
        self.offset += timedelta(**delta)
        offset = self.offset
        self.monkeypatch.setattr(clock, "utcnow", lambda: self.real() + offset)
        self.app.extensions["login"].forget_recent()  # at most a second's cache per process


def log_actions(er_app) -> list[tuple[str, str]]:
    with er_app.extensions["db"].read() as s:
        return [(e.staff, e.action) for e in s.scalars(select(AccessLog).order_by(AccessLog.id))]


def trail_actions(hub_app) -> list[tuple[str, str, dict]]:
    with hub_app.extensions["hub"].db.read() as s:
        return [(e.actor, e.action, e.detail) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]


@pytest.mark.parametrize("which", ["hub", "hospital"])
def test_after_sign_out_the_old_cookie_gets_401(which, request):
    app = request.getfixturevalue("hub_app" if which == "hub" else "er_app")
    client = signed_in(app, "kyu" if which == "hub" else "doc")
    stolen = cookie_of(client, app)
    assert replay(app, stolen).get("/api/auth/me").status_code == 200
    assert client.post("/api/auth/logout", json={}).status_code == 200
    assert replay(app, stolen).get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me").status_code == 401


@pytest.mark.parametrize("which", ["hub", "hospital"])
def test_signing_in_again_in_the_same_browser_ends_the_old_session_at_once(which, request):
    app = request.getfixturevalue("hub_app" if which == "hub" else "er_app")
    username = "kyu" if which == "hub" else "doc"
    client = signed_in(app, username)
    old = cookie_of(client, app)
    assert replay(app, old).get("/api/auth/me").status_code == 200   # in this process's cache now
    assert client.post("/api/auth/login", json={"username": username, "password": PASSWORD}).status_code == 200
    assert replay(app, old).get("/api/auth/me").status_code == 401
    assert client.get("/api/auth/me").status_code == 200


def test_the_cookie_carries_only_a_random_id_and_the_database_only_its_hash(er_app):
    client = signed_in(er_app, "doc")
    cookie = cookie_of(client, er_app)
    with er_app.extensions["db"].read() as s:
        keys = list(s.scalars(select(sessions.sessions.c.id)))
    assert len(keys) == 1 and keys[0] not in cookie
    assert "doc" not in cookie and "physician" not in cookie


def test_sign_in_failure_and_sign_out_are_in_the_hospital_access_log_never_the_password(er_app):
    er_app.test_client().post("/api/auth/login", json={"username": "doc", "password": "wrong password"})
    client = signed_in(er_app, "doc")
    client.post("/api/auth/logout", json={})
    assert log_actions(er_app)[-3:] == [("doc", "auth.failed"), ("doc", "auth.login"), ("doc", "auth.logout")]
    with er_app.extensions["db"].read() as s:
        assert not any("wrong password" in str(row) for row in s.execute(select(AccessLog.__table__)).all())


def test_the_hub_trail_records_sign_in_failure_and_sign_out(hub_app):
    hub_app.test_client().post("/api/auth/login", json={"username": "kyu", "password": "not it at all"})
    signed_in(hub_app, "kyu").post("/api/auth/logout", json={})
    actions = [(actor, action) for actor, action, _ in trail_actions(hub_app)]
    assert actions[-3:] == [("user:kyu", "auth.failed"), ("user:kyu", "auth.login"), ("user:kyu", "auth.logout")]
    assert not any("not it at all" in str(entry) for entry in trail_actions(hub_app))


def test_a_physician_idle_for_more_than_15_minutes_must_sign_in_again(er_app, monkeypatch):
    client, later = signed_in(er_app, "doc"), Later(monkeypatch, er_app)
    later.by(minutes=14)
    assert client.get("/api/auth/me").status_code == 200   # a request: no longer idle
    later.by(minutes=14)
    assert client.get("/api/auth/me").status_code == 200
    later.by(minutes=16)
    assert client.get("/api/auth/me").status_code == 401
    assert log_actions(er_app)[-1] == ("doc", "auth.timeout")
    later.by(seconds=1)
    assert client.get("/api/auth/me").status_code == 401   # ended on record, not only this once


def test_a_busy_session_still_ends_at_its_absolute_limit(er_app, monkeypatch):
    client, later = signed_in(er_app, "doc"), Later(monkeypatch, er_app)
    for _ in range(11 * 6):  # a request every ten minutes for eleven hours
        later.by(minutes=10)
        assert client.get("/api/auth/me").status_code == 200
    later.by(hours=1, minutes=1)
    assert client.get("/api/auth/me").status_code == 401


def test_the_wall_board_role_stays_signed_in_untouched_for_hours(er_app, monkeypatch):
    board, doctor, later = signed_in(er_app, "wall"), signed_in(er_app, "doc"), Later(monkeypatch, er_app)
    later.by(hours=3)
    assert board.get("/api/auth/me").status_code == 200
    assert doctor.get("/api/auth/me").status_code == 401


def test_a_session_waiting_for_its_second_factor_reaches_only_the_factor_step(er_app):
    calls = []

    @login.requires_first_factor()
    def second_step():
        calls.append(login.current_session().stage)
        login.complete_second_factor()
        return jsonify({"ok": True})

    er_app.add_url_rule("/test/second-step", view_func=second_step, methods=["POST"])
    er_app.config["SECOND_FACTOR_POLICY"] = "every physician"
    real, login.second_factor_needed = login.second_factor_needed, lambda user, policy: user.role == "physician"
    try:
        client = er_app.test_client()
        answer = client.post("/api/auth/login", json={"username": "doc", "password": PASSWORD})
    finally:
        login.second_factor_needed = real
    assert answer.status_code == 200 and answer.json["stage"] == "password"
    assert client.get("/api/auth/me").status_code == 401
    assert client.get("/api/patients").status_code == 401
    assert client.post("/test/second-step", json={}).status_code == 200 and calls == ["password"]
    assert client.get("/api/auth/me").status_code == 200
    assert client.get("/api/patients").status_code == 200
    assert ("doc", "auth.second_factor") in log_actions(er_app)


def test_an_administrator_manages_accounts_and_sees_no_patient(er_app):
    admin = signed_in(er_app, "boss")
    assert admin.get("/api/auth/me").json["role"] == "admin"
    assert admin.get("/api/patients").status_code == 403
    assert admin.get("/api/inquiries").status_code == 403
    listed = admin.get("/api/admin/accounts").json["accounts"]
    assert {a["username"] for a in listed} == {"doc", "clerk", "wall", "boss"}
    assert all(set(a) == {"username", "display_name", "role", "disabled", "team"} for a in listed)
    assert signed_in(er_app, "doc").get("/api/admin/accounts").status_code == 403


def test_the_new_account_follows_the_password_rule(er_app):
    admin = signed_in(er_app, "boss")
    short = admin.post("/api/admin/accounts", json={"username": "n1", "display_name": "N", "role": "nurse",
                                                    "password": "short"})
    assert short.status_code == 400 and short.json["fields"][0]["field"] == "password"
    made = admin.post("/api/admin/accounts", json={"username": "n1", "display_name": "N", "role": "nurse",
                                                   "password": "a long enough one"})
    assert made.status_code == 201
    again = admin.post("/api/admin/accounts", json={"username": "n1", "display_name": "N", "role": "nurse",
                                                    "password": "a long enough one"})
    assert again.status_code == 409
    assert er_app.test_client().post("/api/auth/login", json={"username": "n1", "password": "a long enough one"}
                                     ).status_code == 200
    assert ("admin:boss", "account.add") in log_actions(er_app)


def test_a_disabled_account_is_out_at_once_and_its_socket_closed(er_app):
    doctor = signed_in(er_app, "doc")
    socketio = er_app.extensions["socketio"]
    board = socketio.test_client(er_app, namespace="/dashboard", flask_test_client=doctor)
    assert board.is_connected("/dashboard")
    admin = signed_in(er_app, "boss")
    assert admin.post("/api/admin/accounts/doc/disable", json={}).json == {"ended_sessions": 1}
    assert not board.is_connected("/dashboard")
    assert doctor.get("/api/auth/me").status_code == 401
    assert er_app.test_client().post("/api/auth/login", json={"username": "doc", "password": PASSWORD}
                                     ).status_code == 401
    assert admin.post("/api/admin/accounts/doc/enable", json={}).status_code == 200
    assert signed_in(er_app, "doc").get("/api/auth/me").status_code == 200
    assert [a for s, a in log_actions(er_app) if s == "admin:boss"][-2:] == ["account.disable", "account.enable"]


def test_an_administrator_cannot_disable_their_own_account(er_app):
    assert signed_in(er_app, "boss").post("/api/admin/accounts/boss/disable", json={}).status_code == 409


def test_a_password_reset_ends_every_session_of_the_user(er_app):
    tablet, desk = signed_in(er_app, "doc"), signed_in(er_app, "doc")
    admin = signed_in(er_app, "boss")
    assert admin.post("/api/admin/accounts/doc/password", json={"password": "a brand new password"}
                      ).json == {"ended_sessions": 2}
    assert tablet.get("/api/auth/me").status_code == 401 and desk.get("/api/auth/me").status_code == 401
    assert er_app.test_client().post("/api/auth/login", json={"username": "doc", "password": "a brand new password"}
                                     ).status_code == 200


def test_an_ended_session_closes_the_crews_socket_on_the_hub(hub_app):
    crew = signed_in(hub_app, "kyu")
    socket = hub_app.extensions["socketio"].test_client(hub_app, namespace="/crew", flask_test_client=crew)
    assert socket.is_connected("/crew")
    crew.post("/api/auth/logout", json={})
    assert not socket.is_connected("/crew")


def test_the_sweep_closes_a_socket_whose_session_ended_elsewhere(er_app):
    """Another process (or the command line) ended the session: only the database says so."""
    import time
    doctor = signed_in(er_app, "doc")
    board = er_app.extensions["socketio"].test_client(er_app, namespace="/dashboard", flask_test_client=doctor)
    live = sessions.live_for_user(er_app.extensions["db"], 1)
    assert len(live) == 1
    sessions.end(er_app.extensions["db"], live[0].key, sessions.REVOKED)
    deadline = time.monotonic() + 5
    while board.is_connected("/dashboard") and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not board.is_connected("/dashboard")


def test_limits_are_set_per_role_in_one_setting(tmp_path, database):
    app = create_hospital({"HOSPITAL_INSTANCE": tmp_path / "x", "GATEWAY": "0", **database("x"),
                           "SESSION_LIMITS": "physician=600/3600"})
    assert app.config["SESSION_LIMITS"]["physician"] == sessions.Limits(600, 3600)
    assert app.config["SESSION_LIMITS"]["board"].idle_s >= 3600 * 12
    app.extensions["db"].dispose()
    with pytest.raises(ValueError):
        sessions.parse_limits("physician=ten minutes", {})
