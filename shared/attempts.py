"""Sign-in attempt counts in the database, so every process of an app counts the same failures.

Kept in one process's memory, the throttle let a guesser spread guesses over several hub
processes and start afresh after a restart. Each call is one transaction that holds the keys it
counts: on PostgreSQL an advisory lock per key (taken in one order, so two calls never wait on
each other in a circle), on SQLite the one write lock that a write transaction takes at BEGIN.
So twenty guesses sent at once to two processes still meet one limit. The rules themselves (how
many are free, how long each wait) are the caller's (web/login.py, Rule)."""
from __future__ import annotations

import hashlib
import random

from sqlalchemy import Column, Float, Integer, MetaData, String, Table, delete, func, select, text

from shared.storage import Database

metadata = MetaData()
attempts = Table(
    "sign_in_attempts", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("key", String(200), nullable=False),
    Column("at", Float, nullable=False),  # epoch seconds: the rules count in seconds
)

NOTED = "signed-in:"  # keys that remember where an account signed in: kept for a month, not a day
NOTED_KEEP_S = 31 * 24 * 3600
COUNTED_KEEP_S = 24 * 3600  # no rule looks further back than a day


def _lock_id(key: str) -> int:
    return int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)


class DatabaseAttempts:
    """The store web/login.py's Throttle counts in: take, forget, note, noted (as MemoryAttempts)."""

    def __init__(self, db: Database):
        self.db = db

    def take(self, rules: dict, now: float) -> float:
        """The longest wait any key's rule asks for; when none asks, one attempt is counted
        against every key and the answer is 0."""
        keys = sorted(k[:200] for k in rules)
        with self.db.transaction() as s:
            if self.db.is_postgres:
                for key in keys:
                    s.execute(text("SELECT pg_advisory_xact_lock(:id)"), {"id": _lock_id(key)})
            longest = max(rule.window_s for rule in rules.values())
            rows = s.execute(select(attempts.c.key, attempts.c.at)
                             .where(attempts.c.key.in_(keys), attempts.c.at > now - longest)
                             .order_by(attempts.c.at)).all()
            times: dict[str, list[float]] = {}
            for key, at in rows:
                times.setdefault(key, []).append(at)
            wait = max(rule.wait(times.get(key[:200], []), now) for key, rule in rules.items())
            if wait > 0:
                return wait
            s.execute(attempts.insert(), [{"key": key, "at": now} for key in keys])
            if random.random() < 0.01:  # now and then, whatever no rule can see any more
                s.execute(delete(attempts).where(attempts.c.at < now - COUNTED_KEEP_S,
                                                 ~attempts.c.key.startswith(NOTED)))
                s.execute(delete(attempts).where(attempts.c.at < now - NOTED_KEEP_S))
            return 0.0

    def forget(self, key: str, at: float | None = None) -> None:
        """The attempt counted at `at` was no failure after all; without `at`, all of the key's."""
        with self.db.transaction() as s:
            if at is None:
                s.execute(delete(attempts).where(attempts.c.key == key[:200]))
                return
            one = s.scalars(select(attempts.c.id).where(attempts.c.key == key[:200], attempts.c.at == at)
                            .limit(1)).first()
            if one is not None:
                s.execute(delete(attempts).where(attempts.c.id == one))

    def note(self, key: str, now: float) -> None:
        with self.db.transaction() as s:
            s.execute(delete(attempts).where(attempts.c.key == key[:200]))
            s.execute(attempts.insert().values(key=key[:200], at=now))

    def noted(self, key: str) -> float | None:
        with self.db.read() as s:
            return s.scalar(select(func.max(attempts.c.at)).where(attempts.c.key == key[:200]))
