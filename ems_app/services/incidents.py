"""An incident from the crew's side: open it, identify the patient, record the basis, fetch.

Order is the law here: nothing is fetched before the patient is identified by card and a
basis is recorded, and every look at the record is audited with that basis."""
from __future__ import annotations

import secrets
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from ems_app.errors import Refused
from ems_app.hub import Hub
from ems_app.models import Incident, User
from ems_app.services import audit
from shared.clock import utcnow
from shared.schemas.incident import Basis, CardReadIn, IncidentIn
from shared.schemas.record import EmergencyRecord
from shared.sources import RecordSourceError
from shared.summary import critical_facts, emergency_summary


def actor(user: User) -> str:
    return f"user:{user.username}"


def load(session: Session, user: User, incident_id: str, *, for_update: bool = False) -> Incident:
    """The incident if this user's crew owns it; 404 otherwise (no hint that it exists)."""
    query = select(Incident).join(User, Incident.created_by == User.id).where(
        Incident.id == incident_id, User.team == user.team)
    if for_update and session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(of=Incident)
    incident = session.scalars(query).first()
    if incident is None:
        raise Refused(404, "no such incident / 該当する事案がありません", "not_found")
    return incident


def create(hub: Hub, user: User, data: IncidentIn) -> Incident:
    with hub.db.transaction() as s:
        incident = Incident(id=secrets.token_hex(8), created_by=user.id,
                            chief_complaint=data.chief_complaint, location=data.location)
        s.add(incident)
        s.flush()
        audit.append(s, hub.audit_key, actor=actor(user), action="incident.open", incident_id=incident.id)
    return incident


def identify(hub: Hub, user: User, incident_id: str, data: CardReadIn) -> Incident:
    """Read the card once. A photo card needs the crew's face check; a smartphone card has
    no photo, so the crew must say how identity was confirmed instead."""
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if incident.status != "open":
            raise Refused(409, "incident is closed / 事案は終了しています", "closed")
        try:
            card = hub.source.read_card(data.card_id)
        except RecordSourceError as e:
            raise Refused(422, f"{e.message_ja} / {e.code}", e.code) from None
        if card.has_photo and not data.face_confirmed:
            raise Refused(400, "face_confirmed: confirm the card photo matches the patient / "
                               "券面写真と本人の照合が必要です", "face_not_confirmed")
        if not card.has_photo and not (data.identity_confirmation or "").strip():
            raise Refused(400, "identity_confirmation: a smartphone card has no photo; record how "
                               "identity was confirmed / 本人確認の方法を記録してください",
                          "identity_not_confirmed")
        incident.card_id = card.card_id
        incident.card_kind = card.kind
        incident.identity_confirmation = data.identity_confirmation if not card.has_photo else "face_photo"
        audit.append(s, hub.audit_key, actor=actor(user), action="card.read", incident_id=incident.id,
                     detail={"kind": card.kind})
    return incident


def record_basis(hub: Hub, user: User, incident_id: str, basis: Basis) -> Incident:
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if incident.basis is not None:
            raise Refused(409, "a basis is already recorded / 根拠は記録済みです", "basis_recorded")
        incident.basis = basis.model_dump()
        incident.basis_recorded_by = user.id
        incident.basis_recorded_at = utcnow()
        audit.append(s, hub.audit_key, actor=actor(user), action="basis.record", incident_id=incident.id,
                     basis=basis.kind, detail=basis.model_dump(exclude={"kind"}))
    return incident


def fetch_record(hub: Hub, user: User, incident_id: str) -> dict:
    """Fetch from the source once, keep the EMS copy, and show the emergency summary."""
    with hub.db.read() as s:
        incident = load(s, user, incident_id)
        card_id, basis = incident.card_id, incident.basis
    if card_id is None:
        raise Refused(409, "read the card first / 先にカードを読み取ってください", "not_identified")
    if basis is None:
        raise Refused(409, "record consent or the emergency exception first / "
                           "先に同意または緊急時例外を記録してください", "no_basis")
    record_json, status = None, "fetched"
    try:
        record_json = hub.source.fetch(card_id, today=date.today()).model_dump_json()
    except RecordSourceError as e:
        status = e.code
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        incident.record_status = status
        if record_json is not None:
            incident.record_json = record_json
        audit.append(s, hub.audit_key, actor=actor(user), action="record.fetch", incident_id=incident.id,
                     basis=basis["kind"], detail={"result": status})
    if record_json is None:
        raise Refused(503 if status == "source_unavailable" else 422,
                      _SOURCE_MESSAGES.get(status, status), status)
    return view(hub, user, incident_id, audit_it=False)


_SOURCE_MESSAGES = {
    "source_unavailable": "オンライン資格確認システムに接続できません。事案は記録なしで継続できます / "
                          "OQC is unavailable; the incident goes on without the record",
    "certificate_expired": "カードの電子証明書の有効期限切れ / card certificate expired",
    "card_not_found": "資格情報が見つかりません / no match for this card",
}


def view(hub: Hub, user: User, incident_id: str, *, audit_it: bool = True) -> dict:
    with hub.db.read() as s:
        incident = load(s, user, incident_id)
        if incident.record_json is None:
            raise Refused(404, "no record fetched for this incident / 記録は未取得です", "no_record")
        record = EmergencyRecord.model_validate_json(incident.record_json)
        basis = incident.basis["kind"]
    if audit_it:
        with hub.db.transaction() as s:
            audit.append(s, hub.audit_key, actor=actor(user), action="record.view",
                         incident_id=incident_id, basis=basis)
    summary = emergency_summary(record, date.today())
    return {"summary": summary.model_dump(mode="json"),
            "critical": critical_facts(summary).model_dump()}
