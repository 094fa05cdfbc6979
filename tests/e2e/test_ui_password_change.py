"""One's own password changed in a real browser, in Japanese, on the running system: an ER nurse
(an account made for this test alone, from the command line as an operator would) opens the
Security page from the dashboard, is stopped on screen when the two new passwords differ and told
beside the field when the current one is wrong, changes it and reads that her other session was
signed out; then, on the sign-in form, the show button reveals the password and hides it again
(in Japanese, and in English after a language switch that keeps what was typed but never the
password, shown or not), and the new password signs her in."""
from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD
from tests.e2e.test_ui_admin import HOSPITAL, cli
from tests.e2e.test_ui_flow import SCREENSHOTS, TARGETS_TOO_SMALL, assert_clean, sign_in
from tests.e2e.test_ui_i18n import switch

pytestmark = pytest.mark.timeout(300)
USERNAME = "pw-nurse"
NEW = "夜勤あけの ひろい そら"  # twelve and more: kana and spaces count like any character


def test_a_nurse_changes_her_password_on_the_security_page_and_can_show_it_when_signing_in(system, new_page):
    added = cli(system, "users", "add", USERNAME, "--name", "看護師 佐藤", "--role", "nurse", "--password-stdin",
                "--permanent", stdin=PASSWORD + "\n")  # her first choice is tests/e2e/test_ui_temporary_password.py
    assert added.returncode == 0, added.stderr
    url = system.hospitals[HOSPITAL].url
    other = requests.Session()  # the same nurse at another terminal
    assert other.post(f"{url}/api/auth/login", json={"username": USERNAME, "password": PASSWORD}).ok

    page = new_page()
    sign_in(page, url, USERNAME)
    page.locator("#security").click()
    expect(page).to_have_url(re.compile(r"/account/factors$"))
    section = page.get_by_test_id("password-change")
    expect(section).to_be_visible()
    expect(section).to_contain_text("12文字以上")

    # The two new ones differ: refused on screen, beside the second, before anything is sent.
    page.locator("#current-password").fill(PASSWORD)
    page.locator("#new-password").fill(NEW)
    page.locator("#new-password-again").fill(NEW + "x")
    page.locator("#change-password").click()
    expect(section.locator("[data-testid=field-error][data-for=new_password_again]")).to_contain_text("一致しません")

    # A wrong current password: said beside its field.
    page.locator("#current-password").fill("まちがった パスワード です")
    page.locator("#new-password-again").fill(NEW)
    page.locator("#change-password").click()
    expect(section.locator("[data-testid=field-error][data-for=current_password]")).to_contain_text(
        "現在のパスワードが違います")
    assert other.get(f"{url}/api/auth/me").status_code == 200

    page.locator("#current-password").fill(PASSWORD)
    page.locator("#new-password").fill(NEW)
    page.locator("#new-password-again").fill(NEW)
    page.locator("#change-password").click()
    expect(page.locator("#message")).to_contain_text("パスワードを変更しました")
    expect(page.locator("#message")).to_contain_text("他の端末のセッションをログアウトしました（1件）")
    expect(section.get_by_test_id("field-error")).to_have_count(0)
    expect(page.locator("#current-password")).to_have_value("")
    assert other.get(f"{url}/api/auth/me").status_code == 401
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    page.screenshot(path=str(SCREENSHOTS / "security-password.ja.png"), full_page=True)

    # Signed out, the sign-in form: the password can be shown, then hidden again.
    page.locator("#sign-out").click()
    form = page.locator("#login-form")
    expect(form).to_be_visible()
    form.get_by_label("ユーザーID").fill(USERNAME)
    password = form.locator("input[name=password]")
    password.fill(NEW)
    toggle = form.get_by_test_id("password-toggle")
    expect(toggle).to_have_text("表示")
    expect(toggle).to_have_attribute("aria-pressed", "false")
    toggle.click()
    expect(password).to_have_attribute("type", "text")
    expect(toggle).to_have_attribute("aria-pressed", "true")
    expect(toggle).to_have_text("隠す")
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    form.screenshot(path=str(SCREENSHOTS / "sign-in-password-shown.ja.png"))
    toggle.click()
    expect(password).to_have_attribute("type", "password")
    expect(toggle).to_have_text("表示")
    expect(password).to_have_value(NEW)
    # Shown, it is still a password: a language switch keeps what was typed, but never it.
    toggle.click()
    switch(page, "en")
    expect(form.get_by_label("User ID")).to_have_value(USERNAME)
    expect(password).to_have_value("")
    expect(password).to_have_attribute("type", "password")
    expect(toggle).to_have_text("Show")
    password.fill(NEW)
    toggle.click()
    expect(toggle).to_have_text("Hide")
    form.locator("button[type=submit]").click()
    expect(page.locator("#who")).not_to_be_empty()
    assert_clean(page)
