"""A password someone else set is temporary (ASVS 2.3.1; shared/accounts.py, web/login.py), on the
hub and on the ER's app: an account an administrator added or reset, or the operator made with
`users add` or `users reset-password`, signs in only to choose its own password (nothing else
answers it, no socket opens) and then works; `--permanent` leaves the password as set; after
TEMPORARY_PASSWORD_HOURS it signs in no more, counted and audited like a wrong password but with
its own message; the person's own change clears the mark; with the second-factor policy on the
order is password, factor, then the change."""
from __future__ import annotations

from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import select, update

from ems_app import create_app as create_hub
from ems_app.models import AuditEntry, User
from ems_app.services.enrolment import create_user
from hospital_app import create_app as create_hospital
from hospital_app.models import AccessLog, Staff
from hospital_app.staff import create_staff
from shared.clock import utcnow
from tests import commands
from web.login import ACCOUNT

PASSWORD = "correct horse battery"
SET_BY_ADMIN = "set by the administrator"
MINE = "only I know this passphrase"


class App:
    """One app as these tests use it: who signs in there, a route and a socket only a complete
    session of that person reaches, its command line, its trail."""

    def __init__(self, app, which: str):
        self.app, self.which = app, which
        self.hub = which == "hub"
        self.model = User if self.hub else Staff
        self.role = "paramedic" if self.hub else "nurse"
        self.route = "/api/incidents" if self.hub else "/api/inquiries"
        self.namespace = "/crew" if self.hub else "/dashboard"

    @property
    def db(self):
        return self.app.extensions["hub"].db if self.hub else self.app.extensions["db"]

    def new_account(self, username: str) -> dict:
        return {"username": username, "display_name": username, "role": self.role, "password": SET_BY_ADMIN,
                **({"team": "t1"} if self.hub else {})}

    def cli(self, *args: str):
        config = self.app.config
        env = {"DATABASE_URL": config["DATABASE_URL"], "DATABASE_SCHEMA": config["DATABASE_SCHEMA"] or None,
               ("EMS_INSTANCE" if self.hub else "HOSPITAL_INSTANCE"): str(config["INSTANCE"])}
        if not self.hub:
            env["HOSPITAL_AUDIT_KEY"] = None
        return commands.run("ems_app" if self.hub else "hospital_app", env, *args)

    def marked_at(self, username: str):
        with self.db.read() as s:
            return s.scalars(select(self.model.temporary_password_at).where(self.model.username == username)).one()

    def set_long_ago(self, username: str, hours: float) -> None:
        with self.db.transaction() as s:
            s.execute(update(self.model).where(self.model.username == username)
                      .values(temporary_password_at=utcnow() - timedelta(hours=hours)))

    def actions(self) -> list[tuple[str, str]]:
        """(who, what) of the app's trail: the hub's audit chain, the ER's access log."""
        with self.db.read() as s:
            if self.hub:
                return [(e.actor, e.action) for e in s.scalars(select(AuditEntry).order_by(AuditEntry.id))]
            return [(e.staff, e.action) for e in s.scalars(select(AccessLog).order_by(AccessLog.id))]

    def socket_opens(self, client) -> bool:
        socket = self.app.extensions["socketio"].test_client(self.app, namespace=self.namespace,
                                                             flask_test_client=client)
        opened = socket.is_connected(self.namespace)
        if opened:
            socket.disconnect(namespace=self.namespace)
        return opened


def hub(database, tmp_path, **settings) -> App:
    app = create_hub({"EMS_INSTANCE": tmp_path / "ems", **settings, **database("ems")})
    with app.app_context():
        app.extensions["accounts"].add("boss", "boss", "admin", PASSWORD, "operator", temporary=False)
    return App(app, "hub")


