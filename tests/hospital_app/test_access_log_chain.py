"""The hospital's access log (which names the staff member) holds like the hub's trail.

The triggers of migration 0008_access_log_chain refuse UPDATE / DELETE (and TRUNCATE), but let
the gateway's delivery mark go from not reported to reported; whoever owns the database can
switch the triggers off, so each tamper test does that, edits the table, and then runs
`python -m hospital_app audit verify` against the same instance and database: as a real subprocess
for the dashboard's looks, through the same `main()` in this process for the tamper checks
(tests/commands.py)."""
from __future__ import annotations

import json
import threading
from contextlib import contextmanager

import pytest
from sqlalchemy import delete, exc, insert, select, text, update

from hospital_app import access_log, store
from hospital_app.models import AccessLog
from shared.audit import entry_hash
from shared.clock import utcnow
from tests import commands

TABLE = AccessLog.__table__


def cli(app, *args: str, subprocess_: bool = False):
    """`python -m hospital_app ...` on the test app's instance directory and database."""
    env = {"HOSPITAL_INSTANCE": str(app.config["INSTANCE"]), "DATABASE_URL": app.config["DATABASE_URL"],
           "DATABASE_SCHEMA": app.config["DATABASE_SCHEMA"] or None, "HOSPITAL_AUDIT_KEY": None}
    return commands.run("hospital_app", env, *args, subprocess_=subprocess_)


@contextmanager
def attacker(db):
    """A connection that writes around the triggers, as a database owner can."""
    with db.engine.begin() as conn:
        if db.is_postgres:
            conn.execute(text("SET LOCAL session_replication_role = replica"))  # user triggers off
        else:
            conn.execute(text("DROP TRIGGER access_log_no_update"))
            conn.execute(text("DROP TRIGGER access_log_no_delete"))
        yield conn


def log(app, entries=(("doc", "physician", "inc-1", "view"), ("doc", "physician", "inc-1", "full_history"),
                      ("nurse1", "nurse", "inc-1", "view"), ("clerk", "clerk", "inc-2", "full_history_refused"),
                      ("doc", "physician", "inc-2", "view"))) -> list[int]:
    ids = []
    for staff, role, incident, action in entries:
        with app.extensions["db"].transaction() as s:
            ids.append(access_log.append(s, app.config["AUDIT_KEY"], staff=staff, role=role,
                                         incident_id=incident, action=action).id)
    return ids


def rows(app) -> list[AccessLog]:
    with app.extensions["db"].read() as s:
        return list(s.scalars(select(AccessLog).order_by(AccessLog.id)))


def assert_broken_at(app, entry_id: int):
    result = cli(app, "audit", "verify")
    assert result.returncode == 1, (result.stdout, result.stderr)
    assert f"access log BROKEN at entry {entry_id} (" in result.stdout, result.stdout


def test_looks_through_the_dashboard_are_chained_and_verify(er_app):
    from tests.hospital_app.conftest import signed_in
    doc = signed_in(er_app, "doc")
    assert doc.get("/api/patients/inc-none").status_code == 404  # not held: no look to log
    store.save_patient(er_app.extensions["db"], "grant", {
        "incident_id": "inc-9", "grant_expires_at": 2**31 - 1, "basis": "consent", "record_status": "fetched",
        "incident": {}, "updates": [], "record": None, "critical": None, "patient": None})
    assert doc.get("/api/patients/inc-9").status_code == 200
    clerk = signed_in(er_app, "clerk")
    assert clerk.post("/api/patients/inc-9/full-history", json={}).status_code == 403  # refused, and logged
    logged = rows(er_app)  # with the sign-ins, which the log records too
    looks = [(e.staff, e.action) for e in logged if e.incident_id != "-"]
    assert looks == [("doc", "view"), ("clerk", "full_history_refused")]
    assert all(e.hash for e in logged)
    assert all(e.previous_hash == before.hash for before, e in zip(logged, logged[1:]))
    result = cli(er_app, "audit", "verify", subprocess_=True)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"access log intact: {len(logged)} entries"


def test_the_triggers_refuse_update_and_delete_but_let_the_report_mark_go_forward(er_app):
    db, ids = er_app.extensions["db"], log(er_app)
    statements = [update(TABLE).where(TABLE.c.id == ids[0]).values(staff="someone-else"),
                  update(TABLE).where(TABLE.c.id == ids[1]).values(reported=True, action="view"),
                  delete(TABLE).where(TABLE.c.id == ids[-1]), delete(TABLE)]
    if db.is_postgres:
        statements.append(text("TRUNCATE access_log"))
    for statement in statements:
        with pytest.raises(exc.DBAPIError, match="access_log is append-only"), db.engine.begin() as conn:
            conn.execute(statement)
    with pytest.raises(exc.DBAPIError, match="append-only"), db.transaction() as s:
        s.delete(s.get(AccessLog, ids[2]))  # through the ORM too
    store.mark_reported(db, ids[0])  # the gateway's mark: allowed, once, forward only
    with pytest.raises(exc.DBAPIError, match="append-only"), db.engine.begin() as conn:
        conn.execute(update(TABLE).where(TABLE.c.id == ids[0]).values(reported=False))
    assert [(e.id, e.staff, e.reported) for e in rows(er_app)] == \
        [(ids[0], "doc", True)] + [(i, e.staff, False) for i, e in zip(ids[1:], rows(er_app)[1:])]
    assert cli(er_app, "audit", "verify").returncode == 0  # the mark is outside the hash


