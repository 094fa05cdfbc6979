"""Sign-in and sessions for both apps: the Flask edge of shared/sessions.py and the throttle.

The cookie carries only a random session id; the session lives in the app's database, so
sign-out, an administrator's revoke, a password or factor change, a disabled account and the
role's idle and absolute timeouts end it at once, for every process, and close its sockets
(web/session_sockets.py). Every request and socket event checks the session again. A session
whose second factor is still due reaches only the factor endpoints (`requires_first_factor`); one
signed in with a temporary password (someone else set it: shared/accounts.py) reaches, after any
second factor, only /api/auth/me, sign-out and the person's own password change (`changing`), and
an expired one does not sign in at all.
Sign-in is throttled, never locked (web/throttle.py), counted in the app's database so every
process shares the counts. The message never says whether the user exists. Every sign-in,
failure, sign-out, timeout and revoke is audited through the app's own trail (`init_app`).
docs/security.md, Sign-in and Sessions."""
from __future__ import annotations

import threading
import time
from functools import wraps

from flask import current_app, g, has_request_context, request, session

from shared import sessions
from shared.accounts import DUMMY_HASH, EXPIRED, LIVE, TEMPORARY_PASSWORD_HOURS, check_password, temporary_password
from shared.attempts import DatabaseAttempts
from shared.errors import N_, Refused
from web.session_sockets import SessionSockets
from web.throttle import ACCOUNT, ADDRESS, HISTORY, USUAL_S, Attempt, MemoryAttempts, Rule, Throttle  # noqa: F401

try:  # the second factors (shared/factors.py): until a policy exists, the password completes sign-in
    from shared.factors import second_factor_needed
except ImportError:
    second_factor_needed = None

ADMIN = "admin"  # manages accounts, sees no patient data: a route must name it to let it in
# A user is looked up once per few seconds, not on every request: a paramedic's tablet sends an
# update every 15-30 s per patient (docs/performance.md). An administrator's change ends the
# user's sessions, which reaches every process within a second (the session is checked anew).
USER_CACHE_S = 5.0
# The session's own lookup is cached this long per process: a revoke elsewhere holds within it.
SESSION_CACHE_S = 1.0


class Login:
    """One app's sessions: its database, how it loads a user, how it audits, its roles' limits."""

    def __init__(self, app, db, load_user, audit, limits: dict[str, sessions.Limits]):
        self.db, self.load_user, self.audit, self.limits = db, load_user, audit, limits
        self.throttle = Throttle(DatabaseAttempts(db))
        self.users = RecentUsers()
        self._recent: dict[str, tuple[float, sessions.Live]] = {}
        self._lock = threading.Lock()
        self.sockets = SessionSockets(app, db, self.limits_of, self._timed_out)

    def limits_of(self, role: str) -> sessions.Limits:
        return self.limits.get(role, sessions.DEFAULT_LIMITS)

    def check(self, session_id: str) -> sessions.Live | None:
        now = time.monotonic()
        with self._lock:
            hit = self._recent.get(session_id)
        if hit and hit[0] > now:
            return hit[1]
        found = sessions.check(self.db, session_id, self.limits_of)
        if isinstance(found, sessions.Live):
            with self._lock:
                if len(self._recent) > 10_000:
                    self._recent.clear()
                self._recent[session_id] = (now + SESSION_CACHE_S, found)
            return found
        self.forget_recent()
        if isinstance(found, sessions.Ended) and found.now:
            self._timed_out(found.key, found.reason)
            self.sockets.disconnect([found.key])
        return None

    def forget_recent(self) -> None:
        with self._lock:
            self._recent.clear()

    def end_for_user(self, user, reason: str, keep: str | None = None, actor: str | None = None) -> int:
        """End a user's sessions (but `keep`) and close their sockets; audited when any ended."""
        keys = sessions.end_for_user(self.db, user.id, reason, keep)
        self.forget_recent()
        self.users.forget(user.id)
        self.sockets.disconnect(keys)
        if keys:
            self.audit("auth.revoked", user.username, user.role,
                       {"reason": reason, "sessions": len(keys), **({"by": actor} if actor else {})})
        return len(keys)

    def _timed_out(self, key: str, reason: str) -> None:
        user_id = sessions.user_of(self.db, key)
        user = self.load_user(user_id) if user_id is not None else None
        if user is not None:
            self.audit("auth.timeout", user.username, user.role, {"reason": reason})


