"""The ER board across a working day, in real browsers on real servers: it stays clear, each new
patient is acknowledged on its own, a request to accept says enough to decide, and the browser's
back button goes back a step (docs/clinical-safety.md H40, H41, H42).

Before: accepted inquiries of closed incidents stayed under 受入照会 for ever; the new-patient
banner listed several patients and its one Acknowledge acknowledged the first alone; the inquiry
said "80s" in English on the Japanese screen and nothing of how to reach the crew; and the back
button left the app."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from launcher.system import DEMO_HOSPITALS
from tests.e2e.conftest import open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.held import HeldReading
from tests.e2e.test_ui_flow import (accept, assert_clean, inquiry_on, open_dashboard, patient_on, screenshot,
                                    set_language)

pytestmark = pytest.mark.timeout(300)
HOSPITALS = [DEMO_HOSPITALS[0], DEMO_HOSPITALS[2]]  # own_system starts tokyo-er and shinjuku-hp
ONLINE = "[data-testid=live][data-state=online]"


@pytest.fixture(scope="module")
def system(own_system):
    """Its own: the banner lists every patient on the board not yet acknowledged."""
    return own_system


def ask(crew, iid: str, *hospitals: str) -> None:
    resp = crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": list(hospitals)})
    assert resp.status_code == 201, resp.text


def notice_for(page: Page, iid: str):
    return page.locator(f'[data-testid=inquiry-notice][data-incident="{iid}"]')


def test_the_board_lists_open_requests_only_and_says_why_one_left(system, new_page):
    crew = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er", "shinjuku-hp")
    doctor = open_dashboard(new_page, system, "er-doctor")
    nurse = open_dashboard(new_page, system, "er-nurse")
    taken, closed, elsewhere = (open_with_record(crew, card, complaint) for card, complaint in
                                (("SIM-000140", "胸痛"), ("SIM-000141", "腹痛"), ("SIM-000142", "頭痛")))
    ask(crew, taken, "tokyo-er")
    ask(crew, closed, "tokyo-er")
    ask(crew, elsewhere, "tokyo-er", "shinjuku-hp")
    for page in (doctor, nurse):
        for iid in (taken, closed, elsewhere):
            expect(inquiry_on(page, iid)).to_have_attribute("data-status", "pending")

    # Accepted here: off the list on every board; the colleague who did not press is told.
    accept(doctor, taken, "胸痛")
    expect(inquiry_on(nurse, taken)).to_have_count(0)
    expect(notice_for(nurse, taken)).to_have_attribute("data-status", "accepted")
    expect(notice_for(nurse, taken)).to_contain_text("他の端末で受入れ済み")
    expect(notice_for(doctor, taken)).to_have_count(0)          # the one who pressed knows
    expect(patient_on(nurse, taken)).to_have_count(1)

    # The crew closes an incident still asking: it leaves, saying so.
    assert crew.post(f"{crew.base}/api/incidents/{closed}/close", json={}).status_code == 200
    for page in (doctor, nurse):
        expect(inquiry_on(page, closed)).to_have_count(0)
        expect(notice_for(page, closed)).to_have_attribute("data-reason", "closed")
        expect(notice_for(page, closed)).to_contain_text("救急隊が事案を終了しました")

    # Another hospital accepts first.
    shinjuku = http_sign_in(system.hospitals["shinjuku-hp"].url, "er-doctor")
    [theirs] = [q for q in shinjuku.get(f"{shinjuku.base}/api/inquiries").json() if q["incident_id"] == elsewhere]
    assert shinjuku.post(f"{shinjuku.base}/api/inquiries/{theirs['inquiry_id']}/answer", json={"accept": True}).ok
    expect(inquiry_on(doctor, elsewhere)).to_have_count(0)
    expect(notice_for(doctor, elsewhere)).to_have_attribute("data-reason", "accepted_elsewhere")
    expect(notice_for(doctor, elsewhere)).to_contain_text("他の医療機関が受け入れました")
    notice_for(doctor, elsewhere).get_by_test_id("dismiss-notice").click()
    expect(notice_for(doctor, elsewhere)).to_have_count(0)

    # The patient accepted here and closed before handover leaves the incoming list too (its own notice).
    assert crew.post(f"{crew.base}/api/incidents/{taken}/close", json={}).status_code == 200
    expect(patient_on(doctor, taken)).to_have_count(0)
    expect(doctor.locator(f'[data-testid=removed-notice][data-incident="{taken}"]')).to_be_visible()

    # A reload lists none of them: the board stays clear.
    doctor.reload()
    expect(doctor.get_by_test_id("live")).to_have_attribute("data-state", "online")
    for iid in (taken, closed, elsewhere):
        expect(inquiry_on(doctor, iid)).to_have_count(0)
    expect(doctor.get_by_test_id("no-inquiries")).to_be_visible()     # said, on this module's own board
    assert_clean(doctor, nurse)


def test_each_patient_in_the_banner_is_acknowledged_on_its_own(system, new_page):
    crew = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    nurse = open_dashboard(new_page, system, "er-nurse")
    patients = []
    for card, complaint in (("SIM-000143", "呼吸困難"), ("SIM-000144", "意識障害"), ("SIM-000145", "吐血")):
        iid = open_with_record(crew, card, complaint)
        ask(crew, iid, "tokyo-er")
        accept(doctor, iid, complaint)
        patients.append(iid)
    first, second, third = patients
    banner = doctor.get_by_test_id("alert")
    for iid in patients:
        expect(banner.locator(f'[data-testid=alert-patient][data-incident="{iid}"]')).to_be_visible()
    screenshot(doctor, "dashboard-banner", ONLINE)  # online once the board is read

    # From the banner: the second patient alone.
    doctor.locator(f'[data-testid=alert-patient][data-incident="{second}"] [data-testid=alert-ack]').click()
    for page in (doctor, nurse):
        expect(page.locator(f'[data-testid=alert-patient][data-incident="{second}"]')).to_have_count(0)
        expect(patient_on(page, second).get_by_test_id("acked")).to_be_visible()
        for still in (first, third):
            expect(page.locator(f'[data-testid=alert-patient][data-incident="{still}"]')).to_be_visible()
            expect(patient_on(page, still).get_by_test_id("unacked")).to_be_visible()
        expect(page.get_by_test_id("alert")).to_have_attribute("data-alerting", "true")

    # From the row: the first.
    patient_on(nurse, first).get_by_test_id("row-acknowledge").click()
    for page in (doctor, nurse):
        expect(page.locator(f'[data-testid=alert-patient][data-incident="{first}"]')).to_have_count(0)
        expect(patient_on(page, first).get_by_test_id("row-acknowledge")).to_have_count(0)
        expect(page.get_by_test_id("alert")).to_be_visible()             # the third still waits

    # The last one: the banner goes, everywhere.
    doctor.locator(f'[data-testid=alert-patient][data-incident="{third}"] [data-testid=alert-ack]').click()
    for page in (doctor, nurse):
        expect(page.get_by_test_id("alert")).to_be_hidden()
        expect(page.get_by_test_id("alert")).to_have_attribute("data-alerting", "false")
        for iid in patients:
            expect(patient_on(page, iid).get_by_test_id("acked")).to_be_visible()
    assert_clean(doctor, nurse)


def test_the_request_shows_unit_callback_times_eta_and_vitals_in_japanese_and_english(system, new_page):
    crew = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    clerk = open_dashboard(new_page, system, "er-clerk")
    iid = open_with_record(crew, "SIM-000146", "めまい")
    vitals = crew.post(f"{crew.base}/api/incidents/{iid}/updates",
                       json={"kind": "vitals", "vitals": {"systolic_bp": 92, "diastolic_bp": 60, "heart_rate": 118}})
    assert vitals.status_code == 201, vitals.text
    eta = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json={"kind": "eta", "eta_minutes": 14})
    assert eta.status_code == 201, eta.text
    ask(crew, iid, "tokyo-er")
    er = http_sign_in(system.hospitals["tokyo-er"].url, "er-doctor")
    sent, deadline = [], time.monotonic() + 15     # the request reaches the ER over its hub link
    while not sent and time.monotonic() < deadline:
        sent = [q for q in er.get(f"{er.base}/api/inquiries").json() if q["incident_id"] == iid]
        time.sleep(0 if sent else 0.2)
    [sent] = sent
    decade = sent["age_band"][:-1]                                   # "80s" -> "80": what the hub sent

    for lang in ("ja", "en"):
        if lang == "en":
            set_language(doctor, "en")
            doctor.reload()
            expect(doctor.locator("html")).to_have_attribute("lang", "en")
        row = inquiry_on(doctor, iid)
        expect(row.get_by_test_id("inquiry-who")).to_contain_text(f"{decade}代" if lang == "ja" else f"{decade}s")
        expect(row.get_by_test_id("inquiry-unit")).to_contain_text("tokyo-1")
        callback = row.get_by_test_id("inquiry-callback")
        expect(callback).to_contain_text("03-0000-0119")
        expect(callback).to_contain_text("救急隊連絡先" if lang == "ja" else "Crew callback")
        expect(callback.locator("a")).to_have_attribute("href", "tel:0300000119")
        expect(row.get_by_test_id("inquiry-asked").locator("time")).to_have_text(
            doctor.evaluate("iso => fmt.hm(iso)", sent["asked_at"]))
        expect(row.get_by_test_id("inquiry-eta")).to_have_text("ETA 14分" if lang == "ja" else "ETA 14min")
        as_of = doctor.evaluate("iso => fmt.hm(iso)", sent["eta_at"])
        expect(row.get_by_test_id("inquiry-eta-at")).to_contain_text(f"{as_of}時点" if lang == "ja" else f"as of {as_of}")
        for measure, text in (("systolic_bp", "BP 92/60"), ("heart_rate", "HR 118")):
            reading = row.get_by_test_id("inquiry-vitals").locator(f'[data-testid=reading][data-measure="{measure}"]')
            expect(reading).to_contain_text(text)
            expect(reading.locator("time")).to_have_text(
                doctor.evaluate("iso => fmt.hm(iso)", sent["acuity"]["measures"][measure]["taken_at"]))
        expect(row.get_by_test_id("inquiry-who")).not_to_contain_text("80s" if lang == "ja" else "代")
    set_language(doctor, "ja")
    doctor.reload()
    expect(inquiry_on(doctor, iid).get_by_test_id("inquiry-callback")).to_contain_text("03-0000-0119")

    # While the physician decides, the crew's newer vitals and ETA arrive in the same request; a
    # decline reason being chosen stays chosen.
    inquiry_on(doctor, iid).get_by_label("辞退理由").select_option("no_specialist")
    for body in ({"kind": "vitals", "vitals": {"spo2": 87}}, {"kind": "eta", "eta_minutes": 6}):
        assert crew.post(f"{crew.base}/api/incidents/{iid}/updates", json=body).status_code == 201
    row = inquiry_on(doctor, iid)
    spo2 = row.get_by_test_id("inquiry-vitals").locator('[data-testid=reading][data-measure="spo2"]')
    expect(spo2).to_contain_text("87")
    expect(row.get_by_test_id("inquiry-eta")).to_have_text("ETA 6分")
    expect(row.get_by_label("辞退理由")).to_have_value("no_specialist")
    expect(row).to_have_count(1)
    screenshot(doctor, "dashboard-inquiry-content", ONLINE)

    desk = inquiry_on(clerk, iid)                                    # the desk: who asks and when, no number
    expect(desk.get_by_test_id("inquiry-unit")).to_contain_text("tokyo-1")
    expect(desk.get_by_test_id("inquiry-eta-at")).to_contain_text("時点")
    expect(desk.get_by_test_id("inquiry-callback")).to_have_count(0)
    expect(desk).not_to_contain_text("03-0000-0119")
    # How long the crew has waited, on every board; past three minutes it is marked (H65).
    waiting = desk.get_by_test_id("inquiry-waiting")
    expect(waiting).to_have_text(re.compile(r"^回答待ち \d+:\d{2}$"))
    expect(waiting).to_have_attribute("data-long", "false")
    clerk.clock.install()                                            # the desk's clock alone, three minutes on
    clerk.clock.fast_forward("03:05")
    expect(waiting).to_have_attribute("data-long", "true")
    expect(waiting).to_have_text(re.compile(r"^[34]:\d{2} 回答なし$"))
    inquiry_on(doctor, iid).get_by_test_id("decline").click()       # leaves this module's board clear
    expect(inquiry_on(clerk, iid)).to_have_count(0)
    assert_clean(doctor, clerk)


def test_a_request_listed_again_after_a_reconnect_keeps_the_newer_eta_pushed_meanwhile(system, new_page):
    """H56 on the screen: after a reconnect the page lists the open requests again, and a list
    read before the crew's newer ETA was pushed may be answered after it."""
    crew = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    iid = open_with_record(crew, "SIM-000149", "動悸")
    eta = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json={"kind": "eta", "eta_minutes": 14})
    assert eta.status_code == 201, eta.text
    ask(crew, iid, "tokyo-er")
    shown_eta = inquiry_on(doctor, iid).get_by_test_id("inquiry-eta")
    expect(shown_eta).to_have_text("ETA 14分")
    listed = HeldReading(doctor, lambda url: url.endswith("/api/inquiries"))
    doctor.evaluate("Dash.socket.disconnect()")
    expect(doctor.get_by_test_id("live")).to_have_attribute("data-state", "offline")
    doctor.evaluate("Dash.socket.connect()")
    assert [q["eta_minutes"] for q in listed.answer("the reconnect listed the requests again")
            if q["incident_id"] == iid] == [14]
    eta = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json={"kind": "eta", "eta_minutes": 6})
    assert eta.status_code == 201, eta.text
    expect(shown_eta).to_have_text("ETA 6分")                         # pushed, before the list's answer
    listed.deliver()
    assert shown_eta.inner_text() == "ETA 6分"
    inquiry_on(doctor, iid).get_by_test_id("decline").click()       # leaves this module's board clear
    expect(inquiry_on(doctor, iid)).to_have_count(0)
    assert_clean(doctor)


