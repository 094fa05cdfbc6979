"""A tamper-evident audit trail: each entry's hash covers the previous hash and its own fields.

Attackers who get in try to stop or edit the logging; an edited, deleted or reordered entry
breaks the chain, and `verify_chain` says where. The key makes the chain an HMAC, so a forger
with write access to the table but not to the key cannot rebuild it."""
from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from datetime import datetime

GENESIS = "0" * 64


def entry_hash(key: bytes, previous: str, fields: dict) -> str:
    canonical = json.dumps(fields, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))
    return hmac.new(key, (previous + canonical).encode(), hashlib.sha256).hexdigest()


def verify_chain(key: bytes, entries: Iterable[tuple[str, str, dict]]) -> int | None:
    """Entries as (previous_hash, hash, fields) in order; returns the index of the first bad one."""
    expected_previous = GENESIS
    for i, (previous, digest, fields) in enumerate(entries):
        if previous != expected_previous or not hmac.compare_digest(
                digest, entry_hash(key, previous, fields)):
            return i
        expected_previous = digest
    return None
