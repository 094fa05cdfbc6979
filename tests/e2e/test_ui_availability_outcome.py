"""The fire service's side of the ER, live on both screens in real browsers.

Availability: a nurse taps "stroke: available" on the ER dashboard, and a crew's tablet that has
the hospitals step open, sorted for a stroke patient, moves that ER up at once, with its distance
and the time it was set; the desk reads the status but has no buttons. A list read before a change
but delivered after its push draws nothing older, on the tablet or on the desk (H61).
Outcome: after handover a physician records the severity at first diagnosis, the diagnosis and
the disposition; the crew's tablet shows it without a reload, and a correction shows as version 2.
A nurse cannot return one; the tablet's read of the outcome, delivered after the ER's push, does not
draw "not returned yet" over it. Screenshots in Japanese and English."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import screenshots_folder
from tests.e2e.conftest import open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.held import HeldReading
from tests.e2e.test_ui_flow import accept, assert_clean, open_dashboard, open_patient, set_language, sign_in
from tests.e2e.test_ui_offline import resume

pytestmark = pytest.mark.timeout(300)
SCREENSHOTS = screenshots_folder()
NEAR_TOKYO_ER = {"latitude": 35.6950, "longitude": 139.7530}  # Chiyoda: tokyo-er is the nearest demo ER


def both_languages(page: Page, name: str, prepare) -> None:
    """<name>.ja.png and <name>.en.png, each after a reload in that language and `prepare(page)`."""
    for lang in ("ja", "en", None):  # None: back to Japanese, as the page was
        set_language(page, lang or "ja")
        page.reload()
        expect(page.locator("html")).to_have_attribute("lang", lang or "ja")
        prepare(page)
        if lang:
            page.screenshot(path=str(SCREENSHOTS / f"{name}.{lang}.png"))


def set_status(session, url: str, capability: str, status: str) -> None:
    resp = session.post(f"{url}/api/availability", json={"capability": capability, "status": status})
    assert resp.status_code == 200, resp.text


def tablet_at(new_page, system, username: str) -> Page:
    page = new_page()
    page.context.grant_permissions(["geolocation"], origin=system.hub.url)
    page.context.set_geolocation(NEAR_TOKYO_ER)
    sign_in(page, system.hub.url, username)
    expect(page.locator("#start-view")).to_be_visible()
    return page


def hospital_ids(crew: Page) -> list[str]:
    return crew.locator("[data-testid=hospital]").evaluate_all("rows => rows.map(r => r.dataset.hospital)")


def stroke_list(crew: Page) -> None:
    crew.locator('nav.steps button[data-step="hospitals"]').click()
    crew.locator('[data-testid=need][data-need="stroke"]').click()
    expect(crew.locator('[data-testid=hospital][data-hospital="minato-hp"] [data-testid=hospital-need]')).to_be_visible()


def test_a_status_set_on_the_dashboard_resorts_an_open_tablets_list(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew_http, "tokyo-er", "minato-hp", "shinjuku-hp")
    tokyo, minato = system.hospitals["tokyo-er"].url, system.hospitals["minato-hp"].url
    set_status(http_sign_in(tokyo, "er-nurse"), tokyo, "stroke", "unavailable")
    set_status(http_sign_in(minato, "er-nurse"), minato, "stroke", "available")
    assert http_sign_in(tokyo, "er-clerk").post(f"{tokyo}/api/availability",
                                                  json={"capability": "ct", "status": "available"}).status_code == 403

    crew = tablet_at(new_page, system, "kyukyu1")
    open_with_record(crew_http, "SIM-000131", "右片麻痺 / right hemiparesis")
    crew.reload()
    crew.locator("[data-testid=open-incident] button").first.click()
    stroke_list(crew)
    tokyo_row = crew.locator('[data-testid=hospital][data-hospital="tokyo-er"]')
    expect(tokyo_row).to_have_attribute("data-need-status", "unavailable")
    expect(tokyo_row.get_by_test_id("hospital-need")).to_contain_text(re.compile(r"脳卒中: 受入不可 \(\d{1,2}:\d{2}設定\)"))
    expect(tokyo_row.get_by_test_id("hospital-distance")).to_have_text(re.compile(r"^0\.\d km$"))
    assert hospital_ids(crew)[0] == "minato-hp" and hospital_ids(crew)[-1] == "tokyo-er"  # unavailable last

    nurse = open_dashboard(new_page, system, "er-nurse")
    clerk = open_dashboard(new_page, system, "er-clerk")
    stroke = nurse.locator('[data-testid=availability] [data-testid=capability][data-capability="stroke"]')
    # The tablet's list read before the change, delivered after the one its push reads (H61).
    tablet_list = HeldReading(crew, lambda url: "/api/hospitals?" in url)
    crew.locator('[data-testid=need][data-need="stroke"]').click()
    listed = tablet_list.answer("the tablet read the list again")
    assert [h["id"] for h in listed][-1] == "tokyo-er"                # still unavailable
    stroke.get_by_test_id("set-available").click()
    expect(stroke).to_have_attribute("data-status", "available")
    expect(stroke.get_by_test_id("capability-state")).to_contain_text("受入可")

    # the open tablet: re-sorted without a reload, tokyo-er (nearest, now available) first
    expect(tokyo_row).to_have_attribute("data-need-status", "available")
    expect(tokyo_row.get_by_test_id("hospital-need")).to_contain_text("脳卒中: 受入可")
    assert crew.evaluate("window.performance.getEntriesByType('navigation').length") == 1
    crew.wait_for_function("() => document.querySelector('[data-testid=hospital]').dataset.hospital === 'tokyo-er'")
    assert hospital_ids(crew)[:2] == ["tokyo-er", "minato-hp"]
    tablet_list.deliver()
    assert tokyo_row.get_attribute("data-need-status") == "available"
    assert hospital_ids(crew)[:2] == ["tokyo-er", "minato-hp"]

    # the desk reads it, pushed too, and has no button
    desk_stroke = clerk.locator('[data-testid=capability][data-capability="stroke"]')
    expect(desk_stroke).to_have_attribute("data-status", "available")
    expect(clerk.locator("[data-testid=availability] button")).to_have_count(0)
    # never set: unknown, not "unavailable"
    expect(nurse.locator('[data-testid=capability][data-capability="burns"]')).to_have_attribute("data-status", "unknown")
    expect(nurse.locator('[data-testid=capability][data-capability="burns"] [data-testid=capability-state]')).to_have_text("不明 — 未設定")
    for button in nurse.locator("[data-testid=availability] button").all()[:4]:
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48

    # A colleague's change is drawn while the nurse's press is down: the press still counts (H60).
    burns = nurse.locator('[data-testid=capability][data-capability="burns"]')
    burns.get_by_test_id("set-available").hover()
    nurse.mouse.down()
    set_status(http_sign_in(tokyo, "er-doctor"), tokyo, "ct", "available")
    expect(nurse.locator('[data-testid=capability][data-capability="ct"]')).to_have_attribute("data-status", "available")
    nurse.mouse.up()
    expect(burns).to_have_attribute("data-status", "available")

    # A list read before a colleague's change but delivered after its push: the push stays (H61).
    desk_list = HeldReading(clerk, lambda url: url.endswith("/api/availability"))
    clerk.evaluate("Dash.socket.disconnect()")
    expect(clerk.get_by_test_id("live")).to_have_attribute("data-state", "offline")
    clerk.evaluate("Dash.socket.connect()")
    listed = desk_list.answer("the reconnect listed the status again")
    listed_at = datetime.fromisoformat(listed["availability"]["stroke"]["set_at"])
    while datetime.now(timezone.utc) < listed_at + timedelta(seconds=1):  # set_at has whole seconds
        clerk.wait_for_timeout(100)
    set_status(http_sign_in(tokyo, "er-doctor"), tokyo, "stroke", "unavailable")
    expect(desk_stroke).to_have_attribute("data-status", "unavailable")  # pushed, before the list
    desk_list.deliver()
    assert desk_stroke.get_attribute("data-status") == "unavailable"
    set_status(http_sign_in(tokyo, "er-nurse"), tokyo, "stroke", "available")  # as the pictures show it
    expect(desk_stroke).to_have_attribute("data-status", "available")

    both_languages(nurse, "dashboard-availability", lambda p: expect(
        p.locator('[data-testid=capability][data-capability="stroke"]')).to_have_attribute("data-status", "available"))

    def hospitals_step(p):
        if p.locator("#start-view").is_visible():
            p.locator("[data-testid=open-incident] button").first.click()
        stroke_list(p)
    both_languages(crew, "tablet-hospitals-need", hospitals_step)
    assert_clean(crew, nurse, clerk)


def test_the_er_returns_the_outcome_and_the_tablet_shows_it_live(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew_http, "tokyo-er")
    tokyo = system.hospitals["tokyo-er"].url
    doctor = open_dashboard(new_page, system, "er-doctor")
    iid = open_with_record(crew_http, "SIM-000132", "構音障害 / slurred speech")
    assert crew_http.post(f"{crew_http.base}/api/incidents/{iid}/inquiries",
                          json={"hospital_ids": ["tokyo-er"]}).status_code == 201
    accept(doctor, iid, "構音障害")
    crew = tablet_at(new_page, system, "kyukyu2")
    outcome_read = HeldReading(crew, lambda url: url.endswith(f"/api/incidents/{iid}/outcome"))  # H62
    resume(crew, iid)
    expect(crew.get_by_test_id("incident-outcome")).to_have_text("未返送")
    assert outcome_read.answer("the tablet read the outcome")["outcome"] is None

    detail = open_patient(doctor, iid)
    expect(detail.get_by_test_id("outcome")).to_contain_text("引継ぎ後に登録できます")  # not before handover
    assert crew_http.post(f"{crew_http.base}/api/incidents/{iid}/handover", json={}).status_code == 200
    nurse = http_sign_in(tokyo, "er-nurse")
    refused = nurse.post(f"{tokyo}/api/patients/{iid}/outcome", json={
        "severity": "mild", "diagnosis": {"display": "x"}, "disposition": "discharged"})
    assert refused.status_code == 403

    open_form = detail.get_by_test_id("outcome-open")
    expect(open_form).to_be_visible()
    open_form.click()
    detail.get_by_test_id("outcome-send").click()                    # nothing chosen: the fields are named
    expect(doctor.locator("#message")).not_to_be_empty()
    detail.get_by_test_id("outcome-severity").get_by_role("button", name="重症（3週間以上の入院）").click()
    detail.get_by_test_id("outcome-diagnosis").fill("I63.9 脳梗塞")
    detail.get_by_test_id("outcome-disposition").get_by_role("button", name="ICU入室").click()
    detail.get_by_test_id("outcome-send").click()
    expect(detail.get_by_test_id("outcome-recorded")).to_have_attribute("data-severity", "severe")

    shown = crew.get_by_test_id("incident-outcome")                   # live on the tablet, no reload
    expect(shown).to_have_attribute("data-severity", "severe")
    expect(shown.get_by_test_id("outcome-diagnosis")).to_have_text("I63.9 脳梗塞")
    expect(shown.get_by_test_id("outcome-disposition")).to_have_text("ICU入室")
    outcome_read.deliver()                                            # "not returned yet", as read
    assert shown.get_attribute("data-severity") == "severe"

    detail.get_by_test_id("outcome-correct").click()                  # a correction: version 2
    detail.get_by_test_id("outcome-severity").get_by_role("button", name="中等症（入院）").click()
    detail.get_by_test_id("outcome-diagnosis").fill("一過性脳虚血発作の疑い")
    detail.get_by_test_id("outcome-disposition").get_by_role("button", name="入院").click()
    detail.get_by_test_id("outcome-send").click()
    expect(detail.get_by_test_id("outcome-recorded")).to_have_attribute("data-version", "2")
    expect(shown).to_have_attribute("data-severity", "moderate")
    expect(shown).to_contain_text("一過性脳虚血発作の疑い")
    expect(shown).to_contain_text("第2版")

    both_languages(doctor, "dashboard-outcome", lambda p: (
        p.locator(f'[data-testid=patient][data-incident="{iid}"] [data-testid=open-patient]').click(),
        expect(p.get_by_test_id("outcome-recorded")).to_be_visible()))
    both_languages(crew, "tablet-outcome", lambda p: (
        resume(p, iid) if p.locator("#start-view").is_visible() else None,
        expect(p.get_by_test_id("incident-outcome")).to_have_attribute("data-severity", "moderate")))
    assert_clean(crew, doctor)