def init_app(app, db, load_user, audit) -> Login:
    """Give the app server-side sessions. `audit(action, username, role, detail)` writes to the
    app's trail; `load_user(id)` finds a user (with .id, .username, .role, .disabled_at)."""
    limits = app.config.get("SESSION_LIMITS") or {}
    app.extensions["login"] = Login(app, db, load_user, audit, limits)
    return app.extensions["login"]


def state() -> Login:
    return current_app.extensions["login"]


def throttle() -> Throttle:
    login = current_app.extensions.get("login")
    return login.throttle if login else current_app.extensions.setdefault("login_throttle", Throttle())


def check_sign_in(username: str, password: str, find_user):
    """The user `find_user(username)` whose password this is; 401 if it is not (or the account is
    disabled: the same answer, so the answer tells a guesser nothing), 429 while throttled."""
    address = request.remote_addr or ""
    attempt, account = password_attempt(username)
    user = find_user(username)
    # An unknown user costs the same scrypt as a wrong password: timing tells nothing.
    right = check_password(user.password_hash if user else DUMMY_HASH, password) and user is not None
    if not right or getattr(user, "disabled_at", None) is not None:
        _audit("auth.failed" if not right else "auth.disabled_refused", username[:64],
               user.role if user else "", {"address": address})
        raise Refused(401, "wrong username or password", "bad_credentials")
    if temporary_password(user, _temporary_hours()) == EXPIRED:
        # Counted as a failure (the attempt is not released): it is no longer a way in, and the
        # message says what to do, which only someone who knew the password learns.
        _audit("auth.password_expired", user.username, user.role, {"address": address})
        raise Refused(401, N_("this temporary password has expired; ask your administrator for a new one"),
                      "password_expired")
    attempt.release(clear=(account,))
    throttle().remember(username, address)
    return user


def _temporary_hours() -> float:
    return float(current_app.config.get("TEMPORARY_PASSWORD_HOURS") or TEMPORARY_PASSWORD_HOURS)


def must_change_password(user=None) -> bool:
    """Whether the person must choose their own password before anything else: at sign-in, of
    `user` just signed in (their password is a live temporary one); else of this request's session."""
    if user is not None:
        return temporary_password(user, _temporary_hours()) == LIVE
    live = g.get("session")
    return live is not None and live.stage == sessions.CHANGE


def password_attempt(username: str) -> tuple[Attempt, str]:
    """One password tried for `username` from this request's address, counted as sign-in counts
    it (429 while throttled): the Attempt (a failure unless released), and the account's key,
    whose failures a right password clears. Also for a signed-in user's password change: a
    stolen session must not be a way round the sign-in's throttle (web/password.py)."""
    address = request.remote_addr or ""
    throttled = throttle()
    account = f"account-at:{address} {username}" if throttled.usual(username, address) else f"account:{username}"
    attempt = throttled.take({account: ACCOUNT, f"address:{address}": ADDRESS},
                             N_("too many failed attempts; try again in %(minutes)s min"))
    return attempt, account


def start_session(user) -> str:
    """Sign `user` in: a new session, the cookie carrying its id. The stage it starts at
    ("password" when a second factor is due, else "change" when the password is temporary, else
    "complete") is returned."""
    login = state()
    previous = session.get("sid")
    if isinstance(previous, str):  # a cookie from before: never carried into the new session
        found = login.check(previous)
        if found is not None and sessions.end(login.db, found.key, sessions.SIGNED_OUT):
            login.forget_recent()  # the old cookie stops working at once here too, as at sign-out
            login.sockets.disconnect([found.key])
    policy = current_app.config.get("SECOND_FACTOR_POLICY")  # set where second factors are configured
    needed = second_factor_needed is not None and policy is not None and second_factor_needed(user, policy)
    stage = (sessions.PASSWORD if needed else sessions.CHANGE if must_change_password(user)
             else sessions.COMPLETE)
    session_id = sessions.start(login.db, user.id, user.role, stage, login.limits_of(user.role))
    session.clear()
    session.permanent = True
    session["sid"] = session_id
    login.audit("auth.login", user.username, user.role, {"stage": stage, "address": request.remote_addr or ""})
    return stage


