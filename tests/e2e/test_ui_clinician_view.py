"""The dashboard read by a clinician: prose in a proportional Japanese face, vitals and times in
tabular figures, the acuity legend folded away under the lists, 48 px targets; and one patient's
pre-arrival record printed for the resuscitation bay (A4, black and white), for physicians and
nurses only."""
from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_flow import TARGETS_TOO_SMALL, assert_clean, open_dashboard, patient_on

pytestmark = pytest.mark.timeout(300)


def accepted_patient(system, doctor: Page, card: str, complaint: str) -> tuple[str, object]:
    crew = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    iid = open_with_record(crew, card, complaint)
    now = datetime.now(timezone.utc)
    for minutes_ago, vitals in ((6, {"heart_rate": 112, "systolic_bp": 88, "diastolic_bp": 52, "spo2": 93}),
                                (1, {"heart_rate": 120, "systolic_bp": 82, "diastolic_bp": 48, "spo2": 91, "jcs": 10})):
        taken = (now - timedelta(minutes=minutes_ago)).isoformat()
        assert crew.post(f"{crew.base}/api/incidents/{iid}/updates",
                         json={"kind": "vitals", "vitals": {"taken_at": taken, **vitals}}).status_code == 201
    assert crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]}).ok
    inquiry = doctor.locator(f'[data-testid=inquiry][data-incident="{iid}"]')
    inquiry.get_by_test_id("accept").click()
    patient_on(doctor, iid).locator("button.open").click()
    detail = doctor.locator(f'#detail-body[data-incident="{iid}"]')
    expect(detail.get_by_test_id("critical")).to_be_visible()
    return iid, detail


def style(page: Page, selector: str, prop: str) -> str:
    return page.locator(selector).first.evaluate(f"(e) => getComputedStyle(e).{prop}")


def fonts_drawing(page: Page, selector: str) -> list[str]:
    """The fonts the browser actually drew the element's text with (not the ones it was asked for)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    return [f["familyName"] for f in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]]


def test_dashboard_reads_as_prose_with_figures_in_columns_and_the_legend_out_of_the_way(system, new_page):
    doctor = open_dashboard(new_page, system)
    iid, detail = accepted_patient(system, doctor, "SIM-000190", "呼吸苦")
    expect(detail.get_by_test_id("vitals").get_by_test_id("reading").first).to_be_visible()

    assert "IPAPGothic" in style(doctor, "body", "fontFamily")
    drawn = fonts_drawing(doctor, "#detail-title")
    assert any(f in ("IPAPGothic", "IPA Pゴシック") for f in drawn), drawn   # proportional, not IPAGothic
    for selector in (".vitals-now", f'[data-testid=patient][data-incident="{iid}"] .readings', ".vitals-now time"):
        assert style(doctor, selector, "fontVariantNumeric") == "tabular-nums", selector
        assert "monospace" not in style(doctor, selector, "fontFamily"), selector

    legend = doctor.get_by_test_id("acuity-legend")
    assert legend.evaluate("(e) => e.open") is False                       # folded until asked for
    assert legend.bounding_box()["y"] > doctor.get_by_test_id("patients").bounding_box()["y"]  # below the patients
    legend.locator("summary").click()
    expect(legend.locator(".acuity-rows")).to_be_visible()
    assert doctor.evaluate(TARGETS_TOO_SMALL) == []
    box = detail.get_by_test_id("print").bounding_box()
    assert box["height"] >= 48 and box["width"] >= 48
    assert_clean(doctor)


def test_print_view_of_one_patient_for_the_resuscitation_bay(system, new_page):
    doctor = open_dashboard(new_page, system)
    iid, detail = accepted_patient(system, doctor, "SIM-CRITICAL", "胸痛")
    name = detail.page.get_by_test_id("detail-name").inner_text().split("（")[0]
    with doctor.expect_popup() as opened:
        detail.get_by_test_id("print").click()
    sheet = opened.value
    errors: list[str] = []
    sheet.on("pageerror", lambda exc: errors.append(str(exc)))

    expect(sheet.get_by_test_id("print-patient")).to_contain_text(name)
    expect(sheet.get_by_test_id("print-patient").get_by_test_id("birth-date")).to_have_text(
        re.compile(r"^\d{4}-\d{2}-\d{2} \(\d+歳\)$"))
    acuity = sheet.get_by_test_id("print-acuity").get_by_test_id("acuity")
    expect(acuity).to_have_attribute("data-level", "red")
    expect(acuity).to_have_text("重篤")                                     # the level as a word
    expect(sheet.get_by_test_id("critical-drug_allergies")).to_contain_text("ペニシリン")
    expect(sheet.get_by_test_id("critical-anticoagulants")).to_contain_text("ワルファリン")
    expect(sheet.get_by_test_id("critical-infections")).to_contain_text("HCV抗体 陽性")
    expect(sheet.get_by_test_id("section-medications")).to_contain_text("ワルファリン")
    expect(sheet.get_by_test_id("section-medications").get_by_test_id("source").first).to_contain_text("時点")
    rows = sheet.get_by_test_id("print-vitals-row")
    expect(rows).to_have_count(2)
    expect(rows.nth(1)).to_contain_text(re.compile(r"\d{2}:\d{2}.*120.*82/48.*91%.*JCS 10"))
    expect(sheet.get_by_test_id("printed-by")).to_contain_text("救急医 高橋")
    expect(sheet.get_by_test_id("printed-at")).to_have_text(re.compile(r"\d"))
    assert style(sheet, ".vitals-table", "fontVariantNumeric") == "tabular-nums"

    sheet.emulate_media(media="print")                                      # black and white on paper
    expect(sheet.get_by_test_id("print-now")).to_be_hidden()
    assert style(sheet, "[data-testid=print-acuity] .acuity", "backgroundColor") == "rgb(255, 255, 255)"
    assert style(sheet, "[data-testid=print-acuity] .acuity", "color") == "rgb(0, 0, 0)"
    assert sheet.pdf(format="A4")[:4] == b"%PDF"
    assert errors == []
    assert_clean(doctor)


def test_print_view_is_refused_to_the_desk_and_to_visitors(system, new_page):
    doctor = open_dashboard(new_page, system)
    iid, _detail = accepted_patient(system, doctor, "SIM-000191", "腹痛")
    url = f"{system.hospitals['tokyo-er'].url}/patients/{iid}/print"

    desk = open_dashboard(new_page, system, "er-clerk")
    patient_on(desk, iid).locator("button.open").click()
    expect(desk.locator(f'#detail-body[data-incident="{iid}"]')).to_be_visible()
    expect(desk.get_by_test_id("print")).to_have_count(0)                  # no button for the desk
    assert desk.goto(url).status == 403

    visitor = new_page()
    assert visitor.goto(url).status == 401
