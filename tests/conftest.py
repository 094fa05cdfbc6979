"""Fixtures every test may use: a fresh real database per test, SQLite or PostgreSQL, and a
real browser for UI tests.

TEST_DATABASE_URL selects PostgreSQL; each database is then its own schema, dropped after
the test, so runs never see each other's rows.

The browser is Debian's Chromium (/usr/bin/chromium, installed by ./prearrival) driven by
Playwright: `playwright install` downloads browsers, which this project's machines cannot."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from shared.storage import make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")


class Databases:
    """make(name) -> the DATABASE_URL / DATABASE_SCHEMA settings of a new, empty database."""

    def __init__(self, folder):
        self.folder, self.schemas = folder, []

    def __call__(self, name: str) -> dict:
        if PG_URL:
            schema = f"t_{name.replace('-', '_')}_{uuid.uuid4().hex[:10]}"
            self.schemas.append(schema)
            return {"DATABASE_URL": PG_URL, "DATABASE_SCHEMA": schema}
        return {"DATABASE_URL": f"sqlite:///{self.folder / name}.db"}

    def drop(self) -> None:
        if self.schemas:
            engine = make_engine(PG_URL)
            with engine.begin() as conn:
                for schema in self.schemas:
                    conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            engine.dispose()


@pytest.fixture
def database(tmp_path):
    made = Databases(tmp_path)
    yield made
    made.drop()


@pytest.fixture(scope="module")
def module_database(tmp_path_factory):
    """The same, shared by a module's tests (for the end-to-end system, which is slow to start)."""
    made = Databases(tmp_path_factory.mktemp("db"))
    yield made
    made.drop()


CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-dev-shm-usage", "--disable-extensions", "--mute-audio"]
VIEWPORT = {"width": 1280, "height": 800}


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run. A browser that cannot start fails the test: a
    UI test that silently skips would hide a broken install."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        try:
            chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, timeout=60_000)
        except Exception as e:  # noqa: BLE001 - any launch failure is the same failure here
            pytest.fail(f"Chromium at {CHROMIUM} did not start (./prearrival test installs it): {e}",
                        pytrace=False)
        yield chromium
        chromium.close()


@pytest.fixture
def new_page(browser):
    """new_page() -> a page in its own browser context (own cookies: one person each), 1280x800,
    Japanese locale. page.js_errors collects uncaught errors and console errors (CSP refusals
    among them). Every context is closed after the test."""
    from playwright.sync_api import expect

    expect.set_options(timeout=20_000)  # a push crosses hub, gateway and dashboard processes
    contexts = []

    def make():
        context = browser.new_context(viewport=VIEWPORT, locale="ja-JP", timezone_id="Asia/Tokyo")
        context.set_default_timeout(20_000)
        contexts.append(context)
        page = context.new_page()
        page.js_errors = []
        page.on("pageerror", lambda exc: page.js_errors.append(f"pageerror: {exc}"))
        page.on("console", lambda msg: _console_error(page, msg))
        return page

    yield make
    for context in contexts:
        context.close()


def _console_error(page, msg) -> None:
    # An HTTP refusal the page handles (401 before sign-in, a 409 it shows) is logged by the
    # browser as "Failed to load resource"; that is not a page error.
    if msg.type == "error" and not msg.text.startswith("Failed to load resource"):
        page.js_errors.append(f"console: {msg.text}")
