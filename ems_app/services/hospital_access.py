"""A hospital proves who it is, then presents a grant; the hub checks both before any data.

Connecting gateways authenticate with a private-key assertion (single use). Each redemption
carries the grant as a DPoP-bound access token: the proof must be signed by an enrolled key
of the grant's hospital, the very key the grant is bound to, for this request, once. Every
refusal is audited, because probing grants is what an attacker does first.

What the hospital's staff then look at is reported by the gateway (`record_user_view`) by role,
never by name, with what that role was shown; so is a look the hospital refused them."""
from __future__ import annotations

from datetime import date, datetime

import jwt
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ems_app.hub import Hub
from ems_app.models import Hospital, Incident, UsedNonce
from ems_app.services import audit, grants, refusal_limit, review, updates
from shared.clock import from_epoch, to_epoch, utcnow
from shared.errors import Refused
from shared.history_groups import group_history
from shared.schemas.record import EmergencyRecord
from shared.summary import critical_facts, emergency_summary
from shared.tokens import AssertionError_, GrantError, ProofError, thumbprint, verify_assertion, verify_grant, verify_proof
from shared.tokens.assertions import claimed_hospital
from shared.tokens.keys import load_public_jwk

ROLES = ("physician", "nurse", "clerk")
# What the gateway reports: a look, a look at the full history, or the full history refused to the user.
USER_ACTIONS = ("view", "full_history", "full_history_refused")


def hospital_key(hospital: Hospital, jkt: str):
    for jwk in hospital.public_keys:
        if thumbprint(jwk) == jkt:
            return load_public_jwk(jwk)
    return None


def _use_once(hub: Hub, jti: str, expires_epoch: float, what: str) -> None:
    try:
        with hub.db.transaction() as s:
            s.add(UsedNonce(jti=f"{what}:{jti}", expires_at=from_epoch(expires_epoch)))
    except IntegrityError:
        raise Refused(401, "%(what)s already used (replay)", "replayed", what=what) from None


def authenticate(hub: Hub, assertion: str | None) -> tuple[Hospital, str]:
    """The enrolled hospital behind a connect assertion and the key it used, or 401."""
    try:
        if not assertion:
            raise AssertionError_("hospital assertion required")
        hospital_id, kid = claimed_hospital(assertion)
        with hub.db.read() as s:
            hospital = s.get(Hospital, hospital_id)
        key = hospital_key(hospital, kid) if hospital else None
        if key is None:
            raise AssertionError_("hospital or key is not enrolled")
        claims = verify_assertion(assertion, key, hospital_id=hospital.id, audience=hub.issuer)
    except AssertionError_ as e:
        _refused(hub, "unknown", "connect", str(e))
        raise Refused(401, "%(reason)s", "bad_assertion", reason=str(e)) from None
    try:
        _use_once(hub, claims["jti"], claims["exp"], "assertion")
    except Refused as e:
        _refused(hub, hospital.id, "connect", e.english)
        raise
    return hospital, kid


def _refused(hub: Hub, who: str, incident_id: str | None, reason: str, **detail) -> None:
    with hub.db.transaction() as s:
        audit.append(s, hub.audit_key, actor=f"hospital:{who}", action="access.refused",
                     incident_id=incident_id if incident_id and len(incident_id) <= 32 else None,
                     detail={"reason": reason[:200], **detail})


def requester_role(requested_by: str) -> str:
    """The role in the gateway's X-Requested-By ("physician:#12"): the hub keeps roles, not people."""
    role = requested_by.partition(":")[0]
    return role if role in ROLES else "unknown"


