"""The privacy officer's review queue, and the patient's 'who viewed my data' page."""
from typing import Literal

from flask import Blueprint, g, jsonify, render_template, request
from flask_babel import gettext
from pydantic import BaseModel, ConfigDict, Field

from ems_app.api import hub
from ems_app.api.auth import load_user
from ems_app.services import patient_history, review
from shared.errors import N_, FieldProblem, Refused
from shared.openapi import api
from shared.problems import CHECK_INPUT
from web import i18n, login
from web.http import body

bp = Blueprint("review", __name__)
officer_only = login.requires("privacy_officer", load_user=load_user)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["justified", "not_justified"]
    comment: str = Field(min_length=1, max_length=2000)


class HistoryIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    card_id: str = Field(min_length=1, max_length=64)
    birth_date: str = Field(pattern=r"^\d{4}-\d{2}-\d{2}$")


@bp.get("/review")
def review_page():
    """The privacy officer's review queue."""
    return render_template("review.html")


@bp.get("/api/review")
@api("Review items for the signed-in privacy officer's organisation", tag="review", errors=[401, 403])
@officer_only
def review_queue():
    return jsonify(review.queue(hub(), g.user))


@bp.post(f"/api/review/<int(max={2**31 - 1}):item_id>")  # beyond the id column's INTEGER: no such item
@api("Mark an access justified or not, with a comment", body=DecisionIn, tag="review", errors=[404, 409])
@officer_only
def decide(item_id):
    data = body(DecisionIn)
    review.decide(hub(), g.user, item_id, data.decision, data.comment)
    return jsonify({"ok": True})


@bp.get("/my-data")
def history_page():
    """The patient's page: who viewed my data."""
    return render_template("history.html")


@bp.post("/api/patient/history")
@api("Who viewed my data (card and date of birth)", body=HistoryIn, auth="none", tag="patient",
     errors=[401, 429])
def patient_access_history():
    from datetime import date
    data = body(HistoryIn)
    try:
        born = date.fromisoformat(data.birth_date)
    except ValueError:
        not_a_date = FieldProblem("birth_date", "not a real date")
        raise Refused(400, CHECK_INPUT, "invalid", fields=[not_a_date]) from None
    # Counted before the card is looked up, so parallel guesses cannot all slip in.
    attempt = login.throttle().take({f"history:{request.remote_addr or ''}": login.HISTORY},
                                    N_("too many attempts; try again in %(minutes)s min"))
    try:
        rows = patient_history.history(hub(), data.card_id, born)
    except Refused as e:
        if e.status != 401:  # only a card and birth date that do not match is a guess
            attempt.release()
        raise
    attempt.release()
    return jsonify([{**row, **_in_words(row)} for row in rows])


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