def test_an_altered_entry_is_named(er_app):
    ids = log(er_app)
    with attacker(er_app.extensions["db"]) as conn:  # blame the nurse for the doctor's look
        conn.execute(update(TABLE).where(TABLE.c.id == ids[1]).values(staff="nurse1", role="nurse"))
    assert_broken_at(er_app, ids[1])


def test_a_rehashed_entry_without_the_key_is_named(er_app):
    ids = log(er_app)
    victim = rows(er_app)[3]
    fields = {**access_log._fields(victim), "staff": "nobody"}
    with attacker(er_app.extensions["db"]) as conn:
        conn.execute(update(TABLE).where(TABLE.c.id == victim.id).values(
            staff="nobody", hash=entry_hash(b"guessed key", victim.previous_hash, fields)))
    assert_broken_at(er_app, ids[3])


def test_a_deleted_entry_breaks_the_next_one(er_app):
    ids = log(er_app)
    with attacker(er_app.extensions["db"]) as conn:
        conn.execute(delete(TABLE).where(TABLE.c.id == ids[1]))
    assert_broken_at(er_app, ids[2])


def test_deleting_the_newest_entries_is_caught_by_the_next_check(er_app):
    ids = log(er_app)
    assert cli(er_app, "audit", "verify").returncode == 0
    with attacker(er_app.extensions["db"]) as conn:
        conn.execute(delete(TABLE).where(TABLE.c.id >= ids[3]))
    assert_broken_at(er_app, ids[4])


def test_an_inserted_entry_is_named(er_app):
    log(er_app)
    last = rows(er_app)[-1]
    fields = {"at": last.at, "staff": "doc", "role": "physician", "incident_id": "inc-3", "action": "view"}
    with attacker(er_app.extensions["db"]) as conn:
        conn.execute(insert(TABLE).values(id=last.id + 1, previous_hash=last.hash, reported=False,
                                          hash=entry_hash(b"guessed key", last.hash, fields), **fields))
    assert_broken_at(er_app, last.id + 1)


def test_an_entry_written_around_the_chain_is_named(er_app):
    """A plain INSERT with no hash, past chained entries, as code that bypassed `append` would."""
    log(er_app)
    with er_app.extensions["db"].transaction() as s:
        s.add(AccessLog(staff="doc", role="physician", incident_id="inc-4", action="view"))
    result = cli(er_app, "audit", "verify")
    assert result.returncode == 1 and "no hash" in result.stderr, (result.stdout, result.stderr)


def test_entries_from_before_the_chain_are_counted_apart(er_app):
    """A log migrated from before 0009 has entries without a hash; the chain starts after them."""
    with er_app.extensions["db"].engine.begin() as conn:
        for n in range(3):
            conn.execute(insert(TABLE).values(staff="doc", role="physician", incident_id=f"old-{n}",
                                              action="view", at=utcnow(), reported=True))
    log(er_app)
    result = cli(er_app, "audit", "verify")
    assert result.returncode == 0, result.stderr
    assert "8 entries (3 written before the chain began, not covered)" in result.stdout


def test_parallel_writers_leave_one_chain(er_app):
    threads, per_thread, errors = 6, 40, []
    start = threading.Barrier(threads)

    def write(n: int):
        try:
            start.wait()
            log(er_app, [(f"staff{n}", "nurse", f"inc-{n}", "view")] * per_thread)
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(repr(e))

    workers = [threading.Thread(target=write, args=(n,)) for n in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    assert errors == []
    count, before, broken = access_log.check(er_app.extensions["db"], er_app.config["AUDIT_KEY"])
    assert (count, before, broken) == (threads * per_thread, 0, None)


def test_export_carries_the_chain_and_records_itself(er_app, tmp_path):
    log(er_app)
    out = tmp_path / "access-log.json"
    result = cli(er_app, "audit", "export", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert (out.stat().st_mode & 0o777) == 0o600
    exported = json.loads(out.read_text(encoding="utf-8"))["entries"]
    assert len(exported) == 6 and exported[-1]["action"] == "log_export"
    assert all(e["previous_hash"] == before["hash"] for before, e in zip(exported, exported[1:]))
    assert cli(er_app, "audit", "verify").returncode == 0
