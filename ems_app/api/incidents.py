"""The crew's incident: open, read the card, record the basis, fetch, ask hospitals, update."""
from flask import Blueprint, g, jsonify

from ems_app.api import hub
from ems_app.api.auth import crew_only
from ems_app.models import Incident
from ems_app.services import (delivery, grants, identification, incidents, lifecycle, routing, scene_times, updates,
                              vitals)
from shared.acuity import Acuity
from shared.clock import aware
from shared.openapi import api
from shared.schemas.incident import (AttributeSearchIn, BasisIn, CardReadIn, HospitalRequestIn, IncidentIn,
                                     IncidentOut)
from shared.schemas.scene_times import CardNotReadIn, SceneTimeIn
from shared.schemas.vitals import IncidentUpdate
from web.http import body

bp = Blueprint("incidents", __name__, url_prefix="/api")


def out(incident: Incident, acuity: Acuity | None = None) -> dict:
    with hub().db.read() as s:
        grant = grants.active(s, incident.id)
    return IncidentOut(
        id=incident.id, status=incident.status, created_at=aware(incident.created_at),
        chief_complaint=incident.chief_complaint, location=incident.location,
        identified=incident.card_id is not None, card_kind=incident.card_kind,
        identification=incident.identification, identity_flagged=incident.identity_flagged,
        basis=(incident.basis or {}).get("kind"), record_status=incident.record_status,
        hospital_id=incident.hospital_id,
        grant_expires_at=aware(grant.expires_at) if grant else None, handed_over_at=aware(incident.handed_over_at),
        called_at=aware(incident.called_at), on_scene_at=aware(incident.on_scene_at),
        left_scene_at=aware(incident.left_scene_at), hospital_arrival_at=aware(incident.hospital_arrival_at),
        card_not_read_reason=incident.card_not_read_reason, acuity=acuity).model_dump(mode="json")


@bp.post("/incidents")
@api("Open an incident; 200 with the same incident if this crew already used client_id", body=IncidentIn,
     response=IncidentOut, tag="incidents", ok=[201, 200])
@crew_only
def open_incident():
    data = body(IncidentIn)
    incident, new = incidents.create(hub(), g.user, data)
    return jsonify(out(incident)), 201 if new else 200


@bp.get("/incidents")
@api("This crew's open incidents, newest first, each with its patient's acuity (the tablet's patient switcher)",
     response=list[IncidentOut], tag="incidents")
@crew_only
def list_incidents():
    return jsonify([out(i, acuity) for i, acuity in incidents.open_for_crew(hub(), g.user)])


@bp.get("/incidents/<incident_id>")
@api("One incident, with the patient's acuity assessed from every vitals update by the one rule the ER uses",
     response=IncidentOut, tag="incidents", errors=[404])
@crew_only
def show_incident(incident_id):
    with hub().db.read() as s:
        incident = incidents.load(s, g.user, incident_id)
        acuity = vitals.acuity(s, incident.id)
    return jsonify(out(incident, acuity))


@bp.post("/incidents/<incident_id>/card")
@api("The card reader presents the patient's card", body=CardReadIn, response=IncidentOut,
     tag="incidents", errors=[404, 409, 422])
@crew_only
def read_card(incident_id):
    return jsonify(out(identification.identify(hub(), g.user, incident_id, body(CardReadIn))))


@bp.post("/incidents/<incident_id>/attribute-search")
@api("No card: identify by the four attributes (emergency exception only; flagged, rate-limited)",
     body=AttributeSearchIn, response=IncidentOut, tag="incidents", errors=[404, 409, 422, 429])
@crew_only
def attribute_search(incident_id):
    return jsonify(out(identification.identify_by_attributes(hub(), g.user, incident_id, body(AttributeSearchIn))))


@bp.post("/incidents/<incident_id>/basis")
@api("Record consent or the emergency exception", body=BasisIn, response=IncidentOut,
     tag="incidents", errors=[404, 409])
@crew_only
def record_basis(incident_id):
    return jsonify(out(incidents.record_basis(hub(), g.user, incident_id, body(BasisIn).basis)))


