"""A hospital proves who it is, then presents a grant; the hub checks both before any data.

Authentication is the hospital's private-key assertion (single use); authorisation is the
grant: signature, audience, key binding, not revoked, not expired, and for this incident."""
from __future__ import annotations

from datetime import date

from sqlalchemy.exc import IntegrityError

from ems_app.errors import Refused
from ems_app.hub import Hub
from ems_app.models import Grant, Hospital, Incident, UsedAssertion
from ems_app.services import audit, updates
from shared.clock import from_epoch, utcnow
from shared.schemas.record import EmergencyRecord
from shared.summary import critical_facts, emergency_summary
from shared.tokens import AssertionError_, GrantError, verify_grant, verify_assertion
from shared.tokens.assertions import claimed_hospital
from shared.tokens.keys import load_public_jwk


def authenticate(hub: Hub, assertion: str | None, *, single_use: bool = True) -> Hospital:
    """The enrolled hospital behind an assertion, or 401."""
    if not assertion:
        raise Refused(401, "hospital assertion required", "no_assertion")
    try:
        hospital_id = claimed_hospital(assertion)
        with hub.db.read() as s:
            hospital = s.get(Hospital, hospital_id)
        if hospital is None:
            raise AssertionError_("hospital is not enrolled")
        claims = verify_assertion(assertion, load_public_jwk(hospital.public_jwk),
                                  hospital_id=hospital.id, audience=hub.issuer)
    except AssertionError_ as e:
        raise Refused(401, str(e), "bad_assertion") from None
    if single_use:
        try:
            with hub.db.transaction() as s:
                s.add(UsedAssertion(jti=claims["jti"], expires_at=from_epoch(claims["exp"])))
        except IntegrityError:
            raise Refused(401, "assertion already used", "replayed_assertion") from None
    return hospital


def redeem(hub: Hub, hospital: Hospital, grant_token: str | None, incident_id: str,
           after_seq: int = 0) -> dict:
    """The record (summary view, limited to the grant's scope) and the updates after `after_seq`."""
    if not grant_token:
        raise Refused(401, "grant required", "no_grant")
    try:
        claims = verify_grant(grant_token, {hub.keys.kid: hub.keys.private_key.public_key()},
                              issuer=hub.issuer, hospital_id=hospital.id,
                              hospital_jkt=hospital.key_thumbprint)
    except GrantError as e:
        raise Refused(403, str(e), "bad_grant") from None
    if claims.sub != incident_id:
        raise Refused(403, "grant is for another incident", "bad_grant")
    with hub.db.transaction() as s:
        grant = s.get(Grant, claims.jti)
        if grant is None or grant.revoked_at is not None:
            raise Refused(403, "grant has been revoked", "revoked")
        if grant.expires_at <= utcnow():
            raise Refused(403, "grant expired", "expired")
        incident = s.get(Incident, incident_id)
        audit.append(s, hub.audit_key, actor=f"hospital:{hospital.id}", action="record.view",
                     incident_id=incident_id, basis=grant.basis, detail={"jti": grant.jti})
        record_json, record_status = incident.record_json, incident.record_status
        events = updates.since(s, incident_id, after_seq)
        info = {"chief_complaint": incident.chief_complaint, "location": incident.location,
                "last_seq": incident.last_seq, "status": incident.status}
    body: dict = {"incident_id": incident_id, "grant_expires_at": claims.exp, "basis": claims.basis,
                  "record_status": record_status, "incident": info, "updates": events,
                  "record": None, "critical": None, "patient": None}
    if record_json:
        record = EmergencyRecord.model_validate_json(record_json)
        summary = emergency_summary(record, date.today(), scope=claims.scope)
        card = record.card
        body["patient"] = {"name": card.name, "kana": card.kana, "birth_date": card.birth_date.isoformat(),
                           "sex": card.sex}
        body["record"] = summary.model_dump(mode="json", exclude={"card"})
        body["critical"] = critical_facts(summary).model_dump()
    return body
