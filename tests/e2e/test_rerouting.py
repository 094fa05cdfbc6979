"""Access follows the patient across real servers: A declines, B accepts, the crew re-routes to C."""
from __future__ import annotations

import time

from tests.e2e.conftest import DashboardClient, open_with_record, sign_in, wait_online


def test_declined_hospital_never_sees_identity_and_rerouted_one_drops_the_record(system):
    a, b, c = (system.hospitals[h] for h in ("tokyo-er", "minato-hp", "shinjuku-hp"))
    doctors = {name: sign_in(h.url, "er-doctor") for name, h in (("a", a), ("b", b), ("c", c))}
    boards = {name: DashboardClient(h.url, doctors[name]) for name, h in (("a", a), ("b", b), ("c", c))}
    crew = sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er", "minato-hp", "shinjuku-hp")
    iid = open_with_record(crew, "SIM-CRITICAL", "吐血 / hematemesis")

    asked = crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er", "minato-hp"]})
    assert asked.status_code == 201
    to_a = boards["a"].wait_for("inquiry", lambda d: d["incident_id"] == iid)
    to_b = boards["b"].wait_for("inquiry", lambda d: d["incident_id"] == iid)
    no_reason = doctors["a"].post(f"{a.url}/api/inquiries/{to_a['inquiry_id']}/answer", json={"accept": False})
    assert no_reason.status_code == 400 and "reason" in no_reason.json()["message"]
    assert doctors["a"].post(f"{a.url}/api/inquiries/{to_a['inquiry_id']}/answer",
                             json={"accept": False, "reason": "no_bed"}).status_code == 200
    assert doctors["b"].post(f"{b.url}/api/inquiries/{to_b['inquiry_id']}/answer",
                             json={"accept": True}).status_code == 200
    at_b = boards["b"].wait_for("patient", lambda d: d["incident_id"] == iid)
    name = at_b["identity"]["name"]

    # The crew re-routes to C; C accepts; B's grant is revoked and its dashboard drops the patient.
    crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["shinjuku-hp"]})
    to_c = boards["c"].wait_for("inquiry", lambda d: d["incident_id"] == iid)
    assert doctors["c"].post(f"{c.url}/api/inquiries/{to_c['inquiry_id']}/answer",
                             json={"accept": True}).status_code == 200
    revoked_at = time.monotonic()
    removed = boards["b"].wait_for("patient_removed", lambda d: d["incident_id"] == iid, timeout=5)
    assert time.monotonic() - revoked_at < 1.0, "B's dashboard kept the record for over a second"
    assert removed["reason"] == "rerouted"
    assert doctors["b"].get(f"{b.url}/api/patients/{iid}").status_code == 404  # purged from B's store
    at_c = boards["c"].wait_for("patient", lambda d: d["incident_id"] == iid)
    assert at_c["identity"]["name"] == name and at_c["critical"]["anticoagulants"]

    # A declined: it saw an inquiry without identity and never a patient.
    assert "name" not in to_a and "identity" not in to_a
    assert all(p["incident_id"] != iid for p in doctors["a"].get(f"{a.url}/api/patients").json())
    assert doctors["a"].get(f"{a.url}/api/patients/{iid}").status_code == 404
    while not boards["a"].events.empty():
        event, data = boards["a"].events.get()
        assert not (event == "patient" and data["incident_id"] == iid)
        assert name not in str(data)
    statuses = {i["hospital_id"]: (i["status"], i["decline_reason"])
                for i in crew.get(f"{crew.base}/api/incidents/{iid}/inquiries").json()}
    assert statuses == {"tokyo-er": ("declined", "no_bed"), "minato-hp": ("accepted", None),
                        "shinjuku-hp": ("accepted", None)}
    for board in boards.values():
        board.close()
