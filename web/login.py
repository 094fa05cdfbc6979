"""Session login shared by both apps: one user table shape, one rule.

Failed attempts are counted per account and lock it for a while, so a password spray
against staff accounts stalls; the message never says whether the user exists."""
from __future__ import annotations

import threading
import time
from functools import wraps

from flask import g, session

from web.http import ApiError

_FAILS: dict[str, list[float]] = {}
_LOCK = threading.Lock()
MAX_FAILS, WINDOW_S = 5, 15 * 60


def too_many_failures(username: str) -> bool:
    with _LOCK:
        recent = [t for t in _FAILS.get(username, []) if t > time.time() - WINDOW_S]
        _FAILS[username] = recent
        return len(recent) >= MAX_FAILS


def note_failure(username: str) -> None:
    with _LOCK:
        _FAILS.setdefault(username, []).append(time.time())


def note_success(username: str) -> None:
    with _LOCK:
        _FAILS.pop(username, None)


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
