"""A tamper-evident audit trail: each entry's hash covers the previous hash and its own fields.

Attackers who get in try to stop or edit the logging; an edited, deleted or reordered entry
breaks the chain, and `verify_chain` says where. The key makes the chain an HMAC, so a forger
with write access to the table but not to the key cannot rebuild it.

Both trails use it: the hub's audit trail (ems_app/services/audit.py) and each hospital's own
access log, which names the staff member (hospital_app/access_log.py); each app keeps only which
of its columns are hashed."""
from __future__ import annotations

import hashlib
import hmac
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

GENESIS = "0" * 64


def entry_hash(key: bytes, previous: str, fields: dict) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))
    return hmac.new(key, (previous + canonical).encode(), hashlib.sha256).hexdigest()


def verify_chain(key: bytes, entries: Iterable[tuple[str, str, dict]]) -> int | None:
    """Entries as (previous_hash, hash, fields) in order; returns the index of the first bad one."""
    expected_previous = GENESIS
    for i, (previous, digest, fields) in enumerate(entries):
        if previous != expected_previous or not isinstance(digest, str) or not hmac.compare_digest(
                digest, entry_hash(key, previous, fields)):
            return i
        expected_previous = digest
    return None


def chain_head(session, model, lock_id: int) -> str:
    """The hash the next entry of `model`'s chain follows, holding the chain until the caller's
    transaction ends so two writers never fork it: PostgreSQL by an advisory lock (`lock_id`, one
    per chain), SQLite by the write transaction's BEGIN IMMEDIATE. An entry without a hash (written
    before its table was chained) starts the chain afresh."""
    from sqlalchemy import select, text
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:lock)"), {"lock": lock_id})
    return session.scalars(select(model.hash).order_by(model.id.desc()).limit(1)).first() or GENESIS


@dataclass(frozen=True)
class Link:
    """One entry as the chain sees it. `digest` None: written before its table was chained."""
    id: int
    at: datetime
    action: str
    previous: str | None
    digest: str | None
    fields: dict


@dataclass(frozen=True)
class Broken:
    """Where a chain breaks: the entry's id, time and action, and why."""
    id: int
    at: str
    action: str
    why: str


def unchained(links: list[Link]) -> int:
    """How many entries at the start were written before the table was chained."""
    return next((i for i, link in enumerate(links) if link.digest is not None), len(links))


def check(key: bytes, links: list[Link], head_file: Path | None = None) -> tuple[int, Broken | None]:
    """(number of entries, the first break or None), over entries in id order.

    The chain finds an altered, inserted or deleted entry anywhere but at the end: if the newest
    entries are deleted, what remains still chains. So a check that finds the chain intact
    remembers its head (id, hash, time, action) in `head_file`, kept in the instance dir beside the
    key where a database-only attacker cannot reach it, and the next check requires that entry to
    be there unchanged. A truncated tail is thus caught back to the last check: verify on a
    schedule. Restoring the database from an older backup trips it too, on purpose."""
    start = unchained(links)
    chained = links[start:]
    bad = verify_chain(key, ((e.previous, e.digest, e.fields) for e in chained))
    if bad is not None:
        e, before = chained[bad], chained[bad - 1].digest if bad else GENESIS
        if e.digest is None:
            why = "it has no hash, though entries before it are chained (written past the chain)"
        elif e.previous == before:
            why = "its content does not match its hash (altered, or forged)"
        else:
            why = "it does not follow the entry before it (inserted, or the entry before it deleted)"
        return len(links), Broken(e.id, _iso(e.at), e.action, why)
    if head_file is not None and head_file.exists():
        seen = json.loads(head_file.read_text())
        if {e.id: e.digest for e in chained}.get(seen["id"]) != seen["hash"]:
            return len(links), Broken(seen["id"], seen["at"], seen["action"],
                                      "missing: it was the newest entry at an earlier check")
    if head_file is not None and chained:
        last = chained[-1]
        tmp = head_file.with_suffix(".tmp")
        tmp.write_text(json.dumps({"id": last.id, "hash": last.digest, "at": _iso(last.at), "action": last.action}))
        os.replace(tmp, head_file)  # atomic: a crash leaves the old head, never half a file
    return len(links), None


def _iso(at: datetime) -> str:
    return at.isoformat() + "Z"  # stored as naive UTC
