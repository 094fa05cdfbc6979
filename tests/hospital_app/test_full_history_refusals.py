"""A look at clinical data refused to a member of staff leaves a trace: every attempt at the full
history by a clerk or a nurse, or one the hub refuses, is in the hospital's own access log and
queued for the hub (by role); a physician's look is logged only once the hub has sent it."""
import pytest
from sqlalchemy import select

from hospital_app import store
from hospital_app.models import AccessLog
from hospital_app.staff import create_staff
from tests.hospital_app.conftest import PASSWORD, signed_in
from tests.hospital_app.test_dashboard_access import BODY
from tests.hospital_app.test_dashboard_events import queued


class HubAnswer:
    """What gateway.fetch returns: the hub's HTTP answer."""

    def __init__(self, status_code: int, body: dict):
        self.status_code, self.body = status_code, body

    def json(self):
        return self.body


@pytest.fixture
def held(er_app):
    create_staff(er_app.extensions["db"], "nurse", "nurse", "nurse", PASSWORD)
    store.save_patient(er_app.extensions["db"], "grant-token", BODY)
    return er_app


def log(app) -> list[tuple[str, str, str, str]]:
    with app.extensions["db"].read() as s:
        # the looks at patients (sign-ins, logged too, are tests/web/test_sessions.py's concern)
        return [(a.staff, a.role, a.incident_id, a.action)
                for a in s.scalars(select(AccessLog).where(AccessLog.incident_id != "-").order_by(AccessLog.id))]


def hub_answers(app, status_code: int, body: dict) -> list:
    asked = []

    def fetch(incident_id, grant, params, requested_by=""):
        asked.append((incident_id, params, requested_by, log(app)))  # the log as the hub is asked
        return HubAnswer(status_code, body)
    app.extensions["gateway"].fetch = fetch
    return asked


@pytest.mark.parametrize("username", ["clerk", "nurse"])
def test_every_refused_attempt_is_logged_and_queued_for_the_hub(held, username):
    asked = hub_answers(held, 200, {"record": {}})
    client = signed_in(held, username)
    for _ in range(2):
        refused = client.post("/api/patients/inc1/full-history", json={})
        assert refused.status_code == 403 and refused.json["error"] == "forbidden"
    assert asked == []  # never asked the hub
    role = username  # each signs in with their role's name
    assert log(held) == [(username, role, "inc1", "full_history_refused")] * 2
    assert [(i, r, a) for _, i, r, a, _ in store.unreported_access(held.extensions["db"])] == \
        [("inc1", role, "full_history_refused")] * 2
    assert ("report_access", None) in queued(held.extensions["gateway"])


def test_a_physicians_request_the_hub_refuses_is_logged_as_refused(held):
    hub_answers(held, 403, {"error": "record_purged", "message": "incident closed: the hub purged its record"})
    refused = signed_in(held, "doc").post("/api/patients/inc1/full-history", json={})
    assert refused.status_code == 403 and "purged" in refused.json["message"]
    assert log(held) == [("doc", "physician", "inc1", "full_history_refused")]


def test_a_physicians_look_is_logged_once_the_hub_sent_it(held):
    asked = hub_answers(held, 200, {"record": {"medications": []}})
    resp = signed_in(held, "doc").post("/api/patients/inc1/full-history", json={})
    assert resp.status_code == 200 and resp.json["record"] == {"medications": []}
    [(_, _, requested_by, logged_before)] = asked
    assert requested_by.startswith("physician:#") and logged_before == []  # not a look until it is sent
    assert log(held) == [("doc", "physician", "inc1", "full_history")]
