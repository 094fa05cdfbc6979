"""The second factor in front of "who viewed my data": a one-time code to the patient's contact.

Why it exists: the card number and the date of birth are printed on the card and shown to every
ER that accepts the patient, so they prove little. The page therefore sends a six-digit code to
the contact the patient registered with the record source (the simulator's, or none: the
production path is マイナポータル's hand-off, docs/security.md) and opens the history only for
that code: valid 10 minutes, once, at most 5 tries, only its scrypt hash stored. Attempts are
reserved by one atomic UPDATE in the database, so several hub processes share one limit, and at
most 3 codes go to one patient in 15 minutes. Every failed look-up is in the hub's trail, by the
card's pseudonym (`patient_ref`), never the card number."""
from __future__ import annotations

import secrets
from datetime import date, timedelta

from sqlalchemy import func, select, text, update

from ems_app.hub import Hub
from ems_app.models import PatientCode
from ems_app.services import audit, outbox as outboxes
from ems_app.services.identification import patient_ref
from ems_app.services.patient_history import history_of, verify_patient
from shared.accounts import check_password, hash_password
from shared.clock import utcnow
from shared.errors import Refused
from shared.sources import RecordSourceError

LIFETIME = timedelta(minutes=10)
MAX_ATTEMPTS = 5
MAX_CODES, CODES_WINDOW = 3, timedelta(minutes=15)
ISSUE_LOCK = 727004  # with the patient: one patient's codes are counted and issued one at a time
MESSAGE = {"sms": "PreArrival 確認コード {code}（10分間有効）。閲覧履歴の確認に使います。他人に教えないでください。",
           "email": "PreArrival 確認コード: {code}\n10分間有効です。あなたの医療情報の閲覧履歴を確認するためのコードです。"
                    "心当たりがない場合は、このメールを破棄してください。\n\nYour PreArrival code: {code} (valid 10 minutes)."}


def send_code(hub: Hub, card_id: str, birth_date: date, outbox: outboxes.Outbox | None = None) -> dict:
    """Check the card and birth date, then send a code to the registered contact. The answer
    says where it went (masked) and names the challenge the code must be presented with."""
    try:
        ref = verify_patient(hub, card_id, birth_date)
    except Refused:
        _refused(hub, patient_ref(hub, card_id), "card_and_birth_date")
        raise
    try:
        contact = hub.source.registered_contact(card_id)
    except RecordSourceError:
        raise Refused(503, "the record source cannot be reached; try again later", "source_unavailable") from None
    if contact is None:
        raise Refused(409, "no contact is registered for this card: see who viewed your data in マイナポータル",
                      "no_contact")
    outbox = outbox or outboxes.from_settings(hub.settings)
    code, now = f"{secrets.randbelow(10**6):06d}", utcnow()
    with hub.db.transaction() as s:
        if hub.db.is_postgres:
            s.execute(text("SELECT pg_advisory_xact_lock(:lock, hashtext(:ref))"), {"lock": ISSUE_LOCK, "ref": ref})
        recent = s.scalar(select(func.count()).select_from(PatientCode).where(
            PatientCode.patient_ref == ref, PatientCode.created_at > now - CODES_WINDOW))
        if recent >= MAX_CODES:
            raise Refused(429, "too many codes sent; try again in %(minutes)s min", "rate_limited",
                          minutes=int(CODES_WINDOW.total_seconds() // 60))
        challenge = PatientCode(id=secrets.token_urlsafe(18), patient_ref=ref, code_hash=hash_password(code),
                                sent_to=contact.masked, created_at=now, expires_at=now + LIFETIME)
        s.add(challenge)
        audit.append(s, hub.audit_key, actor="patient", action="patient.code_sent",
                     detail={"patient_ref": ref, "channel": contact.channel, "sent_to": contact.masked})
        outbox.send(contact, MESSAGE[contact.channel].format(code=code))  # fails: nothing is kept
    return {"challenge": challenge.id, "channel": contact.channel, "sent_to": contact.masked,
            "expires_in_s": int(LIFETIME.total_seconds())}


def history_for_code(hub: Hub, challenge: str, code: str) -> list[dict]:
    """The history, for the right code of a live challenge; the code is used up when it opens."""
    now = utcnow()
    live = (PatientCode.id == challenge, PatientCode.used_at.is_(None), PatientCode.expires_at > now)
    with hub.db.transaction() as s:  # the attempt is reserved before the code is checked
        reserved = s.execute(update(PatientCode).where(*live, PatientCode.attempts < MAX_ATTEMPTS)
                             .values(attempts=PatientCode.attempts + 1)).rowcount
    with hub.db.read() as s:
        row = s.get(PatientCode, challenge)
    if not reserved:
        _refused(hub, row.patient_ref if row else None, "code_spent")
        raise Refused(401, "this code has expired or cannot be tried again; ask for a new one", "code_spent")
    if not check_password(row.code_hash, code):
        left = MAX_ATTEMPTS - row.attempts
        _refused(hub, row.patient_ref, "wrong_code", attempts_left=left)
        raise Refused(401, "wrong code; %(left)s attempts left", "wrong_code", left=left)
    with hub.db.transaction() as s:
        if not s.execute(update(PatientCode).where(*live).values(used_at=now)).rowcount:  # a parallel use won
            raise Refused(401, "this code has expired or cannot be tried again; ask for a new one", "code_spent")
    return history_of(hub, row.patient_ref)


def _refused(hub: Hub, ref: str | None, step: str, **detail) -> None:
    with hub.db.transaction() as s:
        audit.append(s, hub.audit_key, actor="patient", action="patient.lookup_refused",
                     detail={"patient_ref": ref, "step": step, **detail})
