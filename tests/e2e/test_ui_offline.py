"""The tablet's offline queue in a real browser with the network really cut (Playwright's
set_offline): updates entered in a dead zone wait in IndexedDB, survive the tab being closed
and reopened, and reach the hub in order, each exactly once, when the link returns."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_flow import SCREENSHOTS, accept, open_dashboard, open_patient, open_tablet

pytestmark = pytest.mark.timeout(300)


def resume(crew: Page, iid: str) -> None:
    crew.locator(f'[data-testid=open-incident] button[data-incident="{iid}"]').click()
    expect(crew.get_by_test_id("incident-id")).to_have_text(iid)


def enter_heart_rate(crew: Page, value: int) -> None:
    crew.get_by_label("心拍数").fill(str(value))
    crew.locator("#vitals-form button[type=submit]").click()


def test_twenty_updates_entered_offline_arrive_in_order_exactly_once(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew_http, "tokyo-er")
    doctor = open_dashboard(new_page, system)
    iid = open_with_record(crew_http, "SIM-000120", "腹痛 / abdominal pain")
    crew_http.post(f"{crew_http.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    accept(doctor, iid, "腹痛")
    detail = open_patient(doctor, iid)

    crew = open_tablet(new_page, system)
    resume(crew, iid)
    crew.locator('nav.steps button[data-step="vitals"]').click()
    expect(crew.get_by_test_id("connection")).to_have_attribute("data-state", "online")

    crew.context.set_offline(True)
    expect(crew.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
    expect(crew.get_by_test_id("connection")).to_contain_text("切断中")
    for n in range(1, 21):
        enter_heart_rate(crew, 60 + n)
        expect(crew.get_by_test_id("queue")).to_have_attribute("data-count", str(n))
    expect(crew.locator('[data-testid=update][data-state="queued"]')).to_have_count(20)
    crew.locator("#updates").evaluate("e => e.scrollIntoView({block: 'start'})")
    crew.screenshot(path=str(SCREENSHOTS / "tablet-offline.ja.png"))
    assert crew_http.get(f"{crew_http.base}/api/incidents/{iid}/updates").json()["updates"] == []

    # The tab goes away with the queue still full; a new one, with the link back, sends it all.
    context = crew.context
    errors = [e for e in crew.js_errors if e.startswith("pageerror")]
    crew.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(system.hub.url + "/")
    expect(again.get_by_test_id("incident-id")).to_have_text(iid)  # resumed from this tablet's storage
    expect(again.locator('[data-testid=update][data-seq="20"]')).to_be_visible()
    expect(again.get_by_test_id("queue")).to_be_hidden()
    expect(again.locator('[data-testid=update][data-state="queued"]')).to_have_count(0)

    state = crew_http.get(f"{crew_http.base}/api/incidents/{iid}/updates").json()
    assert [u["seq"] for u in state["updates"]] == list(range(1, 21))
    assert [u["payload"]["vitals"]["heart_rate"] for u in state["updates"]] == list(range(61, 81))
    client_ids = [u["client_id"] for u in state["updates"]]
    assert len(set(client_ids)) == 20 and all(8 <= len(c) <= 64 for c in client_ids)
    expect(detail.get_by_test_id("vitals")).to_contain_text("HR 80")  # the dashboard shows the last one
    expect(detail.get_by_test_id("trend")).to_have_attribute("data-points", "20")
    expect(again.locator('[data-testid=update][data-seq="20"]')).to_have_attribute("data-state", "seen")

    # A second dead zone on the same page: the link's return alone sends the queue.
    context.set_offline(True)
    expect(again.get_by_test_id("connection")).to_have_attribute("data-state", "offline")
    again.locator("#note-text").fill("圏外で入力 / typed offline")
    again.locator("#note-form button[type=submit]").click()
    expect(again.get_by_test_id("queue")).to_have_attribute("data-count", "1")
    context.set_offline(False)
    expect(again.locator('[data-testid=update][data-seq="21"]')).to_contain_text("圏外で入力")
    expect(again.get_by_test_id("connection")).to_have_attribute("data-state", "online")
    expect(detail.get_by_test_id("note")).to_contain_text("圏外で入力 / typed offline")
    assert [u["seq"] for u in crew_http.get(f"{crew_http.base}/api/incidents/{iid}/updates").json()["updates"]] \
        == list(range(1, 22))
    assert errors == [] and doctor.js_errors == []
