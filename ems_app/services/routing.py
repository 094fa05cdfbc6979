"""Asking hospitals, their answers, and the grant that follows the patient.

Access follows the patient: an acceptance withdraws every other open inquiry and revokes any
earlier grant for the incident (re-routing), so a hospital that declined or lost the patient
keeps nothing. An inquiry carries no identity and no history."""
from __future__ import annotations

import secrets
from datetime import date
from functools import partial

from sqlalchemy import select

from ems_app.hub import Hub
from ems_app.models import Grant, Hospital, Incident, IncidentEvent, Inquiry, User
from ems_app.services import audit, delivery, grants, units, vitals
from ems_app.services.incidents import actor, load
from shared.clock import aware, utcnow
from shared.errors import Refused
from shared.schemas.inquiry import DECLINE_REASONS
from shared.schemas.record import EmergencyRecord
from shared.summary import age_on


def inquiry_payload(s, inquiry: Inquiry, incident: Incident) -> dict:
    """What a hospital sees before it accepts: enough to decide, nothing that identifies.

    Which ambulance asks and the number to call it back on (the unit's registered phone; None
    when it has none), when it asked, how soon it arrives and since when that ETA stands, and the
    acuity by the one rule over every vitals update (each measure with its own time), as the
    crew's tablet shows it: the newest entry alone once turned a pressure of 85 into "HR 80"
    (docs/clinical-safety.md H35). The age only as its decade ("80s"), never the birth date."""
    age_band = sex = None
    if incident.record_json:
        card = EmergencyRecord.model_validate_json(incident.record_json).card
        age_band = f"{age_on(card.birth_date, date.today()) // 10 * 10}s"
        sex = card.sex
    return {"inquiry_id": inquiry.id, "incident_id": incident.id, "status": inquiry.status,
            "asked_at": aware(inquiry.asked_at).isoformat(), "unit": incident.team,
            "callback": units.callback_of(s, incident.organisation, incident.team),
            "chief_complaint": incident.chief_complaint, "age_band": age_band, "sex": sex,
            "eta_minutes": incident.eta_minutes, "eta_at": _eta_at(s, incident),
            "acuity": vitals.acuity(s, incident.id).model_dump(mode="json"),
            "basis": (incident.basis or {}).get("kind"), "seq": incident.last_seq}


def _eta_at(s, incident: Incident) -> str | None:
    """When the crew gave the ETA the inquiry carries: "12 min" said twenty minutes ago is not 12."""
    if incident.eta_minutes is None:
        return None
    at = s.scalars(select(IncidentEvent.created_at).where(IncidentEvent.incident_id == incident.id,
                                                          IncidentEvent.kind == "eta")
                   .order_by(IncidentEvent.seq.desc()).limit(1)).first()
    return aware(at).isoformat() if at is not None else None


# Updates that change what an open inquiry says.
INQUIRY_CONTENT = ("vitals", "eta", "chief_complaint")


def resend_open(hub: Hub, incident_id: str) -> None:
    """The incident's open inquiries again, each to its hospital, as they read now: a physician
    deciding for minutes decides on the latest vitals and ETA, not those of the moment it was
    asked. The hospital replaces the inquiry it holds (same id)."""
    with hub.db.read() as s:
        incident = s.get(Incident, incident_id)
        rows = s.scalars(select(Inquiry).where(Inquiry.incident_id == incident_id, Inquiry.status == "pending")).all()
        sent = [(i.hospital_id, inquiry_payload(s, i, incident)) for i in rows]
    for hospital_id, payload in sent:
        hub.notifier.inquiry(hospital_id, payload)


# Why an open inquiry was withdrawn, as the hospital is told (hospital_app/hub_events.py).
ACCEPTED_ELSEWHERE, INCIDENT_CLOSED = "accepted_elsewhere", "closed"


def withdraw_open(s, hub: Hub, incident_id: str, reason: str) -> list:
    """Withdraw every inquiry of the incident still awaiting an answer, in the caller's transaction
    (the incident's row locked first); what to tell each hospital once it commits. An inquiry left
    pending after its patient went elsewhere, or home, stays on an ER's board as a request to accept."""
    notices = []
    for other in s.scalars(select(Inquiry).where(Inquiry.incident_id == incident_id, Inquiry.status == "pending")):
        other.status = "withdrawn"
        notices.append(partial(hub.notifier.inquiry_withdrawn, other.hospital_id, other.id, incident_id, reason))
    return notices


def ask(hub: Hub, user: User, incident_id: str, hospital_ids: list[str]) -> list[Inquiry]:
    """Ask several candidate hospitals at once; asking one already asked returns its inquiry."""
    sent: list[tuple[Inquiry, dict]] = []
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if incident.status != "open":
            raise Refused(409, "incident is closed", "closed")
        for hospital_id in dict.fromkeys(hospital_ids):
            if s.get(Hospital, hospital_id) is None:
                raise Refused(404, "no such hospital: %(hospital)s", "no_hospital", hospital=hospital_id)
            if incident.hospital_id == hospital_id:
                raise Refused(409, "this hospital already accepted", "already_accepted")
        inquiries = []
        for hospital_id in dict.fromkeys(hospital_ids):
            pending = s.scalars(select(Inquiry).where(Inquiry.incident_id == incident_id,
                                                      Inquiry.hospital_id == hospital_id,
                                                      Inquiry.status == "pending")).first()
            if pending:
                inquiries.append(pending)
                continue
            inquiry = Inquiry(id=secrets.token_hex(8), incident_id=incident_id, hospital_id=hospital_id)
            s.add(inquiry)
            s.flush()
            audit.append(s, hub.audit_key, actor=actor(user), action="hospital.ask", incident_id=incident_id,
                         detail={"hospital": hospital_id})
            inquiries.append(inquiry)
            sent.append((inquiry, inquiry_payload(s, inquiry, incident)))
    for inquiry, payload in sent:
        hub.notifier.inquiry(inquiry.hospital_id, payload)
    return inquiries


