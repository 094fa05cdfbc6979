"""The QR share in real browsers: the tablet says exactly what the hub enforces (the passcode opens
the link up to its use limit until it expires; wrong passcodes lock it), and the recipient's page
keeps that promise: each reload is an opening, past the limit the link stays shut, and wrong
passcodes lock it."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import open_with_record, sign_in as http_sign_in
from tests.e2e.test_ui_flow import assert_clean, open_tablet

pytestmark = pytest.mark.timeout(300)


def open_on_recipient_page(page, url: str, passcode: str) -> None:
    page.goto(url)
    page.locator("#passcode").fill(passcode)
    page.locator("#passcode-form button[type=submit]").click()


def test_the_tablet_promise_and_the_recipients_reloads_agree(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    iid = open_with_record(crew_http, "SIM-CRITICAL", "意識障害 / unconscious")
    crew = open_tablet(new_page, system, "kyukyu1")
    crew.locator(f'[data-testid=open-incident] button[data-incident="{iid}"]').click()
    crew.locator('nav.steps button[data-step="hospitals"]').click()
    crew.locator("#share-box summary").click()
    crew.locator("#share-recipient").fill("みなと診療所")
    crew.locator("#share-form button[type=submit]").click()
    expect(crew.get_by_test_id("share-passcode")).to_have_text(re.compile(r"^\d{6}$"))
    terms = crew.get_by_test_id("share-terms")
    expect(terms).to_contain_text("最大3回")      # the hub's use limit
    expect(terms).to_contain_text("再読み込み")   # a reload is an opening
    expect(terms).to_contain_text("5回誤るとロック")
    expect(crew.locator("#message")).not_to_contain_text("1回")  # never "opens the link once"
    passcode = crew.get_by_test_id("share-passcode").inner_text()
    url = crew.locator("#share-url").inner_text()

    recipient = new_page()
    for n in (1, 2, 3):  # the first opening, then two reloads, each with the passcode
        open_on_recipient_page(recipient, url, passcode)
        expect(recipient.get_by_test_id("share-summary")).to_be_visible()
        expect(recipient.get_by_test_id("share-uses")).to_contain_text(f"3回中{n}回目")
        expect(recipient.get_by_test_id("critical")).to_contain_text("ワルファリン")
    recipient.reload()  # past the limit: the same passcode no longer opens it
    gone = recipient.get_by_test_id("share-gone")
    expect(gone).to_have_attribute("data-state", "used_up")
    expect(gone).to_contain_text("許可された回数")
    expect(recipient.locator("#passcode")).to_have_count(0)
    assert_clean(crew, recipient)


def test_wrong_passcodes_are_limited_and_lock_the_link(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu2")
    iid = open_with_record(crew_http, "SIM-000140", "腹痛 / abdominal pain")
    share = crew_http.post(f"{crew_http.base}/api/incidents/{iid}/shares",
                           json={"recipient": "さくら医院", "max_uses": None}).json()
    wrong = f"{(int(share['passcode']) + 1) % 10**6:06d}"
    page = new_page()
    page.goto(share["url"])
    expect(page.get_by_test_id("share-rules")).to_contain_text("ロック")
    for left in (4, 3, 2, 1):
        page.locator("#passcode").fill(wrong)
        page.locator("#passcode-form button[type=submit]").click()
        expect(page.get_by_test_id("share-message")).to_contain_text(f"残り{left}回")
    page.locator("#passcode").fill(wrong)
    page.locator("#passcode-form button[type=submit]").click()
    expect(page.get_by_test_id("share-message")).to_contain_text("ロック")
    expect(page.locator("#passcode-form")).to_be_hidden()
    page.reload()  # locked for good, the right passcode included
    expect(page.get_by_test_id("share-gone")).to_have_attribute("data-state", "locked")
    assert_clean(page)


def test_a_passcode_sent_before_the_page_has_its_words_is_neither_lost_nor_put_in_the_address(system, new_page):
    crew_http = http_sign_in(system.hub.url, "kyukyu1")
    iid = open_with_record(crew_http, "SIM-000147", "腹痛 / abdominal pain")
    share = crew_http.post(f"{crew_http.base}/api/incidents/{iid}/shares",
                           json={"recipient": "さくら医院", "max_uses": None}).json()
    page = new_page()
    held = []  # the catalogue's request, held back: a slow network at the recipient's end
    page.route("**/i18n/messages.json", lambda route: held.append(route))
    page.goto(share["url"], wait_until="domcontentloaded")
    page.locator("#passcode").fill(share["passcode"])
    page.locator("#passcode-form button[type=submit]").click()
    assert "passcode" not in page.url
    expect(page.get_by_test_id("share-summary")).to_be_hidden()  # it waits for its words
    for route in held:
        route.continue_()
    expect(page.get_by_test_id("share-summary")).to_be_visible()
    expect(page.get_by_test_id("critical")).to_be_visible()
    assert "passcode" not in page.url
    assert_clean(page)
