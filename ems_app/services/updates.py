"""Live updates from the road (vitals, complaint, ETA, location, notes), numbered per incident.

Stored before pushed: the sequence number is assigned under the incident's row lock, so the
hospital applies updates in order and asks for what it missed after a dropout. A tablet's
offline queue resends with the same client_id; the update is applied exactly once. Updates
go only to a hospital whose grant is live."""
from __future__ import annotations

from sqlalchemy import select

from ems_app.errors import Refused
from ems_app.hub import Hub
from ems_app.models import IncidentEvent, User
from ems_app.services.incidents import load
from ems_app.services.routing import active_grant, hospital_room
from shared.schemas.vitals import IncidentUpdate


def add(hub: Hub, user: User, incident_id: str, update: IncidentUpdate) -> tuple[dict, bool]:
    """(the stored update, whether it is new). A repeated client_id returns the first one."""
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if update.client_id:
            earlier = s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id,
                                                            IncidentEvent.client_id == update.client_id)).first()
            if earlier:
                return as_message(earlier), False
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
                              client_id=update.client_id,
                              payload=update.model_dump(mode="json", exclude_none=True, exclude={"client_id"}))
        s.add(event)
        s.flush()
        message = as_message(event)
        grant = active_grant(s, incident_id)
        hospital_id = grant.hospital_id if grant else None
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
