"""The sign-in throttle's rules and the stores it counts in (web/login.py uses them).

Sign-in is throttled, never locked (NIST SP 800-63B, 5.2.2): a few failures are free, then each
further one makes the next attempt wait twice as long, so guessing stalls while the owner only
waits. A stranger who knows a username can make it wait but not lock it, and cannot slow the
account down where it usually signs in: failures from an address the account signed in from
before are counted apart. Each client address also has its own allowance across all accounts,
against a spray. Each attempt is counted before the password is checked, so parallel guesses
cannot all slip in. docs/security.md, Sign-in."""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass

from shared.errors import Refused


@dataclass(frozen=True)
class Rule:
    """`free` failures within `window_s` cost nothing; after each further one the next attempt
    waits `first_wait_s`, doubled each time, at most `max_wait_s`. `most` failures within the
    window wait until the oldest has aged out (SP 800-63B: no more than 100 in a row)."""
    free: int
    first_wait_s: float
    max_wait_s: float
    window_s: float
    most: int = 100

    def wait(self, times: list[float], now: float) -> float:
        recent = [t for t in times if t > now - self.window_s]
        if len(recent) >= self.most:
            return recent[-self.most] + self.window_s - now
        over = len(recent) - self.free
        if over < 0:
            return 0.0
        return max(0.0, recent[-1] + min(self.first_wait_s * 2 ** over, self.max_wait_s) - now)


# One account, from the places it has not signed in from: 5 free, then 30 s, 1, 2, 4, 8, 15 min...;
# forgotten on success (the rule is about failures in a row) or after a day.
ACCOUNT = Rule(free=5, first_wait_s=30, max_wait_s=15 * 60, window_s=24 * 3600)
# One client address, over every account: a fire HQ's tablets may share one address behind NAT.
ADDRESS = Rule(free=30, first_wait_s=30, max_wait_s=15 * 60, window_s=15 * 60)
# "Who viewed my data" per address: card ids are guessable; 5 wrong in 15 minutes, then 15 minutes.
HISTORY = Rule(free=5, first_wait_s=15 * 60, max_wait_s=15 * 60, window_s=15 * 60)
USUAL_S = 30 * 24 * 3600  # an address the account signed in from within this time is a usual place


class MemoryAttempts:
    """The attempts of one process, by key, each call one step under one lock. For a process
    that has no database of its own to count in; the apps count in theirs (shared/attempts.py),
    so every process of an app shares the counts."""

    MAX_KEYS = 100_000  # a flood of made-up usernames must not grow the process without bound

    def __init__(self):
        self._times: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def take(self, rules: dict[str, Rule], now: float) -> float:
        """The longest wait any key's rule asks for; when none asks, one attempt is counted
        against every key and the answer is 0."""
        with self._lock:
            wait = max(rule.wait(self._times.get(key, []), now) for key, rule in rules.items())
            if wait > 0:
                return wait
            if len(self._times) >= self.MAX_KEYS:
                self._forget_oldest()
            for key, rule in rules.items():
                kept = [t for t in self._times.get(key, []) if t > now - rule.window_s][-rule.most:]
                self._times[key] = kept + [now]
            return 0.0

    def forget(self, key: str, at: float | None = None) -> None:
        """The attempt counted at `at` was no failure after all; without `at`, all of the key's."""
        with self._lock:
            if at is None:
                self._times.pop(key, None)
            elif at in self._times.get(key, []):
                self._times[key].remove(at)

    def note(self, key: str, now: float) -> None:
        with self._lock:
            self._times[key] = [now]

    def noted(self, key: str) -> float | None:
        with self._lock:
            times = self._times.get(key)
            return times[-1] if times else None

    def _forget_oldest(self) -> None:
        by_age = sorted(self._times, key=lambda k: self._times[k][-1] if self._times[k] else 0)
        for key in by_age[: len(by_age) // 2]:
            del self._times[key]


@dataclass
class Attempt:
    """One counted attempt: a failure unless released."""
    store: object  # MemoryAttempts, or shared.attempts.DatabaseAttempts
    keys: list[str]
    at: float

    def release(self, clear: tuple[str, ...] = ()) -> None:
        """Not a failure (a success, or input that was no guess); `clear` forgets those keys' failures."""
        for key in self.keys:
            self.store.forget(key, self.at)
        for key in clear:
            self.store.forget(key)


class Throttle:
    """Failed attempts for one app, under the rules above."""

    def __init__(self, store=None, clock=time.time):
        self.store = store or MemoryAttempts()
        self.clock = clock

    def take(self, rules: dict[str, Rule], message: str) -> Attempt:
        """Count an attempt now, or refuse it (429, `message` with %(minutes)s) while any key must wait."""
        now = self.clock()
        wait = self.store.take(rules, now)
        if wait > 0:
            raise Refused(429, message, "throttled", minutes=math.ceil(wait / 60), retry_after_s=math.ceil(wait))
        return Attempt(self.store, list(rules), now)

    # The address comes first in a key and holds no space, so no username can spell another key.
    def usual(self, username: str, address: str) -> bool:
        last = self.store.noted(f"signed-in:{address} {username}")
        return last is not None and last > self.clock() - USUAL_S

    def remember(self, username: str, address: str) -> None:
        self.store.note(f"signed-in:{address} {username}", self.clock())
