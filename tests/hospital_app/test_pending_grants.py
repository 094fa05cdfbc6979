"""An accepted patient is never lost to a fault before the record arrives: the grant is stored
with the acceptance, a fetch that fails is tried again later, a reconnect recovers a grant the
gateway never stored, and only the hub's refusal ends the wait (with its reason)."""
import logging
import time
from datetime import timedelta

import jwt
import pytest
import requests

from hospital_app import store
from hospital_app.chores import FetchRecord
from hospital_app.hub_events import Grant, GrantRevoked
from hospital_app.models import Patient, PendingGrant
from shared.clock import utcnow
from tests.hospital_app.conftest import signed_in
from tests.hospital_app.test_dashboard_access import BODY
from tests.hospital_app.test_dashboard_events import dashboard, queued
from tests.hospital_app.test_gateway_events import FakeHub


class Answer:
    """What requests returns, as far as the gateway reads it."""

    def __init__(self, status: int, body: dict):
        self.status_code, self.body = status, body

    def json(self):
        return self.body

    def raise_for_status(self):
        if self.status_code >= 400:
            raise requests.HTTPError(f"{self.status_code}")


def token(exp: float) -> str:
    """A grant's shape as far as the hospital reads it (it never checks the hub's signature)."""
    return jwt.encode({"sub": "inc1", "exp": int(exp)}, "not the hub's key, only a token's shape", algorithm="HS256")


@pytest.fixture
def gateway(er_app):
    return er_app.extensions["gateway"]


@pytest.fixture
def db(er_app):
    return er_app.extensions["db"]


def fetches(gateway, *answers):
    """Make the gateway's record fetches answer in turn (an exception is raised); the calls made."""
    calls, answers = [], list(answers)

    def fetch(incident_id, grant, params, requested_by=""):
        calls.append((incident_id, grant, params))
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return answer
    gateway.fetch = fetch
    return calls


def test_the_grant_is_stored_with_the_acceptance(er_app, gateway, db):
    gateway.sio = FakeHub({"inquiry_id": "q1", "incident_id": "inc1", "status": "accepted", "grant": "token-1",
                           "expires_at": 4102444800})
    assert signed_in(er_app, "doc").post("/api/inquiries/q1/answer", json={"accept": True}).status_code == 200
    assert store.pending_grant(db, "inc1") == "token-1"  # before the lane has even started on it
    assert queued(gateway) == [("grant", Grant(incident_id="inc1", grant="token-1"))]


def test_a_failed_fetch_keeps_the_grant_and_tries_again_later_until_the_record_is_here(er_app, gateway, db,
                                                                                       caplog):
    calls = fetches(gateway, requests.ConnectionError("link down"), Answer(504, {}), Answer(200, BODY))
    with caplog.at_level(logging.WARNING):
        gateway.grant_received(Grant(incident_id="inc1", grant="token-1"))
    assert store.pending_grant(db, "inc1") == "token-1" and store.last_seq(db, "inc1") is None
    assert "ConnectionError" in caplog.text and "inc1" in caplog.text
    with db.read() as s:
        first = s.get(PendingGrant, "inc1")
    assert first.attempts == 1 and first.next_try_at > utcnow()
    assert store.pending_grants(db, due_only=True) == []  # not due yet: backoff

    gateway.fetch_record(FetchRecord("inc1"))  # as the housekeeping loop queues it when due
    with db.read() as s:
        second = s.get(PendingGrant, "inc1")
    assert second.attempts == 2 and second.next_try_at - utcnow() > timedelta(seconds=1)  # waits longer

    doctor = dashboard(er_app, "doc")
    gateway.fetch_record(FetchRecord("inc1"))
    assert store.pending_grant(db, "inc1") is None and store.last_seq(db, "inc1") == 0
    assert [m["name"] for m in doctor.get_received("/dashboard")] == ["patient"]
    assert [c[2] for c in calls] == [{"after": 0}] * 3


