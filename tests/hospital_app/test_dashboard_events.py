"""What a dashboard sends over its socket is checked: who asks, then the payload, strictly.
Anything malformed gets an error reply (the client's callback always hears back), never a crash."""
import queue

import pytest

from hospital_app import store
from hospital_app.chores import Ack
from tests.hospital_app.conftest import signed_in
from tests.hospital_app.test_dashboard_access import BODY

NS = "/dashboard"


def dashboard(app, username):
    return app.extensions["socketio"].test_client(app, namespace=NS, flask_test_client=signed_in(app, username))


def queued(gateway) -> list:
    """Everything waiting in the gateway's lanes (it is not started in these tests)."""
    out = []
    for lane in gateway.events.queues:
        while True:
            try:
                out.append(lane.get_nowait())
            except queue.Empty:
                break
    return out


@pytest.fixture
def doctor(er_app):
    return dashboard(er_app, "doc")


@pytest.fixture
def clerk(er_app):
    return dashboard(er_app, "clerk")


@pytest.fixture
def patient(er_app):
    store.save_patient(er_app.extensions["db"], "grant-token", BODY)
    return BODY["incident_id"]


ABOUT_A_PATIENT_MALFORMED = [
    pytest.param((), id="no payload"),
    pytest.param((None,), id="null"),
    pytest.param(("inc1",), id="a string"),
    pytest.param((["inc1"],), id="a list"),
    pytest.param(({},), id="no incident id"),
    pytest.param(({"incident_id": 7},), id="incident id a number"),
    pytest.param(({"incident_id": True},), id="incident id a bool"),
    pytest.param(({"incident_id": ""},), id="incident id empty"),
]
SEEN_MALFORMED = ABOUT_A_PATIENT_MALFORMED[:4] + [
    pytest.param(({"incident_id": "inc1"},), id="no seq"),
    pytest.param(({"incident_id": "inc1", "seq": True},), id="seq a bool"),
    pytest.param(({"incident_id": "inc1", "seq": 2**63},), id="seq 2**63"),
    pytest.param(({"incident_id": "inc1", "seq": -1},), id="seq negative"),
    pytest.param(({"incident_id": "inc1", "seq": "3"},), id="seq as text"),
    pytest.param(({"incident_id": "inc1", "seq": 1.5},), id="seq a fraction"),
    pytest.param(({"incident_id": "inc1", "seq": None},), id="seq null"),
    pytest.param(({"incident_id": 7, "seq": 1},), id="incident id a number"),
]


@pytest.mark.parametrize("args", SEEN_MALFORMED)
def test_a_malformed_seen_is_refused_as_invalid(er_app, doctor, patient, args):
    reply = doctor.emit("seen", *args, namespace=NS, callback=True)
    assert reply["error"] == "invalid" and reply["message"]
    assert doctor.is_connected(NS) and queued(er_app.extensions["gateway"]) == []


@pytest.mark.parametrize("event", ["handover", "acknowledge"])
@pytest.mark.parametrize("args", ABOUT_A_PATIENT_MALFORMED)
def test_a_malformed_handover_or_acknowledge_is_refused_as_invalid(er_app, doctor, patient, event, args):
    reply = doctor.emit(event, *args, namespace=NS, callback=True)
    assert reply["error"] == "invalid" and reply["message"]
    assert doctor.is_connected(NS) and queued(er_app.extensions["gateway"]) == []
    assert store.patient_view(er_app.extensions["db"], patient)["acknowledged_by"] is None


def test_seen_goes_to_the_hub_through_the_patients_lane(er_app, doctor, patient):
    # Within what is held here: a seq past it is refused (test_seen_bounds.py, clinical-safety H39).
    update = {"incident_id": patient, "seq": 1, "kind": "note", "payload": {"text": "x"}, "at": "2026-01-01T00:00:00Z"}
    assert store.save_update(er_app.extensions["db"], update) == "stored"
    assert doctor.emit("seen", {"incident_id": patient, "seq": 1}, namespace=NS, callback=True) == {"ok": True}
    assert queued(er_app.extensions["gateway"]) == [("forward_ack", Ack(patient, "seen", 1))]


def test_seen_for_a_patient_not_here_is_invalid(er_app, doctor):
    assert doctor.emit("seen", {"incident_id": "nobody", "seq": 1}, namespace=NS, callback=True)["error"] == "invalid"


def test_the_desk_may_not_say_seen_or_hand_over(er_app, clerk, patient):
    for event, payload in (("seen", {"incident_id": patient, "seq": 1}), ("handover", {"incident_id": patient}),
                           ("seen", None), ("handover", None)):
        assert clerk.emit(event, payload, namespace=NS, callback=True)["error"] == "forbidden"
    assert queued(er_app.extensions["gateway"]) == []


@pytest.mark.parametrize("incident_id", ["nobody", "inc1" + "x" * 40])
def test_handover_of_a_patient_not_here_is_not_found(doctor, incident_id):
    assert doctor.emit("handover", {"incident_id": incident_id}, namespace=NS, callback=True)["error"] == "not_found"


def test_handover_without_the_hub_says_it_is_unreachable(doctor, patient):
    reply = doctor.emit("handover", {"incident_id": patient}, namespace=NS, callback=True)
    assert reply["error"] == "hub_unreachable" and reply["message"]


def test_acknowledge_by_the_desk_stops_every_dashboard_and_goes_to_the_hub(er_app, doctor, clerk, patient):
    assert clerk.emit("acknowledge", {"incident_id": patient}, namespace=NS, callback=True) == {"ok": True}
    for board in (doctor, clerk):
        [pushed] = [m["args"][0] for m in board.get_received(NS) if m["name"] == "patient_acknowledged"]
        assert pushed == {"incident_id": patient, "by": "clerk"}
    assert queued(er_app.extensions["gateway"]) == [("forward_ack", Ack(patient, "acknowledged"))]


def test_acknowledge_of_a_patient_not_here_is_not_found(clerk):
    assert clerk.emit("acknowledge", {"incident_id": "nobody"}, namespace=NS, callback=True)["error"] == "not_found"


def test_a_bug_still_gets_a_reply(er_app, doctor, patient, monkeypatch):
    def broken(*_):
        raise RuntimeError("a bug")
    monkeypatch.setattr(store, "acknowledge", broken)
    assert doctor.emit("acknowledge", {"incident_id": patient}, namespace=NS, callback=True)["error"] == "internal"
    assert doctor.is_connected(NS)
