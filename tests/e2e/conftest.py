"""The whole system as real server processes on loopback ports, on the selected database.

Starting one takes seconds, so one system serves every module that does not ask for its own
(each test uses its own incidents and cards). A module whose tests look at the whole of a
board (the new-patient alert rings for every patient not yet acknowledged) or need other
processes or settings (a relay in front of a gateway, two hubs on Redis) overrides `system`
with `own_system` or a fixture of its own."""
from __future__ import annotations

import pytest
import requests
import socketio

from launcher.processes import Forkserver, Server
from launcher.system import DEMO_HOSPITALS, System

PASSWORD = "correct horse battery"


def start_system(databases, root, hospitals=DEMO_HOSPITALS) -> System:
    """Hub and hospitals (the three demo ones) on databases made by `databases` (see tests/conftest.py)."""
    db_env = {"ems": databases("ems"), **{hid: databases(hid) for hid, _, _ in hospitals}}
    return System(root=root, db_env=db_env).start(hospitals=hospitals, password=PASSWORD)


@pytest.fixture(scope="session", autouse=True)
def servers_forked():
    """Every server these tests start is forked from one process that has imported both apps
    (launcher/forkserver.py), not a new interpreter that imports them again: a run starts some
    hundred servers, and the import was most of each one's start."""
    forkserver = Forkserver()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(Server, "forkserver", forkserver)
        yield forkserver
    forkserver.close()


@pytest.fixture(scope="session")
def shared_system(session_database, tmp_path_factory):
    running = start_system(session_database, tmp_path_factory.mktemp("system"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def system(shared_system):
    """Hub and three hospitals, shared with the other modules; each test uses its own incidents."""
    return shared_system


@pytest.fixture(scope="module")
def own_system(request, module_database, tmp_path_factory):
    """Hub and hospitals for one module alone: the module's HOSPITALS, or all three demo ones
    (each hospital is a server process, and starting one costs a few CPU-seconds)."""
    hospitals = getattr(request.module, "HOSPITALS", DEMO_HOSPITALS)
    running = start_system(module_database, tmp_path_factory.mktemp("system"), hospitals)
    yield running
    running.stop()


def sign_in(base_url: str, username: str) -> requests.Session:
    session = requests.Session()
    resp = session.post(f"{base_url}/api/auth/login", json={"username": username, "password": PASSWORD},
                        timeout=10)
    assert resp.status_code == 200, resp.text
    session.base = base_url
    return session


def in_arrival_order(sio: socketio.Client) -> None:
    """Handle each message on the connection's own thread, as it arrives. The Engine.IO client
    hands every message to a new thread, so under load two pushes sent in order could be recorded
    the other way round (seen once: update 13 recorded after 15), and a test of the order the
    server pushes in would fail for the client's sake. The handlers here only record."""
    trigger = sio.eio._trigger_event

    def at_once(event, *args, **kwargs):
        if event == "message":
            kwargs["run_async"] = False
        return trigger(event, *args, **kwargs)
    sio.eio._trigger_event = at_once


class DashboardClient:
    """A real Socket.IO client on the ER dashboard namespace, recording what it is pushed."""

    def __init__(self, base_url: str, session: requests.Session, cookie_name: str = "er_session"):
        import queue
        self.events: queue.Queue = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        in_arrival_order(self.sio)
        for name in ("inquiry", "inquiry_changed", "patient", "update", "patient_removed", "patient_acknowledged"):
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


def send_updates(crew: requests.Session, iid: str, first: int, count: int, *, retry_for: float = 60,
                 pace: float = 0.0, failures: list | None = None) -> None:
    """Post vitals first..first+count-1 as a tablet would: each with its own idempotency key,
    retried until the hub answers (it may be down), so each is applied exactly once.
    Refused or unanswered attempts are appended to `failures`."""
    import time
    for n in range(first, first + count):
        time.sleep(pace)
        body = {"kind": "vitals", "client_id": f"{iid}-vitals-{n:04d}", "vitals": {"heart_rate": 60 + n % 200}}
        deadline = time.time() + retry_for
        while True:
            try:
                resp = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json=body, timeout=5)
                if resp.status_code in (200, 201):
                    break
            except requests.RequestException as e:
                if failures is not None:
                    failures.append((n, type(e).__name__))
            if time.time() > deadline:
                raise AssertionError(f"update {n} never accepted")
            time.sleep(0.2)


def accepted_incident(system, crew, hospital_id: str, doctor: requests.Session, board: "DashboardClient",
                      card_id: str = "SIM-000070") -> str:
    """An incident the hospital has accepted, its patient already on the dashboard."""
    iid = open_with_record(crew, card_id)
    crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital_id]})
    inquiry = board.wait_for("inquiry", lambda d: d["incident_id"] == iid)
    url = system.hospitals[hospital_id].url
    assert doctor.post(f"{url}/api/inquiries/{inquiry['inquiry_id']}/answer", json={"accept": True}).ok
    board.wait_for("patient", lambda d: d["incident_id"] == iid)
    return iid


def updates_seen(board: "DashboardClient", iid: str, until_seq: int, timeout: float = 60) -> list[int]:
    """Every update seq the dashboard is pushed for iid, until until_seq arrives."""
    seqs: list[int] = []
    while not seqs or seqs[-1] != until_seq:
        seqs.append(board.wait_for("update", lambda d: d["incident_id"] == iid, timeout=timeout)["seq"])
    return seqs
