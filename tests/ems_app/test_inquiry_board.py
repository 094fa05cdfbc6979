"""What the hub tells hospitals about an inquiry, so their boards stay true: enough to decide
(the unit's callback number, the ETA with the time it was given), nothing that identifies the
patient, and an inquiry no longer open withdrawn with the reason (another hospital accepted, the
incident was closed), never left pending on an ER's board (docs/clinical-safety.md H40, H41)."""
from __future__ import annotations

import json
from datetime import date, datetime, timezone

import pytest

from ems_app.models import Incident
from ems_app.services import routing, units
from shared.schemas.record import EmergencyRecord
from shared.summary import age_on
from tests.ems_app.conftest import enrol, open_identified


@pytest.fixture
def told(hub):
    """What the hub pushes to hospitals' gateways, as (event, payload, room)."""
    pushed = []
    hub.notifier.send_to_hospital = lambda event, payload, room: pushed.append((event, payload, room))
    return pushed


def ask(crew, iid: str, *hospitals) -> list[dict]:
    resp = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [h.id for h in hospitals]})
    assert resp.status_code == 201, resp.json
    return resp.json


def test_the_inquiry_carries_the_units_callback_number_and_when_the_eta_was_given(crew, hub, hospital, told):
    units.register(hub, "fire:tokyo", "tokyo-1", "03-0000-0119")
    iid = open_identified(crew)
    assert crew.post(f"/api/incidents/{iid}/record", json={}).status_code == 200
    resp = crew.post(f"/api/incidents/{iid}/updates", json={"kind": "eta", "eta_minutes": 9})
    assert resp.status_code == 201
    eta_given = datetime.fromisoformat(resp.json["at"].replace("Z", "+00:00"))
    ask(crew, iid, hospital)
    [(event, inquiry, _room)] = told
    assert event == "inquiry"
    assert inquiry["unit"] == "tokyo-1" and inquiry["callback"] == "03-0000-0119"
    assert inquiry["eta_minutes"] == 9
    assert abs((datetime.fromisoformat(inquiry["eta_at"]) - eta_given).total_seconds()) < 1
    assert inquiry["asked_at"] and datetime.fromisoformat(inquiry["asked_at"]) <= datetime.now(timezone.utc)


def test_a_unit_without_a_registered_number_says_none_and_an_eta_not_given_has_no_time(crew, hospital, told):
    iid = open_identified(crew)
    ask(crew, iid, hospital)
    [(_, inquiry, _)] = told
    assert inquiry["callback"] is None
    assert inquiry["eta_minutes"] is None and inquiry["eta_at"] is None


def test_nothing_in_the_inquiry_identifies_the_patient(crew, hub, hospital, told):
    iid = open_identified(crew)
    assert crew.post(f"/api/incidents/{iid}/record", json={}).status_code == 200
    with hub.db.read() as s:
        card = EmergencyRecord.model_validate_json(s.get(Incident, iid).record_json).card
    ask(crew, iid, hospital)
    [(_, inquiry, _)] = told
    sent = json.dumps(inquiry, ensure_ascii=False)
    exact_age = age_on(card.birth_date, date.today())
    for never in (card.name, card.kana, card.birth_date.isoformat(), card.address, card.insurer_number,
                  card.insured_number, "SIM-CRITICAL"):
        assert never not in sent
    assert inquiry["age_band"] == f"{exact_age // 10 * 10}s"      # the decade alone, no exact age
    assert not {"age", "birth_date", "name", "address", "card_id", "patient"} & set(inquiry)


def test_acceptance_withdraws_the_other_open_inquiries_saying_another_hospital_accepted(crew, hub, hospital, tmp_path,
                                                                                          told):
    other = enrol(hub, tmp_path, "shinjuku-hp")
    iid = open_identified(crew)
    mine, theirs = ask(crew, iid, hospital, other)
    told.clear()
    routing.answer(hub, hospital.id, mine["inquiry_id"], True, "救急医")
    [withdrawn] = [p for e, p, _ in told if e == "inquiry_withdrawn"]
    assert withdrawn == {"inquiry_id": theirs["inquiry_id"], "incident_id": iid, "reason": "accepted_elsewhere"}


def test_closing_the_incident_withdraws_its_open_inquiries_saying_it_was_closed(crew, hub, hospital, tmp_path, told):
    other = enrol(hub, tmp_path, "shinjuku-hp")
    iid = open_identified(crew)
    first, second = ask(crew, iid, hospital, other)
    told.clear()
    assert crew.post(f"/api/incidents/{iid}/close", json={}).status_code == 200
    withdrawn = sorted((p["inquiry_id"], p["reason"]) for e, p, _ in told if e == "inquiry_withdrawn")
    assert withdrawn == sorted([(first["inquiry_id"], "closed"), (second["inquiry_id"], "closed")])
    # A gateway reconnecting is not handed them again as open.
    assert routing.pending_for_hospital(hub, hospital.id)["inquiries"] == []
    rows = crew.get(f"/api/incidents/{iid}/inquiries")
    assert rows.status_code in (200, 404)  # the crew's own list may be gone with the incident
    if rows.status_code == 200:
        assert {r["status"] for r in rows.json} == {"withdrawn"}


def test_a_callback_number_that_is_not_a_phone_number_is_refused(hub):
    for bad in ("call me", "12", "03-0000-0119; DROP TABLE", "+" + "1" * 30):
        with pytest.raises(ValueError):
            units.register(hub, "fire:tokyo", "tokyo-1", bad)
    units.register(hub, "fire:tokyo", "tokyo-1", " +81 3 0000 0119 ")
    with hub.db.read() as s:
        assert units.callback_of(s, "fire:tokyo", "tokyo-1") == "+81 3 0000 0119"


def test_newer_vitals_and_eta_reach_the_hospitals_still_deciding_and_no_other(crew, hub, hospital, tmp_path, told):
    """A physician deciding for minutes decides on the crew's latest, not the moment it asked."""
    other = enrol(hub, tmp_path, "shinjuku-hp")
    iid = open_identified(crew)
    mine, theirs = ask(crew, iid, hospital, other)
    routing.answer(hub, other.id, theirs["inquiry_id"], False, "救急医", reason="no_bed")
    told.clear()
    resp = crew.post(f"/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": {"spo2": 86}})
    assert resp.status_code == 201
    assert crew.post(f"/api/incidents/{iid}/updates", json={"kind": "eta", "eta_minutes": 7}).status_code == 201
    assert crew.post(f"/api/incidents/{iid}/updates", json={"kind": "note", "text": "嘔吐"}).status_code == 201
    resent = [(p, room) for e, p, room in told if e == "inquiry"]
    assert [p["inquiry_id"] for p, _ in resent] == [mine["inquiry_id"]] * 2      # vitals, then ETA; not the note
    assert all(room.endswith(hospital.id) for _, room in resent)                 # the one that declined: nothing
    last = resent[-1][0]
    assert last["acuity"]["measures"]["spo2"]["value"] == 86 and last["eta_minutes"] == 7 and last["eta_at"]
    # Accepted: from then on the hospital gets updates, not the inquiry again.
    routing.answer(hub, hospital.id, mine["inquiry_id"], True, "救急医")
    told.clear()
    resp = crew.post(f"/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": {"spo2": 90}})
    assert resp.status_code == 201
    assert [e for e, _, _ in told] == ["update"]
