"""Several patients on one tablet, in a real browser: a crew at a scene with five casualties opens
an incident for each without closing the others, switches between them from any step, works
through a dead zone with updates queued for several patients at once (and a value typed for one
patient, not yet sent, left on screen at a switch), and every update reaches the incident it was
entered for, checked at the hub. The browser's back button goes back a step, and from a patient
to the list, never out of the app."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from launcher.system import DEMO_HOSPITALS
from tests.e2e.conftest import sign_in as http_sign_in, wait_online
from tests.e2e.held import HeldReading
from tests.e2e.test_ui_flow import SCREENSHOTS, TARGETS_TOO_SMALL, open_tablet, screenshot
from tests.e2e.test_ui_tablet_live import accepted_by

pytestmark = pytest.mark.timeout(300)
HOSPITALS = DEMO_HOSPITALS[:2]  # own_system starts tokyo-er and minato-hp

SCENE = ["胸痛 / chest pain", "頭部外傷 / head injury", "大腿骨骨折 / femur fracture", "熱傷 / burns",
         "過換気 / hyperventilation"]


@pytest.fixture(scope="module")
def system(own_system):
    """Its own: the crew's list of open patients is this module's five, no other test's."""
    return own_system


def switcher(crew: Page):
    return crew.locator("#patient-list [data-testid=patient]")


def on_patient(crew: Page, iid: str) -> None:
    switcher(crew).and_(crew.locator(f'[data-incident="{iid}"]')).click()
    expect(crew.get_by_test_id("incident-id")).to_have_text(iid)


def add_patient(crew: Page, complaint: str) -> str:
    if crew.locator("#incident-view").is_visible():
        crew.get_by_test_id("new-patient").click()
    expect(crew.locator("#start-view")).to_be_visible()
    crew.locator("#complaint").fill(complaint)
    crew.locator("#open-incident").click()
    expect(crew.get_by_test_id("incident-complaint")).to_have_text(complaint)
    return crew.get_by_test_id("incident-id").inner_text()


def vitals_step(crew: Page) -> None:
    crew.locator('nav.steps button[data-step="vitals"]').click()
    expect(crew.locator("#step-vitals")).to_be_visible()


def send_heart_rate(crew: Page, value: int) -> None:
    crew.get_by_label("心拍数").fill(str(value))
    crew.locator("#vitals-form button[type=submit]").click()
    expect(crew.get_by_label("心拍数")).to_have_value("")


def send_note(crew: Page, text: str) -> None:
    crew.locator("#note-text").fill(text)
    crew.locator("#note-form button[type=submit]").click()
    expect(crew.locator("#note-text")).to_have_value("")


def unsent(crew: Page, iid: str):
    return crew.locator(f'#patient-list [data-incident="{iid}"] [data-testid=unsent]')


