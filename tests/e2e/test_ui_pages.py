"""The pages outside the ambulance and the ER, in a real browser: the QR share a hospital that
is not enrolled opens (passcode, lock-out, expiry) and the privacy officer's review queue. The
patient's "who viewed my data" is test_ui_patient_history.py."""
from __future__ import annotations

from datetime import timedelta

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import text

from shared.clock import utcnow
from shared.sources.simulator import OqcSimulator
from shared.storage import make_engine
from tests.e2e.conftest import open_with_record, sign_in as http_sign_in
from tests.e2e.test_ui_flow import SCREENSHOTS, assert_clean, screenshot, set_language, sign_in

pytestmark = pytest.mark.timeout(300)


def make_share(crew_http, card: str) -> tuple[str, dict]:
    iid = open_with_record(crew_http, card, "転倒 / fall")
    resp = crew_http.post(f"{crew_http.base}/api/incidents/{iid}/shares", json={"recipient": "みなと診療所"})
    assert resp.status_code == 201, resp.text
    return iid, resp.json()


def enter_passcode(page: Page, passcode: str) -> None:
    page.locator("#passcode").fill(passcode)  # the label is in one language: Japanese or English
    page.locator("#passcode-form button[type=submit]").click()


def test_share_locks_after_five_wrong_passcodes_opens_with_the_right_one_and_expires(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    _, locked = make_share(crew_http, "SIM-000140")
    page = new_page()
    page.goto(locked["url"])
    wrong = "000000" if locked["passcode"] != "000000" else "111111"
    for left in (4, 3, 2, 1):
        enter_passcode(page, wrong)
        expect(page.get_by_test_id("share-message")).to_contain_text(f"残り{left}回")
    enter_passcode(page, wrong)
    expect(page.get_by_test_id("share-message")).to_contain_text("ロックされました")
    expect(page.locator("#passcode-form")).to_be_hidden()
    page.reload()  # the lock holds for the link, not only on this screen
    expect(page.get_by_test_id("share-gone")).to_have_attribute("data-state", "locked")
    expect(page.get_by_test_id("share-gone")).to_contain_text("ロックされました")

    _, fresh = make_share(crew_http, "SIM-CRITICAL")
    for lang in ("ja", "en"):
        page.goto(fresh["url"])
        set_language(page, lang)
        page.reload()
        enter_passcode(page, fresh["passcode"])
        summary = page.get_by_test_id("share-summary")
        expect(summary).to_be_visible()
        expect(summary.get_by_test_id("patient-name")).to_contain_text(OqcSimulator().fetch("SIM-CRITICAL").card.name)
        expect(summary.get_by_test_id("critical-anticoagulants")).to_contain_text("ワルファリン")
        expect(summary.get_by_test_id("section-medications")).to_contain_text("ワルファリン")
        page.screenshot(path=str(SCREENSHOTS / f"share-summary.{lang}.png"))
    set_language(page, "ja")

    engine = make_engine(system.db_env["ems"]["DATABASE_URL"], system.db_env["ems"].get("DATABASE_SCHEMA"))
    with engine.begin() as conn:
        changed = conn.execute(text("UPDATE shares SET expires_at = :t WHERE id = :id"),
                               {"t": utcnow() - timedelta(minutes=1), "id": fresh["share_id"]}).rowcount
    engine.dispose()
    assert changed == 1
    page.goto(fresh["url"])
    expect(page.get_by_test_id("share-gone")).to_have_attribute("data-state", "expired")
    expect(page.get_by_test_id("share-summary")).to_have_count(0)
    assert_clean(page)


def test_review_queue_officer_marks_an_access_justified_with_a_comment(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    iid = crew_http.post(f"{crew_http.base}/api/incidents", json={"chief_complaint": "意識障害"}).json()["id"]
    assert crew_http.post(f"{crew_http.base}/api/incidents/{iid}/card",
                          json={"card_id": "SIM-000141", "face_confirmed": True}).ok
    assert crew_http.post(f"{crew_http.base}/api/incidents/{iid}/basis", json={"basis": {
        "kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "JCS300 家族不在"}}).ok
    assert crew_http.post(f"{crew_http.base}/api/incidents/{iid}/record", json={}).ok

    page = new_page()
    sign_in(page, system.hub.url, "privacy-fire", path="/review")
    row = page.locator(f'[data-testid=review-item][data-kind="emergency_exception"]:has(code:text-is("{iid}"))')
    expect(row).to_be_visible()
    expect(row).to_contain_text("緊急時例外")
    screenshot(page, "review-queue", "[data-testid=review-item]")
    row.get_by_label("コメント").fill("JCS300・家族不在で同意取得不能。妥当 / justified")
    row.locator('button[data-decision="justified"]').click()
    expect(row).to_have_count(0)  # gone from "to decide"
    page.locator('[data-filter="decided"]').click()
    expect(row.get_by_test_id("decision")).to_have_text("正当")
    expect(row).to_contain_text("JCS300・家族不在で同意取得不能")
    items = {i["incident_id"]: i for i in _officer_queue(system)}
    assert items[iid]["decision"] == "justified" and items[iid]["decided_by"] == "privacy-fire"
    assert_clean(page)


def _officer_queue(system) -> list[dict]:
    officer = http_sign_in(system.hub.url, "privacy-fire")
    return [i for i in officer.get(f"{system.hub.url}/api/review").json() if i["kind"] == "emergency_exception"]
