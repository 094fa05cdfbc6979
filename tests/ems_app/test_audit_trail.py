"""The hub's audit trail holds against an attacker with write access to the database.

The triggers of migration 0002 refuse plain UPDATE / DELETE (and TRUNCATE); whoever owns the
database can switch them off, so each tamper test does exactly that, edits the table, and then
runs `python -m ems_app verify-audit` against the same instance (key) and database: as a real
subprocess, as an operator or a cron job would, for the untouched trail, and through the same
`main()` in this process for the tamper checks (tests/commands.py). Also: many writers leave one chain, and the
FHIR export parses as R4 AuditEvents and never carries a card id."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import delete, exc, func, insert, select, text, update

from ems_app.models import AuditEntry
from ems_app.services import audit
from ems_app.services.audit_export import verify_export
from shared.audit import entry_hash
from tests import commands
from tests.ems_app.conftest import accept, open_identified

TABLE = AuditEntry.__table__
EXCEPTION = {"kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "JCS 300, no family"}


def cli(hub_app, *args: str, subprocess_: bool = False):
    """`python -m ems_app ...` on the test hub's instance directory and database."""
    env = {"EMS_INSTANCE": str(hub_app.config["INSTANCE"]), "DATABASE_URL": hub_app.config["DATABASE_URL"],
           "DATABASE_SCHEMA": hub_app.config["DATABASE_SCHEMA"] or None}
    return commands.run("ems_app", env, *args, subprocess_=subprocess_)


@contextmanager
def attacker(hub, *, cover_tracks: bool = False):
    """A connection that writes around the triggers, as a database owner can; covering its
    tracks, it switches them back on afterwards, so only the chain can tell."""
    triggers = {"audit_entries_no_update": "UPDATE", "audit_entries_no_delete": "DELETE"}
    with hub.db.engine.begin() as conn:
        if hub.db.is_postgres and cover_tracks:
            conn.execute(text("ALTER TABLE audit_entries DISABLE TRIGGER USER"))
        elif hub.db.is_postgres:
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # user triggers off
        else:
            for name in triggers:
                conn.execute(text(f"DROP TRIGGER {name}"))
        yield conn
        if hub.db.is_postgres and cover_tracks:
            conn.execute(text("ALTER TABLE audit_entries ENABLE TRIGGER USER"))
        elif cover_tracks:
            for name, event in triggers.items():
                conn.execute(text(f"CREATE TRIGGER {name} BEFORE {event} ON audit_entries "
                                  "BEGIN SELECT RAISE(ABORT, 'audit_entries is append-only'); END"))


@pytest.fixture
def trail(hub):
    """Six entries, one of them an emergency-exception fetch an attacker would like to hide."""
    rows = [("user:kyukyu1", "incident.open", None), ("user:kyukyu1", "basis.record", "emergency_exception"),
            ("user:kyukyu1", "record.fetch", "emergency_exception"), ("system", "grant.issue", "emergency_exception"),
            ("hospital:tokyo-er", "record.view", "emergency_exception"), ("user:kyukyu1", "incident.close", None)]
    ids = []
    for actor, action, basis in rows:
        with hub.db.transaction() as s:
            ids.append(audit.append(s, hub.audit_key, actor=actor, action=action, incident_id="inc-1",
                                    basis=basis, detail={"n": len(ids)}).id)
    return ids


def entries(hub) -> list[AuditEntry]:
    with hub.db.read() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def assert_broken_at(hub_app, entry_id: int):
    result = cli(hub_app, "verify-audit")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert f"audit trail BROKEN at entry {entry_id} (" in result.stdout, result.stdout


