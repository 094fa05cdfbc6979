"""The hospital's own access log, written and verified as a tamper-evident chain.

The log names the staff member who opened a patient, so it is what a privacy officer reads
when a look is questioned; an intruder's first move is to edit or stop such logging. Every
entry is appended here, inside the caller's transaction, with an HMAC hash over the previous
entry's hash and its own fields (shared/audit.py, the hub trail's code); the database refuses
UPDATE and DELETE (migration 0008_access_log_chain) except the one-way `reported` mark, which
is outside the hash. `check` is what `python -m hospital_app audit verify` runs."""
from __future__ import annotations

from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from hospital_app.models import AccessLog
from shared import audit as chain
from shared.clock import utcnow
from shared.storage import Database

CHAIN_LOCK = 727003  # this chain's advisory lock on PostgreSQL (the hub's is 727002)
HEAD_FILE = "access-log-head.json"  # in the instance directory, beside the key


def append(session: Session, key: bytes, *, staff: str, role: str, incident_id: str, action: str,
           reported: bool = False) -> AccessLog:
    previous = chain.chain_head(session, AccessLog, CHAIN_LOCK)
    entry = AccessLog(at=utcnow().replace(microsecond=0), staff=staff, role=role, incident_id=incident_id[:32],
                      action=action, reported=reported, previous_hash=previous)
    entry.hash = chain.entry_hash(key, previous, _fields(entry))
    session.add(entry)
    session.flush()
    return entry


def _fields(e: AccessLog) -> dict:
    return {"at": e.at, "staff": e.staff, "role": e.role, "incident_id": e.incident_id, "action": e.action}


def check(db: Database, key: bytes, instance: Path | None = None) -> tuple[int, int, chain.Broken | None]:
    """(entries, how many of them predate the chain, the first break or None). With `instance`,
    the head is remembered there so a deleted tail is caught at the next check."""
    with db.read() as s:
        links = [chain.Link(e.id, e.at, e.action, e.previous_hash, e.hash, _fields(e))
                 for e in s.scalars(select(AccessLog).order_by(AccessLog.id))]
    count, broken = chain.check(key, links, instance / HEAD_FILE if instance else None)
    return count, chain.unchained(links), broken
