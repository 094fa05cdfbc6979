"""A temporary password in a real browser, in Japanese, on the running system: an ER nurse whose
account the operator made from the command line (so the operator knows the password) signs in on
the dashboard and is asked, in a dialog over the page, to choose her own before anything else: the
rule is on screen, two new passwords that differ are refused beside the field, a wrong current one
beside its own; a reload asks again; once chosen, the board opens live, and the operator's
password no longer signs her in."""
from __future__ import annotations

import pytest
import requests
from playwright.sync_api import expect

from tests.e2e.conftest import PASSWORD
from tests.e2e.test_ui_admin import HOSPITAL, cli
from tests.e2e.test_ui_flow import SCREENSHOTS, TARGETS_TOO_SMALL, assert_clean

pytestmark = pytest.mark.timeout(300)
USERNAME = "tmp-nurse"
HER_OWN = "あさの ひかりと しずかな ろうか"


def test_a_nurse_the_operator_added_chooses_her_own_password_then_reaches_the_board(system, new_page):
    added = cli(system, "users", "add", USERNAME, "--name", "看護師 田中", "--role", "nurse", "--password-stdin",
                stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    url = system.hospitals[HOSPITAL].url

    page = new_page()
    page.goto(url + "/")
    page.get_by_label("ユーザーID").fill(USERNAME)
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    dialog = page.get_by_test_id("choose-password")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("他の人が設定したもの")
    expect(dialog).to_contain_text("12文字以上")
    for label in ("現在のパスワード", "新しいパスワード", "新しいパスワード（確認）"):
        expect(dialog.locator("label", has_text=label).first).to_be_visible()
    expect(dialog).not_to_contain_text("password")  # one language on screen
    expect(page.locator("#board")).to_be_hidden()
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "temporary-password.ja.png"))

    # Two new ones that differ: refused beside the second, before anything is sent.
    dialog.locator("#choose-current").fill(PASSWORD)
    dialog.locator("#choose-new").fill(HER_OWN)
    dialog.locator("#choose-again").fill(HER_OWN + "x")
    dialog.locator("#choose-save").click()
    expect(dialog.locator("[data-testid=field-error][data-for=new_password_again]")).to_contain_text("一致しません")

    # The current one is asked again, not carried over from the sign-in: a wrong one is said beside it.
    dialog.locator("#choose-current").fill("まちがった パスワード です")
    dialog.locator("#choose-again").fill(HER_OWN)
    dialog.locator("#choose-save").click()
    expect(dialog.locator("[data-testid=field-error][data-for=current_password]")).to_contain_text(
        "現在のパスワードが違います")

    page.reload()  # the session still owes the change: the page asks again as it loads
    dialog = page.get_by_test_id("choose-password")
    expect(dialog).to_be_visible()
    expect(page.locator("#board")).to_be_hidden()
    dialog.locator("#choose-current").fill(PASSWORD)
    dialog.locator("#choose-new").fill(HER_OWN)
    dialog.locator("#choose-again").fill(HER_OWN)
    dialog.locator("#choose-save").click()
    expect(dialog).to_have_count(0)
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#who")).to_contain_text("看護師 田中")
    expect(page.get_by_test_id("live")).to_have_attribute("data-state", "online")

    operator_knew = requests.post(f"{url}/api/auth/login", json={"username": USERNAME, "password": PASSWORD},
                                  timeout=10)
    assert operator_knew.status_code == 401
    assert_clean(page)
