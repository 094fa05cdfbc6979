"""Password hashing, the password rule (NIST SP 800-63B: length, not composition) and the
accounts an operator or an administrator keeps: add, disable, enable, reset, revoke; and the
user's own password change (its current password checked and throttled in web/password.py). Every
change is audited in the app's trail, and one that takes access away ends the user's sessions
at once (shared/sessions.py).

A password someone else set (an administrator, the operator) is temporary (ASVS 2.3.1): whoever
set it knows it, so it must not stay the person's password, or the trail's name on a look at a
patient proves nothing. The account carries when it was set (`temporary_password_at`); it signs in
only to choose the person's own password (web/login.py, the "change" stage), and not at all once
TEMPORARY_PASSWORD_HOURS have passed. The person's own change clears it."""
from __future__ import annotations

import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select

from shared import clock
from shared.clock import utcnow
from shared.errors import N_, FieldProblem, Refused, english

_N, _R, _P = 2**14, 8, 1
MIN_LENGTH = 12
MAX_LENGTH = 128
_SPACES = re.compile(r" {2,}")
TEMPORARY_PASSWORD_HOURS = 24  # the default; each app's config.py reads the setting
LIVE, EXPIRED = "live", "expired"
_COMMON = {"password1234", "123456789012", "qwertyuiopas", "prearrival123"}


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(password.encode(), salt=salt, n=_N, r=_R, p=_P)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_password(stored: str, password: str) -> bool:
    try:
        algo, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if algo != "scrypt":
        return False
    candidate = hashlib.scrypt(password.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p))
    return hmac.compare_digest(candidate.hex(), digest)


def password_length(password: str) -> int:
    """The length the rule counts: runs of spaces count as one (ASVS 2.1.1), so twelve spaces are
    not twelve characters, while a passphrase's single spaces count in full."""
    return len(_SPACES.sub(" ", password))


def _weakness(password: str) -> tuple[str, dict] | None:
    """The one password rule (NIST SP 800-63B, ASVS 2.1.1/2.1.2): why it is refused (a msgid and
    its params), or None. At most MAX_LENGTH: a longer one costs scrypt's time and helps nobody."""
    if password_length(password) < MIN_LENGTH:
        return N_("password must be at least %(n)s characters"), {"n": MIN_LENGTH}
    if len(password) > MAX_LENGTH:
        return N_("password must be at most %(n)s characters"), {"n": MAX_LENGTH}
    if password.lower() in _COMMON:
        return N_("password is too common"), {}
    return None


def password_problem(password: str) -> str | None:
    """Why a new password is refused, in English (the demo's seeding), or None."""
    weak = _weakness(password)
    return english(*weak) if weak else None


def temporary_password(user, hours: float) -> str | None:
    """Whether the user's password was set by someone else: None (their own), LIVE (it signs in
    only to choose their own) or EXPIRED (`hours` after it was set: it signs in no more)."""
    set_at = getattr(user, "temporary_password_at", None)
    if set_at is None:
        return None
    return EXPIRED if clock.utcnow() - set_at >= timedelta(hours=hours) else LIVE


# A hash of a random password, checked when the user does not exist (see the sign-in routes).
DUMMY_HASH = hash_password(os.urandom(16).hex())


def refuse_weak(password: str, field: str = "password") -> None:
    """The password rule as a refusal naming the field (`field`), in the catalogue's words."""
    weak = _weakness(password)
    if weak:
        message, params = weak
        raise Refused(400, message, "weak_password", fields=[FieldProblem(field, message, params)], **params)


@dataclass(frozen=True)
class Account:
    """An account as its administrator sees it: who and what role, never a hash, never patient data."""
    username: str
    display_name: str
    role: str
    disabled: bool
    team: str = ""


