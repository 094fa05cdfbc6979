"""The print view of one patient's record: for those who may see the record (physicians and
nurses), refused to the desk and to visitors, logged as a look; and the staff's language follows
them from one dashboard to another."""
from sqlalchemy import select

from hospital_app import store
from hospital_app.models import AccessLog
from hospital_app.staff import create_staff
from tests.hospital_app.conftest import PASSWORD, signed_in
from tests.hospital_app.test_dashboard_access import BODY


def looks(app, username: str) -> list[str]:
    """What the access log holds of this person's looks at the patient (sign-ins are logged too)."""
    with app.extensions["db"].read() as s:
        return [a.action for a in s.scalars(select(AccessLog).where(AccessLog.staff == username,
                                                                    AccessLog.incident_id == "inc1"))]


def test_print_view_is_for_clinical_staff_and_is_logged_as_a_look(er_app):
    store.save_patient(er_app.extensions["db"], "grant-token", BODY)
    create_staff(er_app.extensions["db"], "ns", "看護 花子", "nurse", PASSWORD)
    assert er_app.test_client().get("/patients/inc1/print").status_code == 401
    assert signed_in(er_app, "clerk").get("/patients/inc1/print").status_code == 403
    assert looks(er_app, "clerk") == []

    for username in ("doc", "ns"):
        page = signed_in(er_app, username).get("/patients/inc1/print")
        assert page.status_code == 200 and page.mimetype == "text/html"
        assert 'data-incident="inc1"' in page.text and "dashboard-print.js" in page.text
        assert looks(er_app, username) == ["view"]
    assert "看護 花子" in signed_in(er_app, "ns").get("/patients/inc1/print").text  # who printed


def test_print_view_of_a_patient_not_held_is_not_found(er_app):
    assert signed_in(er_app, "doc").get("/patients/nobody/print").status_code == 404


def test_staff_language_is_applied_at_sign_in_on_another_dashboard(er_app):
    signed_in(er_app, "doc").post("/api/auth/language", json={"language": "en"})
    other = er_app.test_client()
    other.delete_cookie("lang")
    login = other.post("/api/auth/login", json={"username": "doc", "password": PASSWORD})
    assert login.json["language"] == "en" and other.get_cookie("lang").value == "en"
    assert er_app.test_client().post("/api/auth/language", json={"language": "en"}).status_code == 401
