"""Append to the hub's audit chain inside the caller's transaction, so an action and its
record commit together or not at all."""
from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

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
    entries = _all(session)
    bad = _first_bad(key, entries)
    return None if bad is None else entries[bad].id


def _all(session: Session) -> list[AuditEntry]:
    return list(session.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def _first_bad(key: bytes, entries: list[AuditEntry]) -> int | None:
    return verify_chain(key, ((e.previous_hash, e.hash, _fields(e)) for e in entries))


@dataclass(frozen=True)
class Broken:
    """Where the trail breaks: the entry's id, time and action, and why."""
    id: int
    at: str
    action: str
    why: str


def check(session: Session, key: bytes, head_file: Path | None = None) -> tuple[int, Broken | None]:
    """(number of entries, the first break or None).

    The chain finds an altered, inserted or deleted entry anywhere but at the end: if the newest
    entries are deleted, what remains still chains. So a check that finds the trail intact
    remembers its head (id, hash, time, action) in `head_file`, kept in the instance dir beside the
    key where a database-only attacker cannot reach it, and the next check requires that entry to
    be there unchanged. A truncated tail is thus caught back to the last check: run verify-audit
    on a schedule. Restoring the database from an older backup trips it too, on purpose."""
    entries = _all(session)  # one read, so the head remembered is an entry that was verified
    bad = _first_bad(key, entries)
    if bad is not None:
        e, before = entries[bad], entries[bad - 1].hash if bad else GENESIS
        why = ("its content does not match its hash (altered, or forged)" if e.previous_hash == before
               else "it does not follow the entry before it (inserted, or the entry before it deleted)")
        return len(entries), Broken(e.id, _iso(e.at), e.action, why)
    if head_file is not None and head_file.exists():
        seen = json.loads(head_file.read_text())
        if {e.id: e.hash for e in entries}.get(seen["id"]) != seen["hash"]:
            return len(entries), Broken(seen["id"], seen["at"], seen["action"],
                                        "missing: it was the newest entry at an earlier check")
    if head_file is not None and entries:
        last = entries[-1]
        tmp = head_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"id": last.id, "hash": last.hash, "at": _iso(last.at), "action": last.action}))
        os.replace(tmp, head_file)  # atomic: a crash leaves the old head, never half a file
    return len(entries), None


def _iso(at: datetime) -> str:
    return at.isoformat() + "Z"  # stored as naive UTC
