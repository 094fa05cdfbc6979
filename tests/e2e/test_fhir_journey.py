"""The whole patient journey on the FHIR record source, and the record leaving by FHIR at the end.

A system of its own: the hub reads records over HTTP from the simulator served as a FHIR
endpoint (RECORD_SOURCE=fhir, launcher/fhir_simulator.py as a real process, with a token), and
tokyo-er files to a FHIR transaction endpoint of the test's own standing in for its EMR
(tests/hospital_app/emr_endpoint.py). The crew reads the card, records consent and fetches the
record; the ER accepts and its dashboard gets the record and the critical facts, then the vitals;
the physician downloads the FHIR Bundle (valid R4) and files it to the EMR, which takes it, then
refuses it, the refusal in the EMR's own words. In a browser, the physician's "File to EMR" shows
its result on the patient's detail, and a nurse has no such button."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from launcher.processes import Server
from launcher.system import DEMO_HOSPITALS, System
from shared.fhir import codes as c
from shared.fhir.validate import problems
from tests.e2e.conftest import (PASSWORD, DashboardClient, accepted_incident, open_with_record, sign_in,
                                wait_online)
from tests.e2e.test_ui_flow import assert_clean, open_dashboard, open_patient
from tests.hospital_app.emr_endpoint import REFUSAL, Emr

pytestmark = pytest.mark.timeout(300)

FHIR_TOKEN = "fhir-source-token"
EMR_TOKEN = "emr-token"


@pytest.fixture(scope="module")
def emr():
    endpoint = Emr(token=EMR_TOKEN)
    yield endpoint
    endpoint.stop()


@pytest.fixture(scope="module")
def fhir_source(tmp_path_factory):
    server = Server("launcher.fhir_simulator", {"FHIR_TOKEN": FHIR_TOKEN},
                    log_dir=tmp_path_factory.mktemp("fhir")).start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def system(module_database, tmp_path_factory, fhir_source, emr):
    """Hub and tokyo-er; the hub's records come from the FHIR endpoint, tokyo-er files to the EMR."""
    db_env = {"ems": module_database("ems"), "tokyo-er": module_database("tokyo-er")}
    running = System(root=tmp_path_factory.mktemp("system"), db_env=db_env,
                     hub_env_extra={"RECORD_SOURCE": "fhir", "FHIR_BASE_URL": f"{fhir_source.url}/fhir",
                                    "FHIR_TOKEN": FHIR_TOKEN},
                     extra_env={"EMR_FHIR_URL": emr.url, "EMR_FHIR_TOKEN": EMR_TOKEN})
    running.start(hospitals=DEMO_HOSPITALS[:1], password=PASSWORD)
    yield running
    running.stop()


def fhir_requests(fhir_source: Server) -> str:
    """The FHIR endpoint's request log."""
    return (fhir_source.log_path / f"{fhir_source.module}-{fhir_source.port}.log").read_text(errors="replace")


