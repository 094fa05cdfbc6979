"""A refusal reaches the user in the user's language: the same refusal in Japanese (no cookie,
the default) and in English (lang=en), each field's problem translated on its own, Werkzeug's
own refusals too, and a Socket.IO event's reply in the language of its own connection."""
import pytest
from flask import Flask
from flask_socketio import SocketIO
from pydantic import BaseModel, ValidationError, field_validator
from pydantic_core import PydanticCustomError

from shared.errors import Refused
from shared.problems import field_problems
from shared.schemas.incident import BasisIn
from web import http, i18n

SHORT_REASON = {"basis": {"kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "ab"}}


@pytest.fixture
def app():
    app = Flask(__name__)
    app.config["SECRET_KEY"] = "test only"
    http.init_app(app)
    i18n.init_app(app)

    @app.get("/api/passcode")
    def passcode():
        raise Refused(401, "wrong passcode; %(left)s attempts left", "wrong_passcode", left=3)

    @app.post("/api/basis")
    def basis():
        return {"kind": http.body(BasisIn).basis.kind}

    socketio = SocketIO(app, async_mode="threading")

    @socketio.on("open", namespace="/test")
    def open_share(data):
        try:
            raise Refused(401, "wrong passcode; %(left)s attempts left", "wrong_passcode", left=data["left"])
        except Refused as e:
            return http.reply(e)

    return app


def client(app, lang: str | None):
    """A browser with that language chosen, or (None) one that never chose: no cookie at all."""
    c = app.test_client()
    c.delete_cookie("lang")
    if lang:
        c.set_cookie("lang", lang)
    return c


def test_the_same_refusal_in_japanese_by_default_and_in_english_by_cookie(app):
    ja = client(app, None).get("/api/passcode")
    en = client(app, "en").get("/api/passcode")
    assert ja.status_code == en.status_code == 401
    assert ja.json == {"error": "wrong_passcode", "message": "パスコードが違います（残り3回）"}
    assert en.json == {"error": "wrong_passcode", "message": "wrong passcode; 3 attempts left"}


def test_a_pydantic_problem_is_translated_per_field(app):
    ja = client(app, "ja").post("/api/basis", json=SHORT_REASON)
    en = client(app, "en").post("/api/basis", json=SHORT_REASON)
    assert ja.status_code == en.status_code == 400 and ja.json["error"] == en.json["error"] == "invalid"
    field = "basis.emergency_exception.reason_text"
    assert ja.json["fields"] == [{"field": field, "reason": "3文字以上で入力してください"}]
    assert en.json["fields"] == [{"field": field, "reason": "should have at least 3 characters"}]
    # The pages show `message` alone: the summary names the field and says why.
    assert ja.json["message"] == f"入力内容を確認してください: {field}: 3文字以上で入力してください"
    assert en.json["message"] == f"check what you entered: {field}: should have at least 3 characters"


def test_an_unknown_pydantic_error_says_only_that_the_value_is_not_valid():
    class Odd(BaseModel):
        x: int

        @field_validator("x")
        @classmethod
        def _never(cls, x):
            raise PydanticCustomError("odd_rule", "some English only pydantic knows")

    with pytest.raises(ValidationError) as e:
        Odd(x=1)
    assert [(p.field, p.reason) for p in field_problems(e.value)] == [("x", "is not valid")]


def test_choices_are_listed_without_an_english_or():
    with pytest.raises(ValidationError) as e:
        BasisIn.model_validate({"basis": {"kind": "consent", "given_by": "neighbour"}})
    [problem] = field_problems(e.value)
    assert problem.field == "basis.consent.given_by" and problem.reason == "should be one of %(expected)s"
    assert problem.params == {"expected": "'patient', 'family'"}


def test_werkzeug_refusals_on_the_api_are_translated(app):
    ja = client(app, None).get("/api/nowhere")
    en = client(app, "en").get("/api/nowhere")
    assert ja.status_code == en.status_code == 404
    assert ja.json == {"error": "not_found", "message": "見つかりません"}
    assert en.json == {"error": "not_found", "message": "not found"}
    wrong_method = client(app, "en").post("/api/passcode", json={})
    assert wrong_method.status_code == 405 and wrong_method.json["error"] == "method_not_allowed"
    assert wrong_method.json["message"] == "this method is not allowed here"


def test_a_socket_event_replies_in_the_language_of_its_own_connection(app):
    socketio = app.extensions["socketio"]
    ja = socketio.test_client(app, namespace="/test", flask_test_client=client(app, "ja"))
    en = socketio.test_client(app, namespace="/test", flask_test_client=client(app, "en"))
    # One app context around both: flask_babel's locale cache (in `g`) is then shared by the
    # events, and each reply must still read its own connection's cookie.
    with app.app_context():
        for _ in range(2):
            assert ja.emit("open", {"left": 2}, namespace="/test", callback=True) == \
                {"error": "wrong_passcode", "message": "パスコードが違います（残り2回）"}
            assert en.emit("open", {"left": 2}, namespace="/test", callback=True) == \
                {"error": "wrong_passcode", "message": "wrong passcode; 2 attempts left"}
