"""The patient's "who viewed my data" in a real browser: card and birth date send a code to the
registered phone (read from the development outbox, as the patient reads their SMS), the page
says where it went, masked, and the code opens the history once; a wrong code says how many
tries are left; a card with no registered contact is pointed to マイナポータル."""
from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from ems_app.services.outbox import FileOutbox
from shared.sources.simulator import OqcSimulator
from tests.e2e.conftest import open_with_record, sign_in as http_sign_in
from tests.e2e.test_ui_flow import SCREENSHOTS, TARGETS_TOO_SMALL, assert_clean, set_language
from tests.ems_app.patient_page import latest_code

pytestmark = pytest.mark.timeout(300)


def ask_code(page: Page, card: str, birth: str, card_label="カード番号", birth_label="生年月日") -> None:
    page.get_by_label(card_label).fill(card)
    page.get_by_label(birth_label).fill(birth)
    page.locator("#history-form button[type=submit]").click()


def looked_at(system, card: str, complaint: str):
    """A patient whose record a crew fetched -> (birth date, registered contact)."""
    open_with_record(http_sign_in(system.hub.url, "kyukyu1"), card, complaint)
    simulator = OqcSimulator()
    return simulator.fetch(card).card.birth_date.isoformat(), simulator.registered_contact(card)


def test_the_code_sent_to_the_registered_phone_opens_the_history(system, new_page):
    birth, contact = looked_at(system, "SIM-000142", "発熱 / fever")
    page = new_page()
    page.goto(system.hub.url + "/my-data")
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    ask_code(page, "SIM-000142", birth)
    sent_to = page.get_by_test_id("code-sent-to")
    expect(sent_to).to_contain_text(contact.masked)
    expect(sent_to).not_to_contain_text(contact.address)
    expect(page.get_by_test_id("history-row")).to_have_count(0)  # nothing before the code
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    page.screenshot(path=str(SCREENSHOTS / "patient-code.ja.png"))
    code = latest_code(system.root / "ems", to=contact.address)

    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page.get_by_label("6桁のコード").fill(wrong)
    page.locator("#code-form button[type=submit]").click()
    expect(page.locator("#message")).to_contain_text("4")  # tries left
    expect(page.get_by_test_id("history-row")).to_have_count(0)

    page.get_by_label("6桁のコード").fill(code)
    page.locator("#code-form button[type=submit]").click()
    rows = page.get_by_test_id("history-row")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("救急隊員")
    expect(rows.first).to_contain_text("記録を取得")
    expect(page.get_by_test_id("history-summary")).to_contain_text("1 件")
    page.screenshot(path=str(SCREENSHOTS / "patient-history.ja.png"))

    set_language(page, "en")
    page.reload()
    ask_code(page, "SIM-000142", birth, "Card number", "Date of birth")
    expect(page.get_by_test_id("code-sent-to")).to_contain_text(contact.masked)
    page.get_by_label("6-digit code").fill(latest_code(system.root / "ems", to=contact.address))
    page.locator("#code-form button[type=submit]").click()
    expect(page.get_by_test_id("history-row")).to_have_count(1)
    page.screenshot(path=str(SCREENSHOTS / "patient-history.en.png"))
    set_language(page, "ja")
    assert_clean(page)


def test_a_card_with_no_registered_contact_points_to_the_national_portal(system, new_page):
    page = new_page()
    page.goto(system.hub.url + "/my-data")
    ask_code(page, "SIM-EMPTY", OqcSimulator().fetch("SIM-EMPTY").card.birth_date.isoformat())
    expect(page.locator("#message")).to_contain_text("マイナポータル")
    expect(page.locator("#code-form")).to_be_hidden()
    assert_clean(page)


def test_a_code_asked_for_before_the_page_has_its_words_is_sent_once_they_are_here(system, new_page):
    """A tap on 確認コードを送信 while the catalogue is still on its way (a slow phone network) is
    held, not lost: the code goes once the page is ready, and only once."""
    birth, contact = looked_at(system, "SIM-000391", "頭痛 / headache")
    page = new_page()
    held = []
    page.route("**/i18n/messages.json", lambda route: held.append(route))
    page.goto(system.hub.url + "/my-data", wait_until="domcontentloaded")
    ask_code(page, "SIM-000391", birth)
    ask_code(page, "SIM-000391", birth)  # tapped again: still one code
    assert "card_id" not in page.url and "birth_date" not in page.url
    expect(page.get_by_test_id("code-sent-to")).to_be_hidden()
    page.wait_for_timeout(300)
    assert held, "the catalogue was not held back"
    for route in held:
        route.continue_()
    expect(page.get_by_test_id("code-sent-to")).to_contain_text(contact.masked)
    expect(page.locator("#code-form")).to_be_visible()
    sent = [m for m in FileOutbox(system.root / "ems" / "outbox").messages() if m["to"] == contact.address]
    assert len(sent) == 1, sent
    assert_clean(page)