def redeem(hub: Hub, *, method: str, url: str, authorization: str | None, proof: str | None,
           incident_id: str, after_seq: int = 0, full: bool = False, requested_by: str = "",
           address: str = "") -> dict:
    """The record within the grant's scope and every update (after_seq 0), or only the updates
    after `after_seq` (a gateway catching up), or a refusal. Refusals are limited per address and
    per hospital (services/refusal_limit.py): a flood is answered 429 early and summed up in the trail."""
    who, asked = "unknown", {}
    try:
        refusal_limit.check(hub, f"address:{address}")
        if after_seq < 0:
            raise Refused(400, "after: must be 0 or a sequence number", "invalid")
        if full:  # a refusal of the full history says who asked, by role
            asked = {"what": "full_history", "role": requester_role(requested_by)}
        if not authorization or not authorization.startswith("DPoP "):
            raise Refused(401, "Authorization: DPoP <grant> required", "no_grant")
        grant_token = authorization[5:]
        try:
            jkt, proof_claims = verify_proof(proof, method, url, grant_token)
        except ProofError as e:
            raise Refused(401, "%(reason)s", "bad_proof", reason=str(e)) from None
        with hub.db.read() as s:
            hospital = s.scalars(select(Hospital).where(Hospital.id == _claimed_aud(grant_token))).first()
        if hospital is None or hospital_key(hospital, jkt) is None:
            raise Refused(401, "proof key is not an enrolled key of the grant's hospital", "unknown_key")
        who = hospital.id
        refusal_limit.check(hub, f"hospital:{who}")
        try:
            claims = verify_grant(grant_token, hub.keys.public_keys(), issuer=hub.issuer,
                                  hospital_id=hospital.id, hospital_jkt=jkt)
        except GrantError as e:
            raise Refused(403, "%(reason)s", "bad_grant", reason=str(e)) from None
        if claims.sub != incident_id:
            raise Refused(403, "grant is for another incident", "bad_grant")
        _use_once(hub, proof_claims["jti"], proof_claims["iat"] + 120, "proof")
        # Checked once the hospital is known, so the refusal is on record against it.
        if full and (after_seq or asked["role"] != "physician"):
            raise Refused(403, "the full history opens only on a physician's request", "forbidden")
        return _deliver(hub, hospital, claims, incident_id, after_seq, full, requested_by)
    except Refused as e:
        refusal_limit.refused(hub, who, address, incident_id, e.english, **asked)
        raise


def _flags(s, organisation: str, incident: Incident, basis: str, action: str) -> None:
    if action == "updates.fetch":
        return  # catching up on vitals is part of the same look
    if basis == "emergency_exception":
        review.flag(s, organisation, incident.id, "emergency_exception", review.VIEWED_UNDER_EXCEPTION)
    if incident.handed_over_at is not None:
        review.flag(s, organisation, incident.id, "anomaly:after_handover", review.VIEWED_AFTER_HANDOVER)


def seen_by(role: str, what: str) -> list[str]:
    """What a hospital user's look showed, by the hospital's rule for roles (hospital_app/visibility.py):
    the desk sees who is coming, when, and the chief complaint the registration goes under, never a
    clinical category; clinical staff see the emergency summary; the full history is fetched on a
    physician's request."""
    if what == "full_history_refused":
        return []
    if what == "full_history":
        return ["full_history"]
    return ["identity", "eta", "chief_complaint"] if role == "clerk" else ["emergency_summary"]


def record_user_view(hub: Hub, hospital_id: str, incident_id: str, role: str, action: str,
                     at: datetime | None = None) -> None:
    """A hospital user opened a patient at `at`, or was refused the full history: recorded by role,
    never by name (the hospital keeps names in its own log), with what that role was shown.
    Accepted if one of the hospital's grants covered that moment, so a look reported late, after
    a dropout, is still recorded."""
    if role not in ROLES or action not in USER_ACTIONS:
        raise Refused(400, "role or action not recognised", "invalid")
    at = min(at or utcnow(), utcnow())
    refused = action == "full_history_refused"
    with hub.db.transaction() as s:
        grant = grants.covering(s, hospital_id, incident_id, at)
        if grant is None:
            raise Refused(403, "no grant covered that moment", "no_grant")
        incident = s.get(Incident, incident_id)
        audit.append(s, hub.audit_key, actor=f"hospital:{hospital_id}",
                     action="hospital.user_refused" if refused else "hospital.user_view",
                     incident_id=incident_id, basis=grant.basis,
                     detail={"role": role, "what": "full_history" if refused else action,
                             "seen": seen_by(role, action), "scope": grant.scope, "at": at.isoformat()})
        if not refused:  # nothing was shown: nothing to review as a look
            _flags(s, f"hospital:{hospital_id}", incident, grant.basis, "hospital.user_view")


