"""The patient journey as people do it, in real browsers on real servers.

The HTTP journey test proves the API; this proves the screens: a paramedic on the crew tablet
and a physician on the ER dashboard, each in their own browser context, see each other's
actions without reloading, and nothing anyone typed ever runs as code. It also saves the
screenshots in docs/screenshots. Every wait is one of Playwright's auto-waiting expect()s."""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.timeout(240)

SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"
XSS = '<img src=x onerror="window.__xss=1"><script>window.__xss=1</script>'


def screenshot(page: Page, name: str, top: str | None = None) -> None:
    """A 1280x800 picture for docs/screenshots, scrolled so that `top` starts the view."""
    if top:
        page.locator(top).evaluate("e => e.scrollIntoView({block: 'start'})")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))


def sign_in(page: Page, url: str, username: str) -> None:
    page.goto(url + "/")
    page.get_by_label("ユーザーID").fill(username)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.get_by_role("button", name="ログイン / Sign in").click()
    expect(page.locator("#who")).to_contain_text("(")


def open_dashboard(new_page, system, username: str = "er-doctor") -> Page:
    page = new_page()
    sign_in(page, system.hospitals["tokyo-er"].url, username)
    expect(page.get_by_test_id("live")).to_contain_text("接続中")
    page.evaluate("window.__sameDocument = true")  # gone if anything reloads or navigates
    return page


def open_incident(crew: Page, complaint: str) -> str:
    crew.locator("#complaint").fill(complaint)
    crew.get_by_role("button", name="新規事案 / New incident").click()
    expect(crew.get_by_test_id("incident-id")).to_have_text(re.compile(r"\S+"))
    return crew.get_by_test_id("incident-id").inner_text()


def identify_and_fetch(crew: Page, reason: str) -> None:
    crew.locator("#card-select").select_option("SIM-CRITICAL")
    crew.get_by_label("券面写真と本人を照合した").check()
    crew.get_by_role("button", name="読み取る / Read").click()
    expect(crew.get_by_test_id("card-status")).to_contain_text("読取済")
    crew.locator("#exception-reason").select_option("unconscious")
    crew.get_by_label("状況").fill(reason)
    crew.get_by_role("button", name="緊急時例外で閲覧 / Emergency exception").click()
    expect(crew.get_by_test_id("basis-status")).to_contain_text("緊急時例外")
    crew.get_by_role("button", name="取得 / Fetch").click()
    expect(crew.get_by_test_id("critical-anticoagulants")).to_contain_text("ワルファリン")
    expect(crew.get_by_test_id("critical-drug_allergies")).to_contain_text("ペニシリン")


def ask_tokyo_er(crew: Page) -> None:
    row = crew.locator('[data-testid=hospital][data-hospital="tokyo-er"]')
    expect(row.get_by_test_id("hospital-state")).to_contain_text("接続中")  # the tablet refreshes it
    row.get_by_role("checkbox").check()
    crew.get_by_role("button", name="選択した病院に一斉照会 / Ask selected").click()
    expect(crew.locator('[data-testid=inquiry][data-hospital="tokyo-er"]')).to_have_attribute("data-status", "pending")


def accept(doctor: Page, iid: str, complaint_text: str) -> None:
    inquiry = doctor.locator(f'[data-testid=inquiry][data-incident="{iid}"]')
    expect(inquiry).to_contain_text(complaint_text)
    expect(inquiry).to_have_attribute("data-status", "pending")
    inquiry.get_by_role("button", name="受入 / Accept").click()
    expect(inquiry).to_have_attribute("data-status", "accepted")


def assert_clean(*pages: Page) -> None:
    for page in pages:
        assert page.evaluate("typeof window.__xss") == "undefined"
        assert page.js_errors == [], page.js_errors


def test_paramedic_and_physician_see_each_other_live(system, new_page):
    crew = new_page()
    crew.goto(system.hub.url + "/")
    expect(crew.locator("#login-form")).to_be_visible()
    screenshot(crew, "tablet-signin")

    doctor = open_dashboard(new_page, system)

    sign_in(crew, system.hub.url, "kyukyu1")
    iid = open_incident(crew, "意識障害 / unconscious")
    identify_and_fetch(crew, "JCS300、家族不在")
    screenshot(crew, "tablet-summary", top="#step-record")
    ask_tokyo_er(crew)

    accept(doctor, iid, "意識障害 / unconscious")
    card = doctor.locator(f'[data-testid=patient][data-incident="{iid}"]')
    expect(card.get_by_test_id("critical-anticoagulants")).to_contain_text("ワルファリン")
    expect(card.get_by_test_id("critical-drug_allergies")).to_contain_text("ペニシリン")
    expect(card.get_by_test_id("patient-incident")).to_contain_text("緊急時例外")
    expect(card.get_by_test_id("vitals")).to_contain_text("バイタル未着")
    expect(crew.locator('[data-testid=inquiry][data-hospital="tokyo-er"]')).to_have_attribute("data-status", "accepted")

    vitals = crew.locator("#vitals-form")
    for name, value in {"heart_rate": "128", "systolic_bp": "88", "diastolic_bp": "52", "spo2": "91",
                        "respiratory_rate": "24", "jcs": "300"}.items():
        vitals.locator(f'[name="{name}"]').fill(value)
    vitals.get_by_role("button", name="バイタル送信 / Send vitals").click()
    expect(crew.get_by_test_id("sent-vitals")).to_contain_text("HR 128")
    crew.get_by_label("メモ").fill("右瞳孔散大 / right pupil dilated")
    crew.get_by_role("button", name="メモ送信 / Send note").click()
    expect(crew.get_by_test_id("sent-note")).to_contain_text("右瞳孔散大")

    expect(card.get_by_test_id("vitals")).to_contain_text("HR 128")
    expect(card.get_by_test_id("vitals")).to_contain_text("BP 88/52")
    expect(card.get_by_test_id("vitals")).to_contain_text("SpO2 91%")
    expect(card.get_by_test_id("note")).to_contain_text("右瞳孔散大 / right pupil dilated")
    assert doctor.evaluate("window.__sameDocument") is True  # all of it arrived without a reload
    screenshot(doctor, "dashboard-patient")
    assert_clean(crew, doctor)


def test_typed_markup_is_shown_as_text_and_never_runs(system, new_page):
    doctor = open_dashboard(new_page, system)
    crew = new_page()
    sign_in(crew, system.hub.url, "kyukyu1")
    iid = open_incident(crew, XSS)
    expect(crew.get_by_test_id("incident-complaint")).to_have_text(XSS)
    identify_and_fetch(crew, XSS)
    ask_tokyo_er(crew)

    accept(doctor, iid, XSS)
    card = doctor.locator(f'[data-testid=patient][data-incident="{iid}"]')
    expect(card.get_by_test_id("patient-incident")).to_contain_text(XSS)

    crew.get_by_label("メモ").fill(XSS)
    crew.get_by_role("button", name="メモ送信 / Send note").click()
    expect(crew.get_by_test_id("sent-note")).to_contain_text(XSS)
    expect(card.get_by_test_id("note")).to_contain_text(XSS)

    for page, root in ((crew, "#incident-view"), (doctor, "#board")):
        expect(page.locator(f"{root} img, {root} script")).to_have_count(0)
    assert_clean(crew, doctor)  # no handler ran, and the CSP had nothing to refuse