def test_the_back_button_goes_from_a_patient_to_the_board_not_out_of_the_app(system, new_page):
    crew = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    start = doctor.url
    first = open_with_record(crew, "SIM-000147", "腰痛")
    second = open_with_record(crew, "SIM-000148", "発熱")
    for iid, complaint in ((first, "腰痛"), (second, "発熱")):
        ask(crew, iid, "tokyo-er")
        accept(doctor, iid, complaint)

    def shown(iid: str):
        return doctor.locator(f'#detail-body[data-incident="{iid}"] [data-testid=critical]')

    patient_on(doctor, first).get_by_role("button", name="腰痛").click()
    expect(shown(first)).to_be_visible()
    patient_on(doctor, second).get_by_role("button", name="発熱").click()
    expect(shown(second)).to_be_visible()
    doctor.go_back()                                                  # a step: the patient before
    expect(shown(first)).to_be_visible()
    doctor.go_back()                                                  # the board, no patient open
    expect(doctor.locator("#detail-body [data-testid=critical]")).to_have_count(0)
    expect(doctor.locator("#detail-title")).to_contain_text("患者を選択")
    expect(patient_on(doctor, first).get_by_role("button", name="腰痛")).to_have_attribute("aria-current", "false")
    assert doctor.url == start and doctor.evaluate("window.__sameDocument") is True  # still in the app
    doctor.go_forward()
    expect(shown(first)).to_be_visible()
    assert_clean(doctor)