def hospital(database, tmp_path, **settings) -> App:
    app = create_hospital({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", **settings, **database("er")})
    with app.app_context():
        app.extensions["accounts"].add("boss", "boss", "admin", PASSWORD, "operator", temporary=False)
    return App(app, "hospital")


@pytest.fixture(params=["hub", "hospital"])
def site(request, database, tmp_path):
    made = (hub if request.param == "hub" else hospital)(database, tmp_path)
    yield made
    made.db.dispose()


def sign_in(site: App, username: str, password: str):
    client = site.app.test_client()
    return client, client.post("/api/auth/login", json={"username": username, "password": password})


def admin(site: App):
    client, resp = sign_in(site, "boss", PASSWORD)
    assert resp.status_code == 200 and resp.json["stage"] == "complete", resp.json
    return client


def change(client, current: str = SET_BY_ADMIN, new: str = MINE):
    return client.post("/api/auth/password", json={"current_password": current, "new_password": new})


def must_change_first(site: App, username: str, password: str = SET_BY_ADMIN):
    """Signed in with a temporary password: only /me answers, and says so; the rest is shut."""
    client, resp = sign_in(site, username, password)
    assert resp.status_code == 200, resp.json
    assert resp.json["stage"] == "change" and resp.json["must_change_password"] is True
    me = client.get("/api/auth/me")
    assert me.status_code == 200 and me.json["must_change_password"] is True
    assert client.get(site.route).status_code == 401
    assert client.get("/api/factors").status_code == 401
    assert client.post("/api/auth/language", json={"language": "en"}).status_code == 401
    assert not site.socket_opens(client)
    return client


def then_works(site: App, client, username: str, current: str = SET_BY_ADMIN) -> None:
    resp = change(client, current)
    assert resp.status_code == 200, resp.json
    assert client.get("/api/auth/me").json["must_change_password"] is False
    assert client.get(site.route).status_code == 200
    assert site.socket_opens(client)
    assert site.marked_at(username) is None
    again, resp = sign_in(site, username, MINE)  # the next sign-in is an ordinary one
    assert resp.json["stage"] == "complete" and resp.json["must_change_password"] is False
    assert again.get(site.route).status_code == 200


def test_an_account_the_administrator_adds_must_choose_its_own_password_before_anything_else(site):
    made = admin(site).post("/api/admin/accounts", json=site.new_account("newcomer"))
    assert made.status_code == 201, made.json
    assert site.marked_at("newcomer") is not None
    client = must_change_first(site, "newcomer")
    then_works(site, client, "newcomer")


def test_a_password_the_administrator_resets_is_temporary_too(site):
    assert admin(site).post("/api/admin/accounts", json=site.new_account("forgetful")).status_code == 201
    then_works(site, must_change_first(site, "forgetful"), "forgetful")
    reset = admin(site).post("/api/admin/accounts/forgetful/password", json={"password": "the admin knows this"})
    assert reset.status_code == 200
    assert sign_in(site, "forgetful", MINE)[1].status_code == 401
    client = must_change_first(site, "forgetful", "the admin knows this")
    assert change(client, "the admin knows this", "and now mine again, new").status_code == 200
    assert client.get(site.route).status_code == 200


def test_the_command_line_marks_what_it_sets_unless_told_permanent(site):
    added = site.cli("users", "add", "temp", "--name", "temp", "--role", site.role)
    assert added.returncode == 0, added.stderr
    made_up = added.stdout.strip().split("\t")[-1]
    assert site.marked_at("temp") is not None
    then_works(site, must_change_first(site, "temp", made_up), "temp", made_up)

    reset = site.cli("users", "reset-password", "temp")
    assert reset.returncode == 0, reset.stderr
    assert site.marked_at("temp") is not None
    assert must_change_first(site, "temp", reset.stdout.strip().split("\t")[-1])

    service = site.cli("users", "add", "service", "--name", "service", "--role", site.role, "--permanent")
    assert service.returncode == 0, service.stderr
    assert site.marked_at("service") is None
    client, resp = sign_in(site, "service", service.stdout.strip().split("\t")[-1])
    assert resp.json["stage"] == "complete" and resp.json["must_change_password"] is False
    assert client.get(site.route).status_code == 200

    kept = site.cli("users", "reset-password", "temp", "--permanent")
    assert kept.returncode == 0 and site.marked_at("temp") is None
    assert sign_in(site, "temp", kept.stdout.strip().split("\t")[-1])[1].json["stage"] == "complete"


def test_the_command_line_says_permanent_should_be_rare(site):
    for command in ("add", "reset-password"):
        shown = site.cli("users", command, "--help")
        assert "--permanent" in shown.stdout and "rare" in shown.stdout


def test_an_expired_temporary_password_is_refused_with_its_own_message_counted_and_audited(site):
    assert admin(site).post("/api/admin/accounts", json=site.new_account("late")).status_code == 201
    site.set_long_ago("late", hours=23)
    assert sign_in(site, "late", SET_BY_ADMIN)[1].json["stage"] == "change"  # within the day: still good
    site.set_long_ago("late", hours=24.5)
    tries = [sign_in(site, "late", SET_BY_ADMIN)[1] for _ in range(ACCOUNT.free)]
    assert {r.status_code for r in tries} == {401}
    assert {r.json["error"] for r in tries} == {"password_expired"}
    assert "temporary password has expired" in tries[0].json["message"]
    assert "administrator" in tries[0].json["message"]
    assert sign_in(site, "late", SET_BY_ADMIN)[1].status_code == 429  # counted like wrong passwords
    who = "user:late" if site.hub else "late"
    assert site.actions().count((who, "auth.password_expired")) == ACCOUNT.free
    assert site.marked_at("late") is not None


def test_the_expired_message_is_in_japanese_by_default(site):
    assert admin(site).post("/api/admin/accounts", json=site.new_account("late")).status_code == 201
    site.set_long_ago("late", hours=25)
    client = site.app.test_client()
    client.set_cookie("lang", "ja")
    resp = client.post("/api/auth/login", json={"username": "late", "password": SET_BY_ADMIN})
    assert resp.status_code == 401 and "仮パスワード" in resp.json["message"]


def test_the_hours_a_temporary_password_lasts_are_a_setting(database, tmp_path):
    site = hospital(database, tmp_path, TEMPORARY_PASSWORD_HOURS="2")
    try:
        assert admin(site).post("/api/admin/accounts", json=site.new_account("short")).status_code == 201
        site.set_long_ago("short", hours=3)
        assert sign_in(site, "short", SET_BY_ADMIN)[1].json["error"] == "password_expired"
    finally:
        site.db.dispose()


def test_a_wrong_current_password_keeps_the_session_waiting_for_the_change(site):
    assert admin(site).post("/api/admin/accounts", json=site.new_account("typo")).status_code == 201
    client = must_change_first(site, "typo")
    resp = change(client, current="not what was set at all")
    assert resp.status_code == 400 and resp.json["error"] == "bad_current_password"
    assert client.get(site.route).status_code == 401
    assert site.marked_at("typo") is not None


def test_demo_and_seeded_accounts_are_not_temporary(database, tmp_path):
    er = hospital(database, tmp_path)
    hub_site = hub(database, tmp_path)
    try:
        create_staff(er.db, "seeded", "seeded", "nurse", PASSWORD)
        create_user(hub_site.app.extensions["hub"], "crew", "crew", "paramedic", "t1", PASSWORD)
        for site, username in ((er, "seeded"), (hub_site, "crew")):
            assert site.marked_at(username) is None
            assert sign_in(site, username, PASSWORD)[1].json["stage"] == "complete"
    finally:
        er.db.dispose()
        hub_site.db.dispose()


def enrol_totp(client) -> None:
    begun = client.post("/api/factors/totp", json={})
    assert begun.status_code == 200, begun.json
    done = client.post("/api/factors/totp/confirm", json={"code": pyotp.TOTP(begun.json["secret"]).now()})
    assert done.status_code == 200, done.json


@pytest.mark.parametrize("which, role", [("hub", "privacy_officer"), ("hospital", "physician")])
def test_with_a_second_factor_due_the_order_is_password_factor_then_the_change(which, role, database, tmp_path):
    site = (hub if which == "hub" else hospital)(database, tmp_path, SECOND_FACTOR="policy")
    try:
        added = site.cli("users", "add", "careful", "--name", "careful", "--role", role)
        assert added.returncode == 0, added.stderr
        made_up = added.stdout.strip().split("\t")[-1]
        client, resp = sign_in(site, "careful", made_up)
        assert resp.json["stage"] == "password" and resp.json["must_change_password"] is True
        assert change(client, made_up).status_code == 401  # the factor first
        assert client.get("/api/auth/me").status_code == 401
        enrol_totp(client)  # the factor: the session now owes its own password
        me = client.get("/api/auth/me")
        assert me.status_code == 200 and me.json["must_change_password"] is True
        assert client.get("/api/factors").status_code == 401
        assert client.get(site.route).status_code == 401
        resp = change(client, made_up)
        assert resp.status_code == 200, resp.json
        assert client.get("/api/auth/me").json["must_change_password"] is False
        assert client.get("/api/factors").json["stage"] == "complete"
        assert site.marked_at("careful") is None
    finally:
        site.db.dispose()
