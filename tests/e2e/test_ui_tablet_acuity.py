"""The crew tablet shows the patient's acuity from the one rule the ER dashboard uses.

A set with blood pressure and JCS, then one with only a heart rate: judged by the newest entry
alone the patient in shock would turn "incomplete" or green. The tablet must keep the badge red
and show each measure's own latest value with its own time, and the ER physician looking at the
same patient must read the same level and the same values."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_flow import accept, assert_clean, open_dashboard, open_patient, open_tablet

pytestmark = pytest.mark.timeout(300)

HH_MM = re.compile(r"^\d{1,2}:\d{2}$")


def send_vitals(crew: Page, seq: int, values: dict[str, str], jcs: str | None = None) -> None:
    form = crew.locator("#vitals-form")
    for name, value in values.items():
        form.locator(f'[name="{name}"]').fill(value)
    if jcs is not None:
        crew.locator(f'[data-jcs="{jcs}"]').click()
    form.locator("button[type=submit]").click()
    expect(crew.locator(f'[data-testid=update][data-seq="{seq}"]')).to_have_attribute("data-state", re.compile("sent|delivered|seen"))


def reading(root, measure: str):
    return root.locator(f'[data-testid=reading][data-measure="{measure}"]')


def expect_shown_with_its_time(root, measure: str, text: str) -> None:
    shown = reading(root, measure)
    expect(shown).to_contain_text(text)
    expect(shown.locator("time")).to_have_text(HH_MM)
    expect(shown).to_have_attribute("data-stale", "false")


def test_bp_and_jcs_then_hr_only_stays_red_on_the_tablet_as_on_the_dashboard(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew_http, "tokyo-er")
    iid = open_with_record(crew_http, "SIM-000180", "意識障害 / unconscious")

    crew = open_tablet(new_page, system)
    crew.locator(f'[data-testid=open-incident] button[data-incident="{iid}"]').click()
    expect(crew.get_by_test_id("incident-id")).to_have_text(iid)
    now = crew.get_by_test_id("acuity-now")
    expect(now.get_by_test_id("acuity")).to_have_attribute("data-level", "none")
    expect(now.get_by_test_id("vitals")).to_contain_text("バイタル未着")

    crew.locator('nav.steps button[data-step="vitals"]').click()
    send_vitals(crew, 1, {"systolic_bp": "85"}, jcs="100")
    expect(now.get_by_test_id("acuity")).to_have_attribute("data-level", "red")
    expect_shown_with_its_time(now, "systolic_bp", "SBP 85")
    expect_shown_with_its_time(now, "consciousness", "JCS 100")

    send_vitals(crew, 2, {"heart_rate": "88"})
    expect_shown_with_its_time(now, "heart_rate", "HR 88")  # the answer after the second set is on screen
    expect(now.get_by_test_id("acuity")).to_have_attribute("data-level", "red")
    expect_shown_with_its_time(now, "systolic_bp", "SBP 85")
    expect_shown_with_its_time(now, "consciousness", "JCS 100")
    expect(now.get_by_test_id("missing")).to_contain_text("SpO2, RR")  # what was never measured is said
    texts = now.get_by_test_id("reading").all_text_contents()

    # The ER reads the same: the same level, the same values with the same times.
    doctor = open_dashboard(new_page, system)
    resp = crew_http.post(f"{crew_http.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    assert resp.status_code == 201, resp.text
    accept(doctor, iid, "意識障害")
    detail = open_patient(doctor, iid)
    expect(detail.locator("#detail-head").get_by_test_id("acuity")).to_have_attribute("data-level", "red")
    expect(detail.get_by_test_id("vitals").get_by_test_id("reading")).to_have_text(texts)
    assert_clean(crew, doctor)
