"""The request to accept shows a physician the acuity by the one rule, never the newest entry alone
(docs/clinical-safety.md H35).

The hazard: the inquiry row printed the newest vitals entry without times, so a pressure of 85
and a JCS of 100 followed by a pulse alone read "HR 80" to the physician deciding whether to take
the patient. Here the crew sends exactly that before asking; the physician's row is red with each
measure and its own time, names the ambulance unit, the time asked and the ETA; the desk's row
says who asks and when, and no clinical value; a reload draws the same."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_acuity import send_vitals
from tests.e2e.test_ui_flow import assert_clean, inquiry_on, open_dashboard

pytestmark = pytest.mark.timeout(300)


def test_the_inquiry_shows_each_measures_latest_with_its_time_for_clinical_staff_only(system, new_page):
    crew = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    clerk = open_dashboard(new_page, system, "er-clerk")
    iid = crew.post(f"{crew.base}/api/incidents", json={"chief_complaint": "ショック / shock"}).json()["id"]
    now = datetime.now(timezone.utc)
    bp_at, hr_at = now - timedelta(minutes=6), now - timedelta(minutes=1)
    send_vitals(crew, iid, bp_at, systolic_bp=85, diastolic_bp=50, jcs=100)
    send_vitals(crew, iid, hr_at, heart_rate=80)                                    # the newest entry: a pulse alone
    eta = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json={"kind": "eta", "eta_minutes": 12})
    assert eta.status_code == 201, eta.text
    resp = crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    assert resp.status_code == 201, resp.text

    row = inquiry_on(doctor, iid)
    expect(row).to_have_attribute("data-status", "pending")
    expect(row.get_by_test_id("acuity")).to_have_attribute("data-level", "red")
    readings = row.get_by_test_id("inquiry-vitals")
    for measure, text, taken in (("systolic_bp", "BP 85/50", bp_at), ("consciousness", "JCS 100", bp_at),
                                 ("heart_rate", "HR 80", hr_at)):
        reading = readings.locator(f'[data-testid=reading][data-measure="{measure}"]')
        expect(reading).to_contain_text(text)
        expect(reading.locator("time")).to_have_text(doctor.evaluate("iso => fmt.hm(iso)", taken.isoformat()))
    expect(readings.get_by_test_id("missing")).to_contain_text("SpO2")           # never taken: named
    expect(row.get_by_test_id("inquiry-unit")).to_contain_text("tokyo-1")
    expect(row.get_by_test_id("inquiry-asked").locator("time")).to_have_text(re.compile(r"^\d{1,2}:\d{2}$"))
    expect(row.get_by_test_id("inquiry-eta")).to_have_text("ETA 12分")
    for never in ("安定", "stable"):
        expect(row).not_to_contain_text(never)

    desk = inquiry_on(clerk, iid)
    expect(desk.get_by_test_id("inquiry-unit")).to_contain_text("tokyo-1")
    expect(desk.get_by_test_id("inquiry-eta")).to_have_text("ETA 12分")
    expect(desk.get_by_test_id("inquiry-acuity")).to_have_count(0)
    for never in ("85", "JCS", "HR 80"):
        expect(desk).not_to_contain_text(never)

    doctor.reload()                                                              # read back from the hospital's store
    row = inquiry_on(doctor, iid)
    expect(row.get_by_test_id("acuity")).to_have_attribute("data-level", "red")
    expect(row.get_by_test_id("inquiry-vitals")).to_contain_text("BP 85/50")
    expect(row.get_by_test_id("inquiry-unit")).to_contain_text("tokyo-1")
    assert_clean(doctor, clerk)
