"""How an incident ends: handover starts the grant's last window; closing ends everything and
purges the EMS copy of the record; a sweeper ends grants whose time is up and tells the hospital."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, or_, select, update

from ems_app.errors import Refused
from ems_app.hub import Hub
from ems_app.models import Grant, Incident, UsedNonce, User
from ems_app.services import audit
from ems_app.services.incidents import actor, load
from ems_app.services.routing import active_grant, hospital_room, revoke_all
from shared.clock import to_epoch, utcnow


def handover(hub: Hub, user: User, incident_id: str) -> Incident:
    """The crew hands the patient over at the hospital."""
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        notices = _hand_over(s, hub, incident, actor(user))
    _tell_hospitals(hub, incident_id, notices)
    return incident


def handover_by_hospital(hub: Hub, hospital_id: str, incident_id: str) -> None:
    """The ER confirms the handover; only the hospital that holds the live grant may."""
    with hub.db.transaction() as s:
        incident = s.get(Incident, incident_id, with_for_update=hub.db.is_postgres)
        grant = active_grant(s, incident_id)
        if incident is None or grant is None or grant.hospital_id != hospital_id:
            raise Refused(403, "no live grant for that incident", "no_grant")
        notices = _hand_over(s, hub, incident, f"hospital:{hospital_id}")
    _tell_hospitals(hub, incident_id, notices)
    hub.notify_crew("handed_over", {"incident_id": incident_id, "by": hospital_id}, room=f"incident:{incident_id}")


def _hand_over(s, hub: Hub, incident: Incident, by: str) -> list[tuple[str, int]]:
    """Start the grant's last window: handover + GRANT_WINDOW_AFTER_HANDOVER_S, never past its cap."""
    if incident.status != "open" or incident.handed_over_at is not None:
        raise Refused(409, "already handed over or closed / 引継ぎ済みです", "not_open")
    if incident.hospital_id is None:
        raise Refused(409, "no hospital has accepted / 受入先が未決定です", "no_hospital")
    window = timedelta(seconds=hub.settings["GRANT_WINDOW_AFTER_HANDOVER_S"])
    incident.handed_over_at = now = utcnow()
    notices = []
    for g in s.scalars(select(Grant).where(Grant.incident_id == incident.id, Grant.ended_at.is_(None))):
        g.expires_at = min(g.expires_at, now + window)
        notices.append((g.hospital_id, to_epoch(g.expires_at)))
    audit.append(s, hub.audit_key, actor=by, action="incident.handover", incident_id=incident.id,
                 detail={"hospital": incident.hospital_id})
    return notices


def _tell_hospitals(hub: Hub, incident_id: str, notices: list[tuple[str, int]]) -> None:
    for hospital_id, ends in notices:
        hub.notify("grant_ends", {"incident_id": incident_id, "ends_at": ends}, room=hospital_room(hospital_id))


def close(hub: Hub, user: User, incident_id: str) -> Incident:
    """End the incident: every grant ends now and the EMS copy of the record is purged."""
    with hub.db.transaction() as s:
        return _close(s, hub, load(s, user, incident_id, for_update=True), actor(user))


def _close(s, hub: Hub, incident: Incident, by: str) -> Incident:
    if incident.status != "open":
        raise Refused(409, "incident is already closed / 終了済みです", "closed")
    ended = revoke_all(s, hub, incident.id, "closed")
    incident.status, incident.closed_at = "closed", utcnow()
    # The card id and the record go; the pseudonymous patient_ref stays for "who viewed my data".
    incident.record_json = incident.card_id = None
    audit.append(s, hub.audit_key, actor=by, action="incident.close", incident_id=incident.id,
                 detail={"record": "purged"})
    for g in ended:
        hub.notify("grant_revoked", {"incident_id": incident.id, "reason": "closed"}, room=hospital_room(g.hospital_id))
    return incident


ABANDONED_AFTER = timedelta(hours=24)


def close_finished(hub: Hub) -> int:
    """Close incidents whose handover window is over, and any left open a day: purge their records."""
    now = utcnow()
    window = timedelta(seconds=hub.settings["GRANT_WINDOW_AFTER_HANDOVER_S"])
    with hub.db.read() as s:
        due = list(s.scalars(select(Incident.id).where(Incident.status == "open", or_(
            Incident.handed_over_at <= now - window, Incident.created_at <= now - ABANDONED_AFTER))))
    closed = 0
    for incident_id in due:
        with hub.db.transaction() as s:
            incident = s.get(Incident, incident_id, with_for_update=hub.db.is_postgres)
            if incident.status == "open":
                _close(s, hub, incident, "system")
                closed += 1
    return closed


def sweep_expired(hub: Hub) -> int:
    """End grants whose time is up, once each even with several hub processes sweeping; drop
    single-use ids that could no longer be replayed anyway."""
    now = utcnow()
    with hub.db.transaction() as s:
        s.execute(delete(UsedNonce).where(UsedNonce.expires_at < now - timedelta(minutes=5)))
    with hub.db.read() as s:
        due = s.execute(select(Grant.jti, Grant.incident_id, Grant.hospital_id).where(
            Grant.ended_at.is_(None), Grant.expires_at <= now)).all()
    ended = 0
    for jti, incident_id, hospital_id in due:
        with hub.db.transaction() as s:
            won = s.execute(update(Grant).where(Grant.jti == jti, Grant.ended_at.is_(None))
                            .values(ended_at=now)).rowcount == 1
            if won:
                audit.append(s, hub.audit_key, actor="system", action="grant.expire", incident_id=incident_id,
                             detail={"hospital": hospital_id, "jti": jti})
        if won:
            ended += 1
            hub.notify("grant_revoked", {"incident_id": incident_id, "reason": "expired"},
                       room=hospital_room(hospital_id))
    return ended
