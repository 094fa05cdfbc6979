"""Inquiries from ambulances, and the ER's answer (which the gateway carries to the hub)."""
from flask import Blueprint, current_app, g, jsonify
from pydantic import BaseModel, ConfigDict, model_validator

from hospital_app import inquiry_store
from hospital_app.api import db
from hospital_app.api.auth import staff_only
from shared.errors import Invalid
from shared.openapi import api
from shared.schemas.inquiry import DeclineReason
from web.http import body

bp = Blueprint("inquiries", __name__, url_prefix="/api/inquiries")


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    accept: bool
    reason: DeclineReason | None = None  # the hub's own list: a reason offered here is never refused there

    @model_validator(mode="after")
    def _decline_needs_reason(self) -> "AnswerIn":
        if not self.accept and self.reason is None:
            raise Invalid("reason: a decline needs a reason")
        return self


@bp.get("")
@api("Inquiries awaiting an answer, newest first", tag="inquiries")
@staff_only()
def list_inquiries():
    return jsonify(inquiry_store.open_inquiries(db(), g.user.role))


@bp.post("/<inquiry_id>/answer")
@api("Accept or decline (physicians and nurses)", body=AnswerIn, tag="inquiries", errors=[403, 409, 503])
@staff_only("physician", "nurse")
def answer(inquiry_id):
    data = body(AnswerIn)
    status = current_app.extensions["gateway"].answer(inquiry_id, data.accept,
                                                      f"{g.user.role} #{g.user.id}", data.reason)  # the hub gets a role, not a name
    return jsonify({"inquiry_id": inquiry_id, "status": status})
