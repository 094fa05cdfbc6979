"""Changing one's own second factors (web/factors.py, the page's API), on the ER's app with the
policy on: the authenticator app's QR code carries the same otpauth URI as the text beside it; a
change asks for a factor again once the sign-in is a few minutes old; a TOTP is replaced in one
step; the last factor a physician needs is refused with a clear message; and an operator's reset
(the accounts CLI's path and the admin page) really removes the factors and ends the sessions."""
from __future__ import annotations

import base64
import re
from datetime import timedelta

import pyotp
import pytest
import qrcode
from sqlalchemy import select, update

from hospital_app import create_app
from hospital_app.models import AccessLog
from hospital_app.staff import create_staff
from shared import sessions
from shared.clock import utcnow

PASSWORD = "correct horse battery"


@pytest.fixture
def er_app(database, tmp_path):
    app = create_app({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", "SECOND_FACTOR": "policy",
                      **database("er")})
    for username, role in (("doc", "physician"), ("nurse", "nurse")):
        create_staff(app.extensions["db"], username, username, role, PASSWORD)
    with app.app_context():  # as `python -m hospital_app users add` makes one
        app.extensions["accounts"].add("boss", "boss", "admin", PASSWORD, "cli", temporary=False)
    yield app
    app.extensions["db"].dispose()


def password_only(app, username="doc"):
    client = app.test_client()
    resp = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return client


def enrol_totp(client) -> tuple[str, list[str]]:
    begun = client.post("/api/factors/totp", json={})
    assert begun.status_code == 200, begun.json
    done = client.post("/api/factors/totp/confirm", json={"code": pyotp.TOTP(begun.json["secret"]).now()})
    assert done.status_code == 200, done.json
    return begun.json["secret"], done.json["recovery_codes"]


def signed_in_long_ago(app, client) -> None:
    """The session's sign-in ten minutes back, as if the tablet had lain on the counter since."""
    with app.extensions["db"].transaction() as s:
        s.execute(update(sessions.sessions).where(sessions.sessions.c.ended_at.is_(None))
                  .values(created_at=utcnow() - timedelta(minutes=10)))
    app.extensions["login"].forget_recent()


def dark_modules(svg: bytes) -> set[tuple[int, int]]:
    """The dark squares of qrcode's SvgPathImage, in module units: each is `M x,y H x+1 V y+1 H x z`."""
    return {(int(x), int(y)) for x, y in re.findall(rb"M(\d+),(\d+)H", svg)}


def test_the_qr_code_is_drawn_from_the_otpauth_uri_the_text_shows(er_app):
    client = password_only(er_app)
    begun = client.post("/api/factors/totp", json={}).json
    uri, secret = begun["uri"], begun["secret"]
    assert uri.startswith("otpauth://totp/") and f"secret={secret}" in uri and "issuer=PreArrival" in uri
    kind, data = begun["qr"].split(",", 1)
    assert kind == "data:image/svg+xml;base64"
    svg = base64.b64decode(data)
    assert b"<svg" in svg and b"<script" not in svg
    # Same modules as a QR code of the URI on screen: what the phone scans is what the text says.
    code = qrcode.QRCode(border=4)
    code.add_data(uri)
    code.make(fit=True)
    expected = {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}
    assert dark_modules(svg) == expected


def test_a_change_long_after_the_sign_in_needs_the_factor_again(er_app):
    client = password_only(er_app)
    secret, codes = enrol_totp(client)
    signed_in_long_ago(er_app, client)
    for method, path in (("post", "/api/factors/totp"), ("post", "/api/factors/passkey/options"),
                         ("post", "/api/factors/recovery-codes")):
        refused = getattr(client, method)(path, json={})
        assert refused.status_code == 403 and refused.json["error"] == "reauthenticate", path
    [totp] = client.get("/api/factors").json["factors"]
    assert client.delete(f"/api/factors/{totp['id']}", json={}).json["error"] == "reauthenticate"
    # The password is no second factor once one is enrolled; a wrong code is counted as a failure.
    assert client.post("/api/factors/reauth", json={"method": "password", "password": PASSWORD}).status_code == 400
    wrong = "000000" if pyotp.TOTP(secret).now() != "000000" else "111111"
    assert client.post("/api/factors/reauth", json={"method": "totp", "code": wrong}).status_code == 401
    assert client.post("/api/factors/totp", json={}).status_code == 403
    assert client.post("/api/factors/reauth", json={"method": "recovery", "code": codes[0]}).status_code == 200
    assert client.post("/api/factors/totp", json={}).status_code == 200
    with er_app.extensions["db"].read() as s:
        actions = list(s.scalars(select(AccessLog.action).where(AccessLog.staff == "doc")))
    assert "factor.reauthenticated" in actions and "factor.failed" in actions


