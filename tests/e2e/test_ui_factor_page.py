"""The Security page in a real browser, in Japanese, on real servers with the policy on: a physician
reaches it from the dashboard's top bar, is refused the removal of the only factor the role
needs, and, once the sign-in is older than the fresh window, shows the authenticator code again,
adds a passkey (Chromium's virtual authenticator) and then removes the authenticator app; the
screen says the other session was signed out. A paramedic reaches it from the tablet and sets up
an authenticator app from its QR code, which carries the otpauth URI shown beside it."""
from __future__ import annotations

import base64
import re
import time

import pyotp
import pytest
import qrcode
import requests
from playwright.sync_api import Page, expect

from launcher.system import DEMO_HOSPITALS, System
from tests.e2e.conftest import PASSWORD
from tests.e2e.test_ui_flow import SCREENSHOTS, TARGETS_TOO_SMALL
from tests.e2e.test_ui_second_factor import keep_recovery_codes, local, password_step, virtual_authenticator

pytestmark = pytest.mark.timeout(300)
FRESH_S = 20  # SECOND_FACTOR_FRESH_S: a change this long after the sign-in asks for a factor again


@pytest.fixture(scope="module")
def system(module_database, tmp_path_factory):
    hospitals = DEMO_HOSPITALS[:1]
    db_env = {"ems": module_database("ems"), **{hid: module_database(hid) for hid, _, _ in hospitals}}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env,
                     extra_env={"SECOND_FACTOR": "policy", "SECOND_FACTOR_FRESH_S": str(FRESH_S)})
    running.start(hospitals=hospitals, password=PASSWORD)
    yield running
    running.stop()


def qr_matches(src: str, uri: str) -> bool:
    """The <img>'s SVG has the dark modules of a QR code of `uri` (qrcode's path: `M x,y H ...`)."""
    kind, data = src.split(",", 1)
    assert kind == "data:image/svg+xml;base64"
    drawn = {(int(x), int(y)) for x, y in re.findall(rb"M(\d+),(\d+)H", base64.b64decode(data))}
    code = qrcode.QRCode(border=4)
    code.add_data(uri)
    code.make(fit=True)
    return drawn == {(x, y) for y, row in enumerate(code.get_matrix()) for x, dark in enumerate(row) if dark}


def rows(page: Page):
    return page.get_by_test_id("factors").get_by_test_id("factor")


def test_a_physician_adds_a_passkey_and_removes_the_authenticator_app_from_the_security_page(system, new_page):
    page = new_page()
    url = local(system.hospitals["tokyo-er"].url)
    cdp, authenticator = virtual_authenticator(page)
    password_step(page, url, "er-doctor")
    page.locator("#enrol-totp").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    expect(page.get_by_test_id("totp-qr")).to_be_visible()
    page.locator("#totp-new-code").fill(pyotp.TOTP(secret).now())
    enrolled_step = int(time.time() // 30)
    page.get_by_test_id("second-factor").locator("button[type=submit]").click()
    recovery = keep_recovery_codes(page)
    signed_in_at = time.monotonic()
    expect(page.locator("#board")).to_be_visible()

    # Another session of the same physician, elsewhere (with a recovery code).
    other, at = requests.Session(), system.hospitals["tokyo-er"].url
    assert other.post(f"{at}/api/auth/login", json={"username": "er-doctor", "password": PASSWORD}).ok
    assert other.post(f"{at}/api/factors/verify", json={"method": "recovery", "code": recovery[0]}).ok

    page.locator("#security").click()
    expect(page).to_have_url(re.compile(r"/account/factors$"))
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("認証アプリ")
    expect(page.locator("#required-note")).to_be_visible()
    expect(page.get_by_test_id("recovery-left")).to_contain_text("9")

    # The only factor a physician has cannot go: said plainly, and it stays.
    page.once("dialog", lambda d: d.accept())
    rows(page).first.locator("[data-action=remove]").click()
    expect(page.locator("#message")).to_contain_text("最後の認証要素を削除する前に、別の認証要素を登録してください")
    expect(rows(page)).to_have_count(1)

    # Past the fresh window (and a later TOTP step than the enrolment's), a change asks again.
    time.sleep(max(0.0, FRESH_S + 1 - (time.monotonic() - signed_in_at)))
    while int(time.time() // 30) <= enrolled_step:
        time.sleep(1)
    page.locator("#add-passkey").click()
    expect(page.get_by_test_id("reauth")).to_be_visible()
    expect(page.locator("#reauth-password")).to_be_hidden()  # a factor is enrolled: the password is not enough
    page.locator("#reauth-code").fill(pyotp.TOTP(secret).now())
    page.locator("#reauth-totp button[type=submit]").click()
    expect(page.get_by_test_id("reauth")).to_be_hidden()
    expect(rows(page)).to_have_count(2)
    expect(page.locator("#message")).to_contain_text("パスキーを追加しました")
    expect(page.locator("#message")).to_contain_text("他の端末のセッションをログアウトしました（1件）")
    assert other.get(f"{at}/api/auth/me").status_code == 401
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert credential["rpId"] == "localhost"

    # Now the authenticator app may go: the passkey is left.
    page.once("dialog", lambda d: d.accept())
    rows(page).filter(has_text="認証アプリ").locator("[data-action=remove]").click()
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first).to_contain_text("パスキー")
    expect(page.locator("#message")).to_contain_text("削除しました")
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    assert page.js_errors == []


def test_a_paramedic_sets_up_an_authenticator_app_from_its_qr_code_on_the_security_page(system, new_page):
    page = new_page()
    page.goto(system.hub.url)
    page.get_by_label("ユーザーID").fill("kyukyu1")
    page.get_by_label("パスワード").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page.locator("#start-view")).to_be_visible()  # no factor asked of this fire service's crews
    page.locator("#security").click()
    expect(page.locator("#none-note")).to_be_visible()
    expect(rows(page)).to_have_count(0)
    page.locator("#add-totp").click()
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    qr = page.get_by_test_id("totp-qr")
    expect(qr).to_be_visible()
    uri = page.get_by_test_id("totp-uri").inner_text().strip()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    assert f"secret={secret}" in uri and qr_matches(qr.get_attribute("src"), uri)
    page.screenshot(path=str(SCREENSHOTS / "security-totp.ja.png"), full_page=True)
    assert qr.evaluate("img => img.naturalWidth > 0")  # drawn under the CSP, no script of its own
    page.locator("#totp-new-code").fill(pyotp.TOTP(secret).now())
    page.locator("#totp-confirm button[type=submit]").click()
    expect(page.get_by_test_id("recovery-codes").locator("li")).to_have_count(10)
    expect(page.locator("#message")).to_contain_text("認証アプリを追加しました")
    page.screenshot(path=str(SCREENSHOTS / "security-factors.ja.png"), full_page=True)
    expect(rows(page)).to_have_count(1)
    expect(rows(page).first.get_by_test_id("last-used")).to_contain_text("未使用")
    page.locator("#codes-kept").click()
    expect(page.get_by_test_id("recovery-codes")).to_be_hidden()
    assert page.evaluate(TARGETS_TOO_SMALL) == []
    assert page.js_errors == []
