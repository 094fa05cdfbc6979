"""Fixtures every test may use: a fresh real database per test, SQLite or PostgreSQL, and a
real browser for UI tests; and the one rule that gives every test its kind.

TEST_DATABASE_URL selects PostgreSQL; each database is then its own schema, dropped after
the test, so runs never see each other's rows.

Kinds, by where a test lives (so a new test cannot go without one; `-m unit` is the quick loop):
tests/e2e/test_ui_* are `ui`, the rest of tests/e2e `e2e`, tests/load `load`, tests/fuzz `fuzz`
(a minute of generated requests), everything else `unit`. A test that uses a database fixture is
also `database`: only those need the PostgreSQL pass, which `./prearrival test` runs with
--database-tests-only after the SQLite pass. That pass leaves out the `ui` tests: a browser
reaches the database only through the servers' routes, which the `unit`, `e2e` and `fuzz` tests
already take on PostgreSQL (--database-tests-only --with-ui runs them too). The generated requests
run once, on PostgreSQL, the database that refuses more (a NUL in text, an integer out of range):
the SQLite pass then has --fuzz-on-postgresql.

The browser is Debian's Chromium (/usr/bin/chromium, installed by ./prearrival) driven by
Playwright: `playwright install` downloads browsers, which this project's machines cannot.
The UI tests' screenshots go to .screenshots/ (ignored by git) unless --screenshots names the
folder: `./prearrival test -m ui --screenshots=docs/screenshots` renews the documentation's."""
from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from shared.storage import make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")
TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATABASE_FIXTURES = {"database", "module_database", "session_database"}
# Modules that reach PostgreSQL themselves (TEST_DATABASE_URL) rather than through a fixture.
READS_TEST_DATABASE = {"shared/test_storage.py"}
_screenshots = ROOT / ".screenshots"


def pytest_addoption(parser):
    parser.addoption("--screenshots", metavar="DIR", type=Path,
                     help="where the UI tests save their screenshots (default .screenshots/, ignored by git); "
                          "docs/screenshots renews the documentation's")
    parser.addoption("--database-tests-only", action="store_true",
                     help="run only the tests that use a database, not in a browser (the PostgreSQL pass of "
                          "./prearrival test)")
    parser.addoption("--with-ui", action="store_true",
                     help="with --database-tests-only: the browser tests as well")
    parser.addoption("--fuzz-on-postgresql", action="store_true",
                     help="leave out the generated requests (tests/fuzz): the PostgreSQL pass runs them")


def pytest_configure(config):
    global _screenshots
    if config.getoption("screenshots"):
        _screenshots = config.getoption("screenshots").resolve()


def screenshots_folder() -> Path:
    """Where the UI tests save screenshots in this run (see --screenshots)."""
    _screenshots.mkdir(parents=True, exist_ok=True)
    return _screenshots


def _under_tests(path: Path) -> str:
    return path.relative_to(TESTS).as_posix() if path.is_relative_to(TESTS) else ""


def kind_of(path: Path) -> str:
    folder = _under_tests(path).split("/")[0]
    if folder == "e2e" and path.name.startswith("test_ui_"):
        return "ui"
    return folder if folder in ("e2e", "load", "fuzz") else "unit"


def uses_database(item) -> bool:
    return (bool(DATABASE_FIXTURES & set(item.fixturenames)) or item.get_closest_marker("database") is not None
            or _under_tests(item.path) in READS_TEST_DATABASE)


@pytest.hookimpl(tryfirst=True)  # before -m selects by these marks
def pytest_collection_modifyitems(config, items):
    for item in items:
        item.add_marker(kind_of(item.path))
        if uses_database(item):
            item.add_marker("database")
    if config.getoption("database_tests_only"):
        with_ui = config.getoption("with_ui")
        _deselect(config, items, lambda item: not (item.get_closest_marker("database")
                                                   and (with_ui or not item.get_closest_marker("ui"))))
    if config.getoption("fuzz_on_postgresql"):
        _deselect(config, items, lambda item: item.get_closest_marker("fuzz") is not None)
    if os.environ.get("PYTEST_XDIST_WORKER"):
        items.sort(key=_longest_first(items))


def _deselect(config, items, leave_out) -> None:
    left = [item for item in items if leave_out(item)]
    if left:
        config.hook.pytest_deselected(items=left)
        items[:] = [item for item in items if not leave_out(item)]


