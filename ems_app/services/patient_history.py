"""'Who viewed my data': every look at a patient's record, by organisation and role.

The patient proves who they are with the card and their date of birth (the simulator's
stand-in for the card's PIN). Staff names never appear: the organisation, the role, the
time, the basis and the categories do."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from ems_app.hub import Hub
from ems_app.models import AuditEntry, Hospital, Incident, Share, User
from ems_app.services import audit
from ems_app.services.identification import patient_ref
from shared.clock import aware
from shared.errors import Refused
from shared.sources import RecordSourceError
from shared.summary import GRANT_SCOPE

LOOKS = {
    "record.fetch": "記録を取得 / fetched the record",
    "record.view": "救急時サマリーを閲覧 / viewed the emergency summary",
    "record.view_full": "全履歴を閲覧 / viewed the full history",
    "hospital.user_view": "院内で閲覧 / opened in the hospital",
    "share.open": "QR共有で閲覧 / opened through a QR share",
}
ROLES = {"paramedic": "救急隊員 / paramedic", "physician": "医師 / physician", "nurse": "看護師 / nurse",
         "clerk": "受付 / clerk", "system": "病院システム / hospital system", "share": "QR共有先 / QR recipient"}


def verify_patient(hub: Hub, card_id: str, birth_date: date) -> str:
    try:
        card = hub.source.fetch(card_id).card
    except RecordSourceError:
        card = None
    if card is None or card.birth_date != birth_date:
        raise Refused(401, "card and date of birth do not match", "no_match")
    return patient_ref(hub, card_id)


def history(hub: Hub, card_id: str, birth_date: date) -> list[dict]:
    ref = verify_patient(hub, card_id, birth_date)
    with hub.db.transaction() as s:
        incidents = list(s.scalars(select(Incident.id).where(Incident.patient_ref == ref)))
        entries = s.scalars(select(AuditEntry).where(AuditEntry.incident_id.in_(incidents),
                                                     AuditEntry.action.in_(LOOKS)).order_by(AuditEntry.id)).all()
        rows = [_row(s, e) for e in entries]
        audit.append(s, hub.audit_key, actor="patient", action="patient.history_view",
                     detail={"entries": len(rows)})
    return rows


def _row(s, e: AuditEntry) -> dict:
    kind, _, who = e.actor.partition(":")
    if kind == "user":
        user = s.scalars(select(User).where(User.username == who)).first()
        organisation, role = _organisation(s, user.organisation if user else ""), user.role if user else "?"
        categories = "救急時サマリー / emergency summary"
    elif kind == "hospital":
        organisation = _organisation(s, e.actor)
        role = e.detail.get("role", "system")
        categories = ", ".join(e.detail.get("scope", GRANT_SCOPE))
    else:
        share = s.get(Share, who)
        organisation = f"{share.recipient} (QR)" if share else "QR"
        role, categories = "share", "救急時サマリー / emergency summary"
    return {"at": aware(e.at).isoformat(), "organisation": organisation, "role": ROLES.get(role, role),
            "action": LOOKS[e.action], "basis": e.basis, "categories": categories}


def _organisation(s, code: str) -> str:
    kind, _, ident = code.partition(":")
    if kind == "hospital":
        hospital = s.get(Hospital, ident)
        return hospital.name if hospital else ident
    return f"消防本部 / fire HQ: {ident}" if kind == "fire" else code
