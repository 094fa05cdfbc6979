"""Session login shared by both apps: one user table shape, one rule.

Sign-in is throttled, never locked (NIST SP 800-63B, 5.2.2): a few failures are free, then each
further one makes the next attempt wait twice as long, so guessing stalls while the owner only
waits. A stranger who knows a username can make it wait but not lock it, and cannot slow the
account down where it usually signs in: failures from an address the account signed in from
before are counted apart. Each client address also has its own allowance across all accounts,
against a spray. Each attempt is counted before the password is checked, so parallel guesses
cannot all slip in. The message never says whether the user exists. docs/security.md, Sign-in."""
from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass
from functools import wraps

from flask import current_app, g, request, session

from shared.accounts import DUMMY_HASH, check_password
from shared.errors import N_, Refused

# A signed-in user is looked up once per few seconds, not on every request: a paramedic's
# tablet sends an update every 15-30 s per patient, and looking the user up each time was a
# large share of the hub's work (docs/performance.md). Accounts are changed only from the
# command line; the change takes effect on running sessions within this time.
USER_CACHE_S = 5.0


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
    """The attempts of one process, by key. Each call is one step under one lock: the database
    (a transaction per call) or Redis (a script per call) can take its place when several
    processes must share the counts (docs/security.md, Known limits)."""

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
    store: MemoryAttempts
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

    def __init__(self, store: MemoryAttempts | None = None, clock=time.time):
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


def throttle() -> Throttle:
    return current_app.extensions.setdefault("login_throttle", Throttle())


def check_sign_in(username: str, password: str, find_user):
    """The user `find_user(username)` whose password this is; 401 if it is not, 429 while throttled."""
    address = request.remote_addr or ""
    throttled = throttle()
    account = f"account-at:{address} {username}" if throttled.usual(username, address) else f"account:{username}"
    attempt = throttled.take({account: ACCOUNT, f"address:{address}": ADDRESS},
                             N_("too many failed attempts; try again in %(minutes)s min"))
    user = find_user(username)
    # An unknown user costs the same scrypt as a wrong password: timing tells nothing.
    if not check_password(user.password_hash if user else DUMMY_HASH, password) or user is None:
        raise Refused(401, "wrong username or password", "bad_credentials")
    attempt.release(clear=(account,))
    throttled.remember(username, address)
    return user


def start_session(user_id: int, role: str) -> None:
    session.clear()
    session.permanent = True
    session["uid"] = user_id
    session["role"] = role


class RecentUsers:
    """Users loaded in the last USER_CACHE_S seconds, per app (each app has its own ids)."""

    def __init__(self):
        self._users: dict[int, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def get(self, uid: int, load_user):
        now = time.monotonic()
        with self._lock:
            hit = self._users.get(uid)
        if hit and hit[0] > now:
            return hit[1]
        user = load_user(uid)
        with self._lock:
            if len(self._users) > 10_000:
                self._users.clear()
            if user is not None:
                self._users[uid] = (now + USER_CACHE_S, user)
        return user


def current_user(load_user):
    """The signed-in user of this request or socket event, or None."""
    uid = session.get("uid")
    if uid is None:
        return None
    return current_app.extensions.setdefault("recent_users", RecentUsers()).get(uid, load_user)


def requires(*roles: str, load_user):
    """Decorator factory: 401 without a session, 403 for the wrong role; sets g.user."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user(load_user)
            if user is None:
                raise Refused(401, "sign in first", "unauthenticated")
            if roles and user.role not in roles:
                raise Refused(403, "your role may not do this", "forbidden")
            g.user = user
            return view(*args, **kwargs)
        wrapper.roles = roles  # the API document lists 403 where a role is required
        return wrapper
    return decorate
