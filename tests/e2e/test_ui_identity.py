"""The ER sees ⚠ and how the identity was confirmed beside a weakly confirmed name
(docs/clinical-safety.md H37).

The hazard: a smartphone card has no photo to compare, and the crew confirms the identity some
other way (here: by family); the tablet flagged it, the ER dashboard showed the name as if a photo
had been checked. Here the physician's list and detail, and the desk's list, carry the flag and
the way; a card whose photo the crew checked carries none."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_flow import accept, assert_clean, open_dashboard, open_patient, patient_on

pytestmark = pytest.mark.timeout(300)


def asked_with_card(crew, card: dict, complaint: str) -> str:
    iid = crew.post(f"{crew.base}/api/incidents", json={"chief_complaint": complaint}).json()["id"]
    resp = crew.post(f"{crew.base}/api/incidents/{iid}/card", json=card)
    assert resp.status_code == 200, resp.text
    assert crew.post(f"{crew.base}/api/incidents/{iid}/basis", json={"basis": {"kind": "consent"}}).status_code == 200
    assert crew.post(f"{crew.base}/api/incidents/{iid}/record", json={}).status_code == 200
    asked = crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    assert asked.status_code == 201, asked.text
    return iid


def test_a_smartphone_card_is_flagged_beside_the_name_for_the_physician_and_the_desk(system, new_page):
    crew = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    clerk = open_dashboard(new_page, system, "er-clerk")
    flagged = asked_with_card(crew, {"card_id": "SIM-PHONE", "identity_confirmation": "family"}, "腰痛 / back pain")
    accept(doctor, flagged, "腰痛")
    for page in (doctor, clerk):
        flag = patient_on(page, flagged).get_by_test_id("identity-flag")
        expect(flag).to_have_attribute("data-identification", "smartphone")
        expect(flag).to_contain_text("⚠")
        expect(flag).to_contain_text("写真なしのスマホ保険証")
    open_patient(doctor, flagged)
    title = doctor.locator("#detail-title")
    expect(title.get_by_test_id("identity-flag")).to_contain_text("写真なしのスマホ保険証")

    checked = asked_with_card(crew, {"card_id": "SIM-000162", "face_confirmed": True}, "めまい / dizziness")
    accept(doctor, checked, "めまい")
    expect(patient_on(doctor, checked).get_by_test_id("patient-name")).not_to_be_empty()
    expect(patient_on(doctor, checked).get_by_test_id("identity-flag")).to_have_count(0)
    assert_clean(doctor, clerk)
