"""Two hub processes on one database, no message queue between them (the embedded layout, scaled
out): the sign-in throttle counts failures across both, a session ended through one is over on the
other, and a crew socket held by the other closes within the sweep (web/session_sockets.py). The
command line ends sessions the same way: `python -m ems_app users disable`."""
from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
import requests
import socketio

from ems_app.services.enrolment import create_user
from launcher.processes import Server
from launcher.seed import open_hub
from tests.e2e.conftest import PASSWORD

pytestmark = pytest.mark.timeout(180)


@pytest.fixture(scope="module")
def hubs(module_database, tmp_path_factory):
    env = {"EMS_INSTANCE": str(tmp_path_factory.mktemp("two-hubs") / "ems"), **module_database("ems")}
    hub = open_hub(env)
    try:
        for username in ("guessed", "crew-a", "crew-b"):
            create_user(hub, username, username, "paramedic", "t1", PASSWORD)
    finally:
        hub.db.dispose()
    servers = [Server("ems_app", env).launch() for _ in range(2)]
    for server in servers:
        server.wait_ready()
    yield env, servers
    for server in servers:
        server.stop()


def sign_in(url: str, username: str, password: str = PASSWORD) -> requests.Response:
    return requests.post(f"{url}/api/auth/login", json={"username": username, "password": password}, timeout=10)


def crew_socket(url: str, cookie: str) -> socketio.Client:
    client = socketio.Client(reconnection=False)
    client.connect(url, namespaces=["/crew"], transports=["websocket"], headers={"Cookie": f"ems_session={cookie}"},
                   wait_timeout=10)
    return client


def wait_disconnected(client: socketio.Client, within_s: float = 5.0) -> float:
    started = time.monotonic()
    while client.connected and time.monotonic() - started < within_s:
        time.sleep(0.05)
    assert not client.connected, f"socket still open after {within_s}s"
    return time.monotonic() - started


def test_failures_on_one_process_throttle_the_account_on_the_other(hubs):
    _, (a, b) = hubs
    assert [sign_in(a.url, "guessed", "wrong guess").status_code for _ in range(5)] == [401] * 5
    refused = sign_in(b.url, "guessed", PASSWORD)
    assert refused.status_code == 429 and int(refused.headers["Retry-After"]) > 0


def test_a_sign_out_through_one_process_ends_the_session_and_its_socket_on_the_other(hubs):
    _, (a, b) = hubs
    cookie = sign_in(a.url, "crew-a").cookies["ems_session"]
    on_b = requests.Session()
    on_b.cookies.set("ems_session", cookie)
    assert on_b.get(f"{b.url}/api/auth/me", timeout=10).status_code == 200
    socket = crew_socket(b.url, cookie)
    assert socket.connected
    on_a = requests.Session()
    on_a.cookies.set("ems_session", cookie)
    assert on_a.post(f"{a.url}/api/auth/logout", json={}, timeout=10).ok
    wait_disconnected(socket)
    time.sleep(1.1)  # past the per-process cache of a session (a second at most)
    assert on_b.get(f"{b.url}/api/auth/me", timeout=10).status_code == 401


def test_disabling_from_the_command_line_closes_the_crews_socket_and_session(hubs):
    env, (a, b) = hubs
    cookie = sign_in(a.url, "crew-b").cookies["ems_session"]
    socket = crew_socket(b.url, cookie)
    done = subprocess.run([sys.executable, "-m", "ems_app", "users", "disable", "crew-b"],
                          env={**os.environ, **env}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "1 session(s) ended" in done.stdout
    wait_disconnected(socket)
    held = requests.Session()
    held.cookies.set("ems_session", cookie)
    time.sleep(1.1)
    assert held.get(f"{a.url}/api/auth/me", timeout=10).status_code == 401
    assert sign_in(b.url, "crew-b").status_code == 401
    listed = subprocess.run([sys.executable, "-m", "ems_app", "users", "list"], env={**os.environ, **env},
                            capture_output=True, text=True, timeout=60)
    assert "crew-b\tparamedic\tdisabled" in listed.stdout