def _longest_first(items):
    """Workers are handed tests in collection order (with --no-loadscope-reorder): the long
    modules first, so no worker is left alone with a 40-second test at the end."""
    rank: dict[Path, tuple] = {}
    for item in items:
        mine = (item.get_closest_marker("slow") is None, kind_of(item.path) == "unit")
        rank[item.path] = min(rank.get(item.path, mine), mine)
    return lambda item: rank[item.path]


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
    """The same, shared by a module's tests (for an end-to-end system of the module's own)."""
    made = Databases(tmp_path_factory.mktemp("db"))
    yield made
    made.drop()


@pytest.fixture(scope="session")
def session_database(tmp_path_factory):
    """The same, for the whole run (the end-to-end system most modules share)."""
    made = Databases(tmp_path_factory.mktemp("db"))
    yield made
    made.drop()


@pytest.fixture(autouse=True, scope="session")
def migrated_copies(tmp_path_factory):
    """A fresh database, SQLite or PostgreSQL, starts as what the migrations made, copied
    (tests/migrated_copies.py)."""
    from shared import storage
    from tests.migrated_copies import MigratedCopies
    copies = MigratedCopies(tmp_path_factory.mktemp("migrated"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage, "migrate", copies.migrate)
        yield
    copies.close()


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing():
    """Passwords hashed in tests take scrypt's 1 MiB setting instead of production's 16 MiB: each
    test makes and signs in accounts, and the full cost was a quarter of the unit tests' time.
    Nothing a test checks depends on the cost (a hash names its own parameters, so the servers of
    an end-to-end system check these as they would any)."""
    from shared import accounts
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(accounts, "_N", 2**10)
        yield


@pytest.fixture(autouse=True, scope="session")
def second_factor_off_unless_asked():
    """Sign-in asks no second factor in the tests, except where a test sets SECOND_FACTOR=policy
    (tests/*/test_*factor*.py): a TOTP code is good once per 30 s, and every test signs the demo
    physician in. Set in the environment so the end-to-end servers inherit it too."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("SECOND_FACTOR", os.environ.get("SECOND_FACTOR", "off"))
        yield


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

    make.contexts = contexts  # for pytest_runtest_makereport, when the test fails
    yield make
    for context in contexts:
        context.close()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """A UI test that fails keeps what each of its pages showed: a screenshot in the screenshots
    folder's failed/ and the page's text in the report; an end-to-end test that fails, the end of
    each of its servers' logs. So a failure on CI can be read."""
    report = yield
    if report.when != "call" or not report.failed:
        return report
    _server_logs(item, report)
    make = item.funcargs.get("new_page")
    for n, page in enumerate(p for context in getattr(make, "contexts", []) for p in context.pages):
        try:
            name = f"{item.name[:80]}.{n}.png"
            page.screenshot(path=str(screenshots_folder() / "failed" / name), timeout=5_000)
            shown = page.inner_text("body", timeout=5_000)[:6000]
            report.sections.append((f"page {n}: {page.url} (failed/{name})", shown))
        except Exception as e:  # noqa: BLE001 - a page that cannot be read must not hide the failure
            report.sections.append((f"page {n}", f"not readable: {e}"))
    return report


def _server_logs(item, report, lines: int = 40) -> None:
    from launcher.system import System
    for system in {id(v): v for v in item.funcargs.values() if isinstance(v, System)}.values():
        for server in [*system.hubs, *system.hospitals.values()]:
            try:
                tail = server.log_file.read_text(errors="replace").splitlines()[-lines:]
            except OSError as e:
                tail = [f"not readable: {e}"]
            report.sections.append((f"log of {server.module} at {server.url}", "\n".join(tail)))


# Chromium's own complaints, not the page's: an HTTP refusal the page handles (401 before sign-in,
# a 409 it shows) is logged as "Failed to load resource"; and when a reload closes the page's live
# socket while the server's next frame is already on its way, the frame "received after close" is
# logged as a failed WebSocket. A socket that cannot connect is logged otherwise and still counts.
_NOT_THE_PAGES = (re.compile(r"^Failed to load resource"),
                  re.compile(r"^WebSocket connection to '[^']*' failed: Data frame received after close$"))


def _console_error(page, msg) -> None:
    if msg.type == "error" and not any(p.search(msg.text) for p in _NOT_THE_PAGES):
        page.js_errors.append(f"console: {msg.text}")


class EnglishClient(FlaskClient):
    """A Flask test client whose user chose English, so a test can read a refusal's words; the
    Japanese default is shown by tests that clear the cookie (tests/web/test_errors.py)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_cookie("lang", "en")


@pytest.fixture(autouse=True)
def english_replies(monkeypatch):
    monkeypatch.setattr(Flask, "test_client_class", EnglishClient)
