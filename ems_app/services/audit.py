"""Append to the hub's audit chain inside the caller's transaction, so an action and its
record commit together or not at all."""
from __future__ import annotations

from sqlalchemy import select, text
from sqlalchemy.orm import Session

from ems_app.models import AuditEntry
from shared.audit import GENESIS, entry_hash, verify_chain
from shared.clock import utcnow


def append(session: Session, key: bytes, *, actor: str, action: str, incident_id: str | None = None,
           basis: str | None = None, detail: dict | None = None) -> AuditEntry:
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(727002)"))  # one chain, no forks
    last = session.scalars(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1)).first()
    previous = last.hash if last else GENESIS
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
    entries = session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
    bad = verify_chain(key, ((e.previous_hash, e.hash, _fields(e)) for e in entries))
    return None if bad is None else entries[bad].id
