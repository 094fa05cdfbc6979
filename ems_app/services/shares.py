"""Sharing with a hospital that is not enrolled: a QR link plus a passcode read out by phone.

Shaped like a SMART Health Link: the link names nothing about the patient; the passcode guards
it and is not used up by being right; the expiry ends it, and so does its use limit when it has
one (`max_uses` right-passcode openings: a reload of the page is an opening like any other).
Wrong passcodes are limited and counted: an attempt is reserved with one atomic UPDATE before
the passcode is checked, so parallel guesses can never exceed the limit, and a use is taken the
same way. Every attempt, right or wrong, is audited. An opening under the emergency exception
goes to the review queue of the organisation whose crew made the share: the recipient is not
enrolled and has no privacy officer here."""
from __future__ import annotations

import base64
import hashlib
import io
import secrets
from datetime import date, timedelta

import qrcode
import qrcode.image.svg
from sqlalchemy import or_, select, update

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


UNSET = object()  # no use limit asked for: the hub's SHARE_MAX_USES


def create(hub: Hub, user: User, incident_id: str, recipient: str, base_url: str,
           client_id: str | None = None, max_uses=UNSET) -> dict:
    """A new link and passcode. With the tablet's key for this press, a repeat (a double tap that
    reached the hub, a resend after a lost answer) cannot be answered with the first share: its
    passcode is kept only as a hash. So the repeat ends the earlier share and makes a new one, and
    one press never leaves two live links. `max_uses` None: openings are limited by the expiry alone."""
    if max_uses is UNSET:
        max_uses = hub.settings["SHARE_MAX_USES"] or None
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
                      max_attempts=hub.settings["SHARE_MAX_ATTEMPTS"], max_uses=max_uses, uses=0)
        s.add(share)
        detail = {"share": share.id, "recipient": recipient, "max_uses": max_uses,
                  **({"replaces": replaced} if replaced else {})}
        audit.append(s, hub.audit_key, actor=actor(user), action="share.create", incident_id=incident_id,
                     basis=incident.basis["kind"], detail=detail)
    url = f"{base_url.rstrip('/')}/s/{token}"
    return {"share_id": share.id, "url": url, "passcode": passcode, "qr": qr_svg(url),
            "expires_at": aware(share.expires_at).isoformat(), "max_attempts": share.max_attempts,
            "max_uses": share.max_uses}


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
    """'open', 'locked', 'used_up', 'expired' or 'unknown': what the recipient's page should say."""
    with hub.db.read() as s:
        row = s.execute(select(Share, Incident.status).join(Incident, Share.incident_id == Incident.id)
                        .where(Share.token_hash == _digest(token))).first()
    if row is None:
        return "unknown"
    share, incident_status = row
    if share.expires_at <= utcnow() or incident_status != "open":
        return "expired"
    if share.attempts >= share.max_attempts:
        return "locked"
    return "used_up" if share.max_uses is not None and share.uses >= share.max_uses else "open"


def _take_use(s, share_id: str) -> tuple[int, int | None] | None:
    """One opening, taken atomically like an attempt: (uses so far, limit), or None when used up."""
    return s.execute(update(Share).where(Share.id == share_id,
                                         or_(Share.max_uses.is_(None), Share.uses < Share.max_uses))
                     .values(uses=Share.uses + 1).returning(Share.uses, Share.max_uses)).first()


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
        incident = s.get(Incident, share.incident_id)
        expired = share.expires_at <= now
        ended = expired or incident.status != "open" or incident.record_json is None
        used = None
        if right:  # only wrong passcodes count against the limit: give the reserved attempt back
            s.execute(update(Share).where(Share.id == share.id).values(attempts=Share.attempts - 1))
            used = None if ended else _take_use(s, share.id)
        opened = used is not None
        if opened:
            share.opened_at = share.opened_at or now
        why = (None if opened else "ended" if ended else "used_up" if right
               else "wrong_passcode" if reserved else "locked")
        audit.append(s, hub.audit_key, actor=f"share:{share.id}", action="share.open" if opened else "share.attempt",
                     incident_id=share.incident_id,
                     detail={"ok": opened, "client": client[:64], "attempts": share.attempts,
                             **({"uses": used[0], "max_uses": used[1]} if opened else {"reason": why})})
        # What is left after *this* attempt, not after whatever parallel attempts did since.
        left = (mine[1] - mine[0]) if mine else 0
        record_json, basis = incident.record_json, incident.basis["kind"]
        if opened and basis == "emergency_exception":
            _to_review(s, share)
    if expired:
        raise Refused(410, "this link has expired", "expired")
    if ended:
        raise Refused(410, "this incident has ended", "expired")
    if not right:
        if left <= 0:
            raise Refused(403, "too many wrong passcodes: this link is locked", "locked")
        raise Refused(401, "wrong passcode; %(left)s attempts left", "wrong_passcode", left=left)
    if not opened:
        raise Refused(410, "this link has been opened as often as it allows", "used_up")
    record = EmergencyRecord.model_validate_json(record_json)
    summary = emergency_summary(record, date.today())
    card = record.card  # who the patient is, not the card's address or insurance numbers
    return {"patient": {"name": card.name, "kana": card.kana, "birth_date": card.birth_date.isoformat(),
                        "sex": card.sex},
            "summary": summary.within(GRANT_SCOPE),
            "critical": critical_facts(summary).model_dump(mode="json"), "basis": basis,
            "uses": used[0], "max_uses": used[1], "expires_at": aware(share.expires_at).isoformat()}


def _to_review(s, share: Share) -> None:
    """The disclosure was the crew's: its organisation's privacy officer reviews it, one item per
    share (each opening raises its count), the recipient named in the note."""
    organisation = s.scalar(select(User.organisation).where(User.id == share.created_by))
    review.flag(s, (organisation or "")[:64], share.incident_id, f"share_opened:{share.id}"[:32],
                f"{review.SHARE_OPENED_UNDER_EXCEPTION}:{share.recipient}")
