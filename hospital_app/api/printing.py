"""One patient's pre-arrival record on paper, for the resuscitation bay: the team at the bed reads
it without a screen. Only for those who may see the record (physicians and nurses: the desk is
refused), and a print is a look at the record, logged as one."""
from flask import Blueprint, current_app, g, render_template

from hospital_app import store, visibility
from hospital_app.api import db
from hospital_app.api.auth import staff_only
from hospital_app.api.patients import log_access
from shared.errors import Refused
from shared.openapi import api

bp = Blueprint("printing", __name__)


@bp.get("/patients/<incident_id>/print")
@api("One patient's pre-arrival record as a printable A4 page (HTML; physicians and nurses)", tag="patients",
     page=True, errors=[401, 403, 404])
@staff_only(*visibility.CLINICAL_ROLES)
def print_patient(incident_id):
    if store.last_seq(db(), incident_id) is None:  # the patient is not (or no longer) held here
        raise Refused(404, "no such patient, or the grant has ended", "not_found")
    log_access(incident_id, "view")
    return render_template("print.html", hospital=current_app.config["HOSPITAL_NAME"], incident_id=incident_id,
                           printed_by=g.user.display_name, role=g.user.role)
