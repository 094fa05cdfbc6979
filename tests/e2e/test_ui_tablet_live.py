"""The tablet live both ways, in a real browser: the ER's handover confirmation appears without a
reload, the connection chip never says "disconnected" while the tablet is plainly getting through
(its queue just delivered), and every update keeps its time after a resync."""
from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.held import HeldReading
from tests.e2e.test_ui_flow import open_dashboard, open_tablet
from tests.e2e.test_ui_offline import resume

pytestmark = pytest.mark.timeout(300)

# Every moment a queued update has its number from the hub (so the hub has it) while the chip
# says the tablet is offline: recorded in the page, on every change of either.
WATCH_CHIP = """() => {
  window.__chipLied = [];
  const check = () => {
    const chip = document.querySelector('[data-testid=connection]');
    const delivered = document.querySelectorAll('[data-testid=update][data-seq]').length;
    if (delivered > window.__seqBefore && chip.dataset.state === 'offline') {
      window.__chipLied.push(`${delivered} delivered, chip: ${chip.textContent}`);
    }
  };
  window.__seqBefore = document.querySelectorAll('[data-testid=update][data-seq]').length;
  new MutationObserver(check).observe(document.body, { subtree: true, childList: true, attributes: true,
    characterData: true });
}"""


def enter_heart_rate(crew: Page, value: int) -> None:
    """One set of vitals, queued before the next is typed (the form clears once it is queued)."""
    crew.get_by_label("心拍数").fill(str(value))
    crew.locator("#vitals-form button[type=submit]").click()
    expect(crew.get_by_label("心拍数")).to_have_value("")
    expect(crew.locator("#vitals-form button[type=submit]")).to_be_enabled()


def page_errors(page: Page) -> list[str]:
    """Uncaught errors; the browser's own complaints about a cut network (a request refused, a
    WebSocket cut mid-frame) are not the page's."""
    cut = ("ERR_INTERNET_DISCONNECTED", "WebSocket connection to")
    return [e for e in page.js_errors if not any(c in e for c in cut)]


def accepted_by(system, crew_http, iid: str, hospital_id: str = "tokyo-er") -> None:
    """The ER accepts (over its own API, as its dashboard does)."""
    crew_http.post(f"{crew_http.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital_id]})
    [inquiry] = crew_http.get(f"{crew_http.base}/api/incidents/{iid}/inquiries").json()
    doctor_http = http_sign_in(system.hospitals[hospital_id].url, "er-doctor")
    deadline = time.time() + 20
    while not doctor_http.post(f"{doctor_http.base}/api/inquiries/{inquiry['inquiry_id']}/answer",
                               json={"accept": True}).ok:
        assert time.time() < deadline, "the inquiry never reached the hospital"
        time.sleep(0.2)


def accepted_on_tablet(system, new_page, complaint: str, card: str):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew_http, "tokyo-er")
    doctor = open_dashboard(new_page, system)
    iid = open_with_record(crew_http, card, complaint)
    accepted_by(system, crew_http, iid)
    crew = open_tablet(new_page, system)
    resume(crew, iid)
    crew.evaluate("window.__sameDocument = true")  # gone if anything reloads
    return crew_http, doctor, crew, iid


def test_a_handover_confirmed_by_the_er_reaches_the_tablet_live(system, new_page):
    crew_http, doctor, crew, iid = accepted_on_tablet(system, new_page, "呼吸困難 / dyspnoea", "SIM-000131")
    expect(crew.get_by_test_id("er-state")).to_be_visible()
    crew.locator('nav.steps button[data-step="handover"]').click()
    expect(crew.get_by_test_id("handover-status")).to_be_empty()

    doctor.locator(f'[data-testid=patient][data-incident="{iid}"]').get_by_role("button").first.click()
    detail = doctor.locator(f'#detail-body[data-incident="{iid}"]')
    detail.get_by_test_id("handover").click()
    expect(doctor.get_by_test_id("handed-over")).to_be_visible()

    expect(crew.get_by_test_id("handover-status")).to_contain_text("病院が引継ぎを確認")
    expect(crew.get_by_test_id("handover-status")).to_contain_text(re.compile(r"\d{1,2}:\d{2}"))
    expect(crew.locator('nav.steps button[data-step="handover"]')).to_have_class(re.compile(r"\bdone\b"))
    assert crew.evaluate("window.__sameDocument") is True
    assert crew_http.get(f"{crew_http.base}/api/incidents/{iid}").json()["handed_over_at"]
    # After a reload it still says so: the hub's word, not a memory of the push.
    crew.reload()
    crew.locator('nav.steps button[data-step="handover"]').click()
    expect(crew.get_by_test_id("handover-status")).to_contain_text(re.compile(r"引継ぎ済: \d{1,2}:\d{2}"))
    assert detail.is_visible() and page_errors(crew) == [] and page_errors(doctor) == []