def sign_out() -> None:
    """End this request's session (at any stage), close its sockets, clear the cookie."""
    login, session_id = state(), session.get("sid")
    session.clear()
    if not isinstance(session_id, str):
        return
    found = login.check(session_id)
    if found is None or not sessions.end(login.db, found.key, sessions.SIGNED_OUT):
        return
    login.forget_recent()
    login.sockets.disconnect([found.key])
    user = login.load_user(found.user_id)
    if user is not None:
        login.audit("auth.logout", user.username, user.role, {})


def current_session() -> sessions.Live | None:
    """This request's or socket's live session, at any stage, or None."""
    session_id = session.get("sid")
    return state().check(session_id) if isinstance(session_id, str) else None


def current_user(load_user=None, first_factor: bool = False, changing: bool = False):
    """The signed-in user of this request or socket event, or None: a live session, complete
    (or only past the password, with `first_factor`; or owing its own password, with `changing`),
    of a user still enabled in the same role."""
    live = current_session()
    if live is None or not (live.complete or (first_factor and live.stage == sessions.PASSWORD)
                            or (changing and live.stage == sessions.CHANGE)):
        return None
    login = state()
    user = login.users.get(live.user_id, load_user or login.load_user)
    if user is None or getattr(user, "disabled_at", None) is not None or user.role != live.role:
        return None
    g.session = live
    return user


def requires(*roles: str, load_user=None, admin: bool = False, changing: bool = False):
    """Decorator factory: 401 without a complete session, 403 for the wrong role; sets g.user and
    g.session. No roles: any role but the administrator's, unless `admin`. `changing`: a session
    owing its own password (temporary) too: for /api/auth/me and the password change only."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user(load_user, changing=changing)
            if user is None:
                raise Refused(401, "sign in first", "unauthenticated")
            if (roles and user.role not in roles) or (not roles and user.role == ADMIN and not admin):
                raise Refused(403, "your role may not do this", "forbidden")
            g.user = user
            return view(*args, **kwargs)
        wrapper.roles = roles  # the API document lists 403 where a role is required
        return wrapper
    return decorate


def requires_first_factor(load_user=None):
    """For the second-factor endpoints only: a session past the password, owing its factor or
    complete (one owing its own password has shown its factor already)."""
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user(load_user, first_factor=True)
            if user is None:
                raise Refused(401, "sign in first", "unauthenticated")
            g.user = user
            return view(*args, **kwargs)
        wrapper.roles = ()
        return wrapper
    return decorate


def complete_second_factor() -> None:
    """The second factor checked out: this request's session reaches the application, or, when
    the password was temporary, its own change first (the mark read afresh, not from the cache)."""
    login = state()
    stage = sessions.CHANGE if must_change_password(login.load_user(g.user.id)) else sessions.COMPLETE
    if sessions.complete(login.db, g.session.key, stage):
        login.forget_recent()
        login.audit("auth.second_factor", g.user.username, g.user.role, {})


def complete_password_change() -> None:
    """The person chose their own password in place of a temporary one: the session reaches the
    application now (the sign-in and any factor are behind it)."""
    login = state()
    if sessions.complete(login.db, g.session.key):
        login.forget_recent()
        login.users.forget(g.user.id)


def end_other_sessions(reason: str) -> int:
    """After the user changed a password or a factor: every other session of theirs ends."""
    return state().end_for_user(g.user, reason, keep=g.session.key)


def end_user_sessions(user, reason: str, actor: str | None = None) -> int:
    """An administrator's revoke, a reset or a disabled account: all the user's sessions end."""
    return state().end_for_user(user, reason, actor=actor)


def track_socket() -> None:
    """At a socket's connect, after current_user: the socket closes when its session ends."""
    state().sockets.track(g.session.key, request.sid, request.namespace)


def untrack_socket() -> None:
    state().sockets.untrack(request.sid)


def _audit(action: str, username: str, role: str, detail: dict) -> None:
    login = current_app.extensions.get("login")
    if login is not None and has_request_context():
        login.audit(action, username, role, detail)


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

    def forget(self, uid: int) -> None:
        with self._lock:
            self._users.pop(uid, None)
