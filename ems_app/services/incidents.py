"""An incident from the crew's side: open it, identify the patient, record the basis, fetch.

Order is the law here: nothing is fetched before the patient is identified by card and a
basis is recorded, and every look at the record is audited with that basis."""
from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from ems_app.hub import Hub
from ems_app.models import AuditEntry, Incident, User
from ems_app.services import audit, review, vitals
from shared.acuity import Acuity
from shared.clock import utcnow
from shared.errors import N_, Refused
from shared.schemas.incident import Basis, IncidentIn
from shared.schemas.record import EmergencyRecord
from shared.sources import RecordSourceError
from shared.summary import critical_facts, emergency_summary


def actor(user: User) -> str:
    return f"user:{user.username}"


def crew_owns(team, organisation):
    """The ownership rule: an incident belongs to the crew (team and organisation) that opened it.
    Takes the user's values, or bind parameters for a statement built once (updates.py)."""
    return Incident.created_by.in_(select(User.id).where(User.team == team, User.organisation == organisation))


def load(session: Session, user: User, incident_id: str, *, for_update: bool = False) -> Incident:
    """The incident if this user's crew owns it; 404 otherwise (no hint that it exists)."""
    query = select(Incident).where(Incident.id == incident_id, crew_owns(user.team, user.organisation))
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Incident)
    incident = session.scalars(query).first()
    if incident is None:
        raise Refused(404, "no such incident", "not_found")
    return incident


def create(hub: Hub, user: User, data: IncidentIn) -> tuple[Incident, bool]:
    """(the incident, whether it is new). With the tablet's key for this opening, a repeat (a double
    tap, a resend after a lost answer) returns the incident the crew opened with it, not a second one."""
    from ems_app.services.scene_times import call_time  # it builds on this module's load()
    client_id, called_at = data.client_id, call_time(data.called_at)
    try:
        with hub.db.transaction() as s:
            earlier = _opened_with(s, user, client_id)
            if earlier is not None:
                return earlier, False
            incident = Incident(id=secrets.token_hex(8), created_by=user.id, organisation=user.organisation,
                                team=user.team, client_id=client_id, called_at=called_at,
                                chief_complaint=data.chief_complaint, location=data.location)
            s.add(incident)
            s.flush()
            audit.append(s, hub.audit_key, actor=actor(user), action="incident.open", incident_id=incident.id)
    except IntegrityError:
        if client_id is None:
            raise
        with hub.db.read() as s:  # the same key from a request that committed first (PostgreSQL)
            earlier = _opened_with(s, user, client_id)
        if earlier is None:
            raise
        return earlier, False
    return incident, True


def open_for_crew(hub: Hub, user: User) -> list[tuple[Incident, Acuity]]:
    """The crew's open incidents, newest first, each with its patient's acuity: a crew at a scene
    with several casualties picks the patient by complaint and acuity. One assessment each; a
    crew holds a handful of patients at most."""
    with hub.db.read() as s:
        rows = s.scalars(select(Incident).where(crew_owns(user.team, user.organisation), Incident.status == "open")
                         .order_by(Incident.created_at.desc())).all()
        return [(incident, vitals.acuity(s, incident.id)) for incident in rows]


def _opened_with(session: Session, user: User, client_id: str | None) -> Incident | None:
    """The incident this user's crew opened with this key, if any: the key is the crew's, never global."""
    if client_id is None:
        return None
    return session.scalars(select(Incident).where(Incident.organisation == user.organisation,
                                                  Incident.team == user.team,
                                                  Incident.client_id == client_id)).first()


def record_basis(hub: Hub, user: User, incident_id: str, basis: Basis) -> Incident:
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if incident.basis is not None:
            raise Refused(409, "a basis is already recorded", "basis_recorded")
        incident.basis = basis.model_dump()
        incident.basis_recorded_by = user.id
        incident.basis_recorded_at = utcnow()
        audit.append(s, hub.audit_key, actor=actor(user), action="basis.record", incident_id=incident.id,
                     basis=basis.kind, detail=basis.model_dump(exclude={"kind"}))
    return incident


