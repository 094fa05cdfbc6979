"""On real servers: the crew hands the patient over, then closes the incident at once; the ER
keeps its copy of the record for the grant's window, and its dashboard is not told to drop it."""
from __future__ import annotations

import time

from tests.e2e.conftest import DashboardClient, accepted_incident, sign_in, wait_online


def test_closing_right_after_handover_leaves_the_er_its_record(system):
    er = system.hospitals["tokyo-er"]
    doctor = sign_in(er.url, "er-doctor")
    board = DashboardClient(er.url, doctor)
    crew = sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    iid = accepted_incident(system, crew, "tokyo-er", doctor, board, "SIM-000171")

    assert crew.post(f"{crew.base}/api/incidents/{iid}/handover", json={}).status_code == 200
    board.wait_for("patient", lambda d: d["incident_id"] == iid and d["incident"].get("handed_over_at"))
    assert crew.post(f"{crew.base}/api/incidents/{iid}/close", json={}).status_code == 200
    time.sleep(2)  # a revocation reaches the dashboard within a second (test_rerouting)

    kept = doctor.get(f"{er.url}/api/patients/{iid}")
    assert kept.status_code == 200
    assert kept.json()["record"] and kept.json()["critical"] and kept.json()["identity"]["name"]
    # The hub has no record left to send: the full history is refused, and the patient stays.
    full = doctor.post(f"{er.url}/api/patients/{iid}/full-history", json={})
    assert full.status_code == 403 and full.json()["error"] == "hub_refused"
    assert doctor.get(f"{er.url}/api/patients/{iid}").status_code == 200

    while not board.events.empty():
        event, data = board.events.get()
        assert not (event == "patient_removed" and data["incident_id"] == iid), data
    board.close()