def _eta_at(s, incident_id: str) -> str | None:
    from ems_app.models import IncidentEvent
    at = s.scalar(select(IncidentEvent.created_at).where(IncidentEvent.incident_id == incident_id,
                                                         IncidentEvent.kind == "eta")
                  .order_by(IncidentEvent.seq.desc()).limit(1))
    return at.isoformat() + "Z" if at else None


def _claimed_aud(token: str) -> str:
    """Which hospital the grant names, to find its keys; verify_grant checks it properly."""
    try:
        aud = jwt.decode(token, options={"verify_signature": False}).get("aud")
    except jwt.PyJWTError:
        raise Refused(403, "malformed grant", "bad_grant") from None
    return aud if isinstance(aud, str) else ""


def _record_status(incident: Incident) -> str:
    """The record's state as the ER is told it, so a patient without one says why: the crew
    never read a card ("not_identified"), read one and went on without fetching ("not_fetched"),
    or the source failed (its code)."""
    if incident.record_status == "not_fetched" and incident.identification is None:
        return "not_identified"
    return incident.record_status


def _deliver(hub: Hub, hospital: Hospital, claims, incident_id: str, after_seq: int, full: bool,
             requested_by: str) -> dict:
    with hub.db.transaction() as s:
        # After close (handed over, within the window) the record is gone from the hub: the
        # updates missed may still be fetched, the full history may not (grants.redeemable).
        grant = grants.redeemable(s, claims.jti, wants_record=full)
        incident = s.get(Incident, incident_id)
        if full:
            action = "record.view_full"
        elif after_seq == 0 and incident.status == "open":
            action = "record.view"
        else:  # catching up, or all the updates of a closed incident: no record goes out
            action = "updates.fetch"
        audit.append(s, hub.audit_key, actor=f"hospital:{hospital.id}", action=action, incident_id=incident_id,
                     basis=grant.basis, detail={"jti": grant.jti, "scope": grant.scope,
                                                **({"requested_by": requested_by[:128],
                                                    "role": requester_role(requested_by)} if full else {})})
        _flags(s, f"hospital:{hospital.id}", incident, grant.basis, action)
        record_json, record_status = incident.record_json, _record_status(incident)
        identification, identity_flagged = incident.identification, incident.identity_flagged
        events = updates.since(s, incident_id, after_seq)
        info = {"chief_complaint": incident.chief_complaint, "location": incident.location,
                "eta_minutes": incident.eta_minutes, "eta_at": _eta_at(s, incident_id),
                "last_seq": incident.last_seq, "status": incident.status,
                "handed_over_at": incident.handed_over_at.isoformat() + "Z" if incident.handed_over_at else None}
        ends = grant.expires_at
    body: dict = {"incident_id": incident_id, "grant_expires_at": to_epoch(ends), "basis": claims.basis,
                  "purpose_of_use": claims.purpose_of_use, "record_status": record_status, "incident": info,
                  "updates": events, "record": None, "critical": None, "patient": None}
    if record_json and (after_seq == 0 or full):  # catching up on updates returns no record
        record = EmergencyRecord.model_validate_json(record_json)
        summary = emergency_summary(record, date.today(), scope=claims.scope)
        card = record.card
        # How the identity was confirmed goes with it: a smartphone card has no photo and the
        # 4-attribute search may find a namesake, and the ER must not trust the name more than the crew did.
        body["patient"] = {"name": card.name, "kana": card.kana, "birth_date": card.birth_date.isoformat(),
                           "sex": card.sex, "identification": identification, "identity_flagged": identity_flagged}
        body["record"] = (record if full else summary).within(claims.scope)
        if full:  # what the physician reads: each drug once with its dates and doses (shared/history_groups.py)
            body["history"] = group_history(record, claims.scope).model_dump(mode="json")
        body["critical"] = critical_facts(summary).model_dump(mode="json")
    return body
