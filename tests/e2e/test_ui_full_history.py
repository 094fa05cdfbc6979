"""The physician's full history in a real browser, Japanese and English: grouped by category, each
drug once with its dates, a strength change marked and every dose kept with its own dates, every line
with its source and as-of date, and a filter box that narrows the lines as the physician types,
in either language's words."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_with_record, sign_in as http_sign_in, wait_online
from tests.e2e.test_ui_flow import accept, assert_clean, open_dashboard, patient_on, set_language

pytestmark = pytest.mark.timeout(300)


def full_history(new_page, system, card: str, complaint: str, lang: str = "ja"):
    doctor = open_dashboard(new_page, system, "er-doctor")
    if lang == "en":
        set_language(doctor, "en")
        doctor.reload()
        expect(doctor.get_by_test_id("live")).to_have_attribute("data-state", "online")
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    wait_online(crew_http, "tokyo-er")
    iid = open_with_record(crew_http, card, complaint)
    resp = crew_http.post(f"{crew_http.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]})
    assert resp.status_code == 201, resp.text
    accept(doctor, iid, complaint.split(" / ")[0])
    patient_on(doctor, iid).locator("button.open").click()
    detail = doctor.locator(f'#detail-body[data-incident="{iid}"]')
    expect(detail.get_by_test_id("critical")).to_be_visible()
    detail.get_by_test_id("full-history").click()
    view = detail.get_by_test_id("full-history-view")
    expect(view.get_by_test_id("history-filter")).to_be_visible(timeout=15_000)
    return doctor, view


def test_525_dispensings_read_as_one_line_per_drug_each_with_source_and_as_of(system, new_page):
    doctor, view = full_history(new_page, system, "SIM-CRITICAL", "胸痛 / chest pain")
    meds = view.get_by_test_id("section-medications")
    lines = meds.get_by_test_id("history-line")
    expect(meds.locator("h4")).to_contain_text("525")  # from how many entries the lines were made
    assert 5 <= lines.count() < 20
    warfarin = lines.filter(has_text="ワルファリン")
    expect(warfarin).to_have_count(1)
    expect(warfarin.get_by_test_id("history-tag")).to_contain_text("抗凝固薬")
    expect(warfarin.get_by_test_id("history-range")).to_have_text(re.compile(r"^\d{4}-\d\d-\d\d – \d{4}-\d\d-\d\d$"))
    for i in range(lines.count()):  # every line says where it comes from and how old it is
        expect(lines.nth(i).get_by_test_id("source")).to_contain_text("時点")
    # Newest first: the last dispensing of each line, in order.
    ranges = [t.split(" – ")[-1] for t in lines.locator("[data-testid=history-range]").all_inner_texts()]
    assert ranges == sorted(ranges, reverse=True)
    # A category with nothing recorded says so, never "none".
    checkups = view.get_by_test_id("section-checkups")
    expect(checkups.get_by_test_id("history-line")).to_have_count(0)
    expect(checkups.get_by_test_id("state")).to_contain_text("記録なし（不明）")
    assert_clean(doctor)


def test_a_strength_change_is_marked_and_each_dose_keeps_its_dates_ja(system, new_page):
    doctor, view = full_history(new_page, system, "SIM-LONG", "呼吸困難 / dyspnoea")
    edoxaban = view.get_by_test_id("section-medications").get_by_test_id("history-line").filter(has_text="リクシアナ")
    expect(edoxaban).to_have_count(1)
    expect(edoxaban.get_by_test_id("dose-changed")).to_contain_text("用量変更")
    doses = edoxaban.get_by_test_id("dose")
    expect(doses).to_have_count(2)
    expect(doses.nth(0)).to_contain_text("リクシアナ錠30mg")  # the newest first
    expect(doses.nth(1)).to_contain_text("リクシアナ錠60mg")
    # "No known drug allergy" is what her EMR says: said as recorded none, not left blank.
    expect(view.get_by_test_id("section-drug_allergies").get_by_test_id("state")).to_contain_text("記録上なし")

    # The filter narrows as the physician types: a drug's name, or a class in English on a Japanese screen.
    box = view.get_by_test_id("history-filter")
    box.press_sequentially("リクシ", delay=30)
    expect(view.get_by_test_id("history-line").filter(visible=True)).to_have_count(1)
    expect(view.get_by_test_id("history-count")).to_contain_text("1")
    box.fill("anticoagulant")
    expect(view.get_by_test_id("history-line").filter(visible=True)).to_have_count(1)
    box.fill("ｚｚｚ存在しない")
    expect(view.get_by_test_id("history-nothing")).to_be_visible()
    box.fill("")
    expect(view.get_by_test_id("history-nothing")).to_be_hidden()
    assert view.get_by_test_id("history-line").filter(visible=True).count() > 30
    height = box.evaluate("e => e.getBoundingClientRect().height")
    assert height >= 48, height
    view.evaluate("e => e.scrollIntoView({block: 'start'})")
    from tests.e2e.test_ui_flow import SCREENSHOTS
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    doctor.screenshot(path=str(SCREENSHOTS / "dashboard-full-history.ja.png"))
    assert_clean(doctor)


def test_the_grouped_history_in_english_filters_in_both_languages(system, new_page):
    doctor, view = full_history(new_page, system, "SIM-LONG", "呼吸困難 / dyspnoea", lang="en")
    expect(doctor.locator("html")).to_have_attribute("lang", "en")
    edoxaban = view.get_by_test_id("section-medications").get_by_test_id("history-line").filter(has_text="リクシアナ")
    expect(edoxaban.get_by_test_id("dose-changed")).to_contain_text("dose changed")
    expect(edoxaban.get_by_test_id("source").first).to_contain_text("as of")
    box = view.get_by_test_id("history-filter")
    box.fill("抗凝固")  # Japanese words find the line on an English screen
    expect(view.get_by_test_id("history-line").filter(visible=True)).to_have_count(1)
    box.fill("visits")  # a category's name shows its lines
    visible = view.get_by_test_id("history-line").filter(visible=True)
    expect(visible.first).to_be_visible()
    assert {visible.nth(i).get_attribute("data-category") for i in range(visible.count())} == {"visits"}
    box.fill("")
    view.evaluate("e => e.scrollIntoView({block: 'start'})")
    from tests.e2e.test_ui_flow import SCREENSHOTS
    doctor.screenshot(path=str(SCREENSHOTS / "dashboard-full-history.en.png"))
    assert_clean(doctor)