def pressed_while_redrawn(page: Page, button, crew, iid: str, update: dict, drawn) -> None:
    """Press the button, let the crew's update redraw its row while the pointer is down (`drawn`
    shows it has), then release: what a physician does when vitals arrive mid-click."""
    button.hover()                                                    # the pointer on it, then pressed
    page.mouse.down()
    sent = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json=update)
    assert sent.status_code == 201, sent.text
    expect(drawn).to_be_visible()
    page.mouse.up()


def test_a_press_counts_when_a_push_redraws_its_row_while_pressed(system, new_page):
    """H60: a row drawn anew between press and release had lost the click (the browser fires none):
    the patient did not open, 受入 sent nothing and 確認 acknowledged nothing, with nothing on
    screen to say so, whenever the crew's update or a colleague's answer arrived mid-press."""
    crew = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    coming = open_with_record(crew, "SIM-000150", "めまい")
    ask(crew, coming, "tokyo-er")
    accept(doctor, coming, "めまい")
    asking = open_with_record(crew, "SIM-000151", "呼吸困難")
    ask(crew, asking, "tokyo-er")
    expect(inquiry_on(doctor, asking)).to_have_attribute("data-status", "pending")

    row = patient_on(doctor, coming)
    pressed_while_redrawn(doctor, row.get_by_test_id("open-patient"), crew, coming,
                          {"kind": "vitals", "vitals": {"heart_rate": 131}},
                          row.get_by_test_id("patient-vitals").get_by_text("131"))
    expect(doctor.locator(f'#detail-body[data-incident="{coming}"] [data-testid=critical]')).to_be_visible()

    request = inquiry_on(doctor, asking)
    pressed_while_redrawn(doctor, request.get_by_test_id("accept"), crew, asking, {"kind": "eta", "eta_minutes": 7},
                          request.get_by_test_id("inquiry-eta").get_by_text("ETA 7分"))
    expect(request).to_have_count(0)                                   # accepted: the patient comes in
    expect(patient_on(doctor, asking)).to_have_count(1)

    # The new-patient banner gains a patient a colleague accepted while this one's 確認 is pressed.
    third = open_with_record(crew, "SIM-000152", "失神")
    ask(crew, third, "tokyo-er")
    expect(inquiry_on(doctor, third)).to_have_attribute("data-status", "pending")
    banner = doctor.locator(f'[data-testid=alert-patient][data-incident="{coming}"]')
    banner.get_by_test_id("alert-ack").hover()
    doctor.mouse.down()
    colleague = http_sign_in(system.hospitals["tokyo-er"].url, "er-doctor")
    [request] = [q for q in colleague.get(f"{colleague.base}/api/inquiries").json() if q["incident_id"] == third]
    assert colleague.post(f"{colleague.base}/api/inquiries/{request['inquiry_id']}/answer", json={"accept": True}).ok
    expect(doctor.locator(f'[data-testid=alert-patient][data-incident="{third}"]')).to_be_visible()
    doctor.mouse.up()
    expect(banner).to_have_count(0)                                    # acknowledged: off the banner
    expect(patient_on(doctor, coming).get_by_test_id("acked")).to_be_visible()
    assert_clean(doctor)
