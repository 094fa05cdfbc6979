"""One language on screen at a time, Japanese by default, English by choice: Flask-Babel for the
templates, a JSON catalogue for the scripts.

Message ids are the English text. `web/translations/ja/LC_MESSAGES/messages.po` holds the
Japanese; English needs no catalogue (the id is the English). The compiled `.mo` files are
committed next to the `.po` files, and `tests/e2e/test_ui_i18n.py` fails when one is stale;
after editing a `.po`, run `python -m web.i18n compile` (`python -m web.i18n extract` first
refreshes the `.po` from the templates, scripts and Python code: the refusals' messages, see
shared/errors.py, are translated at the edge by web/http.py).

The language is the `lang` cookie (`ja` or `en`), `ja` when there is none. The pages' language
switch sets it and, for a signed-in user, stores the choice with the account (`language` on the
users of both apps, POST /api/auth/language); signing in sets the cookie from the account, so the
same person gets the same language on any device. Labels were once shown in both languages side
by side: that halved what a clinician could scan, so `bi()` in templates and `bi()`/`tr()` in
scripts now render the chosen language only (the names stay; message extraction looks for them)."""
from __future__ import annotations

import functools
import sys
from pathlib import Path
from typing import Literal

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Blueprint, Flask, Response, jsonify, request
from flask_babel import Babel, get_locale, gettext
from markupsafe import Markup
from pydantic import BaseModel, ConfigDict

from shared.openapi import api

HERE = Path(__file__).resolve().parent
TRANSLATIONS = HERE / "translations"
LANGUAGES = ("ja", "en")
DEFAULT = "ja"
COOKIE = "lang"

bp = Blueprint("i18n", __name__, static_folder="static", static_url_path="/common")


def select_locale() -> str:
    lang = request.cookies.get(COOKIE, "")
    return lang if lang in LANGUAGES else DEFAULT


def current() -> str:
    locale = get_locale()
    return locale.language if locale is not None and locale.language in LANGUAGES else DEFAULT


def other(lang: str) -> str:
    return "en" if lang == "ja" else "ja"


def bilingual(msgid: str, **params) -> Markup:
    """A label in the chosen language. The wrapper keeps the shape scripts and styles look for
    (`.bi > .bi-p`, as Problems.label in common.js reads a field's name)."""
    return Markup('<span class="bi"><span class="bi-p" lang="{}">{}</span></span>').format(
        current(), gettext(msgid, **params))


def plain(msgid: str, **params) -> str:
    """The label as plain text in the chosen language, for titles, options and attributes."""
    return gettext(msgid, **params)


class LanguageIn(BaseModel):
    """The language a user chose with the page's switch."""
    model_config = ConfigDict(extra="forbid")
    language: Literal["ja", "en"]


def set_cookie(resp: Response, lang: str) -> Response:
    """The device remembers the language (not HttpOnly: the page's switch writes the same cookie offline)."""
    if lang in LANGUAGES:
        resp.set_cookie(COOKIE, lang, max_age=365 * 24 * 3600, path="/", samesite="Strict",
                        secure=request.is_secure)
    return resp


@functools.lru_cache(maxsize=None)
def script_messages() -> dict:
    """{lang: {msgid: text}} for the messages the scripts use (their .po locations end in .js)."""
    out: dict = {}
    for lang in LANGUAGES:
        po = TRANSLATIONS / lang / "LC_MESSAGES" / "messages.po"
        if not po.exists():
            out[lang] = {}
            continue
        with po.open("rb") as f:
            cat = read_po(f, locale=lang)
        out[lang] = {m.id: m.string for m in cat if m.id and m.string
                     and any(loc.endswith(".js") for loc, _ in m.locations)}
    return out


@bp.get("/i18n/messages.json")
@api("The message catalogue the pages' scripts use, Japanese and English", auth="none", tag="ui")
def messages_json():
    """The scripts' message catalogue, both languages (the page says which one is chosen)."""
    resp = jsonify({"languages": list(LANGUAGES), "default": DEFAULT, "messages": script_messages()})
    resp.headers["Cache-Control"] = "public, max-age=300"
    return resp


def init_app(app: Flask) -> None:
    Babel(app, locale_selector=select_locale, default_locale=DEFAULT,
          default_translation_directories=str(TRANSLATIONS))
    app.register_blueprint(bp)
    app.jinja_env.globals.update(bi=bilingual, bi_plain=plain, lang=current, other_lang=lambda: other(current()))


# ---- maintenance: `python -m web.i18n extract|compile` ----

def compile_catalogues() -> list[Path]:
    written = []
    for po in sorted(TRANSLATIONS.glob("*/LC_MESSAGES/messages.po")):
        with po.open("rb") as f:
            cat = read_po(f, locale=po.parts[-3])
        mo = po.with_suffix(".mo")
        with mo.open("wb") as f:
            write_mo(f, cat, use_fuzzy=False)
        written.append(mo)
    return written


# Where message ids are, besides gettext() and N_(): the labels of templates and scripts, and the
# refusals of the Python code (shared.errors), whose message id is a literal argument.
KEYWORDS = ("bi", "bi_plain", "tr", "one", "Refused:2", "FieldProblem:2", "Invalid")
SOURCES = ("ems_app", "hospital_app", "web", "shared")


def extract() -> None:
    """Refresh the .po files from the templates, scripts and Python code (pybabel extract, then update)."""
    import subprocess
    import tempfile
    pybabel = str(Path(sys.executable).with_name("pybabel"))
    keywords = [arg for keyword in KEYWORDS for arg in ("-k", keyword)]
    with tempfile.TemporaryDirectory() as tmp:
        pot = str(Path(tmp) / "messages.pot")
        subprocess.run([pybabel, "extract", "-F", str(HERE / "babel.cfg"), *keywords, "--no-wrap", "--sort-by-file",
                        "-o", pot, *SOURCES], cwd=HERE.parent, check=True)
        subprocess.run([pybabel, "update", "--no-wrap", "--no-fuzzy-matching", "--ignore-obsolete", "-i", pot,
                        "-d", str(TRANSLATIONS)], cwd=HERE.parent, check=True)


if __name__ == "__main__":
    command = sys.argv[1] if len(sys.argv) > 1 else ""
    if command == "compile":
        for path in compile_catalogues():
            print(f"wrote {path.relative_to(HERE.parent)}")
    elif command == "extract":
        extract()
    else:
        print("usage: python -m web.i18n extract|compile", file=sys.stderr)
        sys.exit(2)
