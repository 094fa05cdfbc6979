"""Emergency-exception accesses and anomalies reach the right privacy officer, who decides."""
from datetime import timedelta

from sqlalchemy import update

from ems_app.models import ReviewItem
from ems_app.services import hospital_access
from shared.clock import utcnow
from tests.ems_app import patient_page
from tests.ems_app.conftest import accept, open_identified

EXCEPTION = {"kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "JCS 300"}


def officer(hub_app, username, organisation):
    from ems_app.services.enrolment import create_user
    from tests.ems_app.conftest import PASSWORD
    create_user(hub_app.extensions["hub"], username, username, "privacy_officer", "", PASSWORD, organisation)
    client = hub_app.test_client()
    assert client.post("/api/auth/login", json={"username": username, "password": PASSWORD}).status_code == 200
    return client


def test_exception_access_creates_one_item_per_organisation(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital, basis=EXCEPTION)
    crew.get(f"/api/incidents/{iid}/record")  # a second look raises the count, not the queue
    hospital.redeem(hub_app.test_client(), iid, grant)
    fire = officer(hub_app, "pf", "fire:tokyo").get("/api/review").json
    er = officer(hub_app, "ph", "hospital:tokyo-er").get("/api/review").json
    assert [(i["kind"], i["accesses"]) for i in fire] == [("emergency_exception", 2)]
    assert [i["kind"] for i in er] == ["emergency_exception"] and er[0]["incident_id"] == iid


def test_consented_access_needs_no_review(crew, hub, hub_app, hospital):
    accept(crew, hub, hospital)
    assert officer(hub_app, "pf", "fire:tokyo").get("/api/review").json == []


def test_officer_decides_with_a_comment_and_overdue_items_stand_out(crew, hub, hub_app):
    iid = open_identified(crew, basis=EXCEPTION)
    crew.post(f"/api/incidents/{iid}/record", json={})
    pf = officer(hub_app, "pf", "fire:tokyo")
    with hub.db.transaction() as s:
        s.execute(update(ReviewItem).values(due_at=utcnow() - timedelta(days=1)))
    [item] = pf.get("/api/review").json
    assert item["overdue"] is True
    assert pf.post(f"/api/review/{item['id']}", json={"decision": "justified", "comment": ""}).status_code == 400
    assert pf.post(f"/api/review/{item['id']}", json={"decision": "justified", "comment": "意識障害のため妥当"}).status_code == 200
    [done] = pf.get("/api/review").json
    assert done["decision"] == "justified" and done["overdue"] is False
    assert pf.post(f"/api/review/{item['id']}", json={"decision": "not_justified", "comment": "x"}).status_code == 409


def test_crew_and_other_organisations_cannot_see_the_queue(crew, hub, hub_app):
    iid = open_identified(crew, basis=EXCEPTION)
    crew.post(f"/api/incidents/{iid}/record", json={})
    assert crew.get("/api/review").status_code == 403
    other = officer(hub_app, "po", "fire:osaka")
    assert other.get("/api/review").json == []


def test_anomalies_are_flagged(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital)
    crew.post(f"/api/incidents/{iid}/handover", json={})
    hospital.redeem(hub_app.test_client(), iid, grant)           # access after handover
    crew.post(f"/api/incidents/{iid}/close", json={})
    assert crew.get(f"/api/incidents/{iid}/record").status_code == 409  # lookup on a closed incident
    for i in range(6):                                            # many records in a short time
        other = open_identified(crew, f"SIM-0001{i:02d}")
        crew.post(f"/api/incidents/{other}/record", json={})
    fire = {i["kind"] for i in officer(hub_app, "pf", "fire:tokyo").get("/api/review").json}
    er = {i["kind"] for i in officer(hub_app, "ph", "hospital:tokyo-er").get("/api/review").json}
    assert {"anomaly:no_active_incident", "anomaly:many_records"} <= fire
    assert "anomaly:after_handover" in er


def test_hospital_user_views_are_recorded_by_role_only_under_a_grant(crew, hub, hospital):
    iid, _ = accept(crew, hub, hospital)
    hospital_access.record_user_view(hub, hospital.id, iid, "nurse", "view")
    other = open_identified(crew, "SIM-000030")
    import pytest

    from shared.errors import Refused
    with pytest.raises(Refused, match="no grant covered"):
        hospital_access.record_user_view(hub, hospital.id, other, "nurse", "view")


def test_patient_sees_who_viewed_by_organisation_and_role(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital, card_id="SIM-000050", basis=EXCEPTION)
    hospital.redeem(hub_app.test_client(), iid, grant)
    hospital_access.record_user_view(hub, hospital.id, iid, "physician", "view")
    birth = hub.source.fetch("SIM-000050").card.birth_date.isoformat()
    patient = hub_app.test_client()
    patient.set_cookie("lang", "ja")  # the rows' words are in the reader's language
    wrong = patient.post("/api/patient/code", json={"card_id": "SIM-000050", "birth_date": "1900-01-01"})
    assert wrong.status_code == 401
    rows = patient_page.history(lambda path, body: patient.post(path, json=body), hub.settings["INSTANCE"],
                                "SIM-000050", birth).json
    assert [(r["role"].split(" /")[0], r["action"].split(" /")[0]) for r in rows] == [
        ("救急隊員", "記録を取得"), ("病院システム", "救急時サマリーを閲覧"), ("医師", "院内で閲覧")]
    assert {r["basis"] for r in rows} == {"emergency_exception"}
    assert "kyukyu1" not in str(rows) and "佐藤" not in str(rows)  # no staff names
    assert rows[1]["organisation"] == "tokyo-er 病院"


def test_a_view_reported_late_is_recorded_if_a_grant_covered_it(crew, hub, hospital, tmp_path):
    from ems_app.services import routing
    from shared.clock import utcnow
    from tests.ems_app.conftest import enrol
    iid, _ = accept(crew, hub, hospital)
    seen_at = utcnow()
    other = enrol(hub, tmp_path, "minato-hp")          # re-routed: the first grant is revoked
    [inquiry] = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [other.id]}).json
    routing.answer(hub, other.id, inquiry["inquiry_id"], True, "救急医")
    hospital_access.record_user_view(hub, hospital.id, iid, "nurse", "view", at=seen_at)  # reported after the dropout
