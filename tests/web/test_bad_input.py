"""Whatever a stranger sends to a JSON route, signed out, the answer is a 4xx that says what is
wrong, never a server error: JSON nested a thousand levels deep (the parser's RecursionError is
not the ValueError Werkzeug catches), JSON that is not an object, bytes that are not UTF-8, a
number too long to read, a NUL PostgreSQL cannot store, a lone surrogate."""
import pytest

from ems_app import create_app as create_hub
from hospital_app import create_app as create_hospital

DEEP = "[" * 1000 + "]" * 1000
BAD_BODIES = [
    DEEP,
    '{"username": ' + "[" * 1000 + "]" * 1000 + ', "password": "x"}',
    '{"a": ' * 990 + "1" + "}" * 990,
    "[]", '"x"', "null", "1", b"\xff\xfe\xfd", "1" * 5000, "{" * 3,
    '{"username": "a\\u0000b", "password": "correct horse battery"}',
    '{"username": "\\ud800", "password": "correct horse battery"}',
    '{"username\\u0000": "a", "password": "correct horse battery"}',
]


@pytest.fixture(params=["hub", "hospital"])
def app(request, database, tmp_path):
    if request.param == "hub":
        app = create_hub({"EMS_INSTANCE": tmp_path / "ems", "EXPIRY_SWEEP_S": 0, **database("ems")})
        yield app
        app.extensions["hub"].db.dispose()
    else:
        app = create_hospital({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", **database("er")})
        yield app
        app.extensions["db"].dispose()


def json_writes(app) -> list[str]:
    """Every write route of the API, with its parameters filled in."""
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/") and "POST" in rule.methods:
            urls.append(rule.rule.replace("<int(max=2147483647):item_id>", "1").replace("<", "").replace(">", ""))
    return urls


def test_no_body_makes_a_server_error_on_any_json_route(app):
    client = app.test_client()
    urls = json_writes(app)
    assert "/api/auth/login" in urls and len(urls) >= 3
    for url in urls:
        for data in BAD_BODIES:
            resp = client.post(url, data=data, content_type="application/json")
            assert resp.status_code < 500, (url, str(data)[:40], resp.status_code)
            # Sign-out ignores its body; every other route refuses it with a message.
            assert resp.status_code == 200 if url == "/api/auth/logout" else resp.json["message"], url


@pytest.mark.parametrize("data, code", [
    (DEEP, "too_deep"),
    ('{"password": "x", "username": ' + "[" * 1000 + "]" * 1000 + "}", "too_deep"),
    ("[]", "invalid"), ('"x"', "invalid"), ("null", "not_json"), (b"\xff\xfe", "not_json"),
    ("1" * 5000, "not_json"),
    ('{"username": "a\\u0000", "password": "correct horse battery"}', "nul_character"),
    ('{"username": "\\udfff", "password": "correct horse battery"}', "not_unicode"),
])
def test_sign_in_says_what_is_wrong_with_the_body(app, data, code):
    resp = app.test_client().post("/api/auth/login", data=data, content_type="application/json")
    assert resp.status_code == 400 and resp.json["error"] == code


def test_a_wrong_method_keeps_its_allow_header(app):
    resp = app.test_client().get("/api/auth/login")
    assert resp.status_code == 405 and resp.json["error"] == "method_not_allowed"
    assert "POST" in resp.headers["Allow"]


def test_a_nul_in_the_path_is_not_found_before_anything_else(app):
    url = "/api/incidents/a%sb" if app.name == "ems_app" else "/api/patients/a%sb"
    client = app.test_client()
    assert client.get(url % "-").status_code == 401
    assert client.get(url % "%00").status_code == 404  # no id of ours holds a NUL; PostgreSQL text cannot
