"""The region's figures and case review in a real browser: the analyst sees charts and tables in
which no count under 10 appears, by week and by unit, in Japanese and in English; the
medical-control physician opens a case's timeline and records a note."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from ems_app.services.enrolment import create_user
from launcher.seed import open_hub
from load.seed_figures import seed
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_ui_flow import assert_clean, screenshot, sign_in

pytestmark = pytest.mark.timeout(300)
ORGANISATION = "fire:figures-ui"  # a fire HQ of this module's own: its figures are only what it seeds


@pytest.fixture(scope="module")
def region(system):
    hub = open_hub(system.hub_env())
    try:
        seed(hub.db, 300, organisation=ORGANISATION, weeks=8, seed=11, station_prefix="minato")
        create_user(hub, "analyst-ui", "分析担当 UI", "fire_analyst", "", PASSWORD, ORGANISATION)
        create_user(hub, "mc-ui", "MC医師 UI", "medical_control", "", PASSWORD, ORGANISATION)
    finally:
        hub.db.dispose()
    return system


def _cell_texts(page) -> list[str]:
    return page.locator("[data-testid=figures] td").all_inner_texts()


def test_the_analyst_sees_charts_and_tables_without_a_count_under_ten(region, new_page):
    page = new_page()
    sign_in(page, region.hub.url, "analyst-ui", "/figures")
    difficulty = page.get_by_test_id("figure-difficulty")
    expect(difficulty).to_contain_text("救急搬送困難事案")
    expect(page.get_by_test_id("figure-outcomes")).to_contain_text("転帰未返送")
    cells = _cell_texts(page)
    assert "<10" in cells
    assert not [c for c in cells if re.fullmatch(r"[1-9]", c.strip())]
    chart = difficulty.locator("img")
    expect(chart).to_be_visible()
    page.wait_for_function("() => [...document.querySelectorAll('#figures img')].every(i => i.complete && i.naturalWidth > 0)")
    expect(page.locator("#to-cases")).to_be_hidden()  # the analyst has no case review

    page.locator("select[name=by]").select_option("station")
    page.locator("#filters button[type=submit]").click()
    expect(page.locator("[data-table=card] tbody th").first).to_contain_text("minato-")
    assert "by=station" in page.locator("#csv").get_attribute("href")
    assert not [c for c in _cell_texts(page) if re.fullmatch(r"[1-9]", c.strip())]
    for control in page.locator("#filters select:visible, #filters button:visible, #filters a:visible").all():
        assert control.bounding_box()["height"] >= 48
    screenshot(page, "figures", "[data-testid=figure-difficulty] img")
    assert_clean(page)


def test_the_medical_control_physician_reviews_a_case_and_records_a_note(region, new_page):
    page = new_page()
    sign_in(page, region.hub.url, "mc-ui", "/cases")
    rows = page.get_by_test_id("case-row")
    expect(rows.first).to_be_visible()
    rows.first.get_by_test_id("open-case").click()
    timeline = page.get_by_test_id("timeline")
    expect(timeline.locator("[data-what=called]")).to_contain_text("覚知")
    expect(timeline.locator("[data-what=closed]")).to_be_visible()
    page.locator("#note").fill("照会先の選定は妥当。現場滞在の短縮を検討。")
    page.locator("#note-form button[type=submit]").click()
    expect(page.get_by_test_id("review-note")).to_contain_text("照会先の選定は妥当")
    screenshot(page, "case-review", "[data-testid=timeline] li")
    assert_clean(page)
