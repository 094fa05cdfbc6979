"""Each app's /openapi.json is held to the API: Schemathesis generates requests from the
document, valid and invalid, for every operation, signed in as each role and signed out, and
every answer must be no server error, a documented status, the documented content type and
body. In process (WSGI), derandomized and bounded, so a run is the same every time and takes
about a minute; a failure names the operation and the request that broke it."""
from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (content_type_conformance, response_schema_conformance,
                                               status_code_conformance)

from ems_app import create_app as create_hub
from ems_app.services.enrolment import create_user
from hospital_app import create_app as create_hospital
from hospital_app.staff import create_staff

PASSWORD = "correct horse battery"
# Per operation and role: enough to find a crash, bounded so the module stays near a minute.
# FUZZ_EXAMPLES=200 digs deeper by hand (with TEST_DATABASE_URL, on PostgreSQL too).
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 25))
# An operation the role may not call (its document's x-roles, or the hospitals' own credential)
# is refused before its input is read: a few examples show the refusal is as documented.
REFUSED_EXAMPLES = 4
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# A documented 503 is an answer, not a crash: the hospital app runs here without its hub, and
# says so. Any other 5xx fails, and so does a 503 the operation does not document.
CONFIG = {"checks": {"not_a_server_error": {"expected-statuses": ["2xx", "3xx", "4xx", "503"]}}}
HUB_ROLES = ["paramedic", "privacy_officer", "fire_analyst", None]
HOSPITAL_ROLES = ["physician", "nurse", "clerk", None]


def sign_in(app, username: str, cookie: str) -> dict:
    client = app.test_client()
    resp = client.post("/api/auth/login", json={"username": username, "password": PASSWORD})
    assert resp.status_code == 200, resp.json
    return {cookie: client.get_cookie(cookie).value, "lang": "en"}


@pytest.fixture(scope="module")
def hub(module_database, tmp_path_factory):
    """The hub, one session per role, and an open incident of the crew so that fuzzed bodies
    reach the domain rather than stopping at 'no such incident'."""
    app = create_hub({"EMS_INSTANCE": tmp_path_factory.mktemp("ems"), "EXPIRY_SWEEP_S": 0,
                      **module_database("fuzz-ems")})
    hub = app.extensions["hub"]
    create_user(hub, "kyukyu1", "隊員", "paramedic", "tokyo-1", PASSWORD)
    create_user(hub, "officer", "担当者", "privacy_officer", "", PASSWORD)
    create_user(hub, "analyst", "分析担当", "fire_analyst", "", PASSWORD)  # the region's figures
    sessions = {"paramedic": sign_in(app, "kyukyu1", "ems_session"),
                "privacy_officer": sign_in(app, "officer", "ems_session"),
                "fire_analyst": sign_in(app, "analyst", "ems_session"), None: {"lang": "en"}}
    client = app.test_client()
    client.set_cookie("ems_session", sessions["paramedic"]["ems_session"])
    incident = client.post("/api/incidents", json={"chief_complaint": "胸痛"}).json["id"]
    yield app, sessions, {"incident_id": incident}
    hub.db.dispose()


@pytest.fixture(scope="module")
def hospital(module_database, tmp_path_factory):
    app = create_hospital({"HOSPITAL_INSTANCE": tmp_path_factory.mktemp("er"), "GATEWAY": "0",
                           **module_database("fuzz-er")})
    for role in ("physician", "nurse", "clerk"):
        create_staff(app.extensions["db"], role, role, role, PASSWORD)
    sessions = {role: sign_in(app, role, "er_session") for role in HOSPITAL_ROLES if role}
    yield app, {**sessions, None: {"lang": "en"}}, {}
    app.extensions["db"].dispose()


def reaches(role: str | None, operation) -> bool:
    """Whether a session of this role (None: signed out) gets past the operation's authorisation."""
    security, allowed = operation.definition.raw.get("security"), operation.definition.raw.get("x-roles")
    if security == []:
        return True
    return role is not None and {"session": []} in (security or []) and (allowed is None or role in allowed)


def fuzz(app, role: str | None, cookies: dict, known: dict) -> list[str]:
    """Every operation of the app's document, valid and invalid input; the failures, one line each."""
    schema = schemathesis.openapi.from_wsgi("/openapi.json", app, config=schemathesis.Config.from_dict(CONFIG))
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        examples = EXAMPLES if reaches(role, operation) else REFUSED_EXAMPLES
        names = {p.name for p in operation.path_parameters}
        fixed = {k: v for k, v in known.items() if k in names}
        strategies = [operation.as_strategy(mode) for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE)]
        if fixed:  # the same, on a resource that exists
            strategies.append(operation.as_strategy(GenerationMode.POSITIVE, path_parameters=fixed))

        @settings(max_examples=examples, derandomize=True, database=None, deadline=None, print_blob=False,
                  phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
        @given(st.one_of(strategies))
        def run(case):
            case.validate_response(case.call(cookies=cookies), checks=CHECKS)

        try:
            run()
        except (Exception, BaseExceptionGroup) as e:  # noqa: BLE001 - all operations run; failures reported together
            failures.append(f"{operation.label}: {str(e).strip()[:2000]}")
    return failures


@pytest.mark.parametrize("role", HUB_ROLES, ids=lambda r: r or "signed_out")
def test_the_hub_answers_as_its_document_says(hub, role):
    app, sessions, known = hub
    failures = fuzz(app, role, sessions[role], known)
    assert not failures, "\n\n".join(failures)


@pytest.mark.parametrize("role", HOSPITAL_ROLES, ids=lambda r: r or "signed_out")
def test_the_hospital_app_answers_as_its_document_says(hospital, role):
    app, sessions, known = hospital
    failures = fuzz(app, role, sessions[role], known)
    assert not failures, "\n\n".join(failures)
