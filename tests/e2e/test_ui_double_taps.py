"""Two clinical-safety hazards on the crew tablet, in a real browser: a double tap must never make
two of anything (two vitals, two incidents), and a refusal must appear beside the field it is
about, in the paramedic's language and under the label they read, never as the API's field path,
and go away once the next action succeeds."""
from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import open_with_record, sign_in as http_sign_in
from tests.e2e.test_ui_flow import assert_clean, open_incident, open_tablet

pytestmark = pytest.mark.timeout(300)

REASON_TEXT = "basis.emergency_exception.reason_text"


def no_refusal_shown(crew: Page) -> None:
    """The message line says nothing, or something in green: no refusal is on screen."""
    state = crew.locator("#message").evaluate("m => ({text: m.textContent, ok: m.classList.contains('ok')})")
    assert state["ok"] or state["text"] == "", state
    expect(crew.get_by_test_id("field-error")).to_have_count(0)


def resume(crew: Page, iid: str) -> None:
    crew.locator(f'[data-testid=open-incident] button[data-incident="{iid}"]').click()
    expect(crew.get_by_test_id("incident-id")).to_have_text(iid)


def test_a_double_tap_on_send_vitals_stores_one_update(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    iid = open_with_record(crew_http, "SIM-000131", "二重タップ / double tap")
    crew = open_tablet(new_page, system)
    resume(crew, iid)
    crew.locator('nav.steps button[data-step="vitals"]').click()
    crew.get_by_label("心拍数").fill("99")
    crew.locator("#vitals-form button[type=submit]").dblclick()
    expect(crew.locator('[data-testid=update][data-seq="1"]')).to_contain_text("HR 99")
    # The queue sends in order: a second copy of the vitals would be stored before this note.
    crew.locator("#note-text").fill("一回だけ / once")
    crew.locator("#note-form button[type=submit]").click()
    expect(crew.locator('[data-testid=update][data-kind="note"]')).to_be_visible()

    updates = crew_http.get(f"{crew_http.base}/api/incidents/{iid}/updates").json()["updates"]
    assert [u["kind"] for u in updates] == ["vitals", "note"], updates
    no_refusal_shown(crew)
    assert_clean(crew)


def test_a_double_tap_on_new_incident_opens_one_incident(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    complaint = f"二重タップ {uuid.uuid4().hex[:8]}"
    crew = open_tablet(new_page, system)
    crew.locator("#complaint").fill(complaint)
    crew.locator("#open-incident").dblclick()
    expect(crew.get_by_test_id("incident-complaint")).to_have_text(complaint)
    crew.wait_for_load_state("networkidle")  # anything a second tap sent has been answered

    mine = [i for i in crew_http.get(f"{crew_http.base}/api/incidents").json() if i["chief_complaint"] == complaint]
    assert len(mine) == 1, mine
    expect(crew.get_by_test_id("incident-id")).to_have_text(mine[0]["id"])
    assert_clean(crew)


def test_double_taps_on_identify_and_basis_are_one_press_each(system, new_page):
    crew = open_tablet(new_page, system)
    open_incident(crew, "二重タップ / double tap")
    crew.get_by_label("券面写真と本人を照合した").check()
    crew.locator("#read-card").dblclick()
    expect(crew.get_by_test_id("card-status")).to_contain_text("本人確認済")
    expect(crew.locator("#step-basis")).to_be_visible()
    crew.locator("#consent").dblclick()
    expect(crew.locator("#step-summary")).to_be_visible()
    expect(crew.get_by_test_id("basis-status")).to_contain_text("同意")
    crew.locator("#fetch").dblclick()
    expect(crew.get_by_test_id("critical-anticoagulants")).to_contain_text("ワルファリン")
    crew.wait_for_load_state("networkidle")
    no_refusal_shown(crew)  # a second tap that reached the hub is refused: already identified, basis recorded
    assert_clean(crew)


def test_a_refusal_shows_beside_its_field_in_japanese_and_goes_when_the_next_action_succeeds(system, new_page):
    crew = open_tablet(new_page, system)
    open_incident(crew, "理由が短い / reason too short")
    crew.get_by_label("券面写真と本人を照合した").check()
    crew.locator("#read-card").click()
    expect(crew.locator("#step-basis")).to_be_visible()

    crew.get_by_label("状況").fill("ab")
    crew.locator("#exception").click()
    beside = crew.locator("label:has(#exception-text) [data-testid=field-error]")
    expect(beside).to_have_text(re.compile("3文字以上"))
    expect(crew.locator("#exception-text")).to_have_attribute("aria-invalid", "true")
    expect(crew.locator("#message")).to_have_text("入力内容を確認してください")
    for raw in (REASON_TEXT, "reason_text", "emergency_exception."):
        expect(crew.locator("body")).not_to_contain_text(raw)  # never the API's path
    expect(crew.locator("#step-basis")).to_be_visible()  # nothing recorded: still here

    crew.get_by_label("状況").fill("JCS300、家族不在")
    crew.locator("#exception").click()
    expect(crew.locator("#step-summary")).to_be_visible()
    expect(crew.get_by_test_id("field-error")).to_have_count(0)
    expect(crew.locator("#exception-text")).not_to_have_attribute("aria-invalid", "true")
    no_refusal_shown(crew)
    assert_clean(crew)
