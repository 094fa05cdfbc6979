"""Append to the hub's audit chain inside the caller's transaction, so an action and its
record commit together or not at all."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from ems_app.models import AuditEntry
from shared import audit as chain
from shared.audit import Broken, entry_hash, verify_chain
from shared.clock import utcnow

__all__ = ["append", "check", "first_broken", "Broken"]
CHAIN_LOCK = 727002  # the hub trail's advisory lock on PostgreSQL


def append(session: Session, key: bytes, *, actor: str, action: str, incident_id: str | None = None,
           basis: str | None = None, detail: dict | None = None) -> AuditEntry:
    previous = chain.chain_head(session, AuditEntry, CHAIN_LOCK)  # one chain, no forks
    entry = AuditEntry(at=utcnow().replace(microsecond=0), actor=actor, action=action,
                       incident_id=incident_id, basis=basis, detail=detail or {}, previous_hash=previous)
    entry.hash = entry_hash(key, previous, _fields(entry))
    session.add(entry)
    session.flush()
    return entry


def _fields(e: AuditEntry) -> dict:
    return {"at": e.at, "actor": e.actor, "action": e.action, "incident_id": e.incident_id,
            "basis": e.basis, "detail": e.detail}


def first_broken(session: Session, key: bytes) -> int | None:
    """The id of the first entry that does not chain, or None if the trail is intact."""
    entries = _all(session)
    bad = _first_bad(key, entries)
    return None if bad is None else entries[bad].id


def _all(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _first_bad(key: bytes, entries: list[AuditEntry]) -> int | None:
    return verify_chain(key, ((e.previous_hash, e.hash, _fields(e)) for e in entries))


def check(session: Session, key: bytes, head_file: Path | None = None) -> tuple[int, Broken | None]:
    """(number of entries, the first break or None); `head_file` catches a truncated tail
    (shared.audit.check). One read, so the head remembered is an entry that was verified."""
    return chain.check(key, [chain.Link(e.id, e.at, e.action, e.previous_hash, e.hash, _fields(e))
                             for e in _all(session)], head_file)
