"""The privacy officer's review queue (the patient's 'who viewed my data' is api/patient.py)."""
from typing import Literal

from flask import Blueprint, g, jsonify, render_template
from pydantic import BaseModel, ConfigDict, Field

from ems_app.api import hub
from ems_app.api.auth import load_user
from ems_app.services import review
from shared.openapi import api
from web import login
from web.http import body

bp = Blueprint("review", __name__)
officer_only = login.requires("privacy_officer", load_user=load_user)


class DecisionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    decision: Literal["justified", "not_justified"]
    comment: str = Field(min_length=1, max_length=2000)


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
