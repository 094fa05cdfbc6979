"""How the crew confirmed the patient's identity reaches every ER role that reads the name
(docs/clinical-safety.md H37).

The tablet flagged a smartphone card without a photo and the 4-attribute search; the ER was told
neither and read the name as if a photo had been checked. The hub now sends `identification` and
`identity_flagged` with the patient's identity; the desk, which registers the patient under that
name, gets them as clinical staff do, over HTTP and Socket.IO alike."""
import pytest

from hospital_app import store
from tests.hospital_app.conftest import signed_in
from tests.hospital_app.test_dashboard_access import BODY
from tests.hospital_app.test_dashboard_events import NS, dashboard

FLAGGED = {**BODY, "patient": {**BODY["patient"], "identification": "smartphone", "identity_flagged": True}}


@pytest.mark.parametrize("who", ["doc", "clerk"])
def test_a_weakly_confirmed_identity_is_flagged_for_clinical_staff_and_the_desk(er_app, who):
    db = er_app.extensions["db"]
    board = dashboard(er_app, who)
    store.save_patient(db, "grant-token", FLAGGED)
    er_app.extensions["gateway"].dashboard.patient(store.patient_view(db, "inc1"))
    [pushed] = [m["args"][0] for m in board.get_received(NS) if m["name"] == "patient"]
    answered = signed_in(er_app, who).get("/api/patients/inc1").json
    for view in (pushed, answered):
        assert view["identity"]["identification"] == "smartphone" and view["identity"]["identity_flagged"] is True
        assert view["identity"]["name"] == "山田 太郎"