def test_the_journey_on_the_fhir_source_ends_with_the_record_filed_by_fhir(system, fhir_source, emr):
    crew = sign_in(system.hub.url, "kyukyu1")
    wait_online(crew, "tokyo-er")
    er = system.hospitals["tokyo-er"].url
    doctor = sign_in(er, "er-doctor")
    board = DashboardClient(er, doctor)
    try:
        # Card read, consent, the record fetched from the FHIR endpoint over HTTP.
        iid = open_with_record(crew, "SIM-CRITICAL", complaint="意識障害")
        said = fhir_requests(fhir_source)
        assert "GET /fhir/Patient?identifier=" in said and "/$everything" in said
        hubs = crew.get(f"{crew.base}/api/incidents/{iid}/record").json()
        substances = {a["substance"] for a in hubs["critical"]["drug_allergies"]}
        assert any("ペニシリン" in s for s in substances)  # SIM-CRITICAL's anaphylaxis, as the crew sees it

        # The ER accepts; the dashboard gets the record and the critical facts, then the vitals.
        assert crew.post(f"{crew.base}/api/incidents/{iid}/inquiries", json={"hospital_ids": ["tokyo-er"]}).ok
        inquiry = board.wait_for("inquiry", lambda d: d["incident_id"] == iid)
        assert doctor.post(f"{er}/api/inquiries/{inquiry['inquiry_id']}/answer", json={"accept": True}).ok
        patient = board.wait_for("patient", lambda d: d["incident_id"] == iid)
        assert patient["critical"] == hubs["critical"]
        assert patient["record"]["drug_allergies"] == hubs["summary"]["drug_allergies"]
        vitals = {"heart_rate": 128, "systolic_bp": 84, "diastolic_bp": 50, "spo2": 90, "jcs": 100}
        assert crew.post(f"{crew.base}/api/incidents/{iid}/updates",
                         json={"kind": "vitals", "vitals": vitals}).status_code == 201
        update = board.wait_for("update", lambda d: d["incident_id"] == iid and d["kind"] == "vitals")
        assert update["payload"]["vitals"]["jcs"] == 100

        # The physician downloads the hospital's copy as FHIR R4.
        resp = doctor.get(f"{er}/api/patients/{iid}/fhir")
        assert resp.status_code == 200 and "attachment" in resp.headers["Content-Disposition"]
        bundle = resp.json()
        assert problems(bundle) == []
        allergies = {r["resource"]["code"]["text"] for r in bundle["entry"]
                     if r["resource"]["resourceType"] == "AllergyIntolerance"}
        assert substances <= allergies
        jcs = [r["resource"] for r in bundle["entry"] if r["resource"]["resourceType"] == "Observation"
               and r["resource"]["code"]["coding"][0]["system"] == c.JCS]
        assert [o["valueInteger"] for o in jcs] == [100]
        # The crew's own file at the hub: valid too.
        assert problems(crew.get(f"{crew.base}/api/incidents/{iid}/fhir").json()) == []

        # Filed to the EMR: the EMR's ids come back; then refused, in the EMR's words.
        filed = doctor.post(f"{er}/api/patients/{iid}/file-to-emr", json={"client_id": f"{iid}-file-1"})
        assert filed.status_code == 201, filed.text
        assert filed.json()["outcome"] == "filed" and filed.json()["created"][0].startswith("Patient/")
        [(headers, sent)] = emr.received[-1:]
        assert headers["Authorization"] == f"Bearer {EMR_TOKEN}" and problems(sent) == []
        emr.mode = "refuse"
        refused = doctor.post(f"{er}/api/patients/{iid}/file-to-emr", json={"client_id": f"{iid}-file-2"})
        assert refused.status_code == 502 and refused.json()["error"] == "emr_refused"
        assert REFUSAL in refused.json()["message"]
    finally:
        emr.mode = "file"
        board.close()


def test_file_to_emr_shows_its_result_on_the_patients_detail(system, emr, new_page):
    crew = sign_in(system.hub.url, "kyukyu2")
    wait_online(crew, "tokyo-er")
    er = system.hospitals["tokyo-er"].url
    board = DashboardClient(er, sign_in(er, "er-doctor"))
    try:
        doctor = open_dashboard(new_page, system)
        iid = accepted_incident(system, crew, "tokyo-er", sign_in(er, "er-doctor"), board, "SIM-000070")
        detail = open_patient(doctor, iid)
        expect(detail.get_by_test_id("fhir-download")).to_be_visible()
        button, result = detail.get_by_test_id("file-to-emr"), detail.get_by_test_id("emr-result")
        button.click()
        expect(result).to_have_attribute("data-state", "filed")
        expect(result).to_contain_text("Patient/")
        emr.mode = "refuse"
        expect(button).to_be_enabled()
        button.click()
        expect(result).to_have_attribute("data-state", "emr_refused")
        expect(result).to_contain_text(REFUSAL)
        expect(button).to_be_enabled()  # pressed again, it tries again

        nurse = open_dashboard(new_page, system, "er-nurse")
        nurse_detail = open_patient(nurse, iid)
        expect(nurse_detail.get_by_test_id("emr")).to_be_attached()
        expect(nurse_detail.get_by_test_id("file-to-emr")).to_have_count(0)
        expect(nurse_detail.get_by_test_id("fhir-download")).to_have_count(0)
        assert_clean(doctor, nurse)
    finally:
        emr.mode = "file"
        board.close()
