"""The ER dashboard in real browsers: the new-patient alert repeats until someone acknowledges
and then stops on every dashboard; the crew's tablet sees its update delivered, then seen, then
the ER's acknowledgement, all pushed; and a nurse answers with the keyboard alone."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from launcher.system import DEMO_HOSPITALS
from tests.e2e.conftest import open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_flow import (accept, assert_clean, inquiry_on, open_dashboard, open_patient, open_tablet,
                                    patient_on, screenshot)

pytestmark = pytest.mark.timeout(300)
HOSPITALS = DEMO_HOSPITALS[:1]  # own_system starts tokyo-er alone


@pytest.fixture(scope="module")
def system(own_system):
    """Its own: the alert rings for every patient on the board not yet acknowledged."""
    return own_system


def asked(system, crew_http, card: str, complaint: str) -> str:
    """An incident with its record, tokyo-er asked to accept it (through the hub's API)."""
    wait_online(crew_http, "tokyo-er")
    iid = open_with_record(crew_http, card, complaint)
    resp = crew_http.post(f"{crew_http.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    assert resp.status_code == 201, resp.text
    return iid


def test_new_patient_alert_repeats_until_acknowledged_and_stops_on_every_dashboard(system, new_page):
    doctor = open_dashboard(new_page, system, "er-doctor")
    nurse = open_dashboard(new_page, system, "er-nurse")
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    iid = asked(system, crew_http, "SIM-000130", "胸痛 / chest pain")
    accept(doctor, iid, "胸痛")

    for page in (doctor, nurse):
        alert = page.get_by_test_id("alert")
        expect(alert).to_be_visible()
        expect(alert).to_have_attribute("data-incident", iid)
        expect(alert).to_have_attribute("data-repeats", re.compile(r"^([3-9]|\d{2,})$"))  # again and again
        expect(patient_on(page, iid).get_by_test_id("unacked")).to_be_visible()
    expect(doctor.get_by_test_id("alert")).to_have_attribute("data-beeps", re.compile(r"^[1-9]\d*$"))  # WebAudio

    nurse.locator(f'[data-testid=alert-patient][data-incident="{iid}"] [data-testid=alert-ack]').click()
    for page in (doctor, nurse):
        expect(page.get_by_test_id("alert")).to_be_hidden()
        expect(page.get_by_test_id("alert")).to_have_attribute("data-alerting", "false")
        expect(patient_on(page, iid).get_by_test_id("acked")).to_be_visible()
        assert page.evaluate("Alert.timer") is None  # no further repeats are scheduled
    assert_clean(doctor, nurse)


def test_crew_sees_delivered_then_seen_then_acknowledged_live(system, new_page):
    doctor = open_dashboard(new_page, system, "er-doctor")
    crew_http = http_sign_in(system.hub.url, "kyukyu2")
    iid = asked(system, crew_http, "SIM-000131", "呼吸困難 / dyspnoea")
    accept(doctor, iid, "呼吸困難")

    crew = open_tablet(new_page, system, "kyukyu2")
    crew.locator(f'[data-testid=open-incident] button[data-incident="{iid}"]').click()
    expect(crew.get_by_test_id("er-state")).to_have_attribute("data-acknowledged", "no")
    crew.evaluate("window.__sameDocument = true")
    crew.locator('nav.steps button[data-step="vitals"]').click()
    crew.get_by_label("心拍数").fill("112")
    crew.locator("#vitals-form input[name=spo2]").fill("89")
    crew.locator("#vitals-form button[type=submit]").click()
    update = crew.locator('[data-testid=update][data-seq="1"]')
    expect(update).to_have_attribute("data-state", "delivered")  # at the hospital, nobody has it open
    expect(update.get_by_test_id("update-state")).to_contain_text("到達")
    expect(patient_on(doctor, iid)).to_have_attribute("data-acuity", "red")  # SpO2 < 90

    detail = open_patient(doctor, iid)
    expect(detail.get_by_test_id("vitals")).to_contain_text("SpO2 89%")
    expect(update).to_have_attribute("data-state", "seen")
    expect(update.get_by_test_id("update-state")).to_contain_text("既読")

    detail.get_by_test_id("acknowledge").click()
    expect(crew.get_by_test_id("er-state")).to_have_attribute("data-acknowledged", "yes")
    expect(crew.get_by_test_id("er-state")).to_contain_text("病院確認済")
    assert crew.evaluate("window.__sameDocument") is True  # pushed: the tablet never reloaded
    assert_clean(doctor)
    screenshot(doctor, "dashboard-board", "[data-testid=patients] [data-testid=patient]")


def test_physician_opens_the_full_history_with_checkup_values(system, new_page):
    doctor = open_dashboard(new_page, system, "er-doctor")
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    iid = asked(system, crew_http, "SIM-000155", "倦怠感 / fatigue")  # checkups above the referral threshold
    accept(doctor, iid, "倦怠感")
    detail = open_patient(doctor, iid)
    detail.get_by_test_id("full-history").click()  # physicians only; fetched on demand, audited
    full = detail.get_by_test_id("full-history-view")
    expect(full.get_by_test_id("section-checkups")).to_be_visible(timeout=10_000)
    expect(full.locator("tr.referral[data-testid=checkup-item]").first).to_contain_text("受診勧奨値以上")
    expect(full.get_by_test_id("section-medications").get_by_test_id("source").first).to_contain_text("時点")
    assert_clean(doctor)


def tab_to(page: Page, target, limit: int = 60) -> None:
    """Press Tab until `target` has the focus, as a keyboard user would."""
    handle = target.element_handle()
    for _ in range(limit):
        if page.evaluate("e => document.activeElement === e", handle):
            return
        page.keyboard.press("Tab")
    raise AssertionError("Tab never reached the element")


def test_keyboard_only_accept_decline_and_open(system, new_page):
    nurse = open_dashboard(new_page, system, "er-nurse")
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    first = asked(system, crew_http, "SIM-000132", "めまい / dizziness")
    second = asked(system, crew_http, "SIM-000133", "頭痛 / headache")
    expect(inquiry_on(nurse, first)).to_have_attribute("data-status", "pending")
    expect(inquiry_on(nurse, second)).to_have_attribute("data-status", "pending")
    nurse.locator("body").focus()

    decline_reason = inquiry_on(nurse, second).get_by_label("辞退理由")
    tab_to(nurse, decline_reason)
    nurse.keyboard.press("ArrowDown")  # 満床 -> 専門医不在
    expect(decline_reason).to_have_value("no_specialist")
    tab_to(nurse, inquiry_on(nurse, second).get_by_test_id("decline"))
    nurse.keyboard.press("Space")
    expect(inquiry_on(nurse, second)).to_have_count(0)  # answered: off the list

    accept_button = inquiry_on(nurse, first).get_by_test_id("accept")
    tab_to(nurse, accept_button)
    outline = nurse.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # the focus can be seen
    nurse.keyboard.press("Enter")
    expect(inquiry_on(nurse, first)).to_have_count(0)

    open_button = patient_on(nurse, first).get_by_test_id("open-patient")
    tab_to(nurse, open_button)
    nurse.keyboard.press("Enter")
    detail = nurse.locator(f'#detail-body[data-incident="{first}"]')
    expect(detail.get_by_test_id("critical")).to_be_visible()
    expect(detail.get_by_test_id("full-history")).to_have_count(0)  # physicians only
    rows = crew_http.get(f"{crew_http.base}/api/incidents/{second}/inquiries").json()
    assert [(r["status"], r["decline_reason"]) for r in rows] == [("declined", "no_specialist")]
    assert_clean(nurse)


def test_incoming_ambulances_are_sorted_by_eta_with_a_countdown(system, new_page):
    doctor = open_dashboard(new_page, system, "er-doctor")
    crew_http = http_sign_in(system.hub.url, "kyukyu2")
    far = asked(system, crew_http, "SIM-000134", "腰痛 / back pain")
    near = asked(system, crew_http, "SIM-000135", "吐血 / haematemesis")
    accept(doctor, far, "腰痛")
    accept(doctor, near, "吐血")
    for iid, minutes in ((far, 25), (near, 5)):
        assert crew_http.post(f"{crew_http.base}/api/incidents/{iid}/updates",
                              json={"kind": "eta", "eta_minutes": minutes}).status_code == 201
    ours = doctor.locator(f'[data-testid=patient][data-incident="{far}"], [data-testid=patient][data-incident="{near}"]')
    expect(ours.first).to_have_attribute("data-incident", near)
    expect(ours.last).to_have_attribute("data-incident", far)
    expect(patient_on(doctor, near).get_by_test_id("eta")).to_have_text(re.compile(r"^ETA [45]:\d\d$"))
    expect(patient_on(doctor, far).get_by_test_id("eta")).to_have_text(re.compile(r"^ETA 2[45]:\d\d$"))
    assert_clean(doctor)


def test_the_dashboard_shows_when_its_link_is_down_and_since_when(system, new_page):
    doctor = open_dashboard(new_page, system, "er-doctor")
    live = doctor.get_by_test_id("live")
    expect(live).to_have_attribute("data-state", "online")
    doctor.context.set_offline(True)
    expect(live).to_have_attribute("data-state", "offline", timeout=30_000)
    expect(live).to_contain_text(re.compile(r"切断中 \d{1,2}:\d{2}"))   # down since a clock time
    doctor.context.set_offline(False)
    expect(live).to_have_attribute("data-state", "online", timeout=30_000)


def test_the_er_confirms_handover_and_the_grant_shortens_to_its_window(system, new_page):
    doctor = open_dashboard(new_page, system, "er-doctor")
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    iid = asked(system, crew_http, "SIM-000140", "腹痛 / abdominal pain")
    accept(doctor, iid, "腹痛")
    detail = open_patient(doctor, iid)
    detail.get_by_test_id("handover").click()
    expect(detail.get_by_test_id("handed-over")).to_be_visible()
    incident = crew_http.get(f"{crew_http.base}/api/incidents/{iid}").json()
    remaining = datetime.fromisoformat(incident["grant_expires_at"]) - datetime.now(timezone.utc)
    assert timedelta(minutes=25) < remaining <= timedelta(minutes=30)  # handover + 30 min, not the 3-hour cap
