"""A scripted case on real servers: the patient's 'who viewed my data' shows exactly its accesses."""
from __future__ import annotations

import time

import requests

from shared.sources.simulator import OqcSimulator

from tests.e2e.conftest import DashboardClient, open_with_record, sign_in, wait_online
from tests.ems_app import patient_page


def test_history_shows_exactly_the_accesses_made_hospital_views_included(system):
    er = system.hospitals["tokyo-er"]
    doctor, nurse = sign_in(er.url, "er-doctor"), sign_in(er.url, "er-nurse")
    board = DashboardClient(er.url, doctor)
    crew = sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")

    iid = open_with_record(crew, "SIM-000060", "呼吸困難 / dyspnoea")                 # 1 paramedic fetch
    [inquiry] = crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]}).json()
    board.wait_for("inquiry", lambda d: d["incident_id"] == iid)
    assert doctor.post(f"{er.url}/api/inquiries/{inquiry['inquiry_id']}/answer", json={"accept": True}).ok
    board.wait_for("patient", lambda d: d["incident_id"] == iid)                      # 2 gateway redemption
    assert doctor.get(f"{er.url}/api/patients/{iid}").status_code == 200              # 3 physician opens it
    assert nurse.get(f"{er.url}/api/patients/{iid}").status_code == 200               # 4 nurse opens it
    crew.post(f"{crew.base}/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": {"spo2": 88}})
    board.wait_for("update", lambda d: d["incident_id"] == iid)                       # pushed, not a new look

    birth = OqcSimulator().fetch("SIM-000060").card.birth_date.isoformat()  # the patient knows it
    expected = [("救急隊員", "記録を取得"), ("病院システム", "救急時サマリーを閲覧"),
                ("医師", "院内で閲覧"), ("看護師", "院内で閲覧")]
    deadline, rows = time.time() + 15, []
    while time.time() < deadline:
        rows = patient_page.history(lambda path, body: requests.post(f"{system.hub.url}{path}", json=body, timeout=10),
                                    system.root / "ems", "SIM-000060", birth).json()
        if len(rows) >= len(expected):
            break
        time.sleep(0.3)
    assert [(r["role"].split(" /")[0], r["action"].split(" /")[0]) for r in rows] == expected
    assert {r["basis"] for r in rows} == {"consent"}
    assert rows[0]["organisation"].endswith("tokyo") and "東京中央" in rows[1]["organisation"]
    assert not any(name in str(rows) for name in ("kyukyu1", "佐藤", "高橋", "田中", "er-doctor"))
    board.close()
