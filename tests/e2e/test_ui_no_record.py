"""A patient accepted without a record still shows its vitals and the crew's notes, and says why
there is no record (docs/clinical-safety.md H36).

The hazard: a crew may ask hospitals before any card is read (the unconscious patient without
one, the most likely case). The ER detail drew the live part only beside the critical facts, so
such a patient showed neither vitals nor notes while the page still reported them "seen" to the
crew. Every other end-to-end test opens its incident with a record; this one never reads a card."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_acuity import send_vitals
from tests.e2e.test_ui_flow import accept, assert_clean, open_dashboard, patient_on

pytestmark = pytest.mark.timeout(300)


def seen_up_to(crew, iid: str, seq: int, timeout: float = 20) -> None:
    """The crew's tablet reads 'seen' up to seq (what the ER's dashboard reported)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        if crew.get(f"{crew.base}/api/incidents/{iid}/updates").json()["seen_seq"] >= seq:
            return
        time.sleep(0.2)
    raise AssertionError(f"'seen' never reached {seq}")


def note(crew, iid: str, text: str) -> None:
    resp = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json={"kind": "note", "text": text})
    assert resp.status_code == 201, resp.text


def test_a_patient_accepted_without_a_record_shows_vitals_and_notes_and_why(system, new_page):
    crew = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    iid = crew.post(f"{crew.base}/api/incidents", json={"chief_complaint": "意識障害 カードなし / unconscious"}).json()["id"]
    send_vitals(crew, iid, datetime.now(timezone.utc) - timedelta(minutes=2), systolic_bp=85, diastolic_bp=50, jcs=100)
    note(crew, iid, "右瞳孔散大")
    resp = crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    assert resp.status_code == 201, resp.text                                   # asked before any card: allowed
    accept(doctor, iid, "意識障害")
    expect(patient_on(doctor, iid).get_by_test_id("chip-no-record")).to_have_text("⚠ 記録なし: 不明")  # on the list too

    patient_on(doctor, iid).get_by_test_id("open-patient").click()
    detail = doctor.locator(f'#detail-body[data-incident="{iid}"]')
    expect(detail.get_by_test_id("vitals")).to_contain_text("BP 85/50")
    expect(detail.get_by_test_id("notes")).to_contain_text("右瞳孔散大")
    seen_up_to(crew, iid, 2)                                                    # seen: it is on screen
    why = detail.get_by_test_id("no-record")
    expect(why).to_have_attribute("data-status", "not_identified")              # in place of the critical facts
    expect(why).to_contain_text("本人未確認")
    expect(why).to_contain_text("不明")                                          # unknown, never "none"
    expect(detail.get_by_test_id("critical")).to_have_count(0)

    note(crew, iid, "嘔吐あり")                                                  # live, while it is open
    expect(detail.get_by_test_id("notes")).to_contain_text("嘔吐あり")
    seen_up_to(crew, iid, 3)

    # The trend goes by when each set was taken (one sent late goes back in its place), and a
    # pressure above the chart's scale is drawn at its top with its own number (H64).
    now = datetime.now(timezone.utc)
    send_vitals(crew, iid, now - timedelta(minutes=1), systolic_bp=230, heart_rate=120)
    send_vitals(crew, iid, now - timedelta(minutes=10), systolic_bp=120, heart_rate=88)  # taken first, sent last
    trend = detail.get_by_test_id("trend")
    expect(trend).to_have_attribute("data-points", "3")
    expect(trend.get_by_test_id("trend-clipped")).to_have_text("▲230")
    drawn = trend.locator('circle[data-measure="systolic_bp"]').evaluate_all(
        "cs => cs.map(c => [Number(c.getAttribute('cx')), Number(c.getAttribute('data-value'))])")
    assert [v for _, v in sorted(drawn)] == [120, 85, 230]
    line = trend.locator("polyline.sbp").get_attribute("points")
    xs = [float(p.split(",")[0]) for p in line.split()]
    assert xs == sorted(xs), "the line goes back in time"
    assert_clean(doctor)


def test_the_desk_sees_who_is_coming_without_a_record_and_no_clinical_part(system, new_page):
    crew = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    doctor = open_dashboard(new_page, system, "er-doctor")
    clerk = open_dashboard(new_page, system, "er-clerk")
    iid = crew.post(f"{crew.base}/api/incidents", json={"chief_complaint": "転倒 カードなし / fall"}).json()["id"]
    note(crew, iid, "頭部打撲")
    asked = crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    assert asked.status_code == 201, asked.text
    accept(doctor, iid, "転倒")
    expect(patient_on(doctor, iid).get_by_test_id("chip-no-record")).to_be_visible()
    expect(patient_on(clerk, iid).get_by_test_id("chip-no-record")).to_have_count(0)  # no clinical part
    patient_on(clerk, iid).get_by_test_id("open-patient").click()
    desk = clerk.locator(f'#detail-body[data-incident="{iid}"]')
    expect(desk.get_by_test_id("acuity")).to_have_attribute("data-level", "withheld")
    expect(desk.get_by_test_id("notes")).to_have_count(0)
    expect(desk.get_by_test_id("no-record")).to_have_count(0)
    expect(desk).not_to_contain_text("頭部打撲")
    assert_clean(doctor, clerk)
