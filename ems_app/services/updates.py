"""Live updates from the road (vitals, complaint, ETA, location, notes), numbered per incident.

Stored before pushed: the sequence number is assigned under the incident's row lock, so the
hospital applies updates in order and asks for what it missed after a dropout. A tablet's
offline queue resends with the same client_id; the update is applied exactly once. Updates
go only to a hospital whose grant is live."""
from __future__ import annotations

from sqlalchemy import null, select

from ems_app.errors import Refused
from ems_app.hub import Hub
from ems_app.models import Grant, Incident, IncidentEvent, User
from ems_app.services.incidents import load
from ems_app.services.routing import grant_is_live, hospital_room
from shared.clock import utcnow
from shared.schemas.vitals import IncidentUpdate


def add(hub: Hub, user: User, incident_id: str, update: IncidentUpdate) -> tuple[dict, bool]:
    """(the stored update, whether it is new). A repeated client_id returns the first one."""
    # The incident (locked), an earlier update with this client_id and the live grant's hospital
    # in one statement: updates are the hub's most frequent write.
    earlier = (select(IncidentEvent.seq).where(IncidentEvent.incident_id == Incident.id,
                                               IncidentEvent.client_id == update.client_id).scalar_subquery()
               if update.client_id else null())
    hospital = select(Grant.hospital_id).where(Grant.incident_id == Incident.id, *grant_is_live()).limit(1)
    with hub.db.transaction() as s:
        incident, earlier_seq, hospital_id = load(s, user, incident_id, for_update=True,
                                                  also=(earlier, hospital.scalar_subquery()))
        if earlier_seq is not None:
            return as_message(s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id,
                                                                    IncidentEvent.seq == earlier_seq)).one()), False
        if incident.status != "open":
            raise Refused(409, "incident is closed / 事案は終了しています", "closed")
        incident.last_seq += 1
        if update.kind == "chief_complaint":
            incident.chief_complaint = update.text or ""
        elif update.kind == "location":
            incident.location = update.text or ""
        elif update.kind == "eta":
            incident.eta_minutes = update.eta_minutes
        event = IncidentEvent(incident_id=incident_id, seq=incident.last_seq, kind=update.kind,
                              client_id=update.client_id, created_at=utcnow(),
                              payload=update.model_dump(mode="json", exclude_none=True, exclude={"client_id"}))
        s.add(event)
        message = as_message(event)
    if hospital_id:
        hub.notify("update", message, room=hospital_room(hospital_id))
    return message, True


def as_message(event: IncidentEvent) -> dict:
    return {"incident_id": event.incident_id, "seq": event.seq, "kind": event.kind,
            "payload": event.payload, "at": event.created_at.isoformat() + "Z"}


def since(s, incident_id: str, after_seq: int) -> list[dict]:
    rows = s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id,
                                                 IncidentEvent.seq > after_seq)
                     .order_by(IncidentEvent.seq)).all()
    return [as_message(e) for e in rows]
