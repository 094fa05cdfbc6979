"""The hospital's own store of incoming updates: in order, exactly once, summary kept current."""
import time

import pytest

from hospital_app import store


def _patient(db, incident_id="INC1"):
    store.save_patient(db, "grant-token", {
        "incident_id": incident_id, "grant_expires_at": int(time.time()) + 600, "basis": "consent",
        "record_status": "complete", "patient": {"name": "山田 太郎"}, "record": {"medications": []},
        "critical": {}, "incident": {"chief_complaint": "胸痛 / chest pain"}})


def _update(seq, kind="vitals", incident_id="INC1", **payload):
    return {"incident_id": incident_id, "seq": seq, "kind": kind,
            "payload": payload or {"vitals": {"heart_rate": 80 + seq}}, "at": f"2026-12-02T10:00:{seq:02d}Z"}


def test_updates_are_stored_once_and_in_order(er_app):
    db = er_app.extensions["db"]
    _patient(db)
    assert store.save_update(db, _update(1), in_order=True) == "stored"
    assert store.save_update(db, _update(1), in_order=True) == "old"       # a resend changes nothing
    assert store.save_update(db, _update(3), in_order=True) == "gap"       # 2 is missing: fetch it first
    assert store.last_seq(db, "INC1") == 1
    assert store.save_update(db, _update(2), in_order=True) == "stored"
    view = store.patient_view(db, "INC1")
    assert [u["seq"] for u in view["updates"]] == [1, 2]
    assert view["updates"][1]["payload"] == {"vitals": {"heart_rate": 82}}


def test_a_catch_up_may_skip_ahead_but_never_back(er_app):
    db = er_app.extensions["db"]
    _patient(db)
    assert store.save_update(db, _update(4)) == "stored"   # from a record fetch after a dropout
    assert store.save_update(db, _update(2)) == "old"
    assert store.last_seq(db, "INC1") == 4


def test_an_update_for_a_patient_not_held_here_is_not_stored(er_app):
    db = er_app.extensions["db"]
    assert store.save_update(db, _update(1, incident_id="NOPE"), in_order=True) == "unknown"
    assert store.last_seq(db, "NOPE") is None


def test_eta_complaint_and_location_change_the_summary_vitals_do_not(er_app):
    db = er_app.extensions["db"]
    _patient(db)
    store.save_update(db, _update(1, kind="eta", eta_minutes=7), in_order=True)
    store.save_update(db, _update(2, kind="chief_complaint", text="呼吸困難 / short of breath"), in_order=True)
    store.save_update(db, _update(3), in_order=True)
    incident = store.patient_view(db, "INC1")["incident"]
    assert incident["eta_minutes"] == 7 and incident["eta_at"] == "2026-12-02T10:00:01Z"
    assert incident["chief_complaint"] == "呼吸困難 / short of breath"
    assert store.patient_view(db, "INC1", role="clerk")["last_seq"] == 3


def test_the_expiry_sweep_purges_a_patient_and_every_update_but_spares_a_renewed_grant(er_app):
    from datetime import timedelta
    from hospital_app.models import Patient, PatientUpdate
    from shared.clock import utcnow
    from sqlalchemy import select
    db = er_app.extensions["db"]
    _patient(db, "OLD")
    _patient(db, "NEW")
    store.save_update(db, _update(1, incident_id="OLD"), in_order=True)
    with db.transaction() as s:
        s.get(Patient, "OLD").grant_expires_at = utcnow() - timedelta(seconds=1)
    assert store.purge_patient(db, "NEW", only_if_expired=True) is False  # renewed since the sweep looked
    assert store.purge_expired(db) == ["OLD"]
    with db.read() as s:
        assert s.scalars(select(PatientUpdate.id).where(PatientUpdate.incident_id == "OLD")).all() == []
    assert store.last_seq(db, "OLD") is None and store.last_seq(db, "NEW") == 0


def test_an_update_leaves_its_pooled_connection_transactional_and_durable(er_app):
    """On PostgreSQL an update is one autocommit statement whose own commit does not wait for the
    disk. The connection must go back to the pool as it was: a later transaction that fails must
    still roll back whole, and an access-log write must still wait for the disk."""
    from sqlalchemy import text
    from sqlalchemy import update as sql_update

    from hospital_app.models import Patient
    db = er_app.extensions["db"]
    _patient(db)
    db.engine.pool.dispose()  # the update opens the pool's only connection; the checks reuse it
    assert store.save_update(db, _update(1), in_order=True) == "stored"
    assert db.engine.pool.checkedin() == 1
    with pytest.raises(RuntimeError), db.transaction() as s:
        s.execute(sql_update(Patient).values(last_seq=99))
        raise RuntimeError("a failure half-way")
    assert store.last_seq(db, "INC1") == 1
    if db.is_postgres:
        with db.read() as s:
            assert s.execute(text("SHOW synchronous_commit")).scalar() == "on"
    assert db.engine.pool.checkedin() == 1