@bp.post("/incidents/<incident_id>/record")
@api("Fetch the record from the source and show the emergency summary", tag="incidents",
     errors=[404, 409, 422, 503])
@crew_only
def fetch_record(incident_id):
    return jsonify(incidents.fetch_record(hub(), g.user, incident_id))


@bp.get("/incidents/<incident_id>/record")
@api("Show the emergency summary again (audited)", tag="incidents", errors=[404, 409])
@crew_only
def view_record(incident_id):
    return jsonify(incidents.view(hub(), g.user, incident_id))


@bp.post("/incidents/<incident_id>/inquiries")
@api("Ask candidate hospitals at once to accept the patient", body=HospitalRequestIn, tag="routing",
     errors=[404, 409], ok=[201])
@crew_only
def ask_hospitals(incident_id):
    inquiries = routing.ask(hub(), g.user, incident_id, body(HospitalRequestIn).hospital_ids)
    return jsonify([{"inquiry_id": i.id, "hospital_id": i.hospital_id, "status": i.status}
                    for i in inquiries]), 201


@bp.get("/incidents/<incident_id>/inquiries")
@api("The hospitals asked and their answers", tag="routing", errors=[404])
@crew_only
def list_inquiries(incident_id):
    return jsonify(routing.inquiries_for(hub(), g.user, incident_id))


@bp.post("/incidents/<incident_id>/updates")
@api("Send a live update (vitals, complaint, ETA, location, note); 200 if client_id was seen before",
     body=IncidentUpdate,
     tag="incidents", errors=[404, 409], ok=[201, 200])
@crew_only
def add_update(incident_id):
    # No acuity in this answer: assessing needs every vitals update read back, a second query on
    # the hub's hottest (benchmarked) write. The tablet asks for the incident once its queue has
    # drained, which costs one read per burst of updates instead of one per update.
    message, new = updates.add(hub(), g.user, incident_id, body(IncidentUpdate))
    return jsonify(message), 201 if new else 200


@bp.get("/incidents/<incident_id>/updates")
@api("Updates with their delivery state (sent, delivered, seen) and the ER's acknowledgement",
     tag="incidents", errors=[404])
@crew_only
def list_updates(incident_id):
    return jsonify(delivery.updates_with_state(hub(), g.user, incident_id))


@bp.post("/incidents/<incident_id>/times")
@api("Record one of the run's times (覚知, 現場到着, 現場出発, 病院到着) as tapped, or correct one; audited",
     body=SceneTimeIn, response=IncidentOut, tag="incidents", errors=[404, 409])
@crew_only
def record_time(incident_id):
    return jsonify(out(scene_times.record(hub(), g.user, incident_id, body(SceneTimeIn))))


@bp.post("/incidents/<incident_id>/card-not-read")
@api("Why the My Number insurance card was not read (identified without it, or not at all); audited",
     body=CardNotReadIn, response=IncidentOut, tag="incidents", errors=[404, 409])
@crew_only
def card_not_read(incident_id):
    return jsonify(out(scene_times.card_not_read(hub(), g.user, incident_id, body(CardNotReadIn))))


@bp.post("/incidents/<incident_id>/handover")
@api("Hand the patient over at the hospital: the grant ends after a short window", response=IncidentOut,
     tag="incidents", errors=[404, 409])
@crew_only
def hand_over(incident_id):
    return jsonify(out(lifecycle.handover(hub(), g.user, incident_id)))


@bp.post("/incidents/<incident_id>/close")
@api("Close the incident: grants end and the EMS copy of the record is purged", response=IncidentOut,
     tag="incidents", errors=[404, 409])
@crew_only
def close_incident(incident_id):
    return jsonify(out(lifecycle.close(hub(), g.user, incident_id)))


@bp.get("/card-reader/cards")
@api("Cards the simulated reader can present (demo and training)", tag="incidents")
@crew_only
def simulated_cards():
    cards = hub().source.cards()
    edge = [c for c in cards if not c[4:].isdigit()]
    return jsonify({"edge_cases": edge, "examples": [c for c in cards if c[4:].isdigit()][:20]})
