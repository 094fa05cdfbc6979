"""A signed-in person changes their own password (web/password.py, `POST /api/auth/password`), on
the hub and on the ER's app: the current password is asked for and throttled like a sign-in, the
new one follows the one rule (shared/accounts.py: at least 12 counted with runs of spaces as one,
at most 128, on every path that sets one), every other session of the person ends at once, and
the change and a wrong current password are audited, never the password."""
from __future__ import annotations

import io
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from ems_app import create_app as create_hub
from ems_app.services.enrolment import create_user
from hospital_app import create_app as create_hospital
from hospital_app.models import AccessLog
from hospital_app.staff import create_staff
from tests.web.test_sessions import trail_actions
from web.accounts_cli import run_users_command
from web.login import ACCOUNT

PASSWORD = "correct horse battery"
NEW = "a new passphrase of words"


@pytest.fixture
def er_app(database, tmp_path):
    app = create_hospital({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", **database("er")})
    create_staff(app.extensions["db"], "nurse", "nurse", "nurse", PASSWORD)
    with app.app_context():
        app.extensions["accounts"].add("boss", "ER admin", "admin", PASSWORD, "operator", temporary=False)
    yield app
    app.extensions["db"].dispose()


@pytest.fixture
def hub_app(database, tmp_path):
    app = create_hub({"EMS_INSTANCE": tmp_path / "ems", **database("ems")})
    create_user(app.extensions["hub"], "kyu", "kyu", "paramedic", "t1", PASSWORD)
    yield app
    app.extensions["hub"].db.dispose()


@pytest.fixture
def er_app_with_factors(database, tmp_path):
    app = create_hospital({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", "SECOND_FACTOR": "policy",
                           **database("er")})
    create_staff(app.extensions["db"], "doc", "doc", "physician", PASSWORD)
    yield app
    app.extensions["db"].dispose()


def sign_in(app, username: str, password: str = PASSWORD):
    client = app.test_client()
    resp = client.post("/api/auth/login", json={"username": username, "password": password})
    return client, resp.status_code


def signed_in(app, username: str):
    client, status = sign_in(app, username)
    assert status == 200
    return client


def change(client, current: str = PASSWORD, new: str = NEW):
    return client.post("/api/auth/password", json={"current_password": current, "new_password": new})


def fields(resp) -> list[str]:
    return [f["field"] for f in resp.json.get("fields", [])]


def log_actions(app) -> list[tuple[str, str, str]]:
    with app.extensions["db"].read() as s:
        return [(e.staff, e.role, e.action) for e in s.scalars(select(AccessLog).order_by(AccessLog.id))]


@pytest.mark.parametrize("which", ["hub", "hospital"])
def test_the_new_password_signs_in_and_the_old_one_no_longer_does(which, request):
    app = request.getfixturevalue("hub_app" if which == "hub" else "er_app")
    username = "kyu" if which == "hub" else "nurse"
    here = signed_in(app, username)
    elsewhere = signed_in(app, username)  # the same person on another device
    resp = change(here)
    assert resp.status_code == 200, resp.json
    assert resp.json == {"ok": True, "ended_sessions": 1}
    assert elsewhere.get("/api/auth/me").status_code == 401  # out at once
    assert here.get("/api/auth/me").status_code == 200       # the one that changed it stays
    assert sign_in(app, username, PASSWORD)[1] == 401
    assert sign_in(app, username, NEW)[1] == 200


def test_the_hub_trail_records_the_change_by_the_person_never_the_password(hub_app):
    change(signed_in(hub_app, "kyu"))
    [entry] = [e for e in trail_actions(hub_app) if e[1] == "account.password_change"]
    assert entry[0] == "user:kyu" and entry[2]["username"] == "kyu"
    assert not any(PASSWORD in str(e) or NEW in str(e) for e in trail_actions(hub_app))


def test_the_access_log_records_the_change_with_the_persons_own_role(er_app):
    change(signed_in(er_app, "nurse"))
    assert ("user:nurse", "nurse", "account.password_change") in log_actions(er_app)


def test_a_wrong_current_password_is_refused_on_its_field_and_audited(er_app):
    client = signed_in(er_app, "nurse")
    resp = change(client, current="not my password at all")
    assert resp.status_code == 400 and resp.json["error"] == "bad_current_password"
    assert fields(resp) == ["current_password"]
    assert ("nurse", "nurse", "auth.password_change_failed") in log_actions(er_app)
    assert sign_in(er_app, "nurse", PASSWORD)[1] == 200  # nothing changed
    assert client.get("/api/auth/me").status_code == 200


def test_wrong_current_passwords_are_throttled_with_the_sign_in(hub_app):
    client = signed_in(hub_app, "kyu")
    tries = [change(client, current=f"guess number {n:02d}").status_code for n in range(ACCOUNT.free + 2)]
    assert tries == [400] * ACCOUNT.free + [429] * 2
    assert change(client).status_code == 429  # even the right one waits: the guesses cost time
    assert sign_in(hub_app, "kyu")[1] == 429  # one count: the sign-in from here waits too
    assert [a for _, a, _ in trail_actions(hub_app)].count("auth.password_change_failed") == ACCOUNT.free


def test_a_session_still_owing_its_second_factor_cannot_change_the_password(er_app_with_factors):
    client, status = sign_in(er_app_with_factors, "doc")
    assert status == 200 and client.get("/api/factors").json["stage"] == "password"
    resp = change(client)
    assert resp.status_code == 401
    assert sign_in(er_app_with_factors, "doc", PASSWORD)[1] == 200  # unchanged


def test_signed_out_nobody_changes_a_password(er_app):
    assert change(er_app.test_client()).status_code == 401


@pytest.mark.parametrize("new, reason", [
    ("elevenchars", "at least 12"),
    (" " * 12, "at least 12"),
    ("a" + " " * 11 + "b" * 9, "at least 12"),  # a run of spaces counts as one: 11 characters
    ("x" * 129, "at most 128"),
    ("x" * 300, None),  # over the input's cap (256): refused on the field all the same
    (PASSWORD, "differ"),
])
def test_the_new_password_follows_the_rule(er_app, new, reason):
    client = signed_in(er_app, "nurse")
    resp = change(client, new=new)
    assert resp.status_code == 400 and fields(resp) == ["new_password"], resp.json
    if reason:
        assert reason in resp.json["message"]
    assert sign_in(er_app, "nurse", PASSWORD)[1] == 200


@pytest.mark.parametrize("new", ["x" * 128, "y" * 64, "ａ" * 12, "word " * 3])
def test_long_unicode_and_spaced_passwords_are_taken(hub_app, new):
    assert change(signed_in(hub_app, "kyu"), new=new).status_code == 200
    assert sign_in(hub_app, "kyu", new)[1] == 200


def test_the_length_rule_holds_on_the_admin_page_too(er_app):
    admin = signed_in(er_app, "boss")
    account = {"username": "n2", "display_name": "N", "role": "nurse"}
    for refused in (" " * 12, "x" * 129):
        resp = admin.post("/api/admin/accounts", json={**account, "password": refused})
        assert resp.status_code == 400 and fields(resp) == ["password"]
        resp = admin.post("/api/admin/accounts/nurse/password", json={"password": refused})
        assert resp.status_code == 400 and fields(resp) == ["password"]
    assert admin.post("/api/admin/accounts", json={**account, "password": "z" * 128}).status_code == 201
    assert admin.post("/api/admin/accounts/nurse/password", json={"password": "q" * 64}).status_code == 200


def test_the_length_rule_holds_on_the_command_line(er_app, monkeypatch, capsys):
    # `python -m hospital_app users reset-password nurse --password-stdin`, past its argument parsing.
    args = SimpleNamespace(users_command="reset-password", username="nurse", password_stdin=True, permanent=False)
    monkeypatch.setattr("sys.stdin", io.StringIO("x" * 129 + "\n"))
    assert run_users_command(args, er_app) == 2
    assert "at most 128" in capsys.readouterr().err
    monkeypatch.setattr("sys.stdin", io.StringIO(" " * 12 + "\n"))
    assert run_users_command(args, er_app) == 2
    assert sign_in(er_app, "nurse", PASSWORD)[1] == 200
    monkeypatch.setattr("sys.stdin", io.StringIO("w" * 128 + "\n"))
    assert run_users_command(args, er_app) == 0
    assert sign_in(er_app, "nurse", "w" * 128)[1] == 200
