"""A grant's whole life, in one place: issued when a hospital accepts, shortened to a window at
handover, revoked on re-routing or a close before handover, ended by the sweeper when its time
is up; and the questions asked of it: is it live, may it still be redeemed, did it cover a
reported moment.

Kept together so the rules that decide what a hospital may see are read, and changed, at once.
Every change is audited here. The callers tell the hospitals once their transaction commits;
the sweep, which commits grant by grant, tells each hospital itself.

After handover the accepting hospital keeps its copy for the whole window, whatever the crew
does next: closing a handed-over incident ends no grant (`end_at_close`). Only a close before
handover (transport refused, re-routed, a crew's mistake) ends it at once, and says so."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import or_, select, update

from ems_app.hub import Hub
from ems_app.models import Grant, Hospital, Incident
from ems_app.services import audit
from shared.clock import from_epoch, to_epoch, utcnow
from shared.errors import Refused
from shared.summary import GRANT_SCOPE
from shared.tokens import issue_grant, thumbprint

# Why a hospital's copy ends: the `grant_revoked` reason (and a refused redemption's code), which
# the gateway passes on as the dashboard's `patient_removed` reason. One code per cause, so the
# dashboard can say which it was.
REROUTED = "rerouted"                              # another hospital accepted the patient
CLOSED_BEFORE_HANDOVER = "closed_before_handover"  # transport refused, re-routed, crew error
HANDOVER_WINDOW_OVER = "handover_window_over"      # the window after handover has run out
EXPIRED = "expired"                                # the hard cap, with no handover


def is_live(now=None) -> tuple:
    """A grant is live until it is revoked, ended (handover, close) or expired. `now`: the current
    time, or a bind parameter for a statement built once."""
    return Grant.revoked_at.is_(None), Grant.ended_at.is_(None), Grant.expires_at > (utcnow() if now is None else now)


def active(s, incident_id: str) -> Grant | None:
    """The incident's live grant, if a hospital holds one."""
    return s.scalars(select(Grant).where(Grant.incident_id == incident_id, *is_live())).first()


def issue(s, hub: Hub, incident: Incident, hospital: Hospital, jkt: str | None) -> tuple[str, int]:
    """A grant for `hospital`, bound to its key `jkt` (default: its first enrolled key), for the
    hard cap; the incident now belongs to that hospital. (token, expiry as epoch seconds)."""
    enrolled = [thumbprint(k) for k in hospital.public_keys]
    jkt = jkt or enrolled[0]
    if jkt not in enrolled:
        raise Refused(403, "that key is not enrolled for this hospital", "unknown_key")
    token, claims = issue_grant(
        hub.keys.current, issuer=hub.issuer, hospital_id=hospital.id, incident_id=incident.id,
        scope=list(GRANT_SCOPE), basis=(incident.basis or {}).get("kind", "none"),
        hospital_jkt=jkt, lifetime_s=hub.settings["GRANT_HARD_CAP_S"])
    s.add(Grant(jti=claims.jti, incident_id=incident.id, hospital_id=hospital.id, scope=claims.scope,
                basis=claims.basis, key_thumbprint=jkt, issued_at=from_epoch(claims.iat),
                expires_at=from_epoch(claims.exp)))
    incident.hospital_id = hospital.id
    audit.append(s, hub.audit_key, actor="system", action="grant.issue", incident_id=incident.id,
                 basis=claims.basis, detail={"hospital": hospital.id, "jti": claims.jti, "exp": claims.exp,
                                             "purpose_of_use": claims.purpose_of_use, "scope": claims.scope})
    return token, claims.exp


def shorten(s, hub: Hub, incident_id: str, handed_over_at: datetime) -> list[tuple[str, int]]:
    """Handover starts each grant's last window: handover + GRANT_WINDOW_AFTER_HANDOVER_S, never
    past its cap. (hospital, new end as epoch seconds) for each, to tell them."""
    window = timedelta(seconds=hub.settings["GRANT_WINDOW_AFTER_HANDOVER_S"])
    ends = []
    for g in s.scalars(select(Grant).where(Grant.incident_id == incident_id, Grant.ended_at.is_(None))):
        g.expires_at = min(g.expires_at, handed_over_at + window)
        ends.append((g.hospital_id, to_epoch(g.expires_at)))
    return ends


def end_at_close(s, hub: Hub, incident: Incident) -> list[Grant]:
    """The grants closing the incident ends, to tell. Before handover: every live one, now
    (CLOSED_BEFORE_HANDOVER). After handover: none; the hospital keeps its grant, and with it its
    copy of the record, until the window's end set at handover (the sweep then ends it)."""
    if incident.handed_over_at is not None:
        return []
    return revoke_all(s, hub, incident.id, CLOSED_BEFORE_HANDOVER)


