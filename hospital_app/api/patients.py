"""Incoming patients as the signed-in role may see them (hospital_app/visibility.py); each look
at a record is logged."""
from datetime import timedelta

from flask import Blueprint, current_app, g, jsonify

from hospital_app import access_log, store, visibility
from hospital_app.api import db
from hospital_app.api.auth import staff_only
from hospital_app.staff import FULL_HISTORY_ROLES
from shared.acuity import legend
from shared.errors import Refused
from shared.openapi import api

bp = Blueprint("patients", __name__, url_prefix="/api/patients")


@bp.get("")
@api("Incoming patients this hospital holds a live grant for", tag="patients")
@staff_only()
def list_patients():
    views = [store.patient_view(db(), i, g.user.role) for i in store.patient_ids(db())]
    if visibility.audience(g.user.role) == visibility.CLINICAL:  # the list carries the records: each is a look
        for view in views:
            log_access(view["incident_id"], "view")
    return jsonify(views)


@bp.get("/acuity-legend")
@api("How acuity is assessed: the one rule's table, for the dashboard's legend", tag="patients")
@staff_only()
def acuity_legend():
    """Served from the rule itself, so the legend on the screen and the rule cannot disagree."""
    return jsonify(legend())


@bp.get("/<incident_id>")
@api("One incoming patient", tag="patients", errors=[404])
@staff_only()
def show_patient(incident_id):
    view = store.patient_view(db(), incident_id, g.user.role)
    if view is None:
        raise Refused(404, "no such patient, or the grant has ended", "not_found")
    log_access(incident_id, "view")
    return jsonify(view)


def log_access(incident_id: str, action: str) -> None:
    """Record the look here (with the name) and have the gateway report it to the hub (by role).
    A dashboard reloading the same patient within ten minutes is the same look."""
    if store.recently_logged(db(), g.user.username, incident_id, action, timedelta(minutes=10)):
        return
    with db().transaction() as s:
        access_log.append(s, current_app.config["AUDIT_KEY"], staff=g.user.username, role=g.user.role,
                          incident_id=incident_id, action=action)
    current_app.extensions["gateway"].events.put(("report_access", None))


def log_refusal(incident_id: str) -> None:
    """A look at clinical data refused to the signed-in user: every attempt is logged here (with
    the name) and reported to the hub (by role), with no ten minutes' grace as for a look."""
    with db().transaction() as s:
        access_log.append(s, current_app.config["AUDIT_KEY"], staff=g.user.username, role=g.user.role,
                          incident_id=incident_id, action="full_history_refused")
    current_app.extensions["gateway"].events.put(("report_access", None))


@bp.post("/<incident_id>/full-history")
@api("Open the full history (physicians only; recorded here and at the hub, refusals too)", tag="patients",
     errors=[403, 404, 503])
@staff_only()
def full_history(incident_id):
    """Fetched on demand and not stored: the summary is what the ER keeps. Logged once the
    outcome is known: a look when the hub sent it, a refused attempt when this role may not ask
    or the hub said no (after close it has no record left to send)."""
    if g.user.role not in FULL_HISTORY_ROLES:
        log_refusal(incident_id)
        raise Refused(403, "your role may not do this", "forbidden")
    grant = store.grant_if_held(db(), incident_id)
    if grant is None:
        raise Refused(404, "no such patient, or the grant has ended", "not_found")
    resp = current_app.extensions["gateway"].fetch(incident_id, grant, {"view": "full"},
                                                   requested_by=f"{g.user.role}:#{g.user.id}")
    if resp.status_code in (403, 404):
        log_refusal(incident_id)
    if resp.status_code != 200:
        try:
            said = resp.json().get("message")
        except ValueError:
            said = None
        status = resp.status_code if resp.status_code in (403, 404) else 503
        if not said:
            raise Refused(status, "the hub answered HTTP %(http_status)s", "hub_refused", http_status=resp.status_code)
        # The hub's own words, already in a language (the one the gateway's request got).
        raise Refused(status, "the hub refused: %(hub_said)s", "hub_refused", hub_said=said)
    log_access(incident_id, "full_history")
    sent = resp.json()
    # `history`: the record grouped by the hub (each drug once, its dates and doses), which the dashboard shows.
    return jsonify({"incident_id": incident_id, "record": sent["record"], "history": sent.get("history")})
