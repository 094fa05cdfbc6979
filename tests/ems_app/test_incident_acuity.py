"""The crew's answer for its incident carries the acuity by the one rule the ER dashboard uses:
each measure's latest value with its own time, so a set with a pulse alone never hides the
pressure and the JCS taken before it."""
from datetime import datetime, timedelta, timezone

from tests.ems_app.conftest import signed_in


def open_incident(crew) -> str:
    return crew.post("/api/incidents", json={"chief_complaint": "意識障害 / unconscious"}).json["id"]


def send(crew, iid, minutes_ago: float, **vitals) -> None:
    taken_at = (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat()
    resp = crew.post(f"/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": {"taken_at": taken_at, **vitals}})
    assert resp.status_code == 201, resp.json


def test_no_vitals_is_none_never_green(crew):
    iid = open_incident(crew)
    assert crew.get(f"/api/incidents/{iid}").json["acuity"]["level"] == "none"


def test_bp_and_jcs_then_hr_only_stays_red_with_each_value_and_its_time(crew):
    iid = open_incident(crew)
    send(crew, iid, 6, systolic_bp=85, jcs=100)
    send(crew, iid, 2, heart_rate=88)
    crew.post(f"/api/incidents/{iid}/updates", json={"kind": "note", "text": "右瞳孔散大"})  # not vitals: ignored
    acuity = crew.get(f"/api/incidents/{iid}").json["acuity"]
    assert acuity["level"] == "red"
    measures = acuity["measures"]
    assert {m: measures[m]["value"] for m in measures} == {"systolic_bp": 85, "consciousness": 100, "heart_rate": 88}
    assert measures["consciousness"]["scale"] == "jcs" and measures["systolic_bp"]["level"] == "red"
    assert measures["systolic_bp"]["taken_at"] == measures["consciousness"]["taken_at"] != measures["heart_rate"]["taken_at"]
    assert acuity["missing"] == ["spo2", "respiratory_rate"] and acuity["stale"] == []
    # The screen is told when time alone changes the answer: when the oldest fresh value goes stale.
    oldest = datetime.fromisoformat(measures["systolic_bp"]["taken_at"])
    assert datetime.fromisoformat(acuity["changes_at"]) == oldest + timedelta(minutes=acuity["fresh_for_minutes"])


def test_a_stale_value_decides_nothing_and_is_marked(crew):
    iid = open_incident(crew)
    send(crew, iid, 30, systolic_bp=85)
    send(crew, iid, 1, heart_rate=80, spo2=98, respiratory_rate=16, jcs=0)
    acuity = crew.get(f"/api/incidents/{iid}").json["acuity"]
    assert acuity["level"] == "incomplete" and acuity["stale"] == ["systolic_bp"]
    sbp = acuity["measures"]["systolic_bp"]
    assert sbp["value"] == 85 and sbp["stale"] is True  # still shown: what the crew last measured


def test_a_tablet_clock_ahead_counts_as_when_the_hub_received_it(crew):
    iid = open_incident(crew)
    send(crew, iid, -60, spo2=85)  # "taken" an hour from now
    send(crew, iid, 0, spo2=99)    # measured after the hub received the first
    acuity = crew.get(f"/api/incidents/{iid}").json["acuity"]
    assert acuity["measures"]["spo2"]["value"] == 99  # the later measurement is not hidden by the fast clock


def test_the_crews_incidents_are_assessed_and_only_for_the_crew(crew, hub_app):
    iid = open_incident(crew)
    send(crew, iid, 1, systolic_bp=85)
    # The list (the tablet's patient switcher) carries the same assessment as the one incident.
    assert [i["acuity"] for i in crew.get("/api/incidents").json] == [crew.get(f"/api/incidents/{iid}").json["acuity"]]
    other = signed_in(hub_app, "kyukyu9", team="osaka-3")
    assert other.get(f"/api/incidents/{iid}").status_code == 404
