"""One patient the whole way, on real servers: card, basis, record, acceptance, grant, live vitals."""
from __future__ import annotations

from tests.e2e.conftest import DashboardClient, sign_in, wait_online


def test_record_and_vitals_reach_the_er_before_arrival(system):
    er = system.hospitals["tokyo-er"]
    doctor = sign_in(er.url, "er-doctor")
    dashboard = DashboardClient(er.url, doctor)
    crew = sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")

    incident = crew.post(f"{crew.base}/api/incidents", json={"chief_complaint": "意識障害 / unconscious"}).json()
    iid = incident["id"]
    assert crew.post(f"{crew.base}/api/incidents/{iid}/card",
                     json={"card_id": "SIM-CRITICAL", "face_confirmed": True}).status_code == 200
    basis = {"kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "JCS300, 家族不在"}
    assert crew.post(f"{crew.base}/api/incidents/{iid}/basis", json={"basis": basis}).status_code == 200
    seen_by_crew = crew.post(f"{crew.base}/api/incidents/{iid}/record", json={}).json()
    assert seen_by_crew["critical"]["anticoagulants"]

    assert crew.post(f"{crew.base}/api/incidents/{iid}/inquiries",
                     json={"hospital_ids": ["tokyo-er"]}).status_code == 201
    inquiry = dashboard.wait_for("inquiry", lambda d: d["incident_id"] == iid)
    assert "name" not in inquiry and inquiry["age_band"]  # enough to decide, nothing identifying

    answer = doctor.post(f"{er.url}/api/inquiries/{inquiry['inquiry_id']}/answer", json={"accept": True})
    assert answer.status_code == 200, answer.text

    patient = dashboard.wait_for("patient", lambda d: d["incident_id"] == iid)
    assert patient["basis"] == "emergency_exception"
    assert patient["critical"] == seen_by_crew["critical"]  # the ER sees what the crew saw
    assert patient["identity"]["name"] == seen_by_crew["summary"]["card"]["name"]

    vitals = {"heart_rate": 128, "systolic_bp": 88, "diastolic_bp": 52, "spo2": 91, "jcs": 300}
    sent = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": vitals})
    assert sent.status_code == 201, sent.text
    update = dashboard.wait_for("update", lambda d: d["incident_id"] == iid)
    assert update["seq"] == 1 and update["payload"]["vitals"]["heart_rate"] == 128

    # The crew's view of the incident shows the acceptance and a live grant.
    status = crew.get(f"{crew.base}/api/incidents/{iid}").json()
    assert status["hospital_id"] == "tokyo-er" and status["grant_expires_at"]
    # The ER's stored copy has the update too (it survives a dashboard reload).
    stored = doctor.get(f"{er.url}/api/patients/{iid}").json()
    assert stored["updates"][-1]["payload"]["vitals"]["spo2"] == 91
    dashboard.close()


def test_the_desk_sees_who_is_coming_but_not_the_record(system):
    er = system.hospitals["tokyo-er"]
    clerk = sign_in(er.url, "er-clerk")
    desk = DashboardClient(er.url, clerk)
    doctor = sign_in(er.url, "er-doctor")
    crew = sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    iid = crew.post(f"{crew.base}/api/incidents", json={"chief_complaint": "転倒"}).json()["id"]
    crew.post(f"{crew.base}/api/incidents/{iid}/card", json={"card_id": "SIM-000007", "face_confirmed": True})
    crew.post(f"{crew.base}/api/incidents/{iid}/basis", json={"basis": {"kind": "consent"}})
    crew.post(f"{crew.base}/api/incidents/{iid}/record", json={})
    crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    inquiry = desk.wait_for("inquiry", lambda d: d["incident_id"] == iid)

    refused = clerk.post(f"{er.url}/api/inquiries/{inquiry['inquiry_id']}/answer", json={"accept": True})
    assert refused.status_code == 403  # a clerk cannot accept a patient
    assert doctor.post(f"{er.url}/api/inquiries/{inquiry['inquiry_id']}/answer",
                       json={"accept": True}).status_code == 200

    patient = desk.wait_for("patient", lambda d: d["incident_id"] == iid)
    assert patient["identity"]["name"]
    assert "record" not in patient and "critical" not in patient
    assert "record" not in clerk.get(f"{er.url}/api/patients/{iid}").json()
    desk.close()
