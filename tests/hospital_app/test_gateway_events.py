"""The gateway's side of the hub: events parsed where they arrive and queued in their incident's
lane, malformed ones dropped with a log line that never carries their content, and the ER's
answer and handover refused clearly when the hub cannot be reached, does not answer or says no."""
import logging

import pytest
import socketio

from hospital_app import store
from hospital_app.chores import CatchUp
from hospital_app.gateway import NS
from hospital_app.hub_events import FROM_HUB, Grant, Update
from shared.errors import Refused
from tests.hospital_app.conftest import signed_in
from tests.hospital_app.test_dashboard_access import BODY
from tests.hospital_app.test_dashboard_events import dashboard, queued

UPDATE = {"incident_id": "inc1", "seq": 1, "kind": "vitals", "payload": {"vitals": {"heart_rate": 88}},
          "at": "2026-01-01T00:00:00Z"}


class FakeHub:
    """Stands in for the gateway's socket to the hub: connected, answering each call with `answer`."""

    def __init__(self, answer):
        self.connected, self.answer, self.calls = True, answer, []

    def call(self, event, data=None, namespace=None, timeout=None):
        self.calls.append((event, data))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.fixture
def gateway(er_app):
    return er_app.extensions["gateway"]


def from_hub(gateway, name, *args):
    """As the Socket.IO client does when the hub emits `name`."""
    gateway.sio.handlers[NS][name](*args)


def test_every_hub_event_is_registered_and_has_its_lane_handler(gateway):
    assert set(FROM_HUB) <= set(gateway.sio.handlers[NS]) and set(FROM_HUB) <= set(gateway.lane_events)


def test_an_event_from_the_hub_is_parsed_and_queued_in_its_incidents_lane(gateway):
    from_hub(gateway, "update", UPDATE)
    [(name, update)] = queued(gateway)
    assert name == "update" and update == Update(**UPDATE)
    from_hub(gateway, "update", UPDATE)
    from_hub(gateway, "grant", {"incident_id": "inc1", "grant": "token"})
    lanes = [i for i, lane in enumerate(gateway.events.queues) if lane.qsize()]
    assert len(lanes) == 1 and gateway.events.queues[lanes[0]].qsize() == 2


@pytest.mark.parametrize("name, data", [
    ("update", {**UPDATE, "seq": True}),
    ("update", {**UPDATE, "seq": 2**63}),
    ("update", {**UPDATE, "seq": "1"}),
    ("update", {k: v for k, v in UPDATE.items() if k != "payload"}),
    ("grant", {"incident_id": "inc1", "grant": 5}),
    ("grant_ends", {"incident_id": "inc1", "ends_at": "soon"}),
    ("inquiry", {"incident_id": "inc1", "status": "pending", "chief_complaint": "胸痛"}),
    ("inquiry_withdrawn", {"incident_id": "inc1"}),
    ("grant_revoked", {"incident_id": 3, "reason": "closed"}),
])
def test_a_malformed_event_from_the_hub_is_dropped_and_logged_without_its_content(gateway, caplog, name, data):
    data = {**data, "secret": "山田 太郎"}
    with caplog.at_level(logging.WARNING):
        from_hub(gateway, name, data)
    assert queued(gateway) == []
    [record] = caplog.records
    assert name in record.getMessage()
    assert ("inc1" in record.getMessage()) == (data["incident_id"] == "inc1")
    assert "山田" not in caplog.text and "胸痛" not in caplog.text


@pytest.mark.parametrize("args", [(), (None,), ("update",), ([UPDATE],)])
def test_an_event_with_no_object_is_dropped_too(gateway, caplog, args):
    from_hub(gateway, "update", *args)
    assert queued(gateway) == [] and "update" in caplog.text


def test_an_update_in_order_is_stored_and_pushed_to_clinical_dashboards(er_app, gateway):
    store.save_patient(er_app.extensions["db"], "grant-token", BODY)
    doctor = dashboard(er_app, "doc")
    gateway.lane_events["update"](Update(**UPDATE))
    assert store.last_seq(er_app.extensions["db"], "inc1") == 1
    [pushed] = [m["args"][0] for m in doctor.get_received("/dashboard") if m["name"] == "update"]
    assert pushed == UPDATE


