"""Session login shared by both apps: one user table shape, one rule.

Failed attempts are counted per account and lock it for a while, so a password spray
against staff accounts stalls; the message never says whether the user exists."""
from __future__ import annotations

import threading
import time
from functools import wraps

from flask import current_app, g, session

from web.http import ApiError

MAX_FAILS, WINDOW_S = 5, 15 * 60


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


def requires(*roles: str, load_user):
    """Decorator factory: 401 without a session, 403 for the wrong role; sets g.user."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            uid = session.get("uid")
            user = load_user(uid) if uid is not None else None
            if user is None:
                raise ApiError(401, "sign in first / ログインしてください", "unauthenticated")
            if roles and user.role not in roles:
                raise ApiError(403, "your role may not do this / この操作の権限がありません", "forbidden")
            g.user = user
            return view(*args, **kwargs)
        return wrapper
    return decorate