def revoke_all(s, hub: Hub, incident_id: str, reason: str) -> list[Grant]:
    """End every live grant of the incident now (re-routed, closed before handover); the ones
    ended, to tell."""
    grants = s.scalars(select(Grant).where(Grant.incident_id == incident_id,
                                           Grant.revoked_at.is_(None), Grant.ended_at.is_(None))).all()
    for g in grants:
        g.revoked_at = g.ended_at = utcnow()
        g.revoked_reason = reason
        audit.append(s, hub.audit_key, actor="system", action="grant.revoke", incident_id=incident_id,
                     detail={"hospital": g.hospital_id, "jti": g.jti, "reason": reason})
    return grants


def expire(hub: Hub, now: datetime) -> int:
    """End grants whose time is up and tell their hospitals, once each even with several hub
    processes sweeping: the one whose guarded UPDATE wins audits and tells. How many it ended."""
    with hub.db.read() as s:
        due = s.execute(select(Grant.jti, Grant.incident_id, Grant.hospital_id, Incident.handed_over_at)
                        .join(Incident, Incident.id == Grant.incident_id)
                        .where(Grant.ended_at.is_(None), Grant.expires_at <= now)).all()
    ended = 0
    for jti, incident_id, hospital_id, handed_over_at in due:
        with hub.db.transaction() as s:
            won = s.execute(update(Grant).where(Grant.jti == jti, Grant.ended_at.is_(None))
                            .values(ended_at=now)).rowcount == 1
            if won:
                audit.append(s, hub.audit_key, actor="system", action="grant.expire", incident_id=incident_id,
                             detail={"hospital": hospital_id, "jti": jti})
        if won:
            ended += 1
            hub.notifier.grant_revoked(hospital_id, incident_id, _why_over(handed_over_at))
    return ended


def _why_over(handed_over_at: datetime | None) -> str:
    return HANDOVER_WINDOW_OVER if handed_over_at is not None else EXPIRED


def redeemable(s, jti: str, *, wants_record: bool = False) -> Grant:
    """The grant a hospital presents, if it may still be redeemed: on record, not revoked, not
    expired. A refusal's code says why (the revoke reason, or which end it reached).

    A closed incident still has a live grant only after handover, within the window. The hub
    purged its copy of the record at close, so what that grant still fetches is the updates the
    hospital missed (its own copy of the record stays at the hospital); asking for the record
    itself (`wants_record`: the full history) is refused and told so."""
    grant = s.get(Grant, jti)
    if grant is None or grant.revoked_at is not None:
        raise Refused(403, "grant has been revoked", (grant.revoked_reason if grant else None) or "revoked")
    incident = s.get(Incident, grant.incident_id)
    if grant.expires_at <= utcnow():
        raise Refused(403, "grant expired (handover window over)", _why_over(incident.handed_over_at))
    if wants_record and incident.status != "open":
        raise Refused(403, "incident closed: the hub purged its record; only missed updates may be fetched",
                      "record_purged")
    return grant


def covering(s, hospital_id: str, incident_id: str, at: datetime) -> Grant | None:
    """The hospital's grant that covered the moment `at`, even if it has ended since: a view
    reported late, after a dropout, still counts."""
    return s.scalars(select(Grant).where(
        Grant.incident_id == incident_id, Grant.hospital_id == hospital_id, Grant.issued_at <= at,
        Grant.expires_at >= at, or_(Grant.revoked_at.is_(None), Grant.revoked_at >= at))).first()


def token_again(hub: Hub, grant: Grant) -> str:
    """A live grant's token, signed again with the current key for a gateway that lost the one the
    acceptance gave it: the same claims (jti, hospital, incident, key binding, scope, basis, issue
    time), its end as it is now (a handover may have shortened it). Bound to the hospital's key
    (cnf.jkt), it is of no use to anyone without that key."""
    import jwt

    from shared.tokens.grants import GRANT_TYP, GrantClaims
    from shared.tokens.keys import ALGORITHM
    keys, issued = hub.keys.current, to_epoch(grant.issued_at)
    claims = GrantClaims(iss=hub.issuer, aud=grant.hospital_id, sub=grant.incident_id, iat=issued, nbf=issued,
                         exp=to_epoch(grant.expires_at), jti=grant.jti, scope=list(grant.scope), basis=grant.basis,
                         purpose_of_use="ETREAT" if grant.basis == "emergency_exception" else "TREAT",  # as issued
                         cnf={"jkt": grant.key_thumbprint})
    return jwt.encode(claims.model_dump(), keys.private_key, algorithm=ALGORITHM,
                      headers={"typ": GRANT_TYP, "kid": keys.kid})