def test_an_inquiry_is_stored_and_shown(er_app, gateway):
    doctor = dashboard(er_app, "doc")  # the desk's copy is the role matrix's (test_role_matrix.py)
    inquiry = {"inquiry_id": "q1", "incident_id": "inc1", "status": "pending", "asked_at": "2026-01-01T00:00:00+00:00",
               "chief_complaint": "胸痛", "age_band": "80s", "sex": "male", "eta_minutes": 7,
               "vitals": {"heart_rate": 88}, "basis": "consent"}
    from_hub(gateway, "inquiry", inquiry)
    [(name, event)] = queued(gateway)
    gateway.lane_events[name](event)
    [pushed] = [m["args"][0] for m in doctor.get_received("/dashboard") if m["name"] == "inquiry"]
    assert pushed == inquiry
    assert signed_in(er_app, "doc").get("/api/inquiries").json[0]["inquiry_id"] == "q1"


def test_a_reconnect_catches_up_each_patient_in_its_own_lane(er_app, gateway):
    store.save_patient(er_app.extensions["db"], "grant-token", BODY)
    gateway.sio = FakeHub({"inquiries": [], "grants": [{"incident_id": "inc1", "jti": "j"}]})
    gateway.lane_events["resync"](None)
    assert queued(gateway) == [("catch_up", CatchUp("inc1", live=True))]


def test_answer_and_handover_without_the_hub_are_refused_as_unreachable(gateway):
    for attempt in (lambda: gateway.answer("q1", True, "physician #1"), lambda: gateway.handover("inc1")):
        with pytest.raises(Refused) as refused:
            attempt()
        assert (refused.value.status, refused.value.code, refused.value.english) == (503, "hub_unreachable",
                                                                                   "hub unreachable")


def test_no_answer_from_the_hub_is_a_timeout_that_says_the_outcome_is_unknown(er_app, gateway):
    gateway.sio = FakeHub(socketio.exceptions.TimeoutError())
    resp = signed_in(er_app, "doc").post("/api/inquiries/q1/answer", json={"accept": True})
    assert resp.status_code == 504 and resp.json["error"] == "timeout"
    with pytest.raises(Refused) as refused:
        gateway.answer("q1", True, "physician #1")
    assert "outcome is unknown" in refused.value.english


def test_a_refusal_by_the_hub_keeps_its_code_and_words(er_app, gateway):
    gateway.sio = FakeHub({"error": "closed", "message": "incident is closed"})
    resp = signed_in(er_app, "doc").post("/api/inquiries/q1/answer", json={"accept": True})
    assert resp.status_code == 409 and resp.json["error"] == "closed" and "incident is closed" in resp.json["message"]
    gateway.sio = FakeHub({"error": "not_found", "message": "no such inquiry"})
    with pytest.raises(Refused) as refused:
        gateway.handover("inc1")
    assert (refused.value.status, refused.value.english) == (404, "the hub refused: no such inquiry")


def test_an_acceptance_queues_the_grant_for_its_patients_lane(er_app, gateway):
    gateway.sio = FakeHub({"inquiry_id": "q1", "incident_id": "inc9", "status": "accepted", "grant": "token",
                           "expires_at": 4102444800})
    resp = signed_in(er_app, "doc").post("/api/inquiries/q1/answer", json={"accept": True})
    assert resp.status_code == 200 and resp.json == {"inquiry_id": "q1", "status": "accepted"}
    assert gateway.sio.calls == [("inquiry_answer", {"inquiry_id": "q1", "accept": True, "reason": None,
                                                     "answered_by": "physician #1"})]
    assert queued(gateway) == [("grant", Grant(incident_id="inc9", grant="token"))]


def test_a_malformed_answer_from_the_hub_is_a_bad_gateway(er_app, gateway):
    gateway.sio = FakeHub({"status": 3})
    resp = signed_in(er_app, "doc").post("/api/inquiries/q1/answer", json={"accept": True})
    assert resp.status_code == 502 and resp.json["error"] == "bad_gateway"


def test_the_end_of_a_grant_is_shown_and_its_revocation_removes_the_patient(er_app, gateway):
    store.save_patient(er_app.extensions["db"], "grant-token", BODY)
    doctor = dashboard(er_app, "doc")
    from_hub(gateway, "grant_ends", {"incident_id": "inc1", "ends_at": 4102444000})
    from_hub(gateway, "grant_revoked", {"incident_id": "inc1", "reason": "closed"})
    for name, event in queued(gateway):
        gateway.lane_events[name](event)
    pushed = [(m["name"], m["args"][0]) for m in doctor.get_received("/dashboard")]
    assert [name for name, _ in pushed] == ["patient", "patient_removed"]
    assert pushed[0][1]["incident"]["handed_over_at"] and pushed[1][1] == {"incident_id": "inc1", "reason": "closed"}
    assert store.patient_view(er_app.extensions["db"], "inc1") is None
