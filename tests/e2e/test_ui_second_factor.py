"""Two-step sign-in in a real browser, on real servers with the policy on: a physician enrols a
passkey on the ER dashboard (Chromium's virtual authenticator, through the DevTools WebAuthn
domain) and signs in with it; a paramedic of a fire service that asks for a second factor sets up
an authenticator app on the tablet and signs in with its codes. Until the second step is done,
neither screen shows anything past the sign-in."""
from __future__ import annotations

import time

import pyotp
import pytest
from playwright.sync_api import Page, expect

from launcher.system import DEMO_HOSPITALS, System
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.timeout(300)


@pytest.fixture(scope="module")
def system(module_database, tmp_path_factory):
    """One hospital, and the hub's policy asking Tokyo's crews for a second factor."""
    hospitals = DEMO_HOSPITALS[:1]
    db_env = {"ems": module_database("ems"), **{hid: module_database(hid) for hid, _, _ in hospitals}}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env,
                     extra_env={"SECOND_FACTOR": "policy", "SECOND_FACTOR_ORGANISATIONS": "fire:tokyo"})
    running.start(hospitals=hospitals, password=PASSWORD)
    yield running
    running.stop()


def local(url: str) -> str:
    """The same server as http://localhost:port: a passkey's relying party is a domain, never an IP."""
    return url.replace("127.0.0.1", "localhost")


def password_step(page: Page, url: str, username: str) -> None:
    page.goto(url)
    form = page.locator("#login-form")
    form.get_by_label("ユーザーID").fill(username)
    form.get_by_label("パスワード").fill(PASSWORD)
    page.locator("#login-form button[type=submit]").click()
    expect(page.get_by_test_id("second-factor")).to_be_visible()
    expect(page.locator("#login-form")).to_be_hidden()


def keep_recovery_codes(page: Page) -> list[str]:
    codes = page.get_by_test_id("recovery-codes").locator("li")
    expect(codes).to_have_count(10)
    kept = codes.all_inner_texts()
    page.locator("#codes-kept").click()
    return kept


def sign_out(page: Page) -> None:
    page.locator("#sign-out").click()
    expect(page.locator("#login-form")).to_be_visible()


def virtual_authenticator(page: Page):
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    made = cdp.send("WebAuthn.addVirtualAuthenticator", {"options": {
        "protocol": "ctap2", "transport": "internal", "hasResidentKey": True, "hasUserVerification": True,
        "isUserVerified": True}})
    return cdp, made["authenticatorId"]


def test_a_physician_enrols_a_passkey_and_signs_in_with_it_on_the_dashboard(system, new_page):
    page = new_page()
    url = local(system.hospitals["tokyo-er"].url)
    cdp, authenticator = virtual_authenticator(page)
    password_step(page, url, "er-doctor")
    expect(page.locator("#board")).to_be_hidden()
    page.locator("#enrol-passkey").click()
    assert len(keep_recovery_codes(page)) == 10
    expect(page.locator("#board")).to_be_visible()
    expect(page.locator("#who")).to_contain_text("救急医 高橋")
    [credential] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert credential["rpId"] == "localhost"

    sign_out(page)
    password_step(page, url, "er-doctor")
    expect(page.locator("#totp-code")).to_have_count(0)  # a passkey only: no code field to guess into
    page.locator("#use-passkey").click()
    expect(page.locator("#board")).to_be_visible()
    expect(page.get_by_test_id("live")).to_have_attribute("data-state", "online")
    [used] = cdp.send("WebAuthn.getCredentials", {"authenticatorId": authenticator})["credentials"]
    assert used["signCount"] > credential["signCount"]
    assert page.js_errors == []


def test_a_paramedic_sets_up_an_authenticator_app_and_signs_in_with_its_code_on_the_tablet(system, new_page):
    page = new_page()
    password_step(page, system.hub.url, "kyukyu1")
    expect(page.locator("#start-view")).to_be_hidden()
    page.locator("#enrol-totp").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.locator("#totp-new-code").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("second-factor").locator("button[type=submit]").click()
    recovery = keep_recovery_codes(page)
    expect(page.locator("#start-view")).to_be_visible()

    sign_out(page)
    password_step(page, system.hub.url, "kyukyu1")
    page.locator("#totp-code").fill("000000" if pyotp.TOTP(secret).now() != "000000" else "111111")
    page.locator("#totp-code").press("Enter")
    expect(page.locator("#message")).not_to_be_empty()
    expect(page.locator("#start-view")).to_be_hidden()
    # The enrolment's code is spent: the next step's code, which the window accepts.
    page.locator("#totp-code").fill(pyotp.TOTP(secret).at(time.time() + 30))
    page.locator("#totp-code").press("Enter")
    expect(page.locator("#start-view")).to_be_visible()

    sign_out(page)
    password_step(page, system.hub.url, "kyukyu1")
    page.locator("#use-recovery").click()
    page.locator("#recovery-code").fill(recovery[0])
    page.locator("#recovery-code").press("Enter")
    expect(page.locator("#start-view")).to_be_visible()
    assert page.js_errors == []


def test_an_administrator_proves_a_second_factor_before_the_accounts_show(system, new_page):
    from tests.e2e.test_ui_admin import cli
    added = cli(system, "users", "add", "sf-admin", "--name", "救急外来 管理者", "--role", "admin", "--password-stdin",
                "--permanent", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    page = new_page()
    password_step(page, system.hospitals["tokyo-er"].url + "/admin", "sf-admin")
    expect(page.get_by_test_id("accounts")).to_be_hidden()
    page.locator("#enrol-totp").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.locator("#totp-new-code").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("second-factor").locator("button[type=submit]").click()
    keep_recovery_codes(page)
    expect(page.get_by_test_id("accounts")).to_be_visible()
    expect(page.locator('[data-testid=account][data-username="er-doctor"]')).to_be_visible()
    assert page.js_errors == []


def test_a_privacy_officer_proves_a_second_factor_on_the_review_queue(system, new_page):
    page = new_page()
    password_step(page, system.hub.url + "/review", "privacy-fire")
    expect(page.locator("#who")).to_be_empty()  # nothing of the queue before the second step
    page.locator("#enrol-totp").click()
    secret = page.get_by_test_id("totp-secret").inner_text().strip()
    page.locator("#totp-new-code").fill(pyotp.TOTP(secret).now())
    page.get_by_test_id("second-factor").locator("button[type=submit]").click()
    keep_recovery_codes(page)
    expect(page.locator("#who")).to_contain_text("個人情報保護担当 山本")
    expect(page.locator("#login-view")).to_be_hidden()
    assert page.js_errors == []
