"""Across two hub processes: which gateways are online, and the patient's one-time code.

The gateways connect to process 2; the crew asks process 1. Process 1 lists them online (the
presence table both share), drops one that disconnects, and, once process 2 crashes without a
word, drops the other when its heartbeat lapses (GATEWAY_PRESENCE_TTL_S, 3 s here). A code sent
through one process opens the history through the other, once."""
from __future__ import annotations

import time
import uuid

import pytest
import redis
import requests

from launcher.system import DEMO_HOSPITALS, System
from shared.sources.simulator import OqcSimulator
from tests.e2e.conftest import PASSWORD, sign_in, wait_online
from tests.ems_app.patient_page import latest_code

REDIS_URL = "redis://127.0.0.1:6379/0"
TTL_S = 3


@pytest.fixture(scope="module")
def system(module_database, tmp_path_factory):
    """Its own system: the test crashes a hub process."""
    redis.Redis.from_url(REDIS_URL).ping()  # a missing Redis fails the test, it does not skip it
    db_env = {"ems": module_database("ems"), "tokyo-er": module_database("tokyo-er"),
              "minato-hp": module_database("minato-hp")}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env, hub_processes=2,
                     extra_env={"SOCKETIO_MESSAGE_QUEUE": REDIS_URL, "SOCKETIO_CHANNEL": f"test-{uuid.uuid4().hex}"},
                     hub_env_extra={"GATEWAY_PRESENCE_TTL_S": str(TTL_S)},
                     gateway_route=lambda _hid, urls: urls[1])   # gateways connect to process 2
    running.start(hospitals=DEMO_HOSPITALS[:2], password=PASSWORD)
    yield running
    running.stop()


def online(crew) -> set[str]:
    return {h["id"] for h in crew.get(f"{crew.base}/api/hospitals").json() if h["online"]}


def wait_offline(crew, hospital_id: str, timeout: float) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if hospital_id not in online(crew):
            return time.monotonic() - started
        time.sleep(0.2)
    raise AssertionError(f"{hospital_id} still listed online after {timeout} s")


def test_a_code_sent_through_one_process_opens_the_history_through_the_other_once(system):
    first, second = system.hubs
    birth = OqcSimulator().fetch("SIM-000077").card.birth_date.isoformat()
    sent = requests.post(f"{first.url}/api/patient/code", json={"card_id": "SIM-000077", "birth_date": birth},
                         timeout=10)
    assert sent.status_code == 200, sent.text
    code = latest_code(system.root / "ems")
    body = {"challenge": sent.json()["challenge"], "code": code}
    opened = requests.post(f"{second.url}/api/patient/history", json=body, timeout=10)
    assert opened.status_code == 200 and opened.json() == []
    again = requests.post(f"{first.url}/api/patient/history", json=body, timeout=10)
    assert again.status_code == 401 and again.json()["error"] == "code_spent"


def test_every_process_lists_the_gateways_and_a_crashed_process_s_expire(system):
    first, second = system.hubs
    crew = sign_in(first.url, "kyukyu1")                    # the crew talks to process 1
    wait_online(crew, "tokyo-er", "minato-hp")              # both gateways are on process 2
    assert online(sign_in(second.url, "kyukyu1")) == {"tokyo-er", "minato-hp"}

    system.hospitals["minato-hp"].stop()                    # a clean disconnect: gone at once
    assert wait_offline(crew, "minato-hp", timeout=15) < 15
    assert "tokyo-er" in online(crew)

    second.kill()                                           # a crash: nothing is deleted...
    took = wait_offline(crew, "tokyo-er", timeout=TTL_S + 10)  # ...but the heartbeat lapses
    assert took <= TTL_S + 10
