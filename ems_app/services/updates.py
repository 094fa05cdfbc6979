"""Live updates from the road (vitals, complaint, ETA, location, notes), numbered per incident.

Stored before pushed: the sequence number is assigned under the incident's row lock, so the
hospital applies updates in order and asks for what it missed after a dropout. A tablet's
offline queue resends with the same client_id; the update is applied exactly once. Updates
go only to a hospital whose grant is live."""
from __future__ import annotations

import functools

from sqlalchemy import JSON, DateTime, String, bindparam, exists, insert, select
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from ems_app.hub import Hub
from ems_app.models import Grant, Incident, IncidentEvent, User
from ems_app.services import grants, routing
from ems_app.services.incidents import crew_owns, load
from shared.clock import utcnow
from shared.errors import Refused
from shared.schemas.vitals import IncidentUpdate


def add(hub: Hub, user: User, incident_id: str, update: IncidentUpdate) -> tuple[dict, bool]:
    """(the stored update, whether it is new). A repeated client_id returns the first one."""
    try:
        return _add(hub, user, incident_id, update)
    except IntegrityError:  # the same client_id, resent while the first was in flight, committed first
        return _add(hub, user, incident_id, update)


def _add(hub: Hub, user: User, incident_id: str, update: IncidentUpdate) -> tuple[dict, bool]:
    # Updates are the hub's most frequent write. The usual case is one guarded UPDATE, which checks
    # the crew, the status and the client_id, takes the row lock, numbers the update and reads the
    # live grant's hospital, and the INSERT of the numbered update. Anything else takes the slow path.
    column, value = _changed_column(update)
    params = {"the_incident": incident_id, "the_team": user.team, "the_organisation": user.organisation,
              "the_client_id": update.client_id, "the_value": value, "the_kind": update.kind,
              "the_payload": update.model_dump(mode="json", exclude_none=True, exclude={"client_id"})}
    if hub.db.is_postgres:  # both as one statement, a transaction by itself: one round trip
        with hub.db.one_statement() as conn:
            params["the_time"] = utcnow()
            row = conn.execute(_numbered_and_stored(column, bool(update.client_id)), params).first()
    else:  # SQLite has no UPDATE inside WITH: two statements under the write lock
        with hub.db.transaction() as s:
            # The time is read once the write lock is held (SQLite queues writers at BEGIN), so a
            # grant that expired while this update waited does not get it.
            params["the_time"] = utcnow()
            conn = s.connection()  # Core on the connection: the ORM's bulk-update machinery is not needed
            row = conn.execute(_numbering(column, bool(update.client_id)), params).first()
            if row is not None:
                conn.execute(_STORE_EVENT, {"incident_id": incident_id, "seq": row.last_seq, "kind": update.kind,
                                            "client_id": update.client_id, "payload": params["the_payload"],
                                            "created_at": params["the_time"]})
    if row is None:
        with hub.db.read() as s:
            return _not_applied(s, user, incident_id, update), False
    message = as_message(IncidentEvent(incident_id=incident_id, seq=row.last_seq, kind=update.kind,
                                       payload=params["the_payload"], created_at=params["the_time"]))
    if row.hospital_id:
        hub.notifier.update(row.hospital_id, message)
    elif update.kind in routing.INQUIRY_CONTENT:  # hospitals still deciding get the inquiry as it is now
        routing.resend_open(hub, incident_id)
    return message, True


def _changed_column(update: IncidentUpdate) -> tuple[str | None, object]:
    """The incident's own column this update changes, if any, and its new value."""
    if update.kind in ("chief_complaint", "location"):
        return update.kind, update.text or ""
    if update.kind == "eta":
        return "eta_minutes", update.eta_minutes
    return None, None


@functools.cache
def _numbering(column: str | None, resend_check: bool):
    """The guarded UPDATE for one shape of update, built once with bind parameters: building and
    keying a fresh statement for every update cost more than running it."""
    incidents = Incident.__table__
    changes = {"last_seq": incidents.c.last_seq + 1, **({column: bindparam("the_value")} if column else {})}
    incident_id = bindparam("the_incident")
    guard = [incidents.c.id == incident_id, incidents.c.status == "open",
             crew_owns(bindparam("the_team"), bindparam("the_organisation"))]
    if resend_check:
        guard.append(~exists().where(IncidentEvent.incident_id == incident_id,
                                     IncidentEvent.client_id == bindparam("the_client_id")))
    hospital = select(Grant.hospital_id).where(Grant.incident_id == incident_id,
                                               *grants.is_live(bindparam("the_time"))).limit(1)
    return (sql_update(incidents).where(*guard).values(**changes)
            .returning(incidents.c.last_seq, hospital.scalar_subquery().label("hospital_id")))


@functools.cache
def _numbered_and_stored(column: str | None, resend_check: bool):
    """PostgreSQL: the guarded UPDATE and the INSERT of what it numbered, as one statement. If the
    guard refuses, the INSERT has no row to store."""
    numbered = _numbering(column, resend_check).cte("numbered")
    event = select(bindparam("the_incident", type_=String), numbered.c.last_seq, bindparam("the_kind", type_=String),
                   bindparam("the_client_id", type_=String), bindparam("the_payload", type_=JSON),
                   bindparam("the_time", type_=DateTime)).select_from(numbered)
    stored = (insert(IncidentEvent.__table__)
              .from_select(["incident_id", "seq", "kind", "client_id", "payload", "created_at"], event).cte("stored"))
    return select(numbered.c.last_seq, numbered.c.hospital_id).add_cte(stored)


_STORE_EVENT = insert(IncidentEvent.__table__)


def _not_applied(s, user: User, incident_id: str, update: IncidentUpdate) -> dict:
    """Why the guarded UPDATE changed nothing: not this crew's (404), a resend (the first one), closed (409)."""
    load(s, user, incident_id)
    if update.client_id:
        earlier = s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id,
                                                        IncidentEvent.client_id == update.client_id)).first()
        if earlier:
            return as_message(earlier)
    raise Refused(409, "incident is closed", "closed")


def as_message(event: IncidentEvent) -> dict:
    return {"incident_id": event.incident_id, "seq": event.seq, "kind": event.kind,
            "payload": event.payload, "at": event.created_at.isoformat() + "Z"}


def since(s, incident_id: str, after_seq: int) -> list[dict]:
    rows = s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id,
                                                 IncidentEvent.seq > after_seq)
                     .order_by(IncidentEvent.seq)).all()
    return [as_message(e) for e in rows]
