"""Server-side sessions, kept in each app's database so that ending one ends it everywhere.

A signed cookie alone cannot be taken back: after sign-out, a copy of it still worked until it
expired. Here the cookie carries only a random id; the database keeps the session under the id's
SHA-256 (a leaked table opens nothing), and every request and socket event looks it up. A session
ends on sign-out, an administrator's revoke, a password or factor change, a disabled account, or
its role's timeouts: idle (no request for a while: a physician's tablet left on a counter) and
absolute (a shift). Ended sessions stay on record with the reason, for review.

A session has a stage: "password" after the first factor only, "change" when the password shown
was a temporary one someone else set (shared/accounts.py: it reaches only the person's own
password change), "complete" once any second factor required is done and the password is the
person's own. Only complete sessions reach the application (web/login.py)."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Column, DateTime, Integer, MetaData, String, Table, select, update

from shared import clock
from shared.storage import Database

PASSWORD, CHANGE, COMPLETE = "password", "change", "complete"
STAGES = (PASSWORD, CHANGE, COMPLETE)

# Why a session ended (end_reason), as the audit trail and the session table say it.
SIGNED_OUT, REVOKED, IDLE, ABSOLUTE = "signed_out", "revoked", "idle_timeout", "absolute_timeout"
PASSWORD_CHANGED, FACTOR_CHANGED, DISABLED = "password_changed", "factor_changed", "account_disabled"
ROLE_CHANGED = "role_changed"

# last_seen_at is written at most this often: idle limits are minutes long, and a write on every
# request of every tablet would cost more than the lookup itself.
TOUCH_EVERY_S = 30

metadata = MetaData()
sessions = Table(
    "sessions", metadata,
    Column("id", String(64), primary_key=True),  # SHA-256 of the cookie's id, never the id
    Column("user_id", Integer, nullable=False),
    Column("role", String(32), nullable=False),
    Column("stage", String(16), nullable=False),
    Column("created_at", DateTime, nullable=False),
    Column("last_seen_at", DateTime, nullable=False),
    Column("expires_at", DateTime, nullable=False),
    Column("ended_at", DateTime),
    Column("end_reason", String(32)),
)


@dataclass(frozen=True)
class Limits:
    """How long a session of one role lives: `idle_s` without a request, `absolute_s` in all."""
    idle_s: float
    absolute_s: float


# One ambulance shift, a physician's tablet, a wall board nobody touches: docs/security.md, Sessions.
DEFAULT_LIMITS = Limits(idle_s=15 * 60, absolute_s=12 * 3600)


@dataclass(frozen=True)
class Live:
    """A session as a request sees it. `key` is the stored hash, safe to keep and log."""
    key: str
    user_id: int
    role: str
    stage: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime

    @property
    def complete(self) -> bool:
        return self.stage == COMPLETE


@dataclass(frozen=True)
class Ended:
    """A session the last check found over: it ended just now (`now` True: audit it) or before."""
    key: str
    user_id: int
    role: str
    reason: str
    now: bool


def key_of(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start(db: Database, user_id: int, role: str, stage: str = COMPLETE, limits: Limits | None = None) -> str:
    """A new session; the answer is the id for the cookie (only its hash is kept)."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}")
    limits = limits or DEFAULT_LIMITS
    session_id = secrets.token_urlsafe(32)
    now = clock.utcnow()
    with db.transaction() as s:
        s.execute(sessions.insert().values(
            id=key_of(session_id), user_id=user_id, role=role, stage=stage, created_at=now, last_seen_at=now,
            expires_at=now + timedelta(seconds=limits.absolute_s)))
    return session_id


def complete(db: Database, key: str, stage: str = COMPLETE) -> bool:
    """A step is done: the session moves on to `stage` (COMPLETE reaches the application; CHANGE,
    after the second factor, still owes the person's own password). False if it has ended."""
    if stage not in STAGES:
        raise ValueError(f"stage must be one of {STAGES}")
    with db.transaction() as s:
        done = s.execute(update(sessions).where(sessions.c.id == key, sessions.c.ended_at.is_(None))
                         .values(stage=stage, last_seen_at=clock.utcnow()))
    return done.rowcount == 1


