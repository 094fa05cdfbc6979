"""The crew's side of an incident, through the real HTTP API on a real database."""
from sqlalchemy import select

from ems_app.models import AuditEntry
from ems_app.services.audit import first_broken
from tests.ems_app.conftest import open_identified, signed_in


def test_every_api_needs_a_signed_in_crew(hub_app):
    anonymous = hub_app.test_client()
    assert anonymous.post("/api/incidents", json={}).status_code == 401
    assert anonymous.get("/api/hospitals").status_code == 401
    assert anonymous.get("/api/incidents").json["message"].startswith("sign in first")


def test_wrong_password_is_refused_without_saying_which_part(crew, hub_app):
    resp = hub_app.test_client().post("/api/auth/login", json={"username": "kyukyu1", "password": "nope"})
    assert resp.status_code == 401 and "wrong username or password" in resp.json["message"]


def test_nothing_is_fetched_before_a_basis_is_recorded(crew):
    iid = crew.post("/api/incidents", json={}).json["id"]
    resp = crew.post(f"/api/incidents/{iid}/record", json={})
    assert resp.status_code == 409 and "read the card first" in resp.json["message"]
    crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-000001", "face_confirmed": True})
    resp = crew.post(f"/api/incidents/{iid}/record", json={})
    assert resp.status_code == 409 and "consent or the emergency exception" in resp.json["message"]


def test_consented_fetch_shows_the_summary_with_critical_facts_first(crew):
    iid = open_identified(crew, "SIM-CRITICAL")
    body = crew.post(f"/api/incidents/{iid}/record", json={}).json
    critical = body["critical"]
    assert critical["drug_allergies"] and critical["anticoagulants"] and critical["dialysis"]
    assert body["summary"]["card"]["kana"]
    assert all(m["source"] and m["as_of"] for m in body["summary"]["medications"])


def test_emergency_exception_needs_a_reason_and_is_audited(crew, hub):
    iid = crew.post("/api/incidents", json={}).json["id"]
    crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-000002", "face_confirmed": True})
    bad = crew.post(f"/api/incidents/{iid}/basis", json={"basis": {"kind": "emergency_exception",
                                                                    "reason_code": "unconscious"}})
    assert bad.status_code == 400 and "reason_text" in bad.json["message"]
    ok = crew.post(f"/api/incidents/{iid}/basis", json={"basis": {
        "kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "JCS 300"}})
    assert ok.status_code == 200 and ok.json["basis"] == "emergency_exception"
    crew.post(f"/api/incidents/{iid}/record", json={})
    with hub.db.read() as s:
        fetch = s.scalars(select(AuditEntry).where(AuditEntry.incident_id == iid,
                                                   AuditEntry.action == "record.fetch")).one()
        assert fetch.basis == "emergency_exception" and fetch.actor == "user:kyukyu1"
        assert first_broken(s, hub.audit_key) is None




def test_source_down_gives_a_clear_message(crew, hub):
    iid = open_identified(crew, "SIM-000004")
    hub.source.set_condition("down")
    resp = crew.post(f"/api/incidents/{iid}/record", json={})
    assert resp.status_code == 503 and "without the record" in resp.json["message"]
    assert crew.get(f"/api/incidents/{iid}").json["record_status"] == "source_unavailable"
    hub.source.set_condition("up")
    assert crew.post(f"/api/incidents/{iid}/record", json={}).status_code == 200


def test_another_crew_cannot_see_the_incident(crew, hub_app):
    iid = open_identified(crew)
    other = signed_in(hub_app, "kyukyu9", team="osaka-3")
    assert other.get(f"/api/incidents/{iid}").status_code == 404
    assert other.post(f"/api/incidents/{iid}/record", json={}).status_code == 404


def test_bad_input_is_refused_with_the_field_and_nothing_is_written(crew):
    iid = open_identified(crew)
    resp = crew.post(f"/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": {"spo2": 140}})
    assert resp.status_code == 400 and "vitals.spo2" in resp.json["message"]
    resp = crew.post(f"/api/incidents/{iid}/updates", data="not json", content_type="text/plain")
    assert resp.status_code == 415
    ok = crew.post(f"/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": {"spo2": 97}})
    assert ok.json["seq"] == 1  # the refused ones took no sequence number
