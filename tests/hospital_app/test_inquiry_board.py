"""The board's requests to accept stay true: listed while open, gone (and why, pushed to every
dashboard) once answered, withdrawn by the hub, closed at the hub while the link was down, or
expired; what each role is sent of an inquiry, the callback number to clinical staff only
(docs/clinical-safety.md H40, H41).

Accepted inquiries of long-closed incidents once stayed under 受入照会 with those still waiting
for an answer. The gateway's lane handlers run as the hub's events make them run; dashboards are
real Socket.IO test clients."""
import threading
from datetime import timedelta

import pytest

from hospital_app import inquiry_store
from hospital_app.hub_events import Inquiry, InquiryWithdrawn
from hospital_app.models import Inquiry as InquiryRow
from shared.clock import utcnow
from shared.errors import Refused
from tests.hospital_app.conftest import signed_in
from tests.hospital_app.test_dashboard_events import dashboard
from tests.hospital_app.test_gateway_events import FakeHub

NS = "/dashboard"
ACUITY = {"level": "red", "measures": {"systolic_bp": {"value": 82, "taken_at": "2026-12-02T09:48:00+00:00"}},
          "missing": ["spo2"], "stale": []}


def inquiry(n: int, **more) -> Inquiry:
    return Inquiry(**{"inquiry_id": f"q{n}", "incident_id": f"inc{n}", "status": "pending",
                      "asked_at": "2026-12-02T09:50:00+00:00", "unit": "tokyo-1", "callback": "03-0000-0119",
                      "chief_complaint": "胸痛", "age_band": "80s", "sex": "male", "eta_minutes": 12,
                      "eta_at": "2026-12-02T09:45:00+00:00", "acuity": ACUITY, "basis": "consent", **more})


@pytest.fixture
def gateway(er_app):
    return er_app.extensions["gateway"]


def listed(app, who: str = "doc") -> list[str]:
    resp = signed_in(app, who).get("/api/inquiries")
    assert resp.status_code == 200
    return [q["inquiry_id"] for q in resp.json]


def changes(board) -> list[dict]:
    return [m["args"][0] for m in board.get_received(NS) if m["name"] == "inquiry_changed"]


def test_the_list_holds_open_inquiries_only_and_each_leaving_is_pushed_with_why(er_app, gateway):
    for n in (1, 2, 3):
        gateway.lane_events["inquiry"](inquiry(n))
    assert sorted(listed(er_app)) == ["q1", "q2", "q3"]
    doctor, clerk = dashboard(er_app, "doc"), dashboard(er_app, "clerk")
    gateway.lane_events["inquiry_withdrawn"](InquiryWithdrawn(incident_id="inc1", inquiry_id="q1", reason="closed"))
    gateway.lane_events["inquiry_withdrawn"](InquiryWithdrawn(incident_id="inc2", inquiry_id="q2",
                                                              reason="accepted_elsewhere"))
    expected = [{"inquiry_id": "q1", "status": "withdrawn", "reason": "closed"},
                {"inquiry_id": "q2", "status": "withdrawn", "reason": "accepted_elsewhere"}]
    assert changes(doctor) == expected and changes(clerk) == expected
    assert listed(er_app) == ["q3"] and listed(er_app, "clerk") == ["q3"]
    # The same withdrawal again (a resent push) changes nothing and tells nobody again.
    gateway.lane_events["inquiry_withdrawn"](InquiryWithdrawn(incident_id="inc1", inquiry_id="q1", reason="closed"))
    assert changes(doctor) == []


def test_a_copy_sent_before_the_crews_newer_eta_never_replaces_it_on_the_board(er_app, gateway):
    """Two copies of one inquiry, sent a moment apart, may land in either order (the gateway
    handles the hub's messages side by side): the one with the newer update stays (H56)."""
    gateway.lane_events["inquiry"](inquiry(1, eta_minutes=14, seq=3))
    board = dashboard(er_app, "doc")
    gateway.lane_events["inquiry"](inquiry(1, eta_minutes=6, seq=5))     # the crew's newer ETA
    gateway.lane_events["inquiry"](inquiry(1, eta_minutes=14, seq=4))    # sent before it, landing after
    pushed = [m["args"][0] for m in board.get_received(NS) if m["name"] == "inquiry"]
    assert [q["eta_minutes"] for q in pushed] == [6]
    [held] = signed_in(er_app, "doc").get("/api/inquiries").json
    assert held["eta_minutes"] == 6


