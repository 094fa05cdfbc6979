"""A fault at the moment of acceptance loses no patient: the link to the hub drops, or the
hospital app dies, after the ER accepted and before the record arrived; once the link or the app
is back the patient arrives, with every update made meanwhile. The crew reads "accepted, record
not yet delivered" until then, never a silence that looks like success."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from launcher.system import DEMO_HOSPITALS, System
from tests.e2e.conftest import PASSWORD, DashboardClient, open_with_record, send_updates, sign_in, wait_online
from tests.e2e.proxy import Relay

HOSPITALS = DEMO_HOSPITALS[:1]
RECORD_FETCH = b"GET /api/hospital/records/"


class TrapRelay(Relay):
    """The relay in front of the gateway, with a trap for one incident's record fetch: "cut"
    drops the whole link the moment the fetch goes out (the socket too, and refuses new
    connections until restored); "hold" keeps the request from the hub until released, so the
    test can kill the hospital app while it waits."""

    def __init__(self, target_port: int):
        super().__init__(target_port)
        self.trap: tuple[bytes, str] | None = None
        self.sprung, self.released = threading.Event(), threading.Event()

    def set_trap(self, incident_id: str, what: str) -> None:
        self.sprung.clear()
        self.released.clear()
        self.trap = (RECORD_FETCH + incident_id.encode(), what)

    def _pipe(self, src, dst) -> None:
        try:
            while data := src.recv(65536):
                trap = self.trap
                if trap and data.startswith(trap[0]):
                    self.trap = None
                    self.sprung.set()
                    if trap[1] == "cut":
                        self.cut()
                    else:
                        self.released.wait(120)
                    return
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.close()
                except OSError:
                    pass


@pytest.fixture(scope="module")
def system(module_database, tmp_path_factory):
    """Hub and one hospital whose gateway reaches the hub through a relay with a trap."""
    relays: list[TrapRelay] = []

    def through_relay(_hid, urls):
        relays.append(TrapRelay(int(urls[-1].rsplit(":", 1)[1])))
        return relays[-1].url

    db_env = {"ems": module_database("ems"), "tokyo-er": module_database("tokyo-er")}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env, gateway_route=through_relay)
    running.start(hospitals=HOSPITALS, password=PASSWORD)
    running.relay, running.er_database = relays[0], db_env["tokyo-er"]
    yield running
    running.stop()
    relays[0].close()


def asked(system, crew, card_id: str) -> tuple[str, str]:
    """An incident with its record, tokyo-er asked: (incident id, inquiry id)."""
    er = system.hospitals["tokyo-er"]
    wait_online(crew, "tokyo-er")
    board = DashboardClient(er.url, sign_in(er.url, "er-doctor"))
    iid = open_with_record(crew, card_id)
    assert crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]}).ok
    inquiry = board.wait_for("inquiry", lambda d: d["incident_id"] == iid)
    board.close()
    return iid, inquiry["inquiry_id"]


def crew_state(crew, iid) -> dict:
    return crew.get(f"{crew.base}/api/incidents/{iid}/updates").json()


def eventually(what, check, timeout: float = 60):
    deadline = time.time() + timeout
    while True:
        try:
            value = check()
        except requests.RequestException:
            value = None
        if value:
            return value
        if time.time() > deadline:
            raise AssertionError(f"never: {what}")
        time.sleep(0.3)


def patient_at_the_er(er_url: str, iid: str, seqs: list[int], timeout: float = 60) -> dict:
    """The hospital's copy of the patient, once it holds the record and exactly these updates."""
    doctor = sign_in(er_url, "er-doctor")

    def arrived():
        resp = doctor.get(f"{er_url}/api/patients/{iid}", timeout=5)
        return resp.ok and [u["seq"] for u in resp.json()["updates"]] == seqs and resp.json()
    return eventually(f"patient {iid} at the ER with updates {seqs}", arrived, timeout)


def test_the_link_drops_as_the_record_is_fetched_and_the_patient_still_arrives(system):
    er = system.hospitals["tokyo-er"]
    crew = sign_in(system.hub.url, "kyukyu1")
    iid, inquiry_id = asked(system, crew, "SIM-000301")
    system.relay.set_trap(iid, "cut")
    doctor = sign_in(er.url, "er-doctor")
    assert doctor.post(f"{er.url}/api/inquiries/{inquiry_id}/answer", json={"accept": True}).ok
    assert system.relay.sprung.wait(20), "the gateway never fetched the record"
    try:
        send_updates(crew, iid, 1, 3)  # the crew goes on while the ER is cut off
        time.sleep(3)  # the gateway's first tries fail meanwhile
        state = crew_state(crew, iid)
        assert state["hospital_id"] == "tokyo-er" and state["record_delivered"] is False
        assert doctor.get(f"{er.url}/api/patients/{iid}").status_code == 404  # not there yet: it is awaited
    finally:
        system.relay.restore()
    patient = patient_at_the_er(er.url, iid, [1, 2, 3])
    assert patient["critical"] and patient["identity"]
    state = eventually("the crew sees the record delivered",
                       lambda: (s := crew_state(crew, iid))["record_delivered"] and s["delivered_seq"] == 3 and s)
    assert [u["state"] for u in state["updates"]] == ["delivered"] * 3


@pytest.mark.parametrize("grant_stored", [True, False], ids=["grant-stored", "grant-lost-before-it-was-stored"])
def test_the_hospital_app_dies_as_the_record_is_fetched_and_the_patient_arrives_after_restart(system,
                                                                                           grant_stored):
    """Killed while its record fetch waits at the relay. With the grant stored at acceptance the
    restarted app fetches it at once; with it lost too (a crash before that commit, as the store is
    left here), the hub's answer to the reconnect hands the grant back."""
    from sqlalchemy import delete

    from hospital_app.models import PendingGrant
    from shared.storage import make_engine
    er = system.hospitals["tokyo-er"]
    crew = sign_in(system.hub.url, "kyukyu1")
    iid, inquiry_id = asked(system, crew, "SIM-000302" if grant_stored else "SIM-000303")
    system.relay.set_trap(iid, "hold")
    doctor = sign_in(er.url, "er-doctor")
    assert doctor.post(f"{er.url}/api/inquiries/{inquiry_id}/answer", json={"accept": True}).ok
    assert system.relay.sprung.wait(20), "the gateway never fetched the record"
    er.kill()  # kill -9 while the fetch is under way
    system.relay.released.set()
    if not grant_stored:
        engine = make_engine(system.er_database["DATABASE_URL"], system.er_database.get("DATABASE_SCHEMA"))
        with engine.begin() as conn:
            assert conn.execute(delete(PendingGrant).where(PendingGrant.incident_id == iid)).rowcount == 1
        engine.dispose()
    send_updates(crew, iid, 1, 2)  # the crew goes on while the ER is down
    assert crew_state(crew, iid)["record_delivered"] is False
    er.start()
    patient_at_the_er(er.url, iid, [1, 2])
    send_updates(crew, iid, 3, 1)
    patient_at_the_er(er.url, iid, [1, 2, 3])
    eventually("the crew sees the record delivered",
               lambda: (s := crew_state(crew, iid))["record_delivered"] and s["delivered_seq"] == 3)
