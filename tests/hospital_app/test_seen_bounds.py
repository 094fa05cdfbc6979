"""'Seen' is bounded by what this hospital holds (docs/clinical-safety.md H39).

A dashboard could once report any sequence number for a patient held here, and the hub moved the
crew's "seen" to it: a number past the updates stored here (a page's bug, a script) made every
later update read "seen" on the tablet the moment it was sent. Now a seq above the patient's
stored last_seq is refused as invalid and nothing goes to the hub; up to it, it goes as before."""
from hospital_app import store
from hospital_app.chores import Ack
from tests.hospital_app.test_dashboard_events import NS, dashboard, queued
from tests.hospital_app.test_dashboard_access import BODY


def held_with_updates(app, count: int) -> str:
    db = app.extensions["db"]
    store.save_patient(db, "grant-token", BODY)
    for seq in range(1, count + 1):
        update = {"incident_id": BODY["incident_id"], "seq": seq, "kind": "note", "payload": {"text": f"note {seq}"},
                  "at": "2026-01-01T00:00:00Z"}
        assert store.save_update(db, update, in_order=True) == "stored"
    return BODY["incident_id"]


def test_seen_past_the_updates_held_here_is_refused_and_never_reaches_the_hub(er_app):
    iid = held_with_updates(er_app, 3)
    doctor = dashboard(er_app, "doc")
    for beyond in (4, 2**63 - 1):
        reply = doctor.emit("seen", {"incident_id": iid, "seq": beyond}, namespace=NS, callback=True)
        assert reply["error"] == "invalid" and "3" in reply["message"]
    assert queued(er_app.extensions["gateway"]) == []
    assert doctor.emit("seen", {"incident_id": iid, "seq": 3}, namespace=NS, callback=True) == {"ok": True}
    assert queued(er_app.extensions["gateway"]) == [("forward_ack", Ack(iid, "seen", 3))]


def test_a_patient_without_any_update_yet_may_not_be_seen_past_none(er_app):
    iid = held_with_updates(er_app, 0)
    doctor = dashboard(er_app, "doc")
    assert doctor.emit("seen", {"incident_id": iid, "seq": 1}, namespace=NS, callback=True)["error"] == "invalid"
    assert queued(er_app.extensions["gateway"]) == []