def test_a_late_copy_of_an_inquiry_does_not_reopen_it_once_withdrawn(er_app, gateway):
    gateway.lane_events["inquiry"](inquiry(1, seq=2))
    gateway.lane_events["inquiry_withdrawn"](InquiryWithdrawn(incident_id="inc1", inquiry_id="q1", reason="closed"))
    gateway.lane_events["inquiry"](inquiry(1, seq=2))                    # a resend that was on its way
    assert listed(er_app) == []


def test_an_older_hubs_withdrawal_without_a_reason_is_still_a_withdrawal(er_app, gateway):
    gateway.lane_events["inquiry"](inquiry(1))
    board = dashboard(er_app, "doc")
    gateway.lane_events["inquiry_withdrawn"](InquiryWithdrawn(incident_id="inc1", inquiry_id="q1"))
    assert changes(board) == [{"inquiry_id": "q1", "status": "withdrawn", "reason": "withdrawn"}]
    assert listed(er_app) == []


def test_an_inquiry_answered_here_leaves_the_list(er_app, gateway):
    gateway.lane_events["inquiry"](inquiry(1))
    board = dashboard(er_app, "doc")
    gateway.sio = FakeHub({"inquiry_id": "q1", "incident_id": "inc1", "status": "declined"})
    resp = signed_in(er_app, "doc").post("/api/inquiries/q1/answer", json={"accept": False, "reason": "no_bed"})
    assert resp.status_code == 200 and resp.json["status"] == "declined"
    assert changes(board) == [{"inquiry_id": "q1", "status": "declined", "reason": "answered"}]
    assert listed(er_app) == []


def test_a_copy_on_its_way_while_the_physician_answers_never_puts_the_request_back_on_the_board(er_app, gateway):
    """A newer copy stored just before the answer, and pushed just after it, left the answered
    request on every board as still open (H59): the boards now see the changes in the store's order."""
    gateway.lane_events["inquiry"](inquiry(1, seq=2))
    board = dashboard(er_app, "doc")
    gateway.sio = FakeHub({"inquiry_id": "q1", "incident_id": "inc1", "status": "declined"})
    stored, go_on = threading.Event(), threading.Event()
    push = gateway.dashboard.inquiry

    def slow_push(data):  # the copy is stored; its push is late
        stored.set()
        go_on.wait(10)
        push(data)
    gateway.dashboard.inquiry = slow_push
    copy = threading.Thread(target=gateway.lane_events["inquiry"], args=(inquiry(1, seq=3, eta_minutes=6),))
    copy.start()
    assert stored.wait(10)
    answers = []
    answering = threading.Thread(target=lambda: answers.append(
        signed_in(er_app, "doc").post("/api/inquiries/q1/answer", json={"accept": False, "reason": "no_bed"})))
    answering.start()
    answering.join(1)  # done by now, unless it waits for the copy's push
    go_on.set()
    copy.join(10)
    answering.join(10)
    assert answers[0].status_code == 200
    on_board = set()
    for m in board.get_received(NS):  # as a dashboard applies them, in order
        if m["name"] == "inquiry":
            on_board.add(m["args"][0]["inquiry_id"])
        elif m["name"] == "inquiry_changed":
            on_board.discard(m["args"][0]["inquiry_id"])
    assert on_board == set()
    assert listed(er_app) == []


def test_an_answer_the_hub_refuses_as_no_longer_open_takes_the_inquiry_off_every_board(er_app, gateway):
    """Closed at the hub and its withdrawal lost: the physician's Accept is refused, and the
    inquiry does not stay there to be pressed again."""
    gateway.lane_events["inquiry"](inquiry(1))
    board = dashboard(er_app, "doc")
    gateway.sio = FakeHub({"error": "not_pending", "message": "inquiry is already withdrawn"})
    resp = signed_in(er_app, "doc").post("/api/inquiries/q1/answer", json={"accept": True})
    assert resp.status_code == 409
    assert changes(board) == [{"inquiry_id": "q1", "status": "withdrawn", "reason": "no_longer_open"}]
    assert listed(er_app) == []


