"""The region's figures (fire HQ analyst, medical-control physician) and case review (medical
control only): the page, its JSON, its CSV and its charts. Every answer is suppressed in the
service; these routes only parse, label and format."""
from flask import Blueprint, Response, g, jsonify, render_template, request
from flask_babel import gettext
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from ems_app.api import figure_charts, figure_words, hub
from ems_app.api.auth import load_user
from ems_app.services import case_review, figures
from shared.openapi import api
from shared.problems import refused
from web import login
from web.http import body

bp = Blueprint("figures", __name__)
figures_roles = login.requires("fire_analyst", "medical_control", load_user=load_user)
medical_control = login.requires("medical_control", load_user=load_user)
TABLE_IDS = {*figures.TABLES, "declines"}


class CasesQuery(figures.FiguresQuery):
    difficult: bool = Field(False, description="only the difficult transports (搬送困難事案)")


def _query(model=figures.FiguresQuery):
    try:
        return model.model_validate(request.args.to_dict())
    except ValidationError as e:
        raise refused(e) from None


def _answer() -> dict:
    answer = figures.answer(hub(), g.user, _query())
    with hub().db.read() as s:
        return figure_words.labelled(answer, figure_words.hospital_names(s))


@bp.get("/figures")
def figures_page():
    """The region's figures."""
    return render_template("figures.html")


@bp.get("/api/figures")
@api("The region's figures, anonymous and suppressed (counts under 10 as \"<10\")", tag="figures",
     query=figures.FiguresQuery, errors=[400, 401, 403])
@figures_roles
def figures_json():
    return jsonify(_answer())


@bp.get("/api/figures/options")
@api("What the figures can be filtered by: the fire HQ's units and the hospitals", tag="figures", errors=[401, 403])
@figures_roles
def figures_options():
    return jsonify(figures.options(hub(), g.user))


@bp.get("/api/figures.csv")
@api("The region's figures as CSV, suppressed as on the page", tag="figures", query=figures.FiguresQuery,
     errors=[400, 401, 403])
@figures_roles
def figures_csv():
    text = "\ufeff" + figure_words.as_csv(_answer())  # the BOM makes Excel read UTF-8 Japanese
    return Response(text, mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=figures.csv", "Cache-Control": "no-store"})


@bp.get("/api/figures/chart/<any(difficulty, card, not_read, basis, inquiries, outcomes, declines, "
        "call_to_acceptance, acceptance_to_arrival):chart>.svg")
@api("One of the figures as an SVG chart", tag="figures", query=figures.FiguresQuery, errors=[400, 401, 403])
@figures_roles
def figures_chart(chart):
    answer = _answer()
    if chart in TABLE_IDS:
        [table] = [t for t in answer["tables"] if t["id"] == chart]
        svg = figure_charts.counts(table, gettext("Hidden (<10 or *)"))
    else:
        [measure] = [m for m in answer["times"] if m["id"] == chart]
        svg = figure_charts.times(measure, gettext("Median"), gettext("90th percentile"), gettext("fewer than 10 cases"))
    return Response(svg, mimetype="image/svg+xml", headers={"Cache-Control": "no-store"})


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field(min_length=1, max_length=4000)


@bp.get("/cases")
def cases_page():
    """Case review (事後検証) for the medical-control physician."""
    return render_template("cases.html")


@bp.get("/api/cases")
@api("Closed cases to review, newest first, without identity", tag="figures", query=CasesQuery,
     errors=[400, 401, 403])
@medical_control
def cases_list():
    return jsonify(case_review.cases(hub(), g.user, _query(CasesQuery)))


@bp.get("/api/cases/<string(length=16):incident_id>")
@api("A closed case's timeline without identity; audited", tag="figures", errors=[401, 403, 404])
@medical_control
def case_timeline(incident_id):
    return jsonify(case_review.timeline(hub(), g.user, incident_id))


@bp.post("/api/cases/<string(length=16):incident_id>/notes")
@api("Record a review note on a closed case; audited", body=NoteIn, tag="figures", errors=[401, 403, 404])
@medical_control
def case_note(incident_id):
    return jsonify(case_review.add_note(hub(), g.user, incident_id, body(NoteIn).note)), 201
