"""One language on screen at a time: the templates' labels say the chosen language only
(Japanese without a choice, English by choice), never both side by side."""
from flask import Flask, render_template_string

from web import i18n

PAGE = '{{ bi("Sign in") }}|{{ bi_plain("Acknowledge") }}'


def rendered(lang: str | None) -> str:
    app = Flask(__name__)
    i18n.init_app(app)
    headers = {"Cookie": f"lang={lang}"} if lang else {}
    with app.test_request_context("/", headers=headers):
        return render_template_string(PAGE)


def test_japanese_without_a_choice_and_no_english_beside_it():
    label, plain = rendered(None).split("|")
    assert "ログイン" in label and "Sign in" not in label
    assert plain == "確認"


def test_english_by_choice_and_no_japanese_beside_it():
    label, plain = rendered("en").split("|")
    assert "Sign in" in label and "ログイン" not in label and 'lang="en"' in label
    assert plain == "Acknowledge"


def test_an_unknown_choice_reads_as_the_japanese_default():
    assert "ログイン" in rendered("fr")