def test_the_chip_never_says_offline_once_the_queue_got_through(system, new_page):
    crew_http, doctor, crew, iid = accepted_on_tablet(system, new_page, "めまい / dizziness", "SIM-000132")
    crew.locator('nav.steps button[data-step="vitals"]').click()
    chip = crew.get_by_test_id("connection")
    expect(chip).to_have_attribute("data-state", "online")

    for _ in range(2):  # the second dead zone: the live link's retries have backed off by then
        crew.context.set_offline(True)
        expect(chip).to_have_attribute("data-state", "offline")
        for hr in (71, 72, 73):
            enter_heart_rate(crew, hr)
        crew.wait_for_timeout(4000)  # a dead zone of some seconds: the socket gives up and retries
        crew.evaluate(WATCH_CHIP)
        crew.context.set_offline(False)
        expect(crew.get_by_test_id("queue")).to_be_hidden()
        expect(chip).to_have_attribute("data-state", "online")
        assert crew.evaluate("window.__chipLied") == []
    assert len(crew_http.get(f"{crew_http.base}/api/incidents/{iid}/updates").json()["updates"]) == 6
    assert page_errors(crew) == []


def test_every_update_keeps_its_time_after_a_resync(system, new_page):
    crew_http, doctor, crew, iid = accepted_on_tablet(system, new_page, "発熱 / fever", "SIM-000133")
    crew.locator('nav.steps button[data-step="vitals"]').click()
    for hr in (81, 82):
        enter_heart_rate(crew, hr)
    crew.locator("#note-text").fill("時刻の確認 / time check")
    crew.locator("#note-form button[type=submit]").click()
    rows = crew.locator("[data-testid=update][data-seq]")
    expect(rows).to_have_count(3)

    def every_row_has_its_time():
        for i in range(3):
            expect(rows.nth(i)).to_contain_text(re.compile(r"#\d+ \d{1,2}:\d{2} "))

    every_row_has_its_time()
    # A resync on its own: the link drops and returns (the tablet reads everything again)...
    crew.context.set_offline(True)
    expect(crew.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
    crew.context.set_offline(False)
    expect(crew.get_by_test_id("connection")).to_have_attribute("data-state", "online")
    expect(rows).to_have_count(3)
    every_row_has_its_time()
    # ...and after a reload.
    crew.reload()
    expect(rows).to_have_count(3)
    every_row_has_its_time()
    stored = crew_http.get(f"{crew_http.base}/api/incidents/{iid}/updates").json()["updates"]
    assert all(re.match(r"^\d{4}-\d\d-\d\dT", u["at"]) for u in stored)
    assert page_errors(crew) == []


def test_a_hospitals_answer_stays_when_a_list_read_before_it_arrives_after(system, new_page):
    """After a reconnect the tablet lists its requests again; a list read before the ER accepted
    may be answered after the acceptance was pushed, and must not show the ER as still asked; nor
    may the incident read on a reconnect, delivered after the acceptance, take the ER away."""
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew_http, "tokyo-er")
    iid = open_with_record(crew_http, "SIM-000134", "胸痛 / chest pain")
    crew_http.post(f"{crew_http.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    crew = open_tablet(new_page, system)
    resume(crew, iid)
    row = crew.locator('[data-testid=inquiry][data-hospital="tokyo-er"]')
    expect(row).to_have_attribute("data-status", "pending")
    expect(row.get_by_test_id("inquiry-waiting")).to_have_text(re.compile(r"^回答待ち \d+:\d{2}$"))  # H65
    listed = HeldReading(crew, lambda url: url.endswith(f"/api/incidents/{iid}/inquiries"))
    crew.context.set_offline(True)
    expect(crew.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
    crew.context.set_offline(False)
    [inquiry] = listed.answer("the reconnect listed the requests again")
    assert inquiry["status"] == "pending"
    doctor_http = http_sign_in(system.hospitals["tokyo-er"].url, "er-doctor")
    assert doctor_http.post(f"{doctor_http.base}/api/inquiries/{inquiry['inquiry_id']}/answer",
                            json={"accept": True}).ok
    expect(row).to_have_attribute("data-status", "accepted")            # the push's own reading
    listed.deliver()                                                    # "asked", as it was read
    assert row.get_attribute("data-status") == "accepted"
    expect(row.get_by_test_id("inquiry-waiting")).to_have_count(0)     # answered: no longer waiting
    expect(row).to_contain_text("受入可")

    # The incident read on a reconnect, delivered after the one the acceptance's push made the
    # tablet read: the ER that accepted stays on screen (H62).
    second = open_with_record(crew_http, "SIM-000136", "腹痛 / abdominal pain")
    [asked] = crew_http.post(f"{crew_http.base}/api/incidents/{second}/inquiries", json={"hospital_ids": ["tokyo-er"]}).json()
    crew.reload()                                                       # lists the new patient
    crew.locator(f'#patient-list [data-testid=patient][data-incident="{second}"]').click()
    expect(crew.get_by_test_id("incident-id")).to_have_text(second)
    going_to = crew.locator("#incident-hospital")
    expect(going_to).to_have_text("-")
    caught_up = HeldReading(crew, lambda url: url.endswith(f"/api/incidents/{second}"))
    crew.context.set_offline(True)
    expect(crew.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
    crew.context.set_offline(False)
    assert caught_up.answer("the reconnect read the incident again")["hospital_id"] is None
    assert doctor_http.post(f"{doctor_http.base}/api/inquiries/{asked['inquiry_id']}/answer", json={"accept": True}).ok
    expect(going_to).not_to_have_text("-")                              # the push's own reading
    caught_up.deliver()                                                 # read before the acceptance
    assert going_to.inner_text() != "-"
    assert page_errors(crew) == []
