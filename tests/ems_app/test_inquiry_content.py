"""What a hospital is sent to decide on, and with the patient: from the hub's side.

An inquiry once carried the newest vitals entry alone: a pressure of 85 followed by a pulse alone
read "HR 80" to the physician deciding (docs/clinical-safety.md H35). It now carries the acuity by
the one rule, each measure with its own time, and which ambulance unit asks, when, and its ETA;
still nothing that identifies the patient. A crew may ask before it has a record; the patient the
hospital then accepts says why there is none (H36). And the hospital is told how the identity was
confirmed, so a smartphone card without a photo or a 4-attribute search is flagged at the ER as
on the tablet (H37)."""
from datetime import datetime, timedelta, timezone

import pytest

from ems_app.services import routing
from tests.ems_app.conftest import open_identified


@pytest.fixture
def told(hub):
    """What the hub pushes to hospitals' gateways, as (event, payload)."""
    pushed = []
    hub.notifier.send_to_hospital = lambda event, payload, room: pushed.append((event, payload))
    return pushed


def send_vitals(crew, iid: str, minutes_ago: float, **vitals) -> str:
    taken_at = (datetime.now(timezone.utc) - timedelta(minutes=minutes_ago)).isoformat()
    resp = crew.post(f"/api/incidents/{iid}/updates",
                     json={"kind": "vitals", "vitals": {"taken_at": taken_at, **vitals}})
    assert resp.status_code == 201, resp.json
    return taken_at


def ask(crew, iid: str, hospital) -> dict:
    resp = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital.id]})
    assert resp.status_code == 201, resp.json
    return resp.json[0]


def test_the_inquiry_carries_every_measures_latest_with_its_time_never_the_newest_entry_alone(crew, hub, hospital,
                                                                                             told):
    iid = open_identified(crew)
    assert crew.post(f"/api/incidents/{iid}/record", json={}).status_code == 200
    bp_at = send_vitals(crew, iid, 6, systolic_bp=85, diastolic_bp=50, jcs=100)
    hr_at = send_vitals(crew, iid, 1, heart_rate=80)                      # a pulse alone, the newest entry
    assert crew.post(f"/api/incidents/{iid}/updates", json={"kind": "eta", "eta_minutes": 12}).status_code == 201
    ask(crew, iid, hospital)
    [(event, inquiry)] = told
    assert event == "inquiry"
    acuity = inquiry["acuity"]
    assert acuity["level"] == "red"                                       # not "HR 80", not green
    measures = acuity["measures"]
    assert {m: r["value"] for m, r in measures.items()} == {"systolic_bp": 85, "diastolic_bp": 50,
                                                            "consciousness": 100, "heart_rate": 80}
    assert datetime.fromisoformat(measures["systolic_bp"]["taken_at"]) == datetime.fromisoformat(bp_at)
    assert datetime.fromisoformat(measures["heart_rate"]["taken_at"]) == datetime.fromisoformat(hr_at)
    assert acuity["missing"] == ["spo2", "respiratory_rate"]
    assert "vitals" not in inquiry                                        # the newest entry alone is gone
    # What a physician decides on: which unit asks, when, and how soon it arrives.
    assert inquiry["unit"] == "tokyo-1" and inquiry["eta_minutes"] == 12
    assert datetime.fromisoformat(inquiry["asked_at"]) <= datetime.now(timezone.utc)
    # Still nothing that identifies the patient before acceptance.
    assert set(inquiry) == {"inquiry_id", "incident_id", "status", "asked_at", "unit", "callback", "chief_complaint",
                            "age_band", "sex", "eta_minutes", "eta_at", "acuity", "basis", "seq"}
    # A gateway that reconnects gets the same assessment with the open inquiry.
    [again] = routing.pending_for_hospital(hub, hospital.id)["inquiries"]
    assert again["acuity"]["level"] == "red" and again["unit"] == "tokyo-1"


