"""Two hub processes joined by Redis, in the production layout (gevent, explicit async mode):
an update sent through one reaches a dashboard whose hospital gateway is connected to the other,
and two hospital apps configured with the same Redis never see each other's patients."""
from __future__ import annotations

import time
import uuid

import pytest
import redis

from launcher.system import DEMO_HOSPITALS, System
from tests.e2e.conftest import PASSWORD, DashboardClient, accepted_incident, sign_in, wait_online

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(scope="module")
def system(module_database, tmp_path_factory):
    redis.Redis.from_url(REDIS_URL).ping()  # a missing Redis fails the test, it does not skip it
    db_env = {"ems": module_database("ems"), "tokyo-er": module_database("tokyo-er"),
              "minato-hp": module_database("minato-hp")}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env, hub_processes=2,
                     extra_env={"SOCKETIO_MESSAGE_QUEUE": REDIS_URL, "ASYNC_MODE": "gevent",
                                "SOCKETIO_CHANNEL": f"test-{uuid.uuid4().hex}"},
                     gateway_route=lambda _hid, urls: urls[1])   # gateways connect to process 2
    running.start(hospitals=DEMO_HOSPITALS[:2], password=PASSWORD)
    yield running
    running.stop()


def test_update_through_process_1_reaches_a_gateway_on_process_2(system):
    first, second = system.hubs
    er = system.hospitals["tokyo-er"]
    doctor = sign_in(er.url, "er-doctor")
    board = DashboardClient(er.url, doctor)
    other_er = system.hospitals["minato-hp"]
    other_board = DashboardClient(other_er.url, sign_in(other_er.url, "er-doctor"))
    via_second = sign_in(second.url, "kyukyu1")
    wait_online(via_second, "tokyo-er")           # process 2 holds the gateway's socket
    crew = sign_in(first.url, "kyukyu1")          # the crew talks to process 1
    wait_online(crew, "tokyo-er")                 # process 1 knows it too (services/presence.py)

    iid = accepted_incident(system, crew, "tokyo-er", doctor, board, "SIM-000080")
    sent = crew.post(f"{first.url}/api/incidents/{iid}/updates",
                     json={"kind": "vitals", "vitals": {"heart_rate": 142, "spo2": 90}})
    assert sent.status_code == 201
    update = board.wait_for("update", lambda d: d["incident_id"] == iid)
    assert update["payload"]["vitals"]["heart_rate"] == 142
    # The other hospital's dashboard, on the same Redis, was pushed nothing about this patient.
    time.sleep(1)
    seen = []
    while not other_board.events.empty():
        seen.append(other_board.events.get_nowait())
    assert [e for e in seen if iid in str(e[1])] == []
    board.close()
    other_board.close()
