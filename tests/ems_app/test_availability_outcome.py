"""The ERs' acceptance status and the outcome they return, at the hub: a status past its time
reads "unknown", never its old value; the crew's list puts the hospitals that can take what the
patient needs first, then unknown, then unavailable, nearest first in each; a change reaches every
open tablet. The outcome comes only from the hospital holding the grant, from handover on; it
reaches the crew's tablet and the figures, survives the grant's end and the purge, and a
correction is a new version with the old one kept."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from ems_app.models import AuditEntry, CaseFigures, Grant, Incident, Outcome, OutcomeVersion
from ems_app.services import lifecycle
from shared import availability as rules
from tests.ems_app.conftest import accept, enrol
from tests.ems_app.test_realtime_payloads import CREW, HOSPITAL, gateway, send, tablet  # noqa: F401 - fixtures

NOW = datetime(2026, 12, 8, 3, 0)


def test_a_status_past_its_time_reads_unknown_with_when_it_was_set():
    fresh = rules.state("available", NOW - timedelta(minutes=119), NOW, 7200)
    assert fresh["status"] == "available" and not fresh["expired"]
    stale = rules.state("available", NOW - timedelta(minutes=120), NOW, 7200)
    assert stale["status"] == "unknown" and stale["expired"]
    assert stale["set_at"].startswith("2026-12-08T01:00")              # "not refreshed since 10:00" (JST)
    assert rules.state(None, None, NOW, 7200)["status"] == "unknown"  # never set: unknown, not "unavailable"
    board = rules.board([("ct", "unavailable", NOW)], NOW, 7200)
    assert board["ct"]["status"] == "unavailable" and board["stroke"]["status"] == "unknown"


def _h(name, stroke, km):
    return {"name": name, "distance_km": km, "availability": {"stroke": {"status": stroke}}}


def test_the_list_sorts_by_the_need_then_distance():
    hospitals = [_h("A", "unavailable", 1.0), _h("B", "unknown", 2.0), _h("C", "available", 9.0),
                 _h("D", "available", 3.0), _h("E", "unknown", None), _h("F", "unknown", 0.5)]
    assert [h["name"] for h in rules.ranked(hospitals, "stroke")] == ["D", "C", "F", "B", "E", "A"]
    assert [h["name"] for h in rules.ranked(hospitals, None)] == ["F", "A", "B", "D", "C", "E"]


def test_distance_is_great_circle_km():
    tokyo_station, shinjuku = (35.6812, 139.7671), (35.6896, 139.7006)
    assert 5.5 < rules.distance_km(*tokyo_station, *shinjuku) < 6.5
    assert rules.distance_km(None, None, *shinjuku) is None


def test_a_hospitals_setting_reaches_every_tablet_and_sorts_the_crews_list(hub, hub_app, crew, gateway, tablet,
                                                                            tmp_path):
    enrol(hub, tmp_path, "minato-hp")
    now = datetime.now(timezone.utc)
    reply = send(gateway, HOSPITAL, "availability", [{"settings": [
        {"capability": "stroke", "status": "available", "set_at": now.isoformat()},
        {"capability": "ct", "status": "unavailable", "set_at": now.isoformat()}], "set_by": "nurse"}])
    assert reply["ok"] and reply["availability"]["stroke"]["status"] == "available"
    pushed = [e for e in tablet.get_received(CREW) if e["name"] == "availability_changed"]
    assert pushed and pushed[-1]["args"][0]["hospital_id"] == "tokyo-er"
    assert pushed[-1]["args"][0]["availability"]["ct"]["status"] == "unavailable"
    listed = crew.get("/api/hospitals?need=stroke").json
    assert [h["id"] for h in listed] == ["tokyo-er", "minato-hp"]
    assert listed[1]["availability"]["stroke"]["status"] == "unknown"
    assert [h["id"] for h in crew.get("/api/hospitals?need=ct").json] == ["minato-hp", "tokyo-er"]  # unknown first
    # An older setting sent late (a resend after a dropout) never undoes the newer one.
    send(gateway, HOSPITAL, "availability", [{"settings": [
        {"capability": "stroke", "status": "unavailable", "set_at": (now - timedelta(minutes=5)).isoformat()}]}])
    assert crew.get("/api/hospitals?need=stroke").json[0]["availability"]["stroke"]["status"] == "available"


def test_an_expired_status_reads_unknown_on_the_crews_list(hub, crew, gateway):
    old = datetime.now(timezone.utc) - timedelta(hours=2, minutes=1)
    send(gateway, HOSPITAL, "availability", [{"settings": [
        {"capability": "stroke", "status": "available", "set_at": old.isoformat()}]}])
    [h] = crew.get("/api/hospitals?need=stroke").json
    assert h["availability"]["stroke"]["status"] == "unknown" and h["availability"]["stroke"]["expired"]
    assert h["availability"]["stroke"]["set_at"]


@pytest.mark.parametrize("query, field", [("need=everything", "need"), ("latitude=91", "latitude"),
                                          ("longitude=east", "longitude")])
def test_a_bad_list_query_names_the_field(crew, query, field):
    resp = crew.get(f"/api/hospitals?{query}")
    assert resp.status_code == 400 and resp.json["fields"][0]["field"] == field


@pytest.mark.parametrize("payload", [
    {"settings": [{"capability": "coffee", "status": "available", "set_at": "2026-12-08T00:00:00+00:00"}]},
    {"settings": [{"capability": "ct", "status": "maybe", "set_at": "2026-12-08T00:00:00+00:00"}]},
    {"settings": [{"capability": "ct", "status": "available"}]},
    {"settings": [{"capability": "ct", "status": "available", "set_at": "2099-01-01T00:00:00+00:00"}]},  # ahead
    {"settings": "all"}, None])
def test_a_malformed_availability_event_is_refused(gateway, payload):
    reply = send(gateway, HOSPITAL, "availability", [payload])
    assert reply["error"] == "invalid"


OUTCOME = {"severity": "severe", "diagnosis": {"code": "I63.9", "display": "脳梗塞"}, "disposition": "icu",
           "recorded_by": "physician #1"}


def test_the_outcome_comes_from_the_hospital_holding_the_grant_from_handover_on(hub, crew, gateway, tablet,
                                                                                 hospital):
    iid, _ = accept(crew, hub, hospital)
    tablet.emit("follow", {"incident_id": iid}, namespace=CREW, callback=True)
    early = send(gateway, HOSPITAL, "outcome", [{"incident_id": iid, **OUTCOME}])
    assert early["error"] == "not_handed_over" and "引継ぎ" in early["message"]
    assert crew.post(f"/api/incidents/{iid}/handover", json={}).status_code == 200
    reply = send(gateway, HOSPITAL, "outcome", [{"incident_id": iid, **OUTCOME}])
    assert reply["ok"] and reply["outcome"]["version"] == 1
    pushed = [e["args"][0] for e in tablet.get_received(CREW) if e["name"] == "outcome"]
    assert pushed[-1]["incident_id"] == iid and pushed[-1]["severity"] == "severe"
    seen = crew.get(f"/api/incidents/{iid}/outcome").json["outcome"]
    assert (seen["severity"], seen["disposition"], seen["diagnosis"]["code"]) == ("severe", "icu", "I63.9")


def test_another_hospital_cannot_return_an_outcome(hub, hub_app, crew, hospital, tmp_path):
    iid, _ = accept(crew, hub, hospital)
    crew.post(f"/api/incidents/{iid}/handover", json={})
    other = enrol(hub, tmp_path, "minato-hp")
    client = hub_app.extensions["socketio"].test_client(hub_app, namespace=HOSPITAL,
                                                        auth={"assertion": other.assertion()})
    reply = send(client, HOSPITAL, "outcome", [{"incident_id": iid, **OUTCOME}])
    assert reply["error"] == "no_grant"
    with hub.db.read() as s:
        assert s.get(Outcome, iid) is None


@pytest.mark.parametrize("change, field", [
    ({"severity": "critical"}, "severity"), ({"disposition": "home"}, "disposition"),
    ({"diagnosis": {"code": "", "display": " "}}, "diagnosis"), ({"diagnosis": {"code": "I63 9;"}}, "diagnosis.code")])
def test_a_bad_outcome_is_refused_with_the_field_named(hub, crew, gateway, hospital, change, field):
    iid, _ = accept(crew, hub, hospital)
    crew.post(f"/api/incidents/{iid}/handover", json={})
    reply = send(gateway, HOSPITAL, "outcome", [{"incident_id": iid, **OUTCOME, **change}])
    assert reply["error"] == "invalid" and reply["fields"][0]["field"] == field, reply


def test_the_outcome_is_kept_after_the_window_and_the_purge_and_a_correction_keeps_the_old(
        hub, crew, gateway, hospital):
    iid, _ = accept(crew, hub, hospital)
    crew.post(f"/api/incidents/{iid}/handover", json={})
    send(gateway, HOSPITAL, "outcome", [{"incident_id": iid, **OUTCOME}])
    corrected = send(gateway, HOSPITAL, "outcome", [{"incident_id": iid, **OUTCOME, "severity": "moderate",
                                                     "diagnosis": {"display": "一過性脳虚血発作の疑い"},
                                                     "disposition": "admitted"}])
    assert corrected["outcome"]["version"] == 2 and corrected["outcome"]["diagnosis"]["code"] == ""
    assert crew.post(f"/api/incidents/{iid}/close", json={}).status_code == 200
    with hub.db.transaction() as s:  # the window is over
        for grant in s.scalars(select(Grant).where(Grant.incident_id == iid)):
            grant.expires_at = datetime(2000, 1, 1)
    lifecycle.sweep_expired(hub)
    lifecycle.close_finished(hub)
    with hub.db.read() as s:
        incident = s.get(Incident, iid)
        assert incident.record_json is None and incident.card_id is None     # the record is gone
        kept = s.get(Outcome, iid)
        assert (kept.severity, kept.disposition) == ("moderate", "admitted")   # the outcome is not
        versions = s.scalars(select(OutcomeVersion).where(OutcomeVersion.incident_id == iid)
                             .order_by(OutcomeVersion.version)).all()
        assert [v.severity for v in versions] == ["severe", "moderate"]       # the first version stays
        assert s.scalars(select(CaseFigures.severity).where(CaseFigures.incident_id == iid)).one() == "moderate"
        trail = s.scalars(select(AuditEntry).where(AuditEntry.incident_id == iid,
                                                   AuditEntry.action == "outcome.record")).all()
        assert [e.detail["severity"] for e in trail] == ["severe", "moderate"]
        assert all(e.actor.startswith("hospital:tokyo-er") for e in trail)
    # past the window the hospital can no longer return or change it
    late = send(gateway, HOSPITAL, "outcome", [{"incident_id": iid, **OUTCOME}])
    assert late["error"] == "no_grant"