BURST_FETCHES, BURST_WINDOW = 5, timedelta(minutes=30)


def looked(s, hub: Hub, user: User, incident: Incident, action: str, detail: dict | None = None) -> None:
    """Audit a look at the record and raise the review flags it calls for."""
    basis = (incident.basis or {}).get("kind")
    audit.append(s, hub.audit_key, actor=actor(user), action=action, incident_id=incident.id, basis=basis,
                 detail=detail or {})
    if basis == "emergency_exception":
        review.flag(s, user.organisation, incident.id, "emergency_exception",
                    f"{review.VIEWED_UNDER_EXCEPTION}:{incident.basis['reason_code']}")
    if incident.handed_over_at is not None:
        review.flag(s, user.organisation, incident.id, "anomaly:after_handover", review.VIEWED_AFTER_HANDOVER)
    recent = s.scalar(select(func.count(func.distinct(AuditEntry.incident_id))).where(
        AuditEntry.actor == actor(user), AuditEntry.action == "record.fetch",
        AuditEntry.at > utcnow() - BURST_WINDOW))
    if recent > BURST_FETCHES:
        review.flag(s, user.organisation, incident.id, "anomaly:many_records",
                    f"{review.MANY_RECORDS_FETCHED}:{recent}")


def refuse_closed(hub: Hub, user: User, incident: Incident) -> None:
    """A look at a closed incident is not tied to an active incident: refused and flagged."""
    with hub.db.transaction() as s:
        audit.append(s, hub.audit_key, actor=actor(user), action="record.refused", incident_id=incident.id,
                     detail={"reason": "closed"})
        review.flag(s, user.organisation, incident.id, "anomaly:no_active_incident", review.LOOKUP_ON_CLOSED_INCIDENT)
    raise Refused(409, "incident is closed; its record is purged", "closed")


def fetch_record(hub: Hub, user: User, incident_id: str) -> dict:
    """Fetch from the source once, keep the EMS copy, and show the emergency summary."""
    with hub.db.read() as s:
        incident = load(s, user, incident_id)
        card_id, basis = incident.card_id, incident.basis
    if incident.status != "open":
        refuse_closed(hub, user, incident)
    if card_id is None:
        raise Refused(409, "read the card first", "not_identified")
    if basis is None:
        raise Refused(409, "record consent or the emergency exception first", "no_basis")
    record_json, status = None, "fetched"
    try:
        record_json = hub.source.fetch(card_id, today=date.today()).model_dump_json()
    except RecordSourceError as e:
        status = e.code
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if incident.status != "open":  # closed while the source answered: keep nothing
            raise Refused(409, "incident was closed; nothing was stored", "closed")
        incident.record_status = status
        if record_json is not None:
            incident.record_json = record_json
        looked(s, hub, user, incident, "record.fetch", {"result": status})
    if record_json is None:
        raise Refused(503 if status == "source_unavailable" else 422,
                      SOURCE_MESSAGES.get(status, status), status)
    return view(hub, user, incident_id, audit_it=False)


SOURCE_MESSAGES = {
    "source_unavailable": N_("OQC is unavailable; the incident goes on without the record"),
    "certificate_expired": N_("card certificate expired"),
    "card_not_found": N_("no match for this card"),
}


def view(hub: Hub, user: User, incident_id: str, *, audit_it: bool = True) -> dict:
    with hub.db.read() as s:
        incident = load(s, user, incident_id)
    if incident.status != "open":
        refuse_closed(hub, user, incident)
    if incident.record_json is None:
        raise Refused(404, "no record fetched for this incident", "no_record")
    record = EmergencyRecord.model_validate_json(incident.record_json)
    if audit_it:
        with hub.db.transaction() as s:
            looked(s, hub, user, load(s, user, incident_id), "record.view")
    summary = emergency_summary(record, date.today())
    return {"summary": summary.model_dump(mode="json"),
            "critical": critical_facts(summary).model_dump(mode="json")}
