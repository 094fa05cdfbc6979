"""'Who viewed my data': every look at a patient's record, by organisation and role.

The patient proves who they are with the card and their date of birth, then with a one-time
code sent to the contact they registered (services/patient_codes.py): the card and the birth
date alone are printed on the card and shown to every accepting ER. Staff names never appear: the organisation, the role, the
time, the basis and what that role was actually shown do (a desk clerk: who is coming,
when, and the complaint; no clinical category). A look the hospital refused a member of staff
is listed too, as a refused attempt: the patient sees that someone asked.

Each row says it in codes (`who`, `look`, `seen`, `org_kind`), which the page words in the
reader's language (history.js); for API clients the route words them too, from the message
ids below, in the reader's language (`role`, `action`, `categories`, `organisation`)."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ems_app.hub import Hub
from ems_app.models import AuditEntry, Hospital, Incident, Share, User
from ems_app.services import audit
from ems_app.services.hospital_access import requester_role, seen_by
from ems_app.services.identification import patient_ref
from shared.clock import aware
from shared.errors import N_, Refused
from shared.sources import RecordSourceError

# The codes' words, as message ids (the route translates them). What happened, by `look` code;
# a hospital user's look is "hospital.<what>".
LOOKS = {
    "record.fetch": N_("fetched the record"),
    "record.view": N_("viewed the emergency summary"),
    "record.view_full": N_("full history sent at a physician's request"),
    "hospital.view": N_("opened in the hospital"),
    "hospital.full_history": N_("opened the full history in the hospital"),
    "hospital.full_history_refused": N_("asked for the full history: refused"),
    "share.open": N_("opened through a QR share"),
}
ROLES = {"paramedic": N_("paramedic"), "physician": N_("physician"), "nurse": N_("nurse"), "clerk": N_("clerk"),
         "system": N_("hospital system"), "share": N_("QR recipient")}
SEEN = {"identity": N_("Identity"), "eta": N_("ETA"), "chief_complaint": N_("Chief complaint"),
        "emergency_summary": N_("Emergency summary"), "full_history": N_("Full history")}
NOTHING_SEEN = N_("Nothing (refused)")
FIRE_HQ = N_("fire HQ")
# The audit actions that are a look at the record (or an attempt refused to hospital staff).
AUDITED = ("record.fetch", "record.view", "record.view_full", "hospital.user_view", "hospital.user_refused",
           "share.open")


def verify_patient(hub: Hub, card_id: str, birth_date: date) -> str:
    try:
        card = hub.source.fetch(card_id).card
    except RecordSourceError:
        card = None
    if card is None or card.birth_date != birth_date:
        raise Refused(401, "card and date of birth do not match", "no_match")
    return patient_ref(hub, card_id)


def history_of(hub: Hub, ref: str) -> list[dict]:
    """Every look at the patient's incidents, by the card's pseudonym; the patient's own look is
    recorded too. Only after the second step (services/patient_codes.py)."""
    with hub.db.transaction() as s:
        incidents = list(s.scalars(select(Incident.id).where(Incident.patient_ref == ref)))
        entries = s.scalars(select(AuditEntry).where(AuditEntry.incident_id.in_(incidents),
                                                     AuditEntry.action.in_(AUDITED)).order_by(AuditEntry.id)).all()
        rows = [_row(s, e) for e in entries]
        audit.append(s, hub.audit_key, actor="patient", action="patient.history_view",
                     detail={"entries": len(rows)})
    return rows


def _row(s, e: AuditEntry) -> dict:
    kind, _, who = e.actor.partition(":")
    look, seen = e.action, ["emergency_summary"]
    if kind == "user":
        user = s.scalars(select(User).where(User.username == who)).first()
        org_kind, org_name = _organisation(s, user.organisation if user else "")
        role = user.role if user else "?"
    elif kind == "hospital":
        org_kind, org_name = _organisation(s, e.actor)
        role, look, seen = _hospital_look(e)
    else:
        share = s.get(Share, who)
        org_kind, org_name = "share", share.recipient if share else ""
        role = "share"
    return {"at": aware(e.at).isoformat(), "basis": e.basis, "who": role, "look": look, "seen": seen,
            "refused": look == "hospital.full_history_refused", "org_kind": org_kind, "org_name": org_name}


def _hospital_look(e: AuditEntry) -> tuple[str, str, list[str]]:
    """(role, look, seen) of a hospital's entry: the gateway's own fetch, or a staff member's look
    as the hospital reported it (entries from before `seen` was recorded: by the same role rule)."""
    detail = e.detail or {}
    if e.action == "record.view_full":  # the hub sent it on the request of someone, by role
        return detail.get("role") or requester_role(detail.get("requested_by", "")), e.action, ["full_history"]
    if e.action == "record.view":
        return "system", e.action, ["emergency_summary"]
    role = detail.get("role", "system")
    what = "full_history_refused" if e.action == "hospital.user_refused" else detail.get("what", "view")
    seen = detail.get("seen")
    return role, f"hospital.{what}", seen_by(role, what) if seen is None else seen


def _organisation(s, code: str) -> tuple[str, str]:
    kind, _, ident = code.partition(":")
    if kind == "hospital":
        hospital = s.get(Hospital, ident)
        return kind, hospital.name if hospital else ident
    return (kind, ident) if kind == "fire" else ("other", code)

