"""What every answer says about the connection and the server: Strict-Transport-Security once
the app is served over https (directly, behind a trusted proxy, or COOKIE_SECURE), and a
Server header that names no software or version, checked on real server processes in both
async modes."""
import pytest
import requests

from hospital_app import create_app
from launcher.processes import Server
from web.http import HSTS


@pytest.fixture
def make_app(database, tmp_path):
    apps = []

    def make(**overrides):
        app = create_app({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", **database(f"er{len(apps)}"),
                          **overrides})
        apps.append(app)
        return app
    yield make
    for app in apps:
        app.extensions["db"].dispose()


def test_plain_http_without_secure_cookies_sends_no_hsts(make_app):
    assert "Strict-Transport-Security" not in make_app().test_client().get("/healthz").headers


def test_https_sends_hsts(make_app):
    resp = make_app().test_client().get("/healthz", base_url="https://er.example")
    assert resp.headers["Strict-Transport-Security"] == HSTS


def test_secure_cookies_send_hsts_even_when_the_proxy_speaks_http_to_the_app(make_app):
    app = make_app(COOKIE_SECURE="1")
    for path in ("/healthz", "/api/patients", "/"):
        assert app.test_client().get(path).headers["Strict-Transport-Security"] == HSTS


def test_behind_a_trusted_proxy_the_forwarded_scheme_decides(make_app):
    app = make_app(PROXY_HOPS="1")
    resp = app.test_client().get("/healthz", headers={"X-Forwarded-Proto": "https", "X-Forwarded-For": "10.0.0.9"})
    assert resp.headers["Strict-Transport-Security"] == HSTS


@pytest.mark.parametrize("mode", ["threading", "gevent"])
def test_a_real_server_names_no_software_or_version(tmp_path, mode):
    server = Server("hospital_app", {"HOSPITAL_INSTANCE": str(tmp_path / "er"), "GATEWAY": "0", "ASYNC_MODE": mode,
                                     "DATABASE_URL": f"sqlite:///{tmp_path / 'er.db'}"}).start()
    try:
        answers = [requests.get(f"{server.url}{path}", timeout=5)
                   for path in ("/healthz", "/api/nowhere", "/", "/socket.io/?EIO=4&transport=polling")]
        bad_line = requests.get(f"{server.url}/healthz", headers={"Content-Length": "x"}, timeout=5)
    finally:
        server.stop()
    for resp in [*answers, bad_line]:
        said = resp.headers.get("Server", "")
        assert "werkzeug" not in said.lower() and "python" not in said.lower() and "gevent" not in said.lower(), said
        assert not any(ch.isdigit() for ch in said), said