def test_an_untouched_trail_verifies(hub_app, trail):
    result = cli(hub_app, "verify-audit", subprocess_=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"audit trail intact: {len(entries(hub_app.extensions['hub']))} entries"


def test_an_altered_entry_is_named(hub_app, hub, trail):
    with attacker(hub) as conn:  # make the emergency-exception fetch look consented
        conn.execute(update(TABLE).where(TABLE.c.id == trail[2]).values(basis="consent"))
    assert_broken_at(hub_app, trail[2])


def test_a_rehashed_entry_without_the_key_is_named(hub_app, hub, trail):
    """Recomputing the hash needs the HMAC key, which lives outside the database."""
    victim = entries(hub)[3]
    fields = {**audit._fields(victim), "actor": "system:innocent"}
    with attacker(hub) as conn:
        conn.execute(update(TABLE).where(TABLE.c.id == victim.id).values(
            actor="system:innocent", hash=entry_hash(b"guessed key", victim.previous_hash, fields)))
    assert_broken_at(hub_app, victim.id)


def test_a_deleted_entry_breaks_the_next_one(hub_app, hub, trail):
    with attacker(hub, cover_tracks=True) as conn:
        conn.execute(delete(TABLE).where(TABLE.c.id == trail[2]))
    assert_broken_at(hub_app, trail[3])


def test_deleting_the_newest_entries_is_caught_by_the_next_check(hub_app, hub, trail):
    """What remains after cutting the tail still chains; the head the last check saw is missing."""
    assert cli(hub_app, "verify-audit").returncode == 0
    with attacker(hub, cover_tracks=True) as conn:
        conn.execute(delete(TABLE).where(TABLE.c.id >= trail[4]))
    assert_broken_at(hub_app, trail[5])
    with pytest.raises(exc.DBAPIError, match="append-only"), hub.db.engine.begin() as conn:
        conn.execute(delete(TABLE))  # the triggers are back


@pytest.mark.parametrize("where", ["at the end", "before the first"])
def test_an_inserted_entry_is_named(hub_app, hub, trail, where):
    last = entries(hub)[-1]
    forged_id, previous = (last.id + 1, last.hash) if where == "at the end" else (0, "f" * 64)
    fields = {"at": last.at, "actor": "user:kyukyu1", "action": "record.view", "incident_id": "inc-1",
              "basis": "consent", "detail": {}}
    with attacker(hub) as conn:
        conn.execute(insert(TABLE).values(id=forged_id, previous_hash=previous,
                                          hash=entry_hash(b"guessed key", previous, fields), **fields))
    assert_broken_at(hub_app, forged_id)


def test_the_triggers_refuse_update_and_delete(hub, trail):
    statements = [update(TABLE).where(TABLE.c.id == trail[0]).values(actor="x"),
                  delete(TABLE).where(TABLE.c.id == trail[-1]), delete(TABLE)]
    if hub.db.is_postgres:
        statements.append(text("TRUNCATE audit_entries"))
    for statement in statements:
        with pytest.raises(exc.DBAPIError, match="audit_entries is append-only"):
            with hub.db.engine.begin() as conn:
                conn.execute(statement)
    with pytest.raises(exc.DBAPIError, match="append-only"), hub.db.transaction() as s:
        s.delete(s.get(AuditEntry, trail[1]))  # through the ORM too
    assert [e.id for e in entries(hub)] == trail


def test_downgrade_drops_the_triggers_and_upgrade_restores_them(hub, trail):
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(hub.db.migrations))
    for target, refused in (("0001", False), ("head", True)):
        with hub.db.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            (command.downgrade if target == "0001" else command.upgrade)(cfg, target)
        try:
            with hub.db.engine.begin() as conn:
                conn.execute(update(TABLE).where(TABLE.c.id == trail[0]).values(actor="user:kyukyu1"))
            assert not refused
        except exc.DBAPIError as e:
            assert refused and "append-only" in str(e)


