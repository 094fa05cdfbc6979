"""Session login shared by both apps: one user table shape, one rule.

Failed attempts are counted per account and lock it for a while, so a password spray
against staff accounts stalls; the message never says whether the user exists."""
from __future__ import annotations

import threading
import time
from functools import wraps

from flask import current_app, g, session

from shared.errors import Refused

MAX_FAILS, WINDOW_S = 5, 15 * 60
# A signed-in user is looked up once per few seconds, not on every request: a paramedic's
# tablet sends an update every 15-30 s per patient, and looking the user up each time was a
# large share of the hub's work (docs/performance.md). Accounts are changed only from the
# command line; the change takes effect on running sessions within this time.
USER_CACHE_S = 5.0


class Throttle:
    """Recent failed sign-ins per account, for one app (kept per process)."""

    def __init__(self):
        self._fails: dict[str, list[float]] = {}
        self._lock = threading.Lock()

    def locked(self, username: str) -> bool:
        with self._lock:
            recent = [t for t in self._fails.get(username, []) if t > time.time() - WINDOW_S]
            self._fails[username] = recent
            return len(recent) >= MAX_FAILS

    def failed(self, username: str) -> None:
        with self._lock:
            self._fails.setdefault(username, []).append(time.time())

    def succeeded(self, username: str) -> None:
        with self._lock:
            self._fails.pop(username, None)


def throttle() -> Throttle:
    return current_app.extensions.setdefault("login_throttle", Throttle())


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
        return wrapper
    return decorate
