"""The ER sees a patient's acuity as the one rule assesses it from every measure's latest value.

The dashboard used to judge the newest vitals entry alone: blood pressure 85 and JCS 100 made a
patient red, and an entry with only a pulse made the same patient green. Here the hospital app
assesses with shared/acuity.py and sends the answer: in the clinical view, pushed with every
vitals update and again when a value goes stale; the desk is told the clinical data is withheld,
never that there are no vitals."""
import json
import threading
import time
from datetime import datetime, timedelta, timezone

import pytest

from hospital_app import store
from hospital_app.chores import Reassess
from hospital_app.hub_events import Update
from shared.acuity import FRESH_FOR, legend
from tests.hospital_app.conftest import signed_in
from tests.hospital_app.test_dashboard_access import BODY
from tests.hospital_app.test_dashboard_events import dashboard, queued


def iso(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")


def vitals(seq: int, taken_ago: timedelta, **values) -> dict:
    """A vitals update as the hub sends it, received now, taken `taken_ago` before."""
    now = datetime.now(timezone.utc)
    return {"incident_id": "inc1", "seq": seq, "kind": "vitals",
            "payload": {"kind": "vitals", "vitals": {"taken_at": iso(now - taken_ago), **values}}, "at": iso(now)}


SHOCK = dict(systolic_bp=85, diastolic_bp=50, jcs=100)  # red on two counts
PULSE = dict(heart_rate=80)                             # normal, and alone


@pytest.fixture
def db(er_app):
    store.save_patient(er_app.extensions["db"], "grant-token",
                       {**BODY, "incident": {"chief_complaint": "意識障害", "location": "新宿区西新宿"}})
    return er_app.extensions["db"]


@pytest.fixture
def gateway(er_app):
    return er_app.extensions["gateway"]


def pushed(client, event: str) -> list[dict]:
    return [m["args"][0] for m in client.get_received("/dashboard") if m["name"] == event]


def assert_still_red_with_each_value(acuity: dict) -> None:
    assert acuity["level"] == "red"
    measures = acuity["measures"]
    assert {m: measures[m]["value"] for m in ("systolic_bp", "diastolic_bp", "consciousness", "heart_rate")} \
        == {"systolic_bp": 85, "diastolic_bp": 50, "consciousness": 100, "heart_rate": 80}
    assert measures["consciousness"]["scale"] == "jcs"
    # each value with its own time: the pressure was taken before the pulse
    assert measures["systolic_bp"]["taken_at"] < measures["heart_rate"]["taken_at"]
    assert acuity["missing"] == ["spo2", "respiratory_rate"]


def test_the_clinical_view_carries_the_acuity_of_every_vitals_update_not_the_newest_alone(er_app, db):
    assert store.save_update(db, vitals(1, timedelta(minutes=6), **SHOCK)) == "stored"
    assert store.save_update(db, vitals(2, timedelta(minutes=2), **PULSE)) == "stored"
    assert_still_red_with_each_value(store.patient_view(db, "inc1")["acuity"])
    doctor = signed_in(er_app, "doc")
    assert_still_red_with_each_value(doctor.get("/api/patients/inc1").json["acuity"])
    [listed] = doctor.get("/api/patients").json
    assert listed["acuity"]["level"] == "red"


def test_a_patient_without_vitals_is_none_and_one_with_a_pulse_alone_is_never_green(db):
    assert store.patient_view(db, "inc1")["acuity"]["level"] == "none"
    store.save_update(db, vitals(1, timedelta(minutes=1), **PULSE))
    acuity = store.patient_view(db, "inc1")["acuity"]
    assert acuity["level"] == "incomplete"
    assert acuity["missing"] == ["systolic_bp", "spo2", "consciousness", "respiratory_rate"]


def test_the_desk_is_told_the_clinical_data_is_withheld_never_no_vitals(er_app, db):
    store.save_update(db, vitals(1, timedelta(minutes=6), **SHOCK))
    clerk = signed_in(er_app, "clerk")
    for view in (clerk.get("/api/patients/inc1").json, clerk.get("/api/patients").json[0],
                 store.patient_view(db, "inc1", "clerk")):
        assert view["acuity"] == {"withheld": True}
        assert "updates" not in view and "record" not in view and "critical" not in view
        assert view["incident"] == {"chief_complaint": "意識障害"}  # not where the ambulance is


def test_the_desks_pushed_patient_is_the_same_as_its_view(er_app, db, gateway):
    store.save_update(db, vitals(1, timedelta(minutes=6), **SHOCK))
    doctor, clerk = dashboard(er_app, "doc"), dashboard(er_app, "clerk")
    gateway.dashboard.patient(store.patient_view(db, "inc1"))
    [to_doctor], [to_clerk] = pushed(doctor, "patient"), pushed(clerk, "patient")
    assert to_doctor["acuity"]["level"] == "red"
    assert to_clerk == store.patient_view(db, "inc1", "clerk")
    assert to_clerk["acuity"] == {"withheld": True} and "location" not in to_clerk["incident"]


def test_the_gateway_pushes_the_assessment_with_each_vitals_update_and_bp_jcs_then_hr_stays_red(er_app, db,
                                                                                                gateway):
    doctor, clerk = dashboard(er_app, "doc"), dashboard(er_app, "clerk")
    for update in (vitals(1, timedelta(minutes=6), **SHOCK), vitals(2, timedelta(minutes=2), **PULSE)):
        gateway.lane_events["update"](Update(**update))
    first, second = pushed(doctor, "acuity")
    assert first["incident_id"] == second["incident_id"] == "inc1"
    assert first["acuity"]["level"] == "red" and "heart_rate" not in first["acuity"]["measures"]
    assert_still_red_with_each_value(second["acuity"])
    assert pushed(clerk, "acuity") == [] and pushed(clerk, "update") == []


def test_a_note_pushes_no_assessment(er_app, db, gateway):
    doctor = dashboard(er_app, "doc")
    gateway.lane_events["update"](Update(incident_id="inc1", seq=1, kind="note", payload={"text": "嘔吐あり"},
                                         at=iso(datetime.now(timezone.utc))))
    assert [u["seq"] for u in pushed(doctor, "update")] == [1] and pushed(doctor, "acuity") == []


def test_after_a_restart_the_latest_is_read_from_the_store_once_not_on_every_update(er_app, db, gateway,
                                                                                    monkeypatch):
    store.save_update(db, vitals(1, timedelta(minutes=6), **SHOCK))  # stored before the restart
    reads = []
    read = store.latest_vitals
    monkeypatch.setattr(store, "latest_vitals", lambda *a: reads.append(a) or read(*a))
    doctor = dashboard(er_app, "doc")
    gateway.lane_events["update"](Update(**vitals(2, timedelta(minutes=2), **PULSE)))
    gateway.lane_events["update"](Update(**vitals(3, timedelta(minutes=1), spo2=97)))
    second, third = [a["acuity"] for a in pushed(doctor, "acuity")]
    assert_still_red_with_each_value(second)
    assert third["level"] == "red" and third["measures"]["spo2"]["value"] == 97
    assert len(reads) == 1


def test_when_a_value_goes_stale_the_housekeeping_loop_has_it_assessed_again_and_pushed(er_app, db, gateway):
    """Time alone changes the answer: a red pressure 20 minutes old decides nothing any more."""
    doctor = dashboard(er_app, "doc")
    almost_stale = FRESH_FOR - timedelta(seconds=2)  # fresh while pushed, even on a busy machine
    gateway.lane_events["update"](Update(**vitals(1, almost_stale, systolic_bp=85, diastolic_bp=50)))
    gateway.lane_events["update"](Update(**vitals(2, timedelta(minutes=1), jcs=0, heart_rate=80)))
    [*_, fresh] = pushed(doctor, "acuity")
    assert fresh["acuity"]["level"] == "red" and fresh["acuity"]["changes_at"]

    housekeeping = threading.Thread(target=gateway._housekeeping, daemon=True)
    housekeeping.start()
    try:
        deadline, due = time.time() + 10, []
        while not due and time.time() < deadline:
            due = [event for event in queued(gateway) if event[0] == "reassess"]
            time.sleep(0.1)
    finally:
        gateway._stopped.set()
        housekeeping.join(timeout=5)
    assert due == [("reassess", Reassess("inc1"))]
    gateway.lane_events["reassess"](due[0][1])
    [again] = pushed(doctor, "acuity")
    assert again["acuity"]["level"] == "incomplete"
    assert again["acuity"]["stale"] == ["systolic_bp", "diastolic_bp"]
    assert again["acuity"]["measures"]["systolic_bp"]["stale"] is True


def test_a_patient_forgotten_is_no_longer_assessed(er_app, db, gateway):
    doctor = dashboard(er_app, "doc")
    gateway.lane_events["update"](Update(**vitals(1, timedelta(minutes=1), **SHOCK)))
    gateway._forget("inc1", "closed")
    gateway.lane_events["reassess"](Reassess("inc1"))
    assert [a["acuity"]["level"] for a in pushed(doctor, "acuity")] == ["red"]


def test_the_legend_is_served_from_the_rule_itself(er_app):
    assert er_app.test_client().get("/api/patients/acuity-legend").status_code == 401
    served = signed_in(er_app, "clerk").get("/api/patients/acuity-legend").json
    assert served == json.loads(json.dumps(legend()))
    assert {"measure": "systolic_bp", "label": "SBP", "unit": "mmHg", "red": [{"op": "<", "value": 90}],
            "yellow": [{"op": "<", "value": 100}]} in served["rules"]
