"""A hub app on a fresh database, a signed-in crew, and an enrolled hospital with a real key."""
from __future__ import annotations

from dataclasses import dataclass

import pytest

from ems_app import create_app
from ems_app.services.enrolment import create_user, enroll_hospital
from shared.tokens import KeyStore, make_assertion, make_proof

PASSWORD = "correct horse battery"


@pytest.fixture
def hub_app(database, tmp_path):
    # The expiry sweeper is exercised directly (sweep_expired); a thread per test app would outlive it.
    app = create_app({"EMS_INSTANCE": tmp_path / "ems", "EXPIRY_SWEEP_S": 0, **database("ems")})
    yield app
    app.extensions["hub"].db.dispose()


@pytest.fixture
def hub(hub_app):
    return hub_app.extensions["hub"]


def signed_in(app, username: str, team: str = "tokyo-1", role: str = "paramedic"):
    create_user(app.extensions["hub"], username, f"隊員 {username}", role, team, PASSWORD)
    client = app.test_client()
    resp = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return client


@pytest.fixture
def crew(hub_app):
    return signed_in(hub_app, "kyukyu1")


@dataclass
class EnrolledHospital:
    id: str
    keys: KeyStore
    issuer: str

    def assertion(self) -> str:
        return make_assertion(self.keys, hospital_id=self.id, audience=self.issuer)

    def redeem(self, client, incident_id: str, grant: str, *, proof: str | None = None, query: str = "",
               headers: dict | None = None):
        """GET the record as this hospital's gateway would: DPoP-bound grant plus a fresh proof."""
        url = f"http://localhost/api/hospital/records/{incident_id}"
        proof = proof if proof is not None else make_proof(self.keys, "GET", url, grant)
        return client.get(f"/api/hospital/records/{incident_id}{query}",
                          headers={"Authorization": f"DPoP {grant}", "DPoP": proof, **(headers or {})})


def enrol(hub, tmp_path, hospital_id: str) -> EnrolledHospital:
    keys = KeyStore(tmp_path / hospital_id, name="hospital-key")
    enroll_hospital(hub, hospital_id, f"{hospital_id} 病院", "東京都", keys.public)
    return EnrolledHospital(hospital_id, keys, hub.issuer)


@pytest.fixture
def hospital(hub, tmp_path):
    return enrol(hub, tmp_path, "tokyo-er")


def open_identified(crew, card_id: str = "SIM-CRITICAL", basis: dict | None = None) -> str:
    """An incident with the card read and a basis recorded, ready to fetch."""
    incident = crew.post("/api/incidents", json={"chief_complaint": "胸痛 / chest pain"}).json
    resp = crew.post(f"/api/incidents/{incident['id']}/card", json={"card_id": card_id, "face_confirmed": True})
    assert resp.status_code == 200, resp.json
    resp = crew.post(f"/api/incidents/{incident['id']}/basis", json={"basis": basis or {"kind": "consent"}})
    assert resp.status_code == 200, resp.json
    return incident["id"]


def accept(crew, hub, hospital: EnrolledHospital, card_id: str = "SIM-CRITICAL", basis: dict | None = None):
    """An incident the hospital accepted: (incident id, grant)."""
    from ems_app.services import routing
    iid = open_identified(crew, card_id, basis)
    crew.post(f"/api/incidents/{iid}/record", json={})
    [inquiry] = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital.id]}).json
    return iid, routing.answer(hub, hospital.id, inquiry["inquiry_id"], True, "救急医")["grant"]