def answer(hub: Hub, hospital_id: str, inquiry_id: str, accept: bool, answered_by: str,
           reason: str | None = None, key_thumbprint: str | None = None) -> dict:
    """The hospital's answer. Acceptance returns a grant bound to `key_thumbprint`, the key the
    gateway authenticated with (default: the hospital's first enrolled key)."""
    if accept:
        reason = None
    elif not isinstance(reason, str) or reason not in DECLINE_REASONS:
        raise Refused(400, "reason: a decline needs one of %(reasons)s", "invalid",
                      reasons=", ".join(DECLINE_REASONS))
    notices = []  # what to tell which hospital, once the answer is committed
    with hub.db.read() as s:
        found = s.get(Inquiry, inquiry_id)
        incident_id = found.incident_id if found is not None and found.hospital_id == hospital_id else None
    if incident_id is None:
        raise Refused(404, "no such inquiry", "not_found")
    with hub.db.transaction() as s:
        # Lock order everywhere: the incident first, then its inquiries, so two hospitals
        # accepting at the same moment queue up instead of deadlocking.
        incident = s.get(Incident, incident_id, with_for_update=hub.db.is_postgres)
        inquiry = s.get(Inquiry, inquiry_id, with_for_update=hub.db.is_postgres)
        if inquiry.status != "pending":
            raise Refused(409, "inquiry is already %(state)s", "not_pending", state=inquiry.status)
        inquiry.status = "accepted" if accept else "declined"
        inquiry.answered_at = utcnow()
        inquiry.answered_by = answered_by[:128]
        inquiry.decline_reason = None if accept else reason
        audit.append(s, hub.audit_key, actor=f"hospital:{hospital_id}",
                     action="hospital.accept" if accept else "hospital.decline",
                     incident_id=incident.id, detail={"by": inquiry.answered_by, "reason": reason})
        result: dict = {"inquiry_id": inquiry.id, "incident_id": incident.id, "status": inquiry.status}
        if accept:
            if incident.status != "open":
                raise Refused(409, "incident is closed", "closed")
            notices += withdraw_open(s, hub, incident.id, ACCEPTED_ELSEWHERE)
            for old in grants.revoke_all(s, hub, incident.id, "rerouted"):
                notices.append(partial(hub.notifier.grant_revoked, old.hospital_id, incident.id, "rerouted"))
            token, expires = grants.issue(s, hub, incident, s.get(Hospital, hospital_id), key_thumbprint)
            delivery.awaiting_record(s, incident.id)  # the crew sees it until the hospital has the record
            result.update(grant=token, expires_at=expires)
            notices.append(partial(hub.notifier.grant, hospital_id, incident.id, token))
    for tell in notices:
        tell()
    hub.notifier.inquiry_changed(result["incident_id"], inquiry_id, hospital_id, result["status"], reason)
    return result


def inquiries_for(hub: Hub, user: User, incident_id: str) -> list[dict]:
    with hub.db.read() as s:
        load(s, user, incident_id)
        rows = s.execute(select(Inquiry, Hospital.name).join(Hospital).where(
            Inquiry.incident_id == incident_id).order_by(Inquiry.asked_at)).all()
        return [{"inquiry_id": i.id, "hospital_id": i.hospital_id, "hospital_name": name,
                 "status": i.status, "decline_reason": i.decline_reason,
                 "asked_at": aware(i.asked_at).isoformat()} for i, name in rows]


def pending_for_hospital(hub: Hub, hospital_id: str) -> dict:
    """Open inquiries and the incidents this hospital may still see, for a reconnecting gateway.

    Each live grant comes with its token, so a gateway that lost one (a fault between the
    acceptance and the record fetch) can still fetch the patient it accepted. Handing it again is
    safe: only the gateway that authenticated as this hospital asks, and the token is bound to
    the hospital's own key (cnf.jkt); without that private key no one can redeem it."""
    with hub.db.read() as s:
        rows = s.execute(select(Inquiry, Incident).join(Incident, Inquiry.incident_id == Incident.id).where(
            Inquiry.hospital_id == hospital_id, Inquiry.status == "pending")).all()
        live = s.scalars(select(Grant).where(Grant.hospital_id == hospital_id, *grants.is_live())).all()
        return {"inquiries": [inquiry_payload(s, i, inc) for i, inc in rows],
                "grants": [{"incident_id": g.incident_id, "jti": g.jti, "grant": grants.token_again(hub, g)}
                           for g in live]}