def test_five_patients_at_one_scene_each_update_reaches_its_own_incident(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew_http, "tokyo-er", "minato-hp")
    crew = open_tablet(new_page, system)
    crew.set_viewport_size({"width": 1024, "height": 768})
    crew.evaluate("window.__sameDocument = true")

    ids = [add_patient(crew, complaint) for complaint in SCENE]
    assert len(set(ids)) == 5
    expect(switcher(crew)).to_have_count(5)
    open_now = {i["id"]: i for i in crew_http.get(f"{system.hub.url}/api/incidents").json()}
    assert set(ids) <= set(open_now) and all(open_now[i]["status"] == "open" for i in ids)

    # Two are accepted while the crew works on the others: each patient's destination in the switcher.
    accepted_by(system, crew_http, ids[0], "tokyo-er")
    accepted_by(system, crew_http, ids[1], "minato-hp")
    expect(switcher(crew).and_(crew.locator(f'[data-incident="{ids[0]}"]'))).to_have_attribute("data-destination", "accepted")
    expect(switcher(crew).and_(crew.locator(f'[data-incident="{ids[0]}"]'))).to_contain_text("東京中央")
    expect(switcher(crew).and_(crew.locator(f'[data-incident="{ids[1]}"]'))).to_contain_text("港総合")
    expect(switcher(crew).and_(crew.locator(f'[data-incident="{ids[4]}"]'))).to_contain_text("搬送先未定")

    # Online: the first patient's vitals, and its acuity appears on its button.
    on_patient(crew, ids[0])
    vitals_step(crew)
    send_heart_rate(crew, 131)
    expect(crew.locator('[data-testid=update][data-seq="1"]')).to_contain_text("131")
    expect(switcher(crew).and_(crew.locator(f'[data-incident="{ids[0]}"]')).get_by_test_id("acuity")).to_have_attribute(
        "data-level", "red")

    # A dead zone: updates queued for four patients, switching between them with entries queued.
    crew.context.set_offline(True)
    expect(crew.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
    entered: dict[str, list[str]] = {iid: [] for iid in ids}
    for n, iid in enumerate(ids[1:], start=1):
        on_patient(crew, iid)
        vitals_step(crew)
        for hr in (100 + n, 110 + n):
            send_heart_rate(crew, hr)
            entered[iid].append(f"HR {hr}")
        send_note(crew, f"傷病者{n + 1}の記録")
        entered[iid].append(f"傷病者{n + 1}の記録")
        expect(crew.locator('[data-testid=update][data-state="queued"]')).to_have_count(3)
        expect(unsent(crew, iid)).to_have_attribute("data-count", "3")

    # A heart rate typed for patient 3 and not sent stays with patient 3 across a switch.
    on_patient(crew, ids[2])
    crew.get_by_label("心拍数").fill("150")
    on_patient(crew, ids[3])
    expect(crew.get_by_label("心拍数")).to_have_value("")
    expect(crew.locator('[data-testid=update][data-state="queued"]')).to_have_count(3)  # patient 4's own
    on_patient(crew, ids[2])
    expect(crew.get_by_label("心拍数")).to_have_value("150")
    crew.locator("#vitals-form button[type=submit]").click()
    entered[ids[2]].append("HR 150")
    expect(unsent(crew, ids[2])).to_have_attribute("data-count", "4")
    for iid, count in ((ids[1], 3), (ids[3], 3), (ids[4], 3)):
        expect(unsent(crew, iid)).to_have_attribute("data-count", str(count))
    expect(unsent(crew, ids[0])).to_have_count(0)
    assert crew.evaluate(TARGETS_TOO_SMALL) == []  # five patients in the switcher, 48 px each
    crew.screenshot(path=str(SCREENSHOTS / "tablet-patients-offline.ja.png"))

    # The tab is closed in the dead zone; reopened with the link back, each queue goes to its own patient.
    context = crew.context
    errors = [e for e in crew.js_errors if e.startswith("pageerror")]
    crew.close()
    context.set_offline(False)
    again = context.new_page()
    again.js_errors = []
    again.on("pageerror", lambda exc: again.js_errors.append(str(exc)))
    again.set_viewport_size({"width": 1024, "height": 768})
    again.goto(system.hub.url + "/")
    expect(again.get_by_test_id("incident-id")).to_have_text(ids[2])  # the patient on screen at the close
    for iid in ids:
        expect(unsent(again, iid)).to_have_count(0)
    expect(again.get_by_test_id("queue")).to_be_hidden()

    for iid in ids:
        stored = crew_http.get(f"{system.hub.url}/api/incidents/{iid}/updates").json()["updates"]
        said = [f"HR {u['payload']['vitals']['heart_rate']}" if u["kind"] == "vitals" else u["payload"]["text"]
                for u in stored]
        expected = ["HR 131"] if iid == ids[0] else entered[iid]
        assert said == expected, (iid, said)
        assert [u["seq"] for u in stored] == list(range(1, len(expected) + 1))
    # The patient's screen lists its own updates only, each delivered.
    expect(again.locator("[data-testid=update]")).to_have_count(4)
    expect(again.locator("#updates")).to_contain_text("HR 150")
    expect(again.locator("#updates")).not_to_contain_text("HR 101")
    assert errors == [] and again.js_errors == []

    screenshot(again, "tablet-patients", ready="#patient-list li:nth-child(5) [data-testid=patient]")


def test_the_back_button_goes_back_a_step_and_to_the_list(system, new_page):
    crew = open_tablet(new_page, system)
    first = add_patient(crew, "腰痛 / back pain")
    second = add_patient(crew, "めまい / dizziness")
    crew.evaluate("window.__sameDocument = true")
    for step in ("basis", "hospitals", "vitals"):
        crew.locator(f'nav.steps button[data-step="{step}"]').click()
        expect(crew.locator(f"#step-{step}")).to_be_visible()

    crew.go_back()
    expect(crew.locator("#step-hospitals")).to_be_visible()
    crew.go_back()
    expect(crew.locator("#step-basis")).to_be_visible()
    crew.go_back()
    expect(crew.locator("#step-identify")).to_be_visible()
    expect(crew.get_by_test_id("incident-id")).to_have_text(second)
    crew.go_back()  # from the patient to the list, both patients still open
    expect(crew.locator("#start-view")).to_be_visible()
    expect(crew.locator(f'[data-testid=open-incident] [data-incident="{first}"]')).to_be_visible()
    expect(crew.locator(f'[data-testid=open-incident] [data-incident="{second}"]')).to_be_visible()
    crew.go_back()  # the list came from the first patient
    expect(crew.get_by_test_id("incident-id")).to_have_text(first)
    crew.go_forward()
    expect(crew.locator("#start-view")).to_be_visible()
    crew.go_forward()
    expect(crew.get_by_test_id("incident-id")).to_have_text(second)
    expect(crew.locator("#step-identify")).to_be_visible()
    assert crew.url.startswith(system.hub.url) and crew.evaluate("window.__sameDocument") is True

    # A reload keeps the screen, and the back button still goes to the list.
    crew.locator('nav.steps button[data-step="vitals"]').click()
    crew.reload()
    expect(crew.locator("#step-vitals")).to_be_visible()
    expect(crew.get_by_test_id("incident-id")).to_have_text(second)
    crew.go_back()
    expect(crew.locator("#step-identify")).to_be_visible()
    assert crew.js_errors == []


def test_a_tap_on_another_patient_counts_while_the_switcher_is_drawn_again(system, new_page):
    """H60 on the tablet: the switcher is drawn again whenever an answer or a send changes a
    patient's line, and a patient's button drawn anew between press and release had lost the tap."""
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew_http, "tokyo-er")
    crew = open_tablet(new_page, system)
    going = add_patient(crew, "吐血 / hematemesis")
    fever = add_patient(crew, "発熱 / fever")
    button = switcher(crew).and_(crew.locator(f'[data-incident="{going}"]'))
    expect(button).to_have_attribute("data-destination", "none")
    button.hover()                                                 # the pointer on it, then pressed
    crew.mouse.down()
    accepted_by(system, crew_http, going)                          # the ER's answer redraws the switcher
    expect(button).to_have_attribute("data-destination", "accepted")
    crew.mouse.up()
    expect(crew.get_by_test_id("incident-id")).to_have_text(going)

    # The list read as the crew switches, delivered after the one the next answer makes it read:
    # the newer list stays (H62), and the other patient's acceptance does not go from the switcher.
    listing = HeldReading(crew, lambda url: url.endswith("/api/incidents"))
    other = switcher(crew).and_(crew.locator(f'[data-incident="{fever}"]'))
    other.click()
    listed = listing.answer("the switch read the list again")
    assert [i["hospital_id"] for i in listed if i["id"] == fever] == [None]  # read before the answer
    accepted_by(system, crew_http, fever)
    expect(other).to_have_attribute("data-destination", "accepted")
    listing.deliver()
    assert other.get_attribute("data-destination") == "accepted"
    assert crew.js_errors == []