def test_each_copy_of_an_open_inquiry_says_which_update_it_includes(crew, hospital, told):
    """The hospital's gateway handles the hub's messages side by side, so it keeps the copy with
    the newer update, whatever order they land in (H56): each resend carries the incident's
    newest update number."""
    iid = open_identified(crew)
    ask(crew, iid, hospital)
    send_vitals(crew, iid, 0, spo2=87)
    assert crew.post(f"/api/incidents/{iid}/updates", json={"kind": "eta", "eta_minutes": 6}).status_code == 201
    copies = [payload for event, payload in told if event == "inquiry"]
    assert [c.get("eta_minutes") for c in copies] == [None, None, 6]
    assert [c["seq"] for c in copies] == sorted({c["seq"] for c in copies}) and len(copies) == 3


def test_an_inquiry_without_vitals_says_none_never_green(crew, hospital, told):
    iid = open_identified(crew)
    ask(crew, iid, hospital)
    [(_, inquiry)] = told
    assert inquiry["acuity"]["level"] == "none" and inquiry["eta_minutes"] is None


def test_a_crew_may_ask_and_a_hospital_accept_before_any_card_and_the_patient_says_why_no_record(
        crew, hub, hub_app, hospital):
    iid = crew.post("/api/incidents", json={"chief_complaint": "意識障害 / unconscious"}).json["id"]
    [inquiry] = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital.id]}).json
    grant = routing.answer(hub, hospital.id, inquiry["inquiry_id"], True, "救急医")["grant"]
    assert crew.post(f"/api/incidents/{iid}/updates", json={"kind": "note", "text": "右瞳孔散大"}).status_code == 201
    body = hospital.redeem(hub_app.test_client(), iid, grant).json
    assert body["patient"] is None and body["critical"] is None and body["record"] is None
    assert body["record_status"] == "not_identified"
    assert [u["kind"] for u in body["updates"]] == ["note"]                # the notes come all the same


def test_a_patient_identified_but_not_fetched_says_so(crew, hub, hub_app, hospital):
    iid = open_identified(crew)                                           # card read, basis recorded, no fetch
    [inquiry] = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital.id]}).json
    grant = routing.answer(hub, hospital.id, inquiry["inquiry_id"], True, "救急医")["grant"]
    body = hospital.redeem(hub_app.test_client(), iid, grant).json
    assert body["patient"] is None and body["record_status"] == "not_fetched"


def test_the_hospital_is_told_how_the_identity_was_confirmed(crew, hub, hub_app, hospital):
    incident = crew.post("/api/incidents", json={"chief_complaint": "胸痛 / chest pain"}).json
    iid = incident["id"]
    resp = crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-PHONE", "identity_confirmation": "family",
                                                         "identity_note": "妻が確認"})
    assert resp.status_code == 200, resp.json
    assert crew.post(f"/api/incidents/{iid}/basis", json={"basis": {"kind": "consent"}}).status_code == 200
    assert crew.post(f"/api/incidents/{iid}/record", json={}).status_code == 200
    [inquiry] = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital.id]}).json
    grant = routing.answer(hub, hospital.id, inquiry["inquiry_id"], True, "救急医")["grant"]
    patient = hospital.redeem(hub_app.test_client(), iid, grant).json["patient"]
    assert patient["identification"] == "smartphone" and patient["identity_flagged"] is True
    assert "妻が確認" not in str(patient)                                   # the crew's note stays at the hub


def test_a_card_with_its_photo_checked_is_not_flagged(crew, hub, hub_app, hospital):
    iid = open_identified(crew)
    crew.post(f"/api/incidents/{iid}/record", json={})
    [inquiry] = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital.id]}).json
    grant = routing.answer(hub, hospital.id, inquiry["inquiry_id"], True, "救急医")["grant"]
    patient = hospital.redeem(hub_app.test_client(), iid, grant).json["patient"]
    assert patient["identification"] == "card_photo" and patient["identity_flagged"] is False
