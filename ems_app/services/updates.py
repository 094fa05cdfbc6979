"""Live updates from the road (vitals, complaint, ETA, location, notes), numbered per incident.

The sequence number is assigned under the incident's row lock, so the hospital can apply
updates in order and ask for what it missed after a dropout."""
from __future__ import annotations

from sqlalchemy import select

from ems_app.errors import Refused
from ems_app.hub import Hub
from ems_app.models import IncidentEvent, User
from ems_app.services.incidents import load
from ems_app.services.routing import hospital_room
from shared.schemas.vitals import IncidentUpdate


def add(hub: Hub, user: User, incident_id: str, update: IncidentUpdate) -> dict:
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
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
                              payload=update.model_dump(mode="json", exclude_none=True))
        s.add(event)
        s.flush()
        message = as_message(event)
        hospital_id = incident.hospital_id
    if hospital_id:
        hub.notify("update", message, room=hospital_room(hospital_id))
    return message


def as_message(event: IncidentEvent) -> dict:
    return {"incident_id": event.incident_id, "seq": event.seq, "kind": event.kind,
            "payload": event.payload, "at": event.created_at.isoformat() + "Z"}


def since(s, incident_id: str, after_seq: int) -> list[dict]:
    rows = s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id,
                                                 IncidentEvent.seq > after_seq)
                     .order_by(IncidentEvent.seq)).all()
    return [as_message(e) for e in rows]
