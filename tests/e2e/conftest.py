"""The whole system as real server processes on loopback ports, on the selected database."""
from __future__ import annotations

import pytest
import requests
import socketio

from launcher.system import DEMO_HOSPITALS, System

PASSWORD = "correct horse battery"


@pytest.fixture(scope="module")
def system(module_database, tmp_path_factory):
    """Hub and three hospitals, shared by the tests of one module; each test uses its own incidents."""
    db_env = {"ems": module_database("ems"), **{hid: module_database(hid) for hid, _, _ in DEMO_HOSPITALS}}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env).start(password=PASSWORD)
    yield running
    running.stop()


def sign_in(base_url: str, username: str) -> requests.Session:
    session = requests.Session()
    resp = session.post(f"{base_url}/api/auth/login", json={"username": username, "password": PASSWORD},
                        timeout=10)
    assert resp.status_code == 200, resp.text
    session.base = base_url
    return session


class DashboardClient:
    """A real Socket.IO client on the ER dashboard namespace, recording what it is pushed."""

    def __init__(self, base_url: str, session: requests.Session, cookie_name: str = "er_session"):
        import queue
        self.events: queue.Queue = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        for name in ("inquiry", "inquiry_changed", "patient", "update", "patient_removed"):
            self.sio.on(name, (lambda n: lambda data: self.events.put((n, data)))(name), namespace="/dashboard")
        cookie = session.cookies.get(cookie_name)
        self.sio.connect(base_url, namespaces=["/dashboard"], transports=["websocket"],
                         headers={"Cookie": f"{cookie_name}={cookie}"} if cookie else {}, wait_timeout=10)

    def wait_for(self, event: str, predicate=lambda d: True, timeout: float = 20):
        import queue
        import time
        deadline = time.time() + timeout
        while True:
            remaining = deadline - time.time()
            if remaining <= 0:
                raise AssertionError(f"no '{event}' event within {timeout}s")
            try:
                name, data = self.events.get(timeout=remaining)
            except queue.Empty:
                continue
            if name == event and predicate(data):
                return data

    def close(self):
        self.sio.disconnect()


def wait_online(crew: requests.Session, *hospital_ids: str, timeout: float = 30) -> None:
    """Wait until the hub sees these hospitals' gateways connected (they connect on their own)."""
    import time
    deadline = time.time() + timeout
    while time.time() < deadline:
        online = {h["id"] for h in crew.get(f"{crew.base}/api/hospitals").json() if h["online"]}
        if set(hospital_ids) <= online:
            return
        time.sleep(0.2)
    raise AssertionError(f"gateways never connected: {set(hospital_ids) - online}")


def open_with_record(crew: requests.Session, card_id: str = "SIM-CRITICAL", complaint: str = "胸痛") -> str:
    """An incident with card read, consent recorded and the record fetched."""
    iid = crew.post(f"{crew.base}/api/incidents", json={"chief_complaint": complaint}).json()["id"]
    assert crew.post(f"{crew.base}/api/incidents/{iid}/card",
                     json={"card_id": card_id, "face_confirmed": True}).status_code == 200
    assert crew.post(f"{crew.base}/api/incidents/{iid}/basis", json={"basis": {"kind": "consent"}}).status_code == 200
    assert crew.post(f"{crew.base}/api/incidents/{iid}/record", json={}).status_code == 200
    return iid