def test_the_hubs_refusal_ends_the_wait_with_its_reason(gateway, db, caplog):
    fetches(gateway, Answer(403, {"error": "rerouted", "message": "grant has been revoked"}))
    with caplog.at_level(logging.WARNING):
        gateway.grant_received(Grant(incident_id="inc1", grant="token-1"))
    assert store.pending_grant(db, "inc1") is None and store.last_seq(db, "inc1") is None
    assert "rerouted" in caplog.text
    gateway.fetch_record(FetchRecord("inc1"))  # a try queued before the refusal does nothing now


def test_a_revocation_ends_the_wait_too(gateway, db):
    store.hold_grant(db, "inc1", "token-1")
    gateway.grant_revoked(GrantRevoked(incident_id="inc1", reason="closed_before_handover"))
    assert store.pending_grant(db, "inc1") is None


def test_a_restart_fetches_every_record_still_awaited(gateway, db):
    store.hold_grant(db, "inc1", "token-1")
    gateway._stopped.set()  # its lanes and loops end at once: what start() queues stays to be seen
    gateway.start()
    assert ("fetch_record", FetchRecord("inc1")) in queued(gateway)


def test_a_reconnect_recovers_a_grant_never_stored_here_and_fetches_it(gateway, db):
    store.save_patient(db, "grant-token", BODY)  # inc1 is here; inc2 was accepted and lost in a crash
    gateway.sio = FakeHub({"inquiries": [], "grants": [{"incident_id": "inc1", "jti": "j1", "grant": "again-1"},
                                                       {"incident_id": "inc2", "jti": "j2", "grant": "again-2"}]})
    gateway.resync()
    assert store.pending_grant(db, "inc2") == "again-2" and store.pending_grant(db, "inc1") is None
    waiting = queued(gateway)
    assert ("fetch_record", FetchRecord("inc2")) in waiting
    assert [name for name, _ in waiting].count("fetch_record") == 1


def test_a_grant_held_for_a_patient_already_here_is_let_go(gateway, db):
    store.save_patient(db, "grant-token", BODY)
    store.hold_grant(db, "inc1", "again-1")  # the hub's copy, stored while the record was arriving
    fetches(gateway)  # no fetch may be made
    gateway.fetch_record(FetchRecord("inc1"))
    assert store.pending_grant(db, "inc1") is None


def test_the_same_grant_is_held_once_and_the_housekeeping_queues_each_try_once(gateway, db):
    store.hold_grant(db, "inc1", "token-1")
    store.hold_grant(db, "inc1", "token-1")
    gateway._records_due()
    gateway._records_due()
    assert queued(gateway) == [("fetch_record", FetchRecord("inc1"))]


def test_a_grant_whose_token_has_ended_is_no_longer_tried(gateway, db, caplog):
    store.hold_grant(db, "old", token(time.time() - 5))
    store.hold_grant(db, "new", token(time.time() + 600))
    with caplog.at_level(logging.WARNING):
        gateway._records_due()
    assert store.pending_grants(db) == ["new"] and "old" in caplog.text
    assert queued(gateway) == [("fetch_record", FetchRecord("new"))]


def test_the_local_sweep_says_why_a_patient_was_purged(db):
    for incident_id, handed_over in (("handed", True), ("capped", False)):
        store.save_patient(db, "grant-token", {**BODY, "incident_id": incident_id})
        with db.transaction() as s:
            p = s.get(Patient, incident_id)
            p.grant_expires_at = utcnow() - timedelta(seconds=1)
            if handed_over:
                p.incident = {**p.incident, "handed_over_at": "2026-01-01T00:00:00Z"}
    assert sorted(store.purge_ended(db)) == [("capped", "expired"), ("handed", "handover_window_over")]


def test_delivered_acks_wait_for_the_link(gateway):
    sent = []
    gateway.sio = type("Hub", (), {"connected": False, "emit": lambda self, *a, **k: sent.append(a)})()
    gateway.acks.ack("inc1", "delivered", 0)  # a new patient's record: the first 'delivered' may be the only one
    gateway.acks.flush()
    assert sent == []
    gateway.sio.connected = True
    gateway.acks.flush()
    assert sent == [("acks", [{"incident_id": "inc1", "what": "delivered", "seq": 0}])]
