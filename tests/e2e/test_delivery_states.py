"""The crew sees each update go from sent to delivered to seen, and the ER's acknowledgement,
pushed to the tablet's own Socket.IO connection."""
from __future__ import annotations

import queue
import time

import socketio

from tests.e2e.conftest import DashboardClient, accepted_incident, sign_in, wait_online


def crew_socket(base_url, session, iid):
    events: queue.Queue = queue.Queue()
    sio = socketio.Client(reconnection=False)
    for name in ("delivery", "inquiry_changed"):
        sio.on(name, (lambda n: lambda data: events.put((n, data)))(name), namespace="/crew")
    sio.connect(base_url, namespaces=["/crew"], transports=["websocket"], wait_timeout=10,
                headers={"Cookie": f"ems_session={session.cookies.get('ems_session')}"})
    assert sio.call("follow", {"incident_id": iid}, namespace="/crew", timeout=10) == {"ok": True}
    return sio, events


def wait_state(crew, iid, predicate, timeout=15):
    deadline = time.time() + timeout
    while time.time() < deadline:
        state = crew.get(f"{crew.base}/api/incidents/{iid}/updates").json()
        if predicate(state):
            return state
        time.sleep(0.2)
    raise AssertionError(f"state never reached: {state}")


def test_sent_delivered_seen_and_acknowledged(system):
    er = system.hospitals["tokyo-er"]
    doctor = sign_in(er.url, "er-doctor")
    board = DashboardClient(er.url, doctor)
    crew = sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    iid = accepted_incident(system, crew, "tokyo-er", doctor, board, "SIM-000090")
    sio, pushed = crew_socket(system.hub.url, crew, iid)

    crew.post(f"{crew.base}/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": {"spo2": 93}})
    update = board.wait_for("update", lambda d: d["incident_id"] == iid)
    state = wait_state(crew, iid, lambda s: s["updates"][0]["state"] == "delivered")
    assert state["hospital_id"] == "tokyo-er" and state["acknowledged_at"] is None

    board.sio.call("seen", {"incident_id": iid, "seq": update["seq"]}, namespace="/dashboard", timeout=10)
    wait_state(crew, iid, lambda s: s["updates"][0]["state"] == "seen")
    assert board.sio.call("acknowledge", {"incident_id": iid}, namespace="/dashboard", timeout=10) == {"ok": True}
    board.wait_for("patient_acknowledged", lambda d: d["incident_id"] == iid)
    wait_state(crew, iid, lambda s: s["acknowledged_at"] is not None)

    kinds = []
    while not pushed.empty():
        kinds.append(pushed.get()[1].get("seen_seq"))
    assert 1 in kinds  # the tablet was told, not only able to ask
    sio.disconnect()
    board.close()


def test_resending_the_same_update_applies_it_once(system):
    er = system.hospitals["tokyo-er"]
    doctor = sign_in(er.url, "er-doctor")
    board = DashboardClient(er.url, doctor)
    crew = sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    iid = accepted_incident(system, crew, "tokyo-er", doctor, board, "SIM-000091")
    body = {"kind": "note", "text": "再送テスト", "client_id": "tablet-0001-abcd"}
    first = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json=body)
    again = crew.post(f"{crew.base}/api/incidents/{iid}/updates", json=body)
    assert (first.status_code, again.status_code) == (201, 200) and first.json() == again.json()
    assert len(crew.get(f"{crew.base}/api/incidents/{iid}/updates").json()["updates"]) == 1


def test_crew_socket_needs_a_session_and_follows_only_its_own_incidents(system):
    refused = socketio.Client(reconnection=False)
    try:
        refused.connect(system.hub.url, namespaces=["/crew"], transports=["websocket"], wait_timeout=5)
        connected = True
    except socketio.exceptions.ConnectionError:
        connected = False
    assert not connected
    crew = sign_in(system.hub.url, "kyukyu2")
    sio = socketio.Client(reconnection=False)
    sio.connect(system.hub.url, namespaces=["/crew"], transports=["websocket"], wait_timeout=10,
                headers={"Cookie": f"ems_session={crew.cookies.get('ems_session')}"})
    assert sio.call("follow", {"incident_id": "0000000000000000"}, namespace="/crew", timeout=10)["error"] == "not_found"
    sio.disconnect()
