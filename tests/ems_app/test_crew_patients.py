"""What the tablet reads to hold several patients and stay live: the crew's open incidents each
with its acuity and destination, the ER's handover on the incident and pushed to the crew, and
every update's time in the list the tablet reads again after a reconnect."""
from ems_app.services import lifecycle
from tests.ems_app.conftest import accept, open_identified, signed_in


def test_the_crews_list_gives_each_open_patient_its_acuity_and_destination(crew, hub, hub_app, hospital):
    accepted, _ = accept(crew, hub, hospital)
    waiting = open_identified(crew, "SIM-000120")
    closed = open_identified(crew, "SIM-000121")
    assert crew.post(f"/api/incidents/{closed}/close", json={}).status_code == 200
    crew.post(f"/api/incidents/{accepted}/updates", json={"kind": "vitals", "vitals": {"heart_rate": 135}})
    theirs = signed_in(hub_app, "kyukyu9", team="osaka-3").post("/api/incidents", json={"chief_complaint": "x"}).json

    listed = {i["id"]: i for i in crew.get("/api/incidents").json}
    assert set(listed) == {accepted, waiting}  # open ones of this crew only
    assert listed[accepted]["hospital_id"] == hospital.id and listed[waiting]["hospital_id"] is None
    assert listed[accepted]["acuity"]["measures"]["heart_rate"]["level"] == "red"
    assert listed[waiting]["acuity"]["level"] == "none"  # no vitals: said so, never "stable"
    assert theirs["id"] not in listed


def test_a_handover_confirmed_by_the_er_is_on_the_incident_and_pushed_to_the_crew(crew, hub, hub_app, hospital):
    iid, _ = accept(crew, hub, hospital)
    assert crew.get(f"/api/incidents/{iid}").json["handed_over_at"] is None
    tablet = hub_app.extensions["socketio"].test_client(hub_app, namespace="/crew", flask_test_client=crew)
    assert tablet.emit("follow", {"incident_id": iid}, namespace="/crew", callback=True) == {"ok": True}

    lifecycle.handover_by_hospital(hub, hospital.id, iid)

    pushed = [m["args"][0] for m in tablet.get_received("/crew") if m["name"] == "handed_over"]
    assert pushed == [{"incident_id": iid, "by": hospital.id}]
    shown = crew.get(f"/api/incidents/{iid}").json
    assert shown["handed_over_at"] is not None and shown["grant_expires_at"] is not None
    assert [i["handed_over_at"] for i in crew.get("/api/incidents").json if i["id"] == iid] == [shown["handed_over_at"]]
    tablet.disconnect(namespace="/crew")


def test_every_update_the_crew_reads_again_keeps_its_time(crew):
    iid = open_identified(crew)
    sent = [crew.post(f"/api/incidents/{iid}/updates", json=body).json for body in
            ({"kind": "vitals", "vitals": {"heart_rate": 90}}, {"kind": "note", "text": "意識清明"})]
    listed = crew.get(f"/api/incidents/{iid}/updates").json["updates"]
    assert [u["at"] for u in listed] == [u["at"] for u in sent]
    assert all(u["at"].endswith("Z") for u in listed)