def test_without_a_factor_the_password_confirms_it_is_you(er_app):
    nurse = password_only(er_app, "nurse")
    signed_in_long_ago(er_app, nurse)
    assert nurse.post("/api/factors/totp", json={}).json["error"] == "reauthenticate"
    assert nurse.post("/api/factors/reauth", json={"method": "password", "password": "wrong one"}).status_code == 401
    assert nurse.post("/api/factors/reauth", json={"method": "password", "password": PASSWORD}).status_code == 200
    assert nurse.post("/api/factors/totp", json={}).status_code == 200


def test_replacing_the_authenticator_app_keeps_one_and_ends_the_other_sessions(er_app):
    client = password_only(er_app)
    old_secret, codes = enrol_totp(client)
    other = password_only(er_app)
    assert other.post("/api/factors/verify", json={"method": "recovery", "code": codes[0]}).status_code == 200
    [old] = client.get("/api/factors").json["factors"]
    begun = client.post("/api/factors/totp", json={}).json
    done = client.post("/api/factors/totp/confirm", json={"code": pyotp.TOTP(begun["secret"]).now(),
                                                          "label": "new phone", "replaces": old["id"]})
    assert done.status_code == 200 and done.json["ended_sessions"] == 1 and done.json["recovery_codes"] == []
    [new] = client.get("/api/factors").json["factors"]
    assert new["kind"] == "totp" and new["label"] == "new phone" and new["id"] != old["id"]
    assert other.get("/api/auth/me").status_code == 401
    # Another's factor, or a passkey, is no TOTP to replace: nothing is enrolled then.
    begun = client.post("/api/factors/totp", json={}).json
    refused = client.post("/api/factors/totp/confirm", json={"code": pyotp.TOTP(begun["secret"]).now(), "replaces": 999})
    assert refused.status_code == 404
    assert len(client.get("/api/factors").json["factors"]) == 1


def test_the_last_factor_a_physician_needs_is_refused_in_plain_japanese(er_app):
    client = password_only(er_app)
    enrol_totp(client)
    [totp] = client.get("/api/factors").json["factors"]
    client.delete_cookie("lang")  # the screen's default language (the test client chose English)
    refused = client.delete(f"/api/factors/{totp['id']}", json={})
    assert refused.status_code == 409 and refused.json["error"] == "last_factor"
    assert "別の認証要素を登録してください" in refused.json["message"]
    assert len(client.get("/api/factors").json["factors"]) == 1


def test_an_operator_reset_removes_the_factors_and_ends_the_sessions(er_app):
    doc = password_only(er_app)
    enrol_totp(doc)
    # The accounts command line's path (web/accounts_cli.py runs it in an app context).
    with er_app.app_context():
        assert er_app.extensions["accounts"].reset_factors("doc", "cli") == 1
    assert doc.get("/api/auth/me").status_code == 401
    again = password_only(er_app)
    assert again.get("/api/factors").json["factors"] == []  # enrolled anew at this sign-in
    enrol_totp(again)
    # The admin page's path: an administrator (whose own role needs a factor) resets the physician.
    boss = password_only(er_app, "boss")
    enrol_totp(boss)
    reset = boss.post("/api/admin/accounts/doc/factors/reset", json={})
    assert reset.status_code == 200 and reset.json["ended_sessions"] == 1
    assert again.get("/api/auth/me").status_code == 401
    fresh = password_only(er_app)
    assert fresh.get("/api/factors").json["factors"] == []
