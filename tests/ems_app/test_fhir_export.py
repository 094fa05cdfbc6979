"""The crew downloads its incident as a FHIR R4 Bundle: the emergency summary it was shown, the
vitals with the JCS, the transport and the basis; valid FHIR, audited like a view of the record,
and for the crew of that incident alone, while it is open."""
from sqlalchemy import select

from ems_app.models import AuditEntry, ReviewItem
from shared.fhir import codes as c
from shared.fhir import read_record
from shared.fhir.validate import problems
from tests.ems_app.conftest import open_identified, signed_in

EXCEPTION = {"kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "JCS300 意識なし"}


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def fetched(crew, basis: dict | None = None) -> str:
    iid = open_identified(crew, "SIM-CRITICAL", basis)
    assert crew.post(f"/api/incidents/{iid}/record", json={}).status_code == 200
    return iid


def test_the_crew_gets_its_incident_as_a_valid_bundle_file(crew):
    iid = fetched(crew)
    for vitals in ({"heart_rate": 120, "systolic_bp": 88, "diastolic_bp": 50, "jcs": 10}, {"spo2": 91}):
        assert crew.post(f"/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": vitals}).status_code == 201
    shown = crew.get(f"/api/incidents/{iid}/record").json["summary"]

    resp = crew.get(f"/api/incidents/{iid}/fhir")
    assert resp.status_code == 200, resp.json
    assert resp.headers["Content-Disposition"] == f"attachment; filename=prearrival-{iid}.json"
    bundle = resp.json
    assert problems(bundle) == []
    assert bundle["entry"][0]["resource"]["resourceType"] == "Patient"
    # The summary the crew was shown, item for item (read back through the FHIR reader).
    back = read_record(bundle)
    assert [a.substance for a in back.drug_allergies] == [a["substance"] for a in shown["drug_allergies"]]
    assert [m.drug for m in back.medications] == [m["drug"] for m in shown["medications"]]
    [encounter] = [e for e in resources(bundle, "Encounter") if e["class"]["code"] == "FLD"]
    assert encounter["identifier"] == [{"system": c.INCIDENT_ID, "value": iid}]
    assert encounter["status"] == "in-progress" and encounter["reasonCode"] == [{"text": "胸痛 / chest pain"}]
    codes = [o["code"]["coding"][0]["code"] for o in resources(bundle, "Observation") if "encounter" in o]
    assert sorted(codes) == sorted(["8867-4", "85354-9", "jcs", "59408-5"])
    [jcs] = [o for o in resources(bundle, "Observation") if o["code"]["coding"][0]["code"] == "jcs"]
    assert jcs["valueInteger"] == 10
    [consent] = resources(bundle, "Consent")
    assert consent["provision"]["purpose"][0]["code"] == "TREAT"


def test_a_download_is_audited_as_a_view_and_an_exception_is_flagged(crew, hub):
    iid = fetched(crew, EXCEPTION)
    bundle = crew.get(f"/api/incidents/{iid}/fhir").json
    [consent] = resources(bundle, "Consent")
    assert consent["provision"]["purpose"][0]["code"] == "ETREAT"
    with hub.db.read() as s:
        views = s.scalars(select(AuditEntry).where(AuditEntry.incident_id == iid,
                                                   AuditEntry.action == "record.view")).all()
        [item] = s.scalars(select(ReviewItem).where(ReviewItem.incident_id == iid,
                                                    ReviewItem.kind == "emergency_exception")).all()
    assert [(v.actor, v.basis, v.detail) for v in views] == \
        [("user:kyukyu1", "emergency_exception", {"format": "fhir"})]
    assert item.accesses == 2  # the fetch, then the download


def test_only_the_incidents_crew_and_only_with_a_record_while_open(hub_app, crew):
    iid = fetched(crew)
    other = signed_in(hub_app, "kyukyu9", team="osaka-3")
    assert other.get(f"/api/incidents/{iid}/fhir").status_code == 404
    assert hub_app.test_client().get(f"/api/incidents/{iid}/fhir").status_code == 401

    no_record = open_identified(crew, "SIM-CRITICAL")
    resp = crew.get(f"/api/incidents/{no_record}/fhir")
    assert resp.status_code == 404 and resp.json["error"] == "no_record"

    assert crew.post(f"/api/incidents/{iid}/close", json={}).status_code == 200
    resp = crew.get(f"/api/incidents/{iid}/fhir")
    assert resp.status_code == 409 and resp.json["error"] == "closed"
