"""The patient's 'who viewed my data': the page, the code sent to the registered contact, and the
history that code opens (services/patient_codes.py, services/patient_history.py)."""
from datetime import date

from flask import Blueprint, jsonify, render_template, request
from flask_babel import gettext
from pydantic import BaseModel, ConfigDict, Field

from ems_app.api import hub
from ems_app.services import patient_codes, patient_history
from shared.errors import N_, FieldProblem, Refused
from shared.openapi import api
from shared.problems import CHECK_INPUT
from web import i18n, login
from web.http import body

bp = Blueprint("patient", __name__)


class CodeIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    card_id: str = Field(min_length=1, max_length=64)
    birth_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


class HistoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    challenge: str = Field(min_length=1, max_length=32)
    code: str = Field(pattern=r"^[0-9]{6}$")


@bp.get("/my-data")
def history_page():
    """The patient's page: who viewed my data."""
    return render_template("history.html")


@bp.post("/api/patient/code")
@api("Send a one-time code to the contact registered for the card (card and date of birth first)",
     body=CodeIn, auth="none", tag="patient", errors=[401, 409, 429, 503])
def send_code():
    data = body(CodeIn)
    born = _date(data.birth_date)
    # Counted before the card is looked up, so parallel guesses cannot all slip in.
    attempt = login.throttle().take({f"history:{request.remote_addr or ''}": login.HISTORY},
                                    N_("too many attempts; try again in %(minutes)s min"))
    try:
        sent = patient_codes.send_code(hub(), data.card_id, born)
    except Refused as e:
        if e.status != 401:  # only a card and birth date that do not match is a guess
            attempt.release()
        raise
    attempt.release()
    return jsonify(sent)


@bp.post("/api/patient/history")
@api("Who viewed my data: the history the one-time code opens", body=HistoryIn, auth="none", tag="patient",
     errors=[401])
def patient_access_history():
    data = body(HistoryIn)
    rows = patient_codes.history_for_code(hub(), data.challenge, data.code)
    return jsonify([{**row, **_in_words(row)} for row in rows])


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Refused(400, CHECK_INPUT, "invalid", fields=[FieldProblem("birth_date", "not a real date")]) from None


def _in_words(row: dict) -> dict:
    """A row's codes in the reader's language, for API clients (the page words the codes itself)."""
    sep = "、" if i18n.current() == "ja" else ", "
    kind, name = row["org_kind"], row["org_name"]
    if kind == "fire":
        organisation = f"{gettext(patient_history.FIRE_HQ)}: {name}"
    elif kind == "share":
        organisation = f"{name} (QR)" if name else "QR"
    else:
        organisation = name
    seen = [patient_history.SEEN.get(c, c) for c in row["seen"]] or [patient_history.NOTHING_SEEN]
    return {"organisation": organisation, "role": gettext(patient_history.ROLES.get(row["who"], row["who"])),
            "action": gettext(patient_history.LOOKS[row["look"]]), "categories": sep.join(gettext(m) for m in seen)}
