"""A crew member's language is stored with the account: chosen on one tablet, it is what the
next sign-in on any tablet sets; a user who never chose keeps the device's own choice."""
from tests.ems_app.conftest import PASSWORD, signed_in


def fresh_device(app):
    client = app.test_client()
    client.delete_cookie("lang")  # a tablet that never chose
    return client


def test_the_choice_follows_the_user_to_another_device(hub_app):
    first = signed_in(hub_app, "kyukyu1")
    resp = first.post("/api/auth/language", json={"language": "en"})
    assert resp.status_code == 200 and resp.json == {"language": "en"}
    assert first.get_cookie("lang").value == "en"

    other = fresh_device(hub_app)
    login = other.post("/api/auth/login", json={"username": "kyukyu1", "password": PASSWORD})
    assert login.status_code == 200 and login.json["language"] == "en"
    assert other.get_cookie("lang").value == "en"


def test_a_user_who_never_chose_keeps_the_device_language(hub_app):
    signed_in(hub_app, "kyukyu2")  # creates the account
    device = fresh_device(hub_app)
    device.set_cookie("lang", "en")
    login = device.post("/api/auth/login", json={"username": "kyukyu2", "password": PASSWORD})
    assert login.json["language"] is None
    assert device.get_cookie("lang").value == "en"


def test_only_a_signed_in_user_stores_a_choice_and_only_ja_or_en(hub_app):
    assert fresh_device(hub_app).post("/api/auth/language", json={"language": "en"}).status_code == 401
    crew = signed_in(hub_app, "kyukyu3")
    bad = crew.post("/api/auth/language", json={"language": "fr"})
    assert bad.status_code == 400 and "language" in bad.json["message"]
    assert crew.post("/api/auth/language", json={"language": "ja", "extra": 1}).status_code == 400
    again = fresh_device(hub_app).post("/api/auth/login", json={"username": "kyukyu3", "password": PASSWORD})
    assert again.json["language"] is None  # nothing stored from the refused choices
