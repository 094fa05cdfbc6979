"""Live updates at the hub: numbered once each, only by the crew that owns the incident, only
while it is open; a complaint, location or ETA also changes the incident itself."""
from ems_app.models import Incident
from tests.ems_app.conftest import open_identified, signed_in


def send(client, iid, **update):
    return client.post(f"/api/incidents/{iid}/updates", json=update)


def test_complaint_location_and_eta_change_the_incident_and_each_update_is_numbered(crew, hub):
    iid = open_identified(crew)
    assert send(crew, iid, kind="vitals", vitals={"heart_rate": 110}).json["seq"] == 1
    assert send(crew, iid, kind="chief_complaint", text="呼吸困難 / short of breath").json["seq"] == 2
    assert send(crew, iid, kind="location", text="港区芝公園 4-2").json["seq"] == 3
    assert send(crew, iid, kind="eta", eta_minutes=12).json["seq"] == 4
    shown = crew.get(f"/api/incidents/{iid}").json
    assert shown["chief_complaint"] == "呼吸困難 / short of breath" and shown["location"] == "港区芝公園 4-2"
    with hub.db.read() as s:
        assert s.get(Incident, iid).eta_minutes == 12


def test_a_resend_returns_the_first_update_and_takes_no_number(crew):
    iid = open_identified(crew)
    first = send(crew, iid, kind="note", text="意識清明", client_id="tablet-1-0001")
    again = send(crew, iid, kind="note", text="意識清明", client_id="tablet-1-0001")
    assert (first.status_code, again.status_code) == (201, 200) and again.json == first.json
    assert send(crew, iid, kind="note", text="次", client_id="tablet-1-0002").json["seq"] == 2


def test_another_crew_cannot_send_to_this_incident(crew, hub_app):
    iid = open_identified(crew)
    other = signed_in(hub_app, "kyukyu9", team="osaka-3")
    resp = send(other, iid, kind="vitals", vitals={"heart_rate": 90})
    assert resp.status_code == 404
    assert crew.get(f"/api/incidents/{iid}/updates").json["updates"] == []


def test_the_same_team_name_in_another_organisation_is_another_crew(crew, hub_app):
    from ems_app.services.enrolment import create_user
    from tests.ems_app.conftest import PASSWORD
    iid = open_identified(crew)
    create_user(hub_app.extensions["hub"], "osaka1", "隊員 osaka1", "paramedic", "tokyo-1", PASSWORD,
                organisation="fire:osaka")
    other = hub_app.test_client()
    assert other.post("/api/auth/login", json={"username": "osaka1", "password": PASSWORD}).status_code == 200
    assert send(other, iid, kind="vitals", vitals={"heart_rate": 90}).status_code == 404


def test_a_closed_incident_takes_no_more_updates(crew):
    iid = open_identified(crew)
    crew.post(f"/api/incidents/{iid}/close", json={})
    resp = send(crew, iid, kind="vitals", vitals={"heart_rate": 90})
    assert resp.status_code == 409 and "closed" in resp.json["message"]
