"""The administrator's page in a real browser, on the ER's app: the first administrator comes from
the command line; the page adds a nurse (whose first sign-in chooses her own password: the one the
administrator typed is temporary), disables her (her open dashboard socket and her session end at
once), enables her again; every button a finger's width; no patient in sight."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests
from playwright.sync_api import expect

from launcher.system import DEMO_HOSPITALS
from tests.e2e.conftest import PASSWORD, DashboardClient, sign_in as http_sign_in
from tests.e2e.test_ui_flow import SCREENSHOTS, assert_clean, set_language

pytestmark = pytest.mark.timeout(300)
HOSPITAL = "tokyo-er"
HER_OWN = "the nurse chose this one"


def cli(system, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    name = dict((hid, n) for hid, n, _ in DEMO_HOSPITALS)[HOSPITAL]
    env = {**os.environ, **system.hospital_env(HOSPITAL, name), "GATEWAY": "0"}
    return subprocess.run([sys.executable, "-m", "hospital_app", *args], env=env, input=stdin,
                          capture_output=True, text=True, timeout=60)


def sign_in(page, url: str, username: str, path: str = "/admin", password: str = PASSWORD) -> None:
    page.goto(url + path)
    form = page.locator("#login-form")
    form.get_by_label("ユーザーID").fill(username)
    form.get_by_label("パスワード").fill(password)
    form.locator("button[type=submit]").click()
    expect(page.locator("#who")).not_to_be_empty()


def row(page, username: str):
    return page.locator(f'[data-testid=account][data-username="{username}"]')


def test_an_administrator_adds_disables_and_enables_a_nurse(system, new_page):
    added = cli(system, "users", "add", "ui-admin", "--name", "救急外来 管理者", "--role", "admin", "--password-stdin",
                "--permanent", stdin=PASSWORD + "\n")
    assert added.returncode == 0, added.stderr
    url = system.hospitals[HOSPITAL].url
    page = new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    sign_in(page, url, "ui-admin")
    expect(page.get_by_test_id("accounts")).to_be_visible()
    expect(row(page, "er-doctor")).to_contain_text("医師")
    expect(page.get_by_text("患者")).to_have_count(0)  # names and roles only

    form = page.locator("#add-form")
    form.locator("input[name=username]").fill("ui-nurse")
    form.locator("input[name=display_name]").fill("看護師 小林")
    form.locator("select[name=role]").select_option("nurse")
    form.locator("input[name=password]").fill("short")
    form.locator("button[type=submit]").click()
    expect(page.locator("#message")).to_contain_text("12文字以上")
    form.locator("input[name=password]").fill(PASSWORD)
    form.locator("button[type=submit]").click()
    expect(row(page, "ui-nurse")).to_contain_text("看護師")
    expect(row(page, "ui-nurse").get_by_test_id("state")).to_have_text("有効")

    nurse = requests.Session()  # her first sign-in: the administrator's password is only for choosing her own
    first = nurse.post(f"{url}/api/auth/login", json={"username": "ui-nurse", "password": PASSWORD}, timeout=10)
    assert first.json()["must_change_password"] is True
    assert nurse.post(f"{url}/api/auth/password", json={"current_password": PASSWORD, "new_password": HER_OWN},
                      timeout=10).ok
    board = DashboardClient(url, nurse)
    assert board.sio.connected
    dashboard = new_page()  # her dashboard in a browser too: it must not look live once closed
    sign_in(dashboard, url, "ui-nurse", path="/", password=HER_OWN)
    expect(dashboard.get_by_test_id("live")).to_have_attribute("data-state", "online")
    row(page, "ui-nurse").locator("[data-action=disable]").click()
    expect(page.locator("#message")).to_contain_text("2 件のセッションを終了しました")  # her tablet and her browser
    expect(row(page, "ui-nurse").get_by_test_id("state")).to_have_text("無効")
    deadline = time.monotonic() + 5
    while board.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not board.sio.connected  # her dashboard was closed at once
    expect(dashboard.get_by_test_id("live")).to_have_attribute("data-state", "offline")
    assert nurse.get(f"{url}/api/auth/me", timeout=10).status_code == 401
    assert nurse.post(f"{url}/api/auth/login", json={"username": "ui-nurse", "password": HER_OWN},
                      timeout=10).status_code == 401
    expect(row(page, "ui-admin").locator("[data-action=disable]")).to_have_count(0)  # never oneself

    for button in page.locator("#accounts button").all():
        box = button.bounding_box()
        assert box["height"] >= 48 and box["width"] >= 48
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "admin-accounts.ja.png"))

    row(page, "ui-nurse").locator("[data-action=enable]").click()
    expect(row(page, "ui-nurse").get_by_test_id("state")).to_have_text("有効")
    again = requests.Session()
    assert again.post(f"{url}/api/auth/login", json={"username": "ui-nurse", "password": HER_OWN}, timeout=10).ok
    assert again.get(f"{url}/api/auth/me", timeout=10).json()["role"] == "nurse"

    set_language(page, "en")
    page.reload()
    expect(row(page, "ui-nurse").get_by_test_id("state")).to_have_text("Active")
    expect(page.locator("h1")).to_have_text("Staff accounts")
    page.screenshot(path=str(SCREENSHOTS / "admin-accounts.en.png"))
    assert_clean(page)

    logged = cli(system, "audit", "verify")
    assert logged.returncode == 0, logged.stdout + logged.stderr


def test_the_administrator_role_opens_no_patient_and_no_dashboard(system):
    cli(system, "users", "add", "ui-admin-2", "--name", "管理者 2", "--role", "admin", "--password-stdin",
        "--permanent", stdin=PASSWORD + "\n")
    url = system.hospitals[HOSPITAL].url
    admin = http_sign_in(url, "ui-admin-2")
    assert admin.get(f"{url}/api/patients", timeout=10).status_code == 403
    with pytest.raises(Exception):
        DashboardClient(url, admin)
