"""How an incident ends: handover starts the grant's last window; closing purges the EMS copy of
the record; a sweeper ends grants whose time is up and tells the hospital.

Closing does not take the record away from the ER that has the patient: after handover the
hospital keeps its copy until the window's end, as set at handover (grants.end_at_close)."""
from __future__ import annotations

from datetime import timedelta
from functools import partial
from typing import Callable

from sqlalchemy import delete, or_, select

from ems_app.hub import Hub
from ems_app.models import Incident, UsedNonce, User
from ems_app.services import audit, grants, routing
from ems_app.services.incidents import actor, load
from shared.clock import utcnow
from shared.errors import Refused


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
        grant = grants.active(s, incident_id)
        if incident is None or grant is None or grant.hospital_id != hospital_id:
            raise Refused(403, "no live grant for that incident", "no_grant")
        notices = _hand_over(s, hub, incident, f"hospital:{hospital_id}")
    _tell_hospitals(hub, incident_id, notices)
    hub.notifier.handed_over(incident_id, hospital_id)


def _hand_over(s, hub: Hub, incident: Incident, by: str) -> list[tuple[str, int]]:
    """Start the grant's last window (grants.shorten): (hospital, new end) to tell each."""
    if incident.status != "open" or incident.handed_over_at is not None:
        raise Refused(409, "already handed over or closed", "not_open")
    if incident.hospital_id is None:
        raise Refused(409, "no hospital has accepted", "no_hospital")
    incident.handed_over_at = now = utcnow()
    notices = grants.shorten(s, hub, incident.id, now)
    audit.append(s, hub.audit_key, actor=by, action="incident.handover", incident_id=incident.id,
                 detail={"hospital": incident.hospital_id})
    return notices


def _tell_hospitals(hub: Hub, incident_id: str, notices: list[tuple[str, int]]) -> None:
    for hospital_id, ends in notices:
        hub.notifier.grant_ends(hospital_id, incident_id, ends)


def close(hub: Hub, user: User, incident_id: str) -> Incident:
    """End the incident and purge the EMS copy of the record. Before handover the hospital's
    grant ends now and it is told why; after handover it runs to the end of its window."""
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        ended = _close(s, hub, incident, actor(user))
    _tell_closed(hub, incident_id, ended)
    return incident


def _close(s, hub: Hub, incident: Incident, by: str) -> list[Callable[[], None]]:
    """Close inside the caller's transaction; what to tell which hospital once it commits: the
    grants it ended, and the inquiries still awaiting an answer (withdrawn: no ER is left asked
    to accept a patient who is no longer coming)."""
    if incident.status != "open":
        raise Refused(409, "incident is already closed", "closed")
    ended = grants.end_at_close(s, hub, incident)
    notices = routing.withdraw_open(s, hub, incident.id, routing.INCIDENT_CLOSED)
    incident.status, incident.closed_at = "closed", utcnow()
    from ems_app.services.figures import record_case  # the region's figures count it now, before the purge
    record_case(s, incident)
    # The card id and the record go; the pseudonymous patient_ref stays for "who viewed my data".
    incident.record_json = incident.card_id = None
    audit.append(s, hub.audit_key, actor=by, action="incident.close", incident_id=incident.id,
                 detail={"record": "purged", "handed_over": incident.handed_over_at is not None,
                         "grants_ended": len(ended)})
    return notices + [partial(hub.notifier.grant_revoked, g.hospital_id, incident.id, grants.CLOSED_BEFORE_HANDOVER)
                      for g in ended]


def _tell_closed(hub: Hub, incident_id: str, notices: list[Callable[[], None]]) -> None:
    for tell in notices:
        tell()


ABANDONED_AFTER = timedelta(hours=24)


def close_finished(hub: Hub) -> int:
    """Close incidents whose handover window is over, and any left open a day: purge their records.
    (A grant still live then is one never handed over: it ends now.)"""
    now = utcnow()
    window = timedelta(seconds=hub.settings["GRANT_WINDOW_AFTER_HANDOVER_S"])
    with hub.db.read() as s:
        due = list(s.scalars(select(Incident.id).where(Incident.status == "open", or_(
            Incident.handed_over_at <= now - window, Incident.created_at <= now - ABANDONED_AFTER))))
    closed = 0
    for incident_id in due:
        with hub.db.transaction() as s:
            incident = s.get(Incident, incident_id, with_for_update=hub.db.is_postgres)
            if incident.status != "open":
                continue
            ended = _close(s, hub, incident, "system")
        _tell_closed(hub, incident_id, ended)
        closed += 1
    return closed


def sweep_expired(hub: Hub) -> int:
    """End grants whose time is up (grants.expire) and tell their hospitals; drop single-use ids
    that could no longer be replayed anyway. How many grants it ended."""
    now = utcnow()
    with hub.db.transaction() as s:
        s.execute(delete(UsedNonce).where(UsedNonce.expires_at < now - timedelta(minutes=5)))
    return grants.expire(hub, now)
