"""A hospital app on a fresh database with its gateway off (no hub in these tests)."""
import pytest

from hospital_app import create_app
from hospital_app.staff import create_staff

PASSWORD = "correct horse battery"


@pytest.fixture
def er_app(database, tmp_path):
    app = create_app({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", **database("er")})
    for username, role in (("doc", "physician"), ("clerk", "clerk")):
        create_staff(app.extensions["db"], username, username, role, PASSWORD)
    yield app
    app.extensions["db"].dispose()


def signed_in(app, username):
    client = app.test_client()
    assert client.post("/api/auth/login", json={"username": username, "password": PASSWORD}).status_code == 200
    return client
