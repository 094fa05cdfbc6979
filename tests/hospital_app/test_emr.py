"""The pre-arrival record leaves PreArrival from the hospital: a physician downloads the hospital's
copy as a FHIR R4 Bundle, or files it into the EMR as a FHIR transaction. Physicians only, every
refused attempt in the hospital's access log with the name; every filing logged with who, when
and what the EMR answered: its ids, its refusal in its own words, or no answer at all."""
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select

from hospital_app import store
from hospital_app.emr_filing import EmrFiling
from hospital_app.models import AccessLog
from hospital_app.staff import create_staff
from launcher.processes import free_port
from shared.fhir import codes as c
from shared.fhir.validate import problems
from shared.sources.simulator import OqcSimulator
from shared.summary import GRANT_SCOPE, critical_facts, emergency_summary
from tests.hospital_app.conftest import PASSWORD, signed_in
from tests.hospital_app.emr_endpoint import REFUSAL, Emr

TOKEN = "emr-secret-token"


def body(incident_id: str = "inc1") -> dict:
    """What the hub sends with the grant: SIM-CRITICAL's summary, within the grant's scope."""
    summary = emergency_summary(OqcSimulator().fetch("SIM-CRITICAL"), date.today())
    card = summary.card
    return {"incident_id": incident_id, "grant_expires_at": 4102444800, "basis": "emergency_exception",
            "record_status": "fetched",
            "patient": {"name": card.name, "kana": card.kana, "birth_date": card.birth_date.isoformat(),
                        "sex": card.sex, "identification": "card_photo", "identity_flagged": False},
            "record": summary.within(GRANT_SCOPE), "critical": critical_facts(summary).model_dump(mode="json"),
            "incident": {"chief_complaint": "意識障害", "handed_over_at": None}, "updates": []}


def vitals(seq: int, **values) -> dict:
    at = datetime.now(timezone.utc).isoformat()
    return {"incident_id": "inc1", "seq": seq, "kind": "vitals", "at": at,
            "payload": {"kind": "vitals", "vitals": {"taken_at": at, **values}}}


@pytest.fixture
def emr():
    endpoint = Emr(token=TOKEN)
    yield endpoint
    endpoint.stop()


def app_with(er_app, **settings):
    er_app.config.update({"EMR_FHIR_TOKEN": TOKEN, "EMR_FHIR_TIMEOUT_S": 10.0, **settings})
    return er_app


@pytest.fixture
def held(er_app):
    db = er_app.extensions["db"]
    create_staff(db, "nurse", "nurse", "nurse", PASSWORD)
    store.save_patient(db, "grant-token", body())
    assert store.save_update(db, vitals(1, heart_rate=130, systolic_bp=82, diastolic_bp=40, jcs=100)) == "stored"
    assert store.save_update(db, vitals(2, spo2=88)) == "stored"
    return er_app


def access_log(app) -> list[tuple]:
    """The looks at patients (sign-ins, logged too, are another test's concern)."""
    with app.extensions["db"].read() as s:
        return [(a.staff, a.role, a.incident_id, a.action, a.reported)
                for a in s.scalars(select(AccessLog).where(AccessLog.incident_id != "-").order_by(AccessLog.id))]


def filings(app) -> list[EmrFiling]:
    with app.extensions["db"].read() as s:
        return list(s.scalars(select(EmrFiling).order_by(EmrFiling.id)))


def resources(bundle: dict, kind: str) -> list[dict]:
    return [e["resource"] for e in bundle["entry"] if e["resource"]["resourceType"] == kind]


def test_a_physician_downloads_the_hospitals_copy_as_a_valid_bundle(held):
    resp = signed_in(held, "doc").get("/api/patients/inc1/fhir")
    assert resp.status_code == 200, resp.json
    assert resp.headers["Content-Disposition"] == "attachment; filename=prearrival-inc1.json"
    bundle = resp.json
    assert problems(bundle) == []
    patient = bundle["entry"][0]["resource"]
    assert patient["name"][0]["text"] == body()["patient"]["name"] and patient["gender"] == body()["patient"]["sex"]
    # What never reached the hospital is not made up: no insurance number, no address.
    assert [i["system"] for i in patient["identifier"]] == [c.RESOURCE_INSTANCE] and "address" not in patient
    allergies = [a["code"]["text"] for a in resources(bundle, "AllergyIntolerance")]
    assert {a["substance"] for a in body()["record"]["drug_allergies"]} <= set(allergies)
    [encounter] = [e for e in resources(bundle, "Encounter") if e["class"]["code"] == "FLD"]
    assert encounter["identifier"] == [{"system": c.INCIDENT_ID, "value": "inc1"}]
    assert "period" not in encounter  # when the crew opened the incident is not known here
    assert encounter["hospitalization"]["destination"]["display"] == held.config["HOSPITAL_NAME"]
    vital_codes = sorted(o["code"]["coding"][0]["code"] for o in resources(bundle, "Observation") if "encounter" in o)
    assert vital_codes == sorted(["8867-4", "85354-9", "jcs", "59408-5"])
    [consent] = resources(bundle, "Consent")
    assert consent["provision"]["purpose"][0]["code"] == "ETREAT"
    # In the hospital's own log by name; the hub hears of a physician's look at the summary.
    assert access_log(held) == [("doc", "physician", "inc1", "fhir_export", True),
                                ("doc", "physician", "inc1", "view", False)]