def test_a_reconnect_closes_the_inquiries_the_hub_no_longer_lists_as_open(er_app, gateway):
    for n in (1, 2):
        gateway.lane_events["inquiry"](inquiry(n))
    board = dashboard(er_app, "doc")
    gateway.sio = FakeHub({"inquiries": [inquiry(2).model_dump()], "grants": []})
    gateway.resync()
    assert changes(board) == [{"inquiry_id": "q1", "status": "withdrawn", "reason": "no_longer_open"}]
    assert listed(er_app) == ["q2"]


def test_an_inquiry_received_after_the_hub_was_asked_is_not_closed_by_its_older_list(er_app):
    db = er_app.extensions["db"]
    asked_at = utcnow() - timedelta(seconds=5)
    inquiry_store.save_inquiry(db, inquiry(1).model_dump())  # pushed while the hub's list was on its way
    assert inquiry_store.close_missing(db, set(), asked_at) == []
    assert listed(er_app) == ["q1"]


def test_an_inquiry_open_past_a_day_expires_and_closed_ones_are_forgotten(er_app, gateway):
    db = er_app.extensions["db"]
    for n in (1, 2, 3):
        gateway.lane_events["inquiry"](inquiry(n))
    gateway.lane_events["inquiry_withdrawn"](InquiryWithdrawn(incident_id="inc3", inquiry_id="q3", reason="closed"))
    with db.transaction() as s:
        s.get(InquiryRow, "q1").received_at = utcnow() - timedelta(hours=25)
        s.get(InquiryRow, "q3").received_at = utcnow() - timedelta(hours=49)
    board = dashboard(er_app, "doc")
    gateway.inquiries.sweep()
    assert changes(board) == [{"inquiry_id": "q1", "status": "expired", "reason": "expired"}]
    assert listed(er_app) == ["q2"]
    with db.read() as s:
        assert s.get(InquiryRow, "q3") is None and s.get(InquiryRow, "q1") is not None


def test_the_callback_number_goes_to_clinical_staff_and_the_eta_with_its_time_to_both(er_app, gateway):
    doctor, clerk = dashboard(er_app, "doc"), dashboard(er_app, "clerk")
    gateway.lane_events["inquiry"](inquiry(1))
    [to_doctor] = [m["args"][0] for m in doctor.get_received(NS) if m["name"] == "inquiry"]
    [to_clerk] = [m["args"][0] for m in clerk.get_received(NS) if m["name"] == "inquiry"]
    assert to_doctor["callback"] == "03-0000-0119" and "callback" not in to_clerk
    for pushed in (to_doctor, to_clerk):
        assert pushed["unit"] == "tokyo-1" and pushed["eta_minutes"] == 12
        assert pushed["eta_at"] == "2026-12-02T09:45:00+00:00"
    # A dashboard reloaded reads the same from the hospital's store.
    [stored_doctor] = signed_in(er_app, "doc").get("/api/inquiries").json
    [stored_clerk] = signed_in(er_app, "clerk").get("/api/inquiries").json
    assert stored_doctor["callback"] == "03-0000-0119" and stored_doctor["acuity"]["level"] == "red"
    assert stored_doctor["eta_minutes"] == 12 and stored_doctor["eta_at"] == "2026-12-02T09:45:00+00:00"
    assert "callback" not in stored_clerk and "acuity" not in stored_clerk and "basis" not in stored_clerk
    assert stored_clerk["eta_minutes"] == 12


def test_a_refusal_of_an_unknown_answer_still_says_why(er_app, gateway):
    gateway.sio = FakeHub({"error": "not_found", "message": "no such inquiry"})
    with pytest.raises(Refused) as refused:
        gateway.answer("nope", True, "physician #1")
    assert refused.value.status == 404