def check(db: Database, session_id: str, limits_of) -> Live | Ended | None:
    """The live session behind a cookie's id, touched as seen; Ended when it is over (ended now by
    a timeout, or before); None when there is no such session. One lookup by primary key.
    `limits_of(role)` gives the role's Limits."""
    key = key_of(session_id)
    with db.read() as s:
        row = s.execute(select(sessions).where(sessions.c.id == key)).first()
    if row is None:
        return None
    if row.ended_at is not None:
        return Ended(key, row.user_id, row.role, row.end_reason or REVOKED, now=False)
    now = clock.utcnow()
    over = (ABSOLUTE if now >= row.expires_at
            else IDLE if now - row.last_seen_at > timedelta(seconds=limits_of(row.role).idle_s) else None)
    if over:
        return Ended(key, row.user_id, row.role, over, now=end(db, key, over))
    last_seen = row.last_seen_at
    if now - last_seen > timedelta(seconds=TOUCH_EVERY_S):
        with db.transaction() as s:
            s.execute(update(sessions).where(sessions.c.id == key, sessions.c.ended_at.is_(None))
                      .values(last_seen_at=now))
        last_seen = now
    return Live(key, row.user_id, row.role, row.stage, row.created_at, last_seen, row.expires_at)


def over(db: Database, keys: list[str], limits_of) -> dict[str, str]:
    """Of `keys`, those sessions that are over now, with why: ended, or past a timeout
    (`limits_of(role)`; not yet ended on record: the caller ends them with `end`). For sweeping
    open sockets."""
    if not keys:
        return {}
    with db.read() as s:
        rows = s.execute(select(sessions.c.id, sessions.c.role, sessions.c.last_seen_at, sessions.c.expires_at,
                                sessions.c.ended_at, sessions.c.end_reason)
                         .where(sessions.c.id.in_(keys))).all()
    now, found, result = clock.utcnow(), set(), {}
    for row in rows:
        found.add(row.id)
        if row.ended_at is not None:
            result[row.id] = row.end_reason or REVOKED
        elif now >= row.expires_at:
            result[row.id] = ABSOLUTE
        elif now - row.last_seen_at > timedelta(seconds=limits_of(row.role).idle_s):
            result[row.id] = IDLE
    result.update({key: REVOKED for key in keys if key not in found})
    return result


def end(db: Database, key: str, reason: str) -> bool:
    """End one session; True if this call ended it (it was live), so it is audited once."""
    with db.transaction() as s:
        done = s.execute(update(sessions).where(sessions.c.id == key, sessions.c.ended_at.is_(None))
                         .values(ended_at=clock.utcnow(), end_reason=reason))
    return done.rowcount == 1


def end_for_user(db: Database, user_id: int, reason: str, keep: str | None = None) -> list[str]:
    """End every live session of a user (but `keep`); the keys of those ended."""
    with db.transaction() as s:
        query = select(sessions.c.id).where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
        if keep is not None:
            query = query.where(sessions.c.id != keep)
        keys = list(s.scalars(query.with_for_update()))
        if keys:
            s.execute(update(sessions).where(sessions.c.id.in_(keys), sessions.c.ended_at.is_(None))
                      .values(ended_at=clock.utcnow(), end_reason=reason))
    return keys


def user_of(db: Database, key: str) -> int | None:
    """Whose session this is (ended or not)."""
    with db.read() as s:
        return s.scalar(select(sessions.c.user_id).where(sessions.c.id == key))


def live_for_user(db: Database, user_id: int) -> list[Live]:
    """A user's sessions not yet ended (timeouts are applied when each is next used)."""
    with db.read() as s:
        rows = s.execute(select(sessions).where(sessions.c.user_id == user_id, sessions.c.ended_at.is_(None))
                         .order_by(sessions.c.created_at)).all()
    return [Live(r.id, r.user_id, r.role, r.stage, r.created_at, r.last_seen_at, r.expires_at) for r in rows]


def parse_limits(text: str | None, defaults: dict[str, Limits]) -> dict[str, Limits]:
    """`role=idle_s/absolute_s,...` (the SESSION_LIMITS setting) over the defaults."""
    limits = dict(defaults)
    for part in (text or "").split(","):
        if not part.strip():
            continue
        try:
            role, times = part.split("=")
            idle, absolute = (float(t) for t in times.split("/"))
        except ValueError:
            raise ValueError(f"SESSION_LIMITS: {part.strip()!r} is not role=idle_s/absolute_s") from None
        if idle <= 0 or absolute <= 0:
            raise ValueError(f"SESSION_LIMITS: {part.strip()!r}: both times must be positive")
        limits[role.strip()] = Limits(idle, absolute)
    return limits
