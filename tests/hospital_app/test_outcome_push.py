"""The outcome an ER physician returned, pushed to the ER's open dashboards through the one
notifier: physicians and nurses get it (a colleague's open detail shows it at once), the desk gets
nothing, not even that an outcome exists, as over HTTP. A field nobody was granted reaches nobody.
The whole path, from a physician's form through the hub, is tests/e2e/test_ui_outcome_live.py."""
from datetime import datetime

from hospital_app import outcome_return
from hospital_app.models import OutcomeReport
from hospital_app.staff import create_staff
from tests.hospital_app.conftest import PASSWORD, signed_in
from tests.hospital_app.test_dashboard_events import dashboard
from tests.hospital_app.test_role_matrix import NS, ROLES, held  # noqa: F401  (held: the fixture)


def returned(app) -> dict:
    """A severe stroke, returned by a physician for the held patient inc1: as the dashboards are told."""
    db = app.extensions["db"]
    with db.transaction() as s:
        s.add(OutcomeReport(incident_id="inc1", version=1, severity="severe", diagnosis_code="I63.9",
                            diagnosis_display="脳梗塞", disposition="icu", recorded_at=datetime(2026, 12, 2, 11, 0),
                            recorded_by="救急医 高橋"))
    return outcome_return.held(db, "inc1")


def test_clinical_staff_are_pushed_the_outcome_and_the_desk_nothing(held):  # noqa: F811
    create_staff(held.extensions["db"], "wall", "wall", "board", PASSWORD)
    boards = {role: dashboard(held, user) for role, user in {**ROLES, "board": "wall"}.items()}
    for board in boards.values():
        board.get_received(NS)
    now = returned(held)
    held.extensions["gateway"].dashboard.outcome("inc1", {**now, "recorded_by_username": "doc"})

    pushed = {role: [m["args"][0] for m in board.get_received(NS) if m["name"] == "outcome"]
              for role, board in boards.items()}
    assert pushed["clerk"] == [] and pushed["board"] == []
    for role in ("physician", "nurse"):
        [outcome] = pushed[role]
        assert set(outcome) == {"incident_id", "outcome", "versions"}  # the extra field went nowhere
        assert outcome["outcome"]["severity"] == "severe" and outcome["outcome"]["diagnosis"]["code"] == "I63.9"
        assert outcome["outcome"]["version"] == 1 and outcome["versions"] == 1


def test_the_desk_cannot_read_the_outcome_over_http_either(held):  # noqa: F811
    returned(held)
    assert signed_in(held, "clerk").get("/api/patients/inc1/outcome").status_code == 403
    answer = signed_in(held, "nurse").get("/api/patients/inc1/outcome")
    assert answer.status_code == 200 and answer.json["outcome"]["disposition"] == "icu"


def test_the_desk_and_the_wall_board_read_the_status_and_return_nothing(held):  # noqa: F811
    """Availability: physicians and nurses set it, the desk and the board read it. The outcome:
    physicians return it (hospital_app/api/outcome.py), nobody else, whatever the patient."""
    returned(held)
    create_staff(held.extensions["db"], "wall", "wall", "board", PASSWORD)
    tap = {"capability": "stroke", "status": "available"}
    outcome = {"severity": "mild", "diagnosis": {"display": "打撲"}, "disposition": "discharged"}
    for user in ("clerk", "wall"):
        staff = signed_in(held, user)
        assert staff.get("/api/availability").status_code == 200
        assert staff.post("/api/availability", json=tap).status_code == 403
        assert staff.post("/api/availability/confirm", json={}).status_code == 403
        assert staff.get("/api/patients/inc1/outcome").status_code == 403
        assert staff.post("/api/patients/inc1/outcome", json=outcome).status_code == 403
    nurse = signed_in(held, "nurse")
    assert nurse.post("/api/availability", json=tap).status_code == 200
    assert nurse.post("/api/patients/inc1/outcome", json=outcome).status_code == 403
