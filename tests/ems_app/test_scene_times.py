"""The run's times and why the card was not read, through the hub's API: a tap keeps its own time,
the run never goes backwards or into the future, a correction is audited as one with the time it
replaced, only the crew's own open incident takes them, and the region's figures count a
救急搬送困難事案 from them (four inquiries and thirty minutes on scene, on the project's clock)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ems_app.models import AuditEntry
from ems_app.services import figures, routing
from shared import clock
from tests.ems_app.conftest import enrol, signed_in


def iso(at: datetime) -> str:
    return at.isoformat()


def now() -> datetime:
    return clock.utcnow().replace(tzinfo=timezone.utc)


def opened(crew, called_at: datetime | None = None) -> str:
    body = {"chief_complaint": "呼吸困難"}
    if called_at is not None:
        body["called_at"] = iso(called_at)
    resp = crew.post("/api/incidents", json=body)
    assert resp.status_code == 201, resp.json
    return resp.json["id"]


def stamp(crew, iid: str, mark: str, at: datetime, correction: bool = False):
    return crew.post(f"/api/incidents/{iid}/times", json={"mark": mark, "at": iso(at), "correction": correction})


def trail(hub, iid: str, prefix: str) -> list[tuple[str, dict]]:
    with hub.db.read() as s:
        return [(a.action, a.detail) for a in s.scalars(
            select(AuditEntry).where(AuditEntry.incident_id == iid).order_by(AuditEntry.id)) if a.action.startswith(prefix)]


def test_a_tap_keeps_its_own_time_and_a_resend_changes_nothing(crew, hub):
    called = now() - timedelta(minutes=12)
    iid = opened(crew, called)
    assert datetime.fromisoformat(crew.get(f"/api/incidents/{iid}").json["called_at"]) == called
    tapped = now() - timedelta(minutes=3)  # an offline tap, delivered minutes later
    resp = stamp(crew, iid, "on_scene", tapped)
    assert resp.status_code == 200, resp.json
    assert datetime.fromisoformat(resp.json["on_scene_at"]) == tapped
    assert resp.json["left_scene_at"] is None and resp.json["hospital_arrival_at"] is None
    again = stamp(crew, iid, "on_scene", tapped)  # the queue's resend after a lost answer
    assert again.status_code == 200 and again.json["on_scene_at"] == resp.json["on_scene_at"]
    second = stamp(crew, iid, "on_scene", now())  # a second tap is not a correction
    assert second.status_code == 409 and second.json["error"] == "already_recorded"
    assert datetime.fromisoformat(crew.get(f"/api/incidents/{iid}").json["on_scene_at"]) == tapped
    assert [action for action, _ in trail(hub, iid, "times.")] == ["times.stamp"]


def test_opening_without_a_call_time_leaves_it_unknown(crew):
    assert crew.get(f"/api/incidents/{opened(crew)}").json["called_at"] is None


def test_the_run_never_goes_backwards_and_the_field_is_named(crew):
    start = now() - timedelta(minutes=40)
    iid = opened(crew, start)
    refused = stamp(crew, iid, "on_scene", start - timedelta(minutes=1))
    assert refused.status_code == 400 and refused.json["error"] == "out_of_order"
    assert refused.json["fields"][0]["field"] == "at"
    assert "call" in refused.json["fields"][0]["reason"]
    assert stamp(crew, iid, "on_scene", start + timedelta(minutes=8)).status_code == 200
    # forgotten 現場到着 does not stop 病院到着 being checked against the call
    assert stamp(crew, iid, "left_scene", start + timedelta(minutes=7)).json["error"] == "out_of_order"
    assert stamp(crew, iid, "left_scene", start + timedelta(minutes=20)).status_code == 200
    late = stamp(crew, iid, "hospital_arrival", start + timedelta(minutes=19))
    assert late.status_code == 400 and "leaving the scene" in late.json["fields"][0]["reason"]
    # a correction cannot move a time past the one after it either
    moved = stamp(crew, iid, "called", start + timedelta(minutes=9), correction=True)
    assert moved.status_code == 400 and moved.json["error"] == "out_of_order"
    after = crew.get(f"/api/incidents/{iid}").json
    assert datetime.fromisoformat(after["called_at"]) == start  # nothing half-written
    assert after["hospital_arrival_at"] is None


def test_a_time_in_the_future_or_a_day_old_is_refused(crew):
    iid = opened(crew, now() - timedelta(minutes=5))
    ahead = stamp(crew, iid, "on_scene", now() + timedelta(minutes=10))
    assert ahead.status_code == 400 and ahead.json["error"] == "in_the_future"
    assert ahead.json["fields"] == [{"field": "at", "reason": "cannot be in the future"}]
    assert stamp(crew, iid, "on_scene", now() - timedelta(days=2)).json["error"] == "too_early"
    # a tablet whose clock runs a little ahead: its "now" is taken
    assert stamp(crew, iid, "on_scene", now() + timedelta(seconds=40)).status_code == 200
    future_call = crew.post("/api/incidents", json={"called_at": iso(now() + timedelta(hours=1))})
    assert future_call.status_code == 400 and future_call.json["fields"][0]["field"] == "called_at"
    assert crew.post("/api/incidents", json={"called_at": "0001-01-01T00:00:00+14:00"}).status_code == 400
    assert stamp(crew, iid, "arrived", now()).status_code == 400  # not one of the run's times
    assert crew.post(f"/api/incidents/{iid}/times", json={"mark": "on_scene"}).json["fields"][0]["field"] == "at"


def test_a_correction_is_audited_with_the_time_it_replaced(crew, hub):
    called = now() - timedelta(minutes=30)
    iid = opened(crew, called)
    tapped = now() - timedelta(minutes=10)
    assert stamp(crew, iid, "on_scene", tapped).status_code == 200
    really = now() - timedelta(minutes=18)  # the crew tapped late: it arrived eight minutes earlier
    resp = stamp(crew, iid, "on_scene", really, correction=True)
    assert resp.status_code == 200 and datetime.fromisoformat(resp.json["on_scene_at"]) == really
    # a time never recorded can be entered afterwards as a correction (a forgotten tap)
    assert stamp(crew, iid, "left_scene", now() - timedelta(minutes=2), correction=True).status_code == 200
    entries = trail(hub, iid, "times.")
    assert [a for a, _ in entries] == ["times.stamp", "times.correct", "times.correct"]
    corrected = entries[1][1]
    assert corrected["mark"] == "on_scene"
    assert datetime.fromisoformat(corrected["previous"]) == tapped
    assert datetime.fromisoformat(corrected["at"]) == really
    assert entries[2][1]["previous"] is None


def test_only_the_crews_own_open_incident_takes_its_times(crew, hub_app, hub):
    iid = opened(crew, now() - timedelta(minutes=5))
    other = signed_in(hub_app, "kyukyu-other", team="tokyo-2")
    assert stamp(other, iid, "on_scene", now()).status_code == 404
    assert other.post(f"/api/incidents/{iid}/card-not-read", json={"reason": "declined"}).status_code == 404
    assert hub_app.test_client().post(f"/api/incidents/{iid}/times",
                                      json={"mark": "on_scene", "at": iso(now())}).status_code == 401
    analyst = signed_in(hub_app, "analyst", team="", role="fire_analyst")
    assert stamp(analyst, iid, "on_scene", now()).status_code == 403
    assert crew.get(f"/api/incidents/{iid}").json["on_scene_at"] is None
    assert trail(hub, iid, "times.") == [] and trail(hub, iid, "card.") == []
    crew.post(f"/api/incidents/{iid}/close", json={})
    closed = stamp(crew, iid, "on_scene", now())
    assert closed.status_code == 409 and closed.json["error"] == "closed"


def test_why_the_card_was_not_read_is_kept_in_the_figures_codes(crew, hub):
    iid = opened(crew)
    resp = crew.post(f"/api/incidents/{iid}/card-not-read", json={"reason": "declined"})
    assert resp.status_code == 200 and resp.json["card_not_read_reason"] == "declined"
    assert crew.post(f"/api/incidents/{iid}/card-not-read", json={"reason": "urgent"}).json[
        "card_not_read_reason"] == "urgent"
    bad = crew.post(f"/api/incidents/{iid}/card-not-read", json={"reason": "certificate_expired"})
    assert bad.status_code == 400 and bad.json["fields"][0]["field"] == "reason"  # the hub's own code, not the crew's
    assert [d["reason"] for _, d in trail(hub, iid, "card.not_read")] == ["declined", "urgent"]
    read = opened(crew)
    assert crew.post(f"/api/incidents/{read}/card", json={"card_id": "SIM-CRITICAL", "face_confirmed": True}).status_code == 200
    refused = crew.post(f"/api/incidents/{read}/card-not-read", json={"reason": "not_carried"})
    assert refused.status_code == 409 and refused.json["error"] == "card_read"
    crew.post(f"/api/incidents/{iid}/close", json={})
    raw = _raw(hub)
    assert _count(raw, "not_read", "urgent") == 1 and _count(raw, "card", "not_read") == 1


class Clock:
    """The project's clock (shared/clock.utcnow) moved on, as a run's half hour passes."""

    def __init__(self, monkeypatch, app):
        self.monkeypatch, self.app, self.offset, self.real = monkeypatch, app, timedelta(), clock.utcnow

    def later(self, crew, minutes: int) -> None:
        # In steps of at most 15 minutes with a request between: the crew's session stays alive
        # (its idle limit is 30 minutes) as it does on a tablet in use.
        while minutes > 0:
            step = min(15, minutes)
            minutes -= step
            self.offset += timedelta(minutes=step)
            offset = self.offset
            self.monkeypatch.setattr(clock, "utcnow", lambda: self.real() + offset)
            self.app.extensions["login"].forget_recent()
            assert crew.get("/api/auth/me").status_code == 200


def _raw(hub) -> dict:
    query = figures.FiguresQuery()
    first, last = query.weeks()
    with hub.db.read() as s:
        return figures.compute(s, "fire:tokyo", query, first, last)


def _count(raw: dict, topic: str, code: str) -> int:
    index = list(figures.TABLES[topic]).index(code)
    return sum(row[index] for row in raw["tables"][topic])


@pytest.mark.parametrize("on_scene_minutes, difficult", [(30, True), (29, False)])
def test_four_inquiries_and_thirty_minutes_on_scene_count_as_a_difficult_transport(
        on_scene_minutes, difficult, crew, hub, hub_app, tmp_path, monkeypatch):
    hospitals = [enrol(hub, tmp_path, f"er-{n}") for n in range(4)]
    before = _raw(hub)
    iid = opened(crew, now() - timedelta(minutes=9))
    assert stamp(crew, iid, "on_scene", now()).status_code == 200
    asked = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [h.id for h in hospitals]}).json
    for inquiry in asked[:3]:
        routing.answer(hub, inquiry["hospital_id"], inquiry["inquiry_id"], False, "救急医", reason="no_bed")
    routing.answer(hub, asked[3]["hospital_id"], asked[3]["inquiry_id"], True, "救急医")
    Clock(monkeypatch, hub_app).later(crew, on_scene_minutes)
    assert stamp(crew, iid, "left_scene", now()).status_code == 200
    assert crew.post(f"/api/incidents/{iid}/handover", json={}).status_code == 200
    assert crew.post(f"/api/incidents/{iid}/close", json={}).status_code == 200
    after = _raw(hub)
    assert _count(after, "difficulty", "difficult") - _count(before, "difficulty", "difficult") == int(difficult)
    assert _count(after, "difficulty", "not_difficult") - _count(before, "difficulty", "not_difficult") \
        == int(not difficult)
    assert _count(after, "inquiries", "4") - _count(before, "inquiries", "4") == 1
