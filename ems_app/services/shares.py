"""Sharing with a hospital that is not enrolled: a QR link plus a passcode read out by phone.

Shaped like a SMART Health Link: the link names nothing about the patient, expires, and
allows a limited number of wrong passcodes. An attempt is reserved with one atomic UPDATE
before the passcode is checked, so parallel guesses can never exceed the limit. Every
attempt, right or wrong, is audited."""
from __future__ import annotations

import base64
import hashlib
import io
import secrets
from datetime import date, timedelta

import qrcode
import qrcode.image.svg
from sqlalchemy import select, update

from ems_app.hub import Hub
from ems_app.models import Incident, Share, User
from ems_app.services import audit, review
from ems_app.services.incidents import actor, load
from shared.accounts import check_password, hash_password
from shared.clock import aware, utcnow
from shared.errors import Refused
from shared.schemas.record import EmergencyRecord
from shared.summary import GRANT_SCOPE, critical_facts, emergency_summary


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def qr_svg(url: str) -> str:
    """The link as an SVG QR code, as a data URI the tablet can show without inline script."""
    buf = io.BytesIO()
    qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=12).save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


def create(hub: Hub, user: User, incident_id: str, recipient: str, base_url: str,
           client_id: str | None = None) -> dict:
    """A new link and passcode. With the tablet's key for this press, a repeat (a double tap that
    reached the hub, a resend after a lost answer) cannot be answered with the first share: its
    passcode is kept only as a hash. So the repeat ends the earlier share and makes a new one, and
    one press never leaves two live links."""
    token = secrets.token_urlsafe(32)
    passcode = f"{secrets.randbelow(10**6):06d}"
    with hub.db.transaction() as s:
        # The incident's row lock (PostgreSQL; SQLite has one writer) orders two repeats of one press.
        incident = load(s, user, incident_id, for_update=True)
        if incident.status != "open" or incident.record_json is None:
            raise Refused(409, "fetch the record first", "no_record")
        now = utcnow()
        replaced = _end_earlier(s, incident_id, client_id, now)
        share = Share(id=secrets.token_hex(8), token_hash=_digest(token), incident_id=incident_id,
                      client_id=client_id, recipient=recipient, passcode_hash=hash_password(passcode),
                      created_by=user.id, created_at=now,
                      expires_at=now + timedelta(seconds=hub.settings["SHARE_LIFETIME_S"]),
                      max_attempts=hub.settings["SHARE_MAX_ATTEMPTS"])
        s.add(share)
        detail = {"share": share.id, "recipient": recipient, **({"replaces": replaced} if replaced else {})}
        audit.append(s, hub.audit_key, actor=actor(user), action="share.create", incident_id=incident_id,
                     basis=incident.basis["kind"], detail=detail)
    url = f"{base_url.rstrip('/')}/s/{token}"
    return {"share_id": share.id, "url": url, "passcode": passcode, "qr": qr_svg(url),
            "expires_at": aware(share.expires_at).isoformat(), "max_attempts": share.max_attempts}


def _end_earlier(s, incident_id: str, client_id: str | None, now) -> list[str]:
    """Expire the live shares this press made before; their ids, for the audit trail."""
    if client_id is None:
        return []
    earlier = list(s.scalars(select(Share.id).where(Share.incident_id == incident_id, Share.client_id == client_id,
                                                    Share.expires_at > now)))
    if earlier:
        s.execute(update(Share).where(Share.id.in_(earlier)).values(expires_at=now))
    return earlier


def status(hub: Hub, token: str) -> str:
    """'open', 'locked', 'expired' or 'unknown': what the recipient's page should say."""
    with hub.db.read() as s:
        row = s.execute(select(Share, Incident.status).join(Incident, Share.incident_id == Incident.id)
                        .where(Share.token_hash == _digest(token))).first()
    if row is None:
        return "unknown"
    share, incident_status = row
    if share.expires_at <= utcnow() or incident_status != "open":
        return "expired"
    return "locked" if share.attempts >= share.max_attempts else "open"


def open_share(hub: Hub, token: str, passcode: str, client: str) -> dict:
    digest, now = _digest(token), utcnow()
    with hub.db.transaction() as s:
        mine = s.execute(update(Share).where(Share.token_hash == digest, Share.expires_at > now,
                                             Share.attempts < Share.max_attempts)
                         .values(attempts=Share.attempts + 1)
                         .returning(Share.attempts, Share.max_attempts)).first()
    reserved = mine is not None
    with hub.db.transaction() as s:
        share = s.scalars(select(Share).where(Share.token_hash == digest)).first()
        if share is None:
            audit.append(s, hub.audit_key, actor="share:unknown", action="share.attempt",
                         detail={"ok": False, "reason": "unknown link", "client": client[:64]})
    if share is None:
        raise Refused(404, "this link does not exist", "unknown")
    with hub.db.transaction() as s:
        share = s.scalars(select(Share).where(Share.token_hash == digest)).first()
        right = reserved and check_password(share.passcode_hash, passcode)
        if right:  # only wrong passcodes count against the limit: give the reserved attempt back
            s.execute(update(Share).where(Share.id == share.id).values(attempts=Share.attempts - 1))
            share.opened_at = share.opened_at or now
        audit.append(s, hub.audit_key, actor=f"share:{share.id}", action="share.open" if right else "share.attempt",
                     incident_id=share.incident_id, detail={"ok": right, "client": client[:64],
                                                            "attempts": share.attempts})
        # What is left after *this* attempt, not after whatever parallel attempts did since.
        expired, left = share.expires_at <= now, (mine[1] - mine[0]) if mine else 0
        incident_id, record_json = share.incident_id, None
        if right:
            incident = s.get(Incident, incident_id)
            record_json, basis = incident.record_json, incident.basis["kind"]
            if basis == "emergency_exception":
                review.flag(s, f"share:{share.recipient}"[:64], incident_id, "emergency_exception",
                            review.SHARE_OPENED_UNDER_EXCEPTION)
    if expired:
        raise Refused(410, "this link has expired", "expired")
    if not right:
        if left <= 0:
            raise Refused(403, "too many wrong passcodes: this link is locked", "locked")
        raise Refused(401, "wrong passcode; %(left)s attempts left", "wrong_passcode", left=left)
    if record_json is None:
        raise Refused(410, "this incident has ended", "expired")
    record = EmergencyRecord.model_validate_json(record_json)
    summary = emergency_summary(record, date.today())
    card = record.card  # who the patient is, not the card's address or insurance numbers
    return {"patient": {"name": card.name, "kana": card.kana, "birth_date": card.birth_date.isoformat(),
                        "sex": card.sex},
            "summary": summary.within(GRANT_SCOPE),
            "critical": critical_facts(summary).model_dump(mode="json"), "basis": basis}