class Accounts:
    """One app's staff accounts, for an operator (CLI) or an administrator (the admin page).

    `model`: the app's user class (username, display_name, role, password_hash, disabled_at);
    `audit(session, actor, action, username, detail)` writes to the app's trail in the same
    transaction; `end_sessions(user, reason, actor)` ends the user's sessions (and sockets);
    `reset_factors(user_id, actor)` removes the user's second factors, where the app has them."""

    def __init__(self, db, model, roles: tuple[str, ...], audit, end_sessions, reset_factors=None):
        self.db, self.model, self.roles, self.audit = db, model, roles, audit
        self.end_sessions, self.reset_factors_of = end_sessions, reset_factors

    def list(self) -> list[Account]:
        with self.db.read() as s:
            users = s.scalars(select(self.model).order_by(self.model.username)).all()
        return [self._shown(u) for u in users]

    def add(self, username: str, display_name: str, role: str, password: str, actor: str,
            temporary: bool = True, **extra) -> Account:
        """A new account. Its password is temporary unless `temporary` is False (the operator's
        rare --permanent, for a service account): the person chooses their own at first sign-in."""
        username, display_name = username.strip(), display_name.strip()
        if not _USERNAME.fullmatch(username):
            raise Refused(400, N_("a username is 1 to 64 letters, digits, '.', '_' or '-'"), "invalid",
                          fields=[FieldProblem("username", N_("a username is 1 to 64 letters, digits, '.', '_' or '-'"))])
        if not display_name or len(display_name) > 128:
            raise Refused(400, N_("a display name is 1 to 128 characters"), "invalid",
                          fields=[FieldProblem("display_name", N_("a display name is 1 to 128 characters"))])
        self._role(role)
        refuse_weak(password)
        with self.db.transaction() as s:
            if s.scalars(select(self.model).where(self.model.username == username)).first() is not None:
                raise Refused(409, N_("that username is taken"), "conflict")
            user = self.model(username=username, display_name=display_name, role=role,
                              password_hash=hash_password(password),
                              temporary_password_at=utcnow() if temporary else None, **extra)
            s.add(user)
            self.audit(s, actor, "account.add", username, {"role": role, "temporary": temporary})
        return self._shown(user)

    def disable(self, username: str, actor: str) -> int:
        """No more sign-in; every session ends now. The number of sessions ended."""
        user = self._change(username, actor, "account.disable", lambda u: setattr(u, "disabled_at", utcnow()))
        return self.end_sessions(user, "account_disabled", actor)

    def enable(self, username: str, actor: str) -> Account:
        return self._shown(self._change(username, actor, "account.enable", lambda u: setattr(u, "disabled_at", None)))

    def reset_password(self, username: str, password: str, actor: str, temporary: bool = True) -> int:
        """A new password (the rule applies), temporary unless `temporary` is False (as `add`);
        every session ends. The number of sessions ended."""
        refuse_weak(password)
        hashed, set_at = hash_password(password), utcnow() if temporary else None

        def reset(user) -> None:
            user.password_hash, user.temporary_password_at = hashed, set_at
        user = self._change(username, actor, "account.password_reset", reset, {"temporary": temporary})
        return self.end_sessions(user, "password_changed", actor)

    def change_password(self, username: str, current: str, new: str) -> None:
        """The user's own change, once `current` was found right (web/password.py): the rule, and
        not the current one again. Audited by the user; the caller ends their other sessions."""
        refuse_weak(new, "new_password")
        if new == current:
            raise Refused(400, N_("the new password must differ from the current one"), "same_password",
                          fields=[FieldProblem("new_password", N_("the new password must differ from the current one"))])
        hashed = hash_password(new)
        with self.db.transaction() as s:
            user = s.scalars(select(self.model).where(self.model.username == username)).first()
            if user is None:
                raise Refused(404, N_("no such account"), "not_found")
            user.password_hash, user.temporary_password_at = hashed, None  # their own now
            self.audit(s, f"user:{username}", "account.password_change", username, {"actor_role": user.role})

    def reset_factors(self, username: str, actor: str) -> int:
        """Remove the user's second factors (they enrol again at their next sign-in); sessions end."""
        user = self._change(username, actor, "account.factors_reset", lambda u: None)
        if self.reset_factors_of is not None:
            self.reset_factors_of(user.id, actor)
        return self.end_sessions(user, "factor_changed", actor)

    def revoke(self, username: str, actor: str) -> int:
        """End every session of the user now (a lost tablet, a shared screen left signed in)."""
        return self.end_sessions(self.find(username), "revoked", actor)

    def find(self, username: str):
        with self.db.read() as s:
            user = s.scalars(select(self.model).where(self.model.username == username)).first()
        if user is None:
            raise Refused(404, N_("no such account"), "not_found")
        return user

    def _change(self, username: str, actor: str, action: str, change, detail: dict | None = None):
        with self.db.transaction() as s:
            user = s.scalars(select(self.model).where(self.model.username == username)).first()
            if user is None:
                raise Refused(404, N_("no such account"), "not_found")
            change(user)
            self.audit(s, actor, action, username, detail or {})
        return user

    def _role(self, role: str) -> None:
        if role not in self.roles:
            raise Refused(400, N_("role must be one of %(roles)s"), "invalid", roles=", ".join(self.roles),
                          fields=[FieldProblem("role", N_("role must be one of %(roles)s"),
                                               {"roles": ", ".join(self.roles)})])

    @staticmethod
    def _shown(user) -> Account:
        return Account(user.username, user.display_name, user.role, user.disabled_at is not None,
                       getattr(user, "team", "") or "")


_USERNAME = re.compile(r"[A-Za-z0-9._-]{1,64}")