@pytest.mark.parametrize("username", ["nurse", "clerk"])
def test_others_are_refused_and_every_attempt_is_logged(held, emr, username):
    app_with(held, EMR_FHIR_URL=emr.url)
    client = signed_in(held, username)
    for _ in range(2):
        resp = client.get("/api/patients/inc1/fhir")
        assert resp.status_code == 403 and resp.json["error"] == "forbidden"
    resp = client.post("/api/patients/inc1/file-to-emr", json={})
    assert resp.status_code == 403
    assert access_log(held) == [(username, username, "inc1", "fhir_export_refused", True)] * 2 \
        + [(username, username, "inc1", "emr_filing_refused", True)]
    assert emr.received == [] and filings(held) == []


def test_a_patient_not_held_is_not_found(held, emr):
    app_with(held, EMR_FHIR_URL=emr.url)
    doc = signed_in(held, "doc")
    assert doc.get("/api/patients/gone/fhir").status_code == 404
    assert doc.post("/api/patients/gone/file-to-emr", json={}).status_code == 404
    assert emr.received == []


def test_filing_posts_a_transaction_and_logs_the_emrs_ids(held, emr):
    app_with(held, EMR_FHIR_URL=emr.url)
    doc = signed_in(held, "doc")
    resp = doc.post("/api/patients/inc1/file-to-emr", json={"client_id": "press-0001"})
    assert resp.status_code == 201, resp.json
    [(headers, sent)] = emr.received
    assert headers["Authorization"] == f"Bearer {TOKEN}" and headers["Content-Type"] == "application/fhir+json"
    assert sent["type"] == "transaction" and problems(sent) == []
    assert all(e["request"]["method"] == "POST" and e["request"]["url"] == e["resource"]["resourceType"]
               for e in sent["entry"])
    patient_id = sent["entry"][0]["resource"]["identifier"][0]["value"]
    assert sent["entry"][0]["request"]["ifNoneExist"] == f"identifier={c.RESOURCE_INSTANCE}|{patient_id}"
    answer = resp.json
    assert answer["outcome"] == "filed" and answer["emr_status"] == 200 and answer["filed_by"] == "doc"
    assert len(answer["created"]) == len(sent["entry"]) and answer["created"][0].startswith("Patient/")
    assert "_history" not in answer["created"][0] and answer["existing"] == []
    [filing] = filings(held)
    assert (filing.staff, filing.role, filing.incident_id, filing.outcome, filing.emr_status, filing.created) == \
        ("doc", "physician", "inc1", "filed", 200, answer["created"])

    # The same press again (a lost answer): the filing it made, and nothing sent twice.
    again = doc.post("/api/patients/inc1/file-to-emr", json={"client_id": "press-0001"})
    assert again.status_code == 200 and again.json == answer and len(emr.received) == 1
    # A new press files again; what the EMR already has, it keeps (conditional create).
    second = doc.post("/api/patients/inc1/file-to-emr", json={"client_id": "press-0002"}).json
    assert second["existing"][0] == answer["created"][0] and len(emr.received) == 2


def test_a_refusal_comes_back_in_the_emrs_words_and_is_logged(held, emr):
    app_with(held, EMR_FHIR_URL=emr.url)
    emr.mode = "refuse"
    resp = signed_in(held, "doc").post("/api/patients/inc1/file-to-emr", json={"client_id": "press-0001"})
    assert resp.status_code == 502 and resp.json["error"] == "emr_refused"
    assert REFUSAL in resp.json["message"] and "422" in resp.json["message"]
    [filing] = filings(held)
    assert (filing.staff, filing.outcome, filing.emr_status, filing.said, filing.created) == \
        ("doc", "refused", 422, REFUSAL, [])
    # The same press once the EMR takes it: a refused attempt is no filing to give back.
    emr.mode = "file"
    assert signed_in(held, "doc").post("/api/patients/inc1/file-to-emr",
                                       json={"client_id": "press-0001"}).status_code == 201


def test_an_emr_that_cannot_be_reached_or_does_not_answer_in_time(held, emr):
    doc = signed_in(held, "doc")
    app_with(held, EMR_FHIR_URL=f"http://127.0.0.1:{free_port()}/fhir")
    resp = doc.post("/api/patients/inc1/file-to-emr", json={})
    assert resp.status_code == 503 and resp.json["error"] == "emr_unreachable"
    app_with(held, EMR_FHIR_URL=emr.url, EMR_FHIR_TIMEOUT_S=0.5)
    emr.mode = "slow"
    resp = doc.post("/api/patients/inc1/file-to-emr", json={})
    assert resp.status_code == 504 and resp.json["error"] == "emr_timeout"
    assert [(f.outcome, f.emr_status) for f in filings(held)] == [("unreachable", None), ("timeout", None)]


def test_without_an_emr_the_dashboard_offers_the_download_only(held, emr):
    doc = signed_in(held, "doc")
    assert held.config["EMR_FHIR_URL"] is None
    assert doc.get("/api/emr").json == {"filing": False}
    resp = doc.post("/api/patients/inc1/file-to-emr", json={})
    assert resp.status_code == 409 and resp.json["error"] == "no_emr"
    assert doc.get("/api/patients/inc1/fhir").status_code == 200
    app_with(held, EMR_FHIR_URL=emr.url)
    assert doc.get("/api/emr").json == {"filing": True}