def test_parallel_writers_leave_one_chain_without_forks(hub_app, hub, trail):
    before, threads, per_thread = len(trail), 8, 200
    start, errors = threading.Barrier(threads), []

    def write(n: int):
        try:
            start.wait()
            for i in range(per_thread):
                with hub.db.transaction() as s:
                    audit.append(s, hub.audit_key, actor=f"user:t{n}", action="record.view",
                                 incident_id=f"inc-{n}", basis="consent", detail={"i": i})
        except Exception as e:  # noqa: BLE001 - reported below, with the thread
            errors.append((n, repr(e)))

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    with hub.db.read() as s:
        count = s.scalar(select(func.count()).select_from(AuditEntry))
        distinct_previous = s.scalar(select(func.count(func.distinct(AuditEntry.previous_hash))))
        assert audit.first_broken(s, hub.audit_key) is None
    assert count == distinct_previous == before + threads * per_thread
    result = cli(hub_app, "verify-audit")
    assert result.returncode == 0 and f"intact: {count} entries" in result.stdout, result.stdout


def test_fhir_export_is_valid_r4_and_names_no_patient(hub_app, hub, crew, hospital, tmp_path):
    from fhir.resources.R4B.auditevent import AuditEvent
    from fhir.resources.R4B.bundle import Bundle

    consented = open_identified(crew, "SIM-000001")
    assert crew.post(f"/api/incidents/{consented}/record", json={}).status_code == 200
    emergency, grant = accept(crew, hub, hospital, "SIM-CRITICAL", EXCEPTION)
    assert hospital.redeem(hub_app.test_client(), emergency, grant).status_code == 200
    assert hospital.redeem(hub_app.test_client(), emergency, grant, proof="not-a-proof").status_code == 401

    out = tmp_path / "audit.json"
    result = cli(hub_app, "export-audit", "--out", str(out))
    assert result.returncode == 0, result.stderr
    raw = out.read_text(encoding="utf-8")
    assert "SIM-" not in raw and (out.stat().st_mode & 0o777) == 0o600
    bundle = json.loads(raw)
    Bundle.model_validate(bundle)
    assert bundle["type"] == "collection"
    events = [AuditEvent.model_validate(item["resource"]) for item in bundle["entry"]]
    assert len(events) == len(entries(hub))

    def find(action, incident=None):
        return [ev for ev in events if any(c.code == action for c in ev.subtype)
                and (incident is None or ev.entity[0].what.identifier.value == incident)]

    [fetch] = find("record.fetch", emergency)
    assert [c.code for p in fetch.purposeOfEvent for c in p.coding] == ["ETREAT"]
    assert fetch.action == "R" and fetch.type.code == "110110" and fetch.outcome == "0"
    [consent_fetch] = find("record.fetch", consented)
    assert [c.code for p in consent_fetch.purposeOfEvent for c in p.coding] == ["TREAT"]
    [view] = find("record.view", emergency)
    assert view.agent[0].who.identifier.value == f"hospital:{hospital.id}" and view.agent[0].requestor
    [refused] = find("access.refused", emergency)
    assert refused.outcome == "4" and refused.outcomeDesc
    assert all(ev.source.observer.display == "PreArrival hub" for ev in events)
    assert find("audit.export")[-1].id == events[-1].id  # the export records itself, last

    assert verify_export(bundle) is None and verify_export(bundle, hub.audit_key) is None
    bundle["entry"][2]["resource"]["extension"][0]["extension"][3]["valueString"] = "{}"
    assert verify_export(bundle, hub.audit_key) == 2
    assert cli(hub_app, "verify-audit").returncode == 0  # exporting kept the chain whole


def test_export_since_starts_mid_chain_and_still_links(hub_app, hub, trail, tmp_path):
    out = tmp_path / "since.json"
    future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    assert cli(hub_app, "export-audit", "--out", str(out), "--since", future).returncode == 0
    only = json.loads(out.read_text())["entry"]
    assert [e["resource"]["subtype"][1]["code"] for e in only] == ["audit.export"]
    assert cli(hub_app, "export-audit", "--out", str(out), "--since", "2000-01-01T00:00:00+09:00").returncode == 0
    everything = json.loads(out.read_text())
    assert len(everything["entry"]) == len(trail) + 2 and verify_export(everything, hub.audit_key) is None
    assert cli(hub_app, "export-audit", "--out", str(out), "--since", "yesterday").returncode == 2
