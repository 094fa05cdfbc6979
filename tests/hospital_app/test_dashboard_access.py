"""The dashboard and its socket are for signed-in staff only, each role to its own view."""
import pytest

from hospital_app import store
from hospital_app.staff import create_staff
from tests.hospital_app.conftest import signed_in

BODY = {"incident_id": "inc1", "grant_expires_at": 4102444800, "basis": "consent", "record_status": "fetched",
        "patient": {"name": "山田 太郎", "kana": "ヤマダ タロウ", "birth_date": "1940-01-02", "sex": "male"},
        "record": {"medications": []}, "critical": {"anticoagulants": ["ワルファリン"]},
        "incident": {"chief_complaint": "胸痛"}, "updates": []}


def test_socket_refuses_a_visitor_without_a_session(er_app):
    sio = er_app.extensions["socketio"]
    client = sio.test_client(er_app, namespace="/dashboard", flask_test_client=er_app.test_client())
    assert not client.is_connected("/dashboard")


def test_socket_accepts_signed_in_staff_and_pushes_to_their_room(er_app):
    sio = er_app.extensions["socketio"]
    doctor = sio.test_client(er_app, namespace="/dashboard", flask_test_client=signed_in(er_app, "doc"))
    clerk = sio.test_client(er_app, namespace="/dashboard", flask_test_client=signed_in(er_app, "clerk"))
    assert doctor.is_connected("/dashboard") and clerk.is_connected("/dashboard")
    store.save_patient(er_app.extensions["db"], "grant-token", BODY)
    er_app.extensions["gateway"].dashboard.patient(store.patient_view(er_app.extensions["db"], "inc1"))
    [to_doctor] = [m["args"][0] for m in doctor.get_received("/dashboard") if m["name"] == "patient"]
    [to_clerk] = [m["args"][0] for m in clerk.get_received("/dashboard") if m["name"] == "patient"]
    assert to_doctor["critical"]["anticoagulants"] == ["ワルファリン"]
    assert "critical" not in to_clerk and to_clerk["identity"]["name"] == "山田 太郎"


def test_api_needs_sign_in_and_clerk_cannot_answer(er_app):
    assert er_app.test_client().get("/api/patients").status_code == 401
    clerk = signed_in(er_app, "clerk")
    assert clerk.post("/api/inquiries/x/answer", json={"accept": True}).status_code == 403


def test_answer_without_the_hub_says_it_is_unreachable(er_app):
    resp = signed_in(er_app, "doc").post("/api/inquiries/x/answer", json={"accept": True})
    assert resp.status_code == 503 and "hub unreachable" in resp.json["message"]


def test_staff_password_rule(er_app):
    with pytest.raises(ValueError, match="at least 12"):
        create_staff(er_app.extensions["db"], "n", "n", "nurse", "short")


def test_repeated_failures_lock_the_account(er_app):
    client = er_app.test_client()
    for _ in range(5):
        assert client.post("/api/auth/login", json={"username": "doc", "password": "wrong"}).status_code == 401
    locked = client.post("/api/auth/login", json={"username": "doc", "password": "correct horse battery"})
    assert locked.status_code == 429
