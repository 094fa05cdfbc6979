"""The ER dashboard in a real browser shows the acuity the one rule gives, never the newest entry's.

The hazard: blood pressure 85 and JCS 100 made a patient red, and the next entry, a pulse alone,
turned the same patient green "stable" while the latest-vitals line hid the pressure and the JCS.
Here the crew sends exactly that; the physician's board stays red and shows each measure's own
latest value with its own time (an old one marked stale, a missing one named), the legend comes
from the rule's table, and the desk is told the clinical data is withheld, never "no vitals"."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_flow import accept, assert_clean, open_dashboard, open_patient, open_tablet, patient_on
from tests.e2e.test_ui_offline import resume

pytestmark = pytest.mark.timeout(300)


def send_vitals(crew, iid: str, taken_at: datetime, **values) -> None:
    resp = crew.post(f"{crew.base}/api/incidents/{iid}/updates",
                     json={"kind": "vitals", "vitals": {"taken_at": taken_at.isoformat(), **values}})
    assert resp.status_code == 201, resp.text


def test_bp_and_jcs_then_a_pulse_alone_stays_red_and_the_desk_sees_withheld(system, new_page):
    crew = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    clerk = open_dashboard(new_page, system, "er-clerk")
    iid = open_with_record(crew, "SIM-000161", "意識障害 / unconscious")
    resp = crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    assert resp.status_code == 201, resp.text
    accept(doctor, iid, "意識障害")
    detail = open_patient(doctor, iid)
    expect(detail.get_by_test_id("acuity")).to_have_attribute("data-level", "none")

    now = datetime.now(timezone.utc)
    taken = {"spo2": now - timedelta(minutes=30), "systolic_bp": now - timedelta(minutes=6),
             "consciousness": now - timedelta(minutes=6), "heart_rate": now}
    send_vitals(crew, iid, taken["spo2"], spo2=97)                                   # too old to count
    send_vitals(crew, iid, taken["systolic_bp"], systolic_bp=85, diastolic_bp=50, jcs=100)
    line = detail.get_by_test_id("vitals")
    expect(line).to_contain_text("BP 85/50")
    expect(patient_on(doctor, iid)).to_have_attribute("data-acuity", "red")

    send_vitals(crew, iid, taken["heart_rate"], heart_rate=80)                       # a pulse alone
    expect(line).to_contain_text("HR 80")
    expect(patient_on(doctor, iid)).to_have_attribute("data-acuity", "red")
    expect(detail.get_by_test_id("acuity")).to_have_attribute("data-level", "red")
    expect(patient_on(doctor, iid).get_by_test_id("acuity")).to_have_text("重篤")  # the level as a word, in Japanese
    for measure, text in (("systolic_bp", "BP 85/50"), ("consciousness", "JCS 100"), ("heart_rate", "HR 80"),
                          ("spo2", "SpO2 97%")):
        reading = line.locator(f'[data-testid=reading][data-measure="{measure}"]')
        expect(reading).to_contain_text(text)
        expect(reading.locator("time")).to_have_text(doctor.evaluate("iso => fmt.hm(iso)", taken[measure].isoformat()))
    spo2 = line.locator('[data-testid=reading][data-measure="spo2"]')
    expect(spo2).to_have_attribute("data-stale", "true")
    expect(spo2.get_by_test_id("stale")).to_contain_text("20")                       # and why: older than 20 min
    expect(line.locator('[data-testid=reading][data-stale="true"]')).to_have_count(1)
    # The board's row says why on hover too: on its button, as the readings in it never take the pointer.
    expect(patient_on(doctor, iid).get_by_test_id("open-patient")).to_have_attribute(
        "title", doctor.evaluate("() => tr('stale: older than {n} min', { n: 20 })"))
    expect(line.get_by_test_id("missing")).to_contain_text("RR")                     # never taken: named

    legend = doctor.get_by_test_id("acuity-legend")
    legend.locator("summary").click()
    expect(legend.locator('li[data-level="red"]')).to_contain_text("SBP < 90 mmHg")  # drawn from the rule's table
    expect(legend.locator('li[data-level="red"]')).to_contain_text("JCS ≥ 100")
    expect(legend.locator('li[data-level="incomplete"]')).to_contain_text("20")

    desk = patient_on(clerk, iid)
    expect(desk).to_have_attribute("data-acuity", "withheld")
    expect(desk.get_by_test_id("acuity")).to_have_text("臨床情報は権限により非表示")
    desk.get_by_test_id("open-patient").click()
    desk_detail = clerk.locator(f'#detail-body[data-incident="{iid}"]')
    expect(desk_detail.get_by_test_id("acuity")).to_have_attribute("data-level", "withheld")
    expect(desk_detail.get_by_test_id("vitals")).to_have_count(0)
    for page in (desk, desk_detail):
        for never in ("no vitals", "バイタルなし", "バイタル未", "stable", "安定"):
            expect(page).not_to_contain_text(never)
    assert_clean(doctor, clerk)


def test_a_childs_colour_says_the_thresholds_are_adults(system, new_page):
    """The rule's table is adults' (clinical safety H66, an interim control): a one-year-old's normal heart rate
    of 110 reads as an adult's. Wherever a child's colour is drawn (the request to accept, by its
    age band; the board's row and the crew's tablet, by the date of birth) it says so, and the
    legend says it for every patient."""
    crew_http = http_sign_in(system.hub.url, "kyukyu2")
    wait_online(crew_http, "tokyo-er")
    doctor = open_dashboard(new_page, system)
    iid = open_with_record(crew_http, "SIM-000013", "発熱 / fever")              # born a year ago
    send_vitals(crew_http, iid, datetime.now(timezone.utc) - timedelta(minutes=1), heart_rate=110, spo2=97)
    assert crew_http.post(f"{crew_http.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]}).ok
    inquiry = doctor.locator(f'[data-testid=inquiry][data-incident="{iid}"]')
    expect(inquiry.get_by_test_id("inquiry-who")).to_contain_text("0代")
    expect(inquiry.get_by_test_id("adult-thresholds")).to_have_text("⚠ 成人の基準値")
    accept(doctor, iid, "発熱")
    expect(patient_on(doctor, iid).get_by_test_id("adult-thresholds")).to_be_visible()
    assert doctor.evaluate("() => [mayBeChild('1980-04-01'), mayBeChild(null, '20s'), mayBeChild(null, null),"
                           " mayBeChild(null, '10s')]") == [False, False, False, True]
    legend = doctor.get_by_test_id("acuity-legend")
    legend.locator("summary").click()
    expect(legend.get_by_test_id("legend-adults")).to_contain_text("小児の正常値は異なる")

    crew = open_tablet(new_page, system, "kyukyu2")
    resume(crew, iid)
    crew.locator('nav.steps button[data-step="summary"]').click()                 # the record, with the date of birth
    expect(crew.locator("#acuity-now").get_by_test_id("adult-thresholds")).to_be_visible()
    assert_clean(doctor, crew)
