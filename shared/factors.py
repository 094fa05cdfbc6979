"""Second factors for staff sign-in: passkeys first, TOTP as the fallback, recovery codes last.

The ministry's guideline (6.0) expects two-factor sign-in from FY2027 and follows NIST SP
800-63B: a password alone is what ransomware crews walk in with. A passkey (WebAuthn) cannot be
phished and needs nothing typed; TOTP (RFC 6238) works on any phone; ten single-use recovery codes,
shown once, get a person in whose phone is lost. Who must have one is a policy: physicians,
privacy officers and analysts always, everyone else where the organisation says so.

Flask-free: web/factors.py is the edge. Every rule that could be raced (a TOTP code, a recovery
code, a passkey's counter) is settled by one conditional UPDATE, so two processes cannot both
accept the same proof. docs/security.md, Second factor."""
from __future__ import annotations

import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlalchemy import delete, select, update

from shared import passkeys
from shared.accounts import check_password, hash_password
from shared.clock import utcnow
from shared.errors import Refused
from shared.factor_policy import MANDATORY_ROLES, Policy, required, second_factor_needed  # noqa: F401
from shared.factor_secrets import new_recovery_code, normal_recovery_code, seal, totp_step, unseal  # noqa: F401
from shared.storage import Database

PASSKEY, TOTP, RECOVERY = "passkey", "totp", "recovery"
RECOVERY_CODES = 10
CEREMONY_S = 5 * 60  # a challenge or a TOTP secret not confirmed within this is gone
# A change to one's factors (add, remove, new recovery codes) needs the sign-in or a factor shown
# again within this (ASVS 2/3: re-authentication for sensitive actions): an unlocked tablet left
# on a counter must not let a passer-by add their own phone.
REAUTH_S = 5 * 60


@dataclass(frozen=True)
class Shown:
    """A factor as its owner sees it in the list: never a secret."""
    id: int
    kind: str
    label: str
    created_at: datetime
    last_used_at: datetime | None


Audit = Callable[[object, int, str, dict], None]  # (db session, user id, action, detail), in the caller's transaction


class Factors:
    """One app's factors: its database, its two tables, its key for sealed secrets and its trail.
    `clock` gives seconds since the epoch (the TOTP steps)."""

    def __init__(self, db: Database, factor, challenge, key: bytes, audit: Audit, clock=time.time):
        self.db, self.Factor, self.Challenge, self.key = db, factor, challenge, key
        self.audit, self.clock = audit, clock

    # -- what a user has --------------------------------------------------------------------

    def shown(self, user_id: int) -> list[Shown]:
        with self.db.read() as s:
            rows = s.scalars(select(self.Factor).where(self.Factor.user_id == user_id, self.Factor.kind != RECOVERY)
                             .order_by(self.Factor.id))
            return [Shown(f.id, f.kind, f.label, f.created_at, f.last_used_at) for f in rows]

    def enrolled(self, user_id: int) -> bool:
        """A passkey or a TOTP: recovery codes alone are no factor to sign in with day to day."""
        with self.db.read() as s:
            return s.scalars(select(self.Factor.id).where(self.Factor.user_id == user_id,
                                                          self.Factor.kind != RECOVERY).limit(1)).first() is not None

    def recovery_left(self, user_id: int) -> int:
        with self.db.read() as s:
            return len(list(s.scalars(select(self.Factor.id).where(
                self.Factor.user_id == user_id, self.Factor.kind == RECOVERY, self.Factor.used_at.is_(None)))))

    def remove(self, user_id: int, factor_id: int, keep_one: bool) -> None:
        """Remove one's own passkey or TOTP; `keep_one`: the policy requires a factor, so the last
        one stays until another is enrolled."""
        with self.db.transaction() as s:
            row = s.get(self.Factor, factor_id)
            if row is None or row.user_id != user_id or row.kind == RECOVERY:
                raise Refused(404, "no such factor", "not_found")
            others = s.scalars(select(self.Factor.id).where(self.Factor.user_id == user_id, self.Factor.kind != RECOVERY,
                                                            self.Factor.id != factor_id).limit(1)).first()
            if keep_one and others is None:
                raise Refused(409, "your role needs a second factor: enrol another before removing the last one",
                              "last_factor")
            s.delete(row)
            if others is None:  # no factor left: its recovery codes would be a factor of their own
                s.execute(delete(self.Factor).where(self.Factor.user_id == user_id, self.Factor.kind == RECOVERY))
            self.audit(s, user_id, "factor.removed", {"kind": row.kind, "label": row.label})

    def failed(self, user_id: int, kind: str) -> None:
        """A second factor refused at sign-in: on the trail, so a run of them is seen."""
        with self.db.transaction() as s:
            self.audit(s, user_id, "factor.failed", {"kind": kind})

    def reset(self, user_id: int, by: str) -> int:
        """An operator's reset (a lost phone and no recovery code): every factor goes."""
        with self.db.transaction() as s:
            gone = s.execute(delete(self.Factor).where(self.Factor.user_id == user_id)).rowcount
            s.execute(delete(self.Challenge).where(self.Challenge.user_id == user_id))
            self.audit(s, user_id, "factor.reset", {"by": by, "removed": gone})
        return gone

    # -- re-authentication: a change to one's factors needs a recent proof ------------------

    def reauthenticated(self, session_ref: str, user_id: int, kind: str, lasts_s: float = REAUTH_S) -> None:
        """The signed-in user (`session_ref`: their sign-in) just showed a factor again (or, with none
        enrolled, the password): changes to their factors are allowed for a few minutes (`fresh`)."""
        with self.db.transaction() as s:
            self._begin(s, session_ref, user_id, "reauth", kind, lasts_s)
            self.audit(s, user_id, "factor.reauthenticated", {"kind": kind})

    def fresh(self, session_ref: str, user_id: int) -> bool:
        with self.db.read() as s:
            return s.scalars(select(self.Challenge.id).where(
                self.Challenge.session_ref == session_ref, self.Challenge.user_id == user_id,
                self.Challenge.purpose == "reauth", self.Challenge.expires_at > utcnow()).limit(1)).first() is not None

    # -- ceremonies, bound to the session that began them -----------------------------------

    def _begin(self, s, session_ref: str, user_id: int, purpose: str, value: str, lasts_s: float = CEREMONY_S) -> None:
        s.execute(delete(self.Challenge).where(self.Challenge.session_ref == session_ref,
                                               self.Challenge.purpose == purpose))
        s.execute(delete(self.Challenge).where(self.Challenge.expires_at < utcnow()))
        s.add(self.Challenge(id=secrets.token_urlsafe(24), session_ref=session_ref, user_id=user_id,
                             purpose=purpose, challenge=value,
                             expires_at=utcnow() + timedelta(seconds=lasts_s)))

    def _take(self, s, session_ref: str, user_id: int, purpose: str) -> str:
        """The ceremony's value, used up: a challenge is answered once."""
        row = s.scalars(select(self.Challenge).where(self.Challenge.session_ref == session_ref,
                                                     self.Challenge.purpose == purpose)).first()
        if row is None or row.user_id != user_id or row.expires_at < utcnow():
            raise Refused(400, "that step has expired; start it again", "ceremony_expired")
        s.delete(row)
        return row.challenge

    # -- TOTP ---------------------------------------------------------------------------------

    def begin_totp(self, session_ref: str, user_id: int, account: str, issuer: str) -> tuple[str, str]:
        """A new secret, kept (sealed) until a code from it confirms it -> (secret, otpauth URI)."""
        secret = pyotp.random_base32()
        with self.db.transaction() as s:
            self._begin(s, session_ref, user_id, "totp-enrol", seal(self.key, secret))
        return secret, pyotp.TOTP(secret).provisioning_uri(name=account, issuer_name=issuer)

    def confirm_totp(self, session_ref: str, user_id: int, code: str, label: str,
                     replaces: int | None = None) -> list[str]:
        """Enrol the pending TOTP once a code from it is right; the answer is a fresh set of
        recovery codes when the user had none (shown once, only here). `replaces`: the user's
        TOTP the new one takes the place of (a new phone), removed in the same transaction, so the
        account is never left without one."""
        with self.db.transaction() as s:
            old = s.get(self.Factor, replaces) if replaces is not None else None
            if replaces is not None and (old is None or old.user_id != user_id or old.kind != TOTP):
                raise Refused(404, "no such factor", "not_found")
            sealed = self._take(s, session_ref, user_id, "totp-enrol")
            step = totp_step(unseal(self.key, sealed), code, self.clock())
            if step is None:
                self._begin(s, session_ref, user_id, "totp-enrol", sealed)  # a typo may try again
                raise Refused(400, "that code is not right; check the time on the phone and try again", "bad_code")
            s.add(self.Factor(user_id=user_id, kind=TOTP, label=label[:64] or "TOTP", secret=sealed, last_step=step))
            self.audit(s, user_id, "factor.enrolled", {"kind": TOTP})
            if old is not None:
                s.delete(old)
                self.audit(s, user_id, "factor.removed", {"kind": TOTP, "label": old.label, "replaced": True})
            return self._recovery_if_none(s, user_id)

    def add_totp(self, user_id: int, secret: str, label: str, by: str) -> None:
        """An operator's enrolment on a person's behalf (the demo accounts): the secret reaches the
        person out of band, and their first code is the proof from then on."""
        with self.db.transaction() as s:
            s.add(self.Factor(user_id=user_id, kind=TOTP, label=label[:64], secret=seal(self.key, secret)))
            self.audit(s, user_id, "factor.enrolled", {"kind": TOTP, "by": by})

    def verify_totp(self, user_id: int, code: str) -> bool:
        """True for a right code from a step later than any accepted before (never the same twice)."""
        with self.db.read() as s:
            rows = list(s.scalars(select(self.Factor).where(self.Factor.user_id == user_id, self.Factor.kind == TOTP)))
        for row in rows:
            step = totp_step(unseal(self.key, row.secret), code, self.clock())
            if step is None:
                continue
            with self.db.transaction() as s:
                took = s.execute(update(self.Factor).where(
                    self.Factor.id == row.id, (self.Factor.last_step.is_(None)) | (self.Factor.last_step < step))
                    .values(last_step=step, last_used_at=utcnow())).rowcount
                if took:
                    self.audit(s, user_id, "factor.used", {"kind": TOTP})
                    return True
        return False

    # -- recovery codes ------------------------------------------------------------------------

    def _recovery_if_none(self, s, user_id: int) -> list[str]:
        left = s.scalars(select(self.Factor.id).where(self.Factor.user_id == user_id, self.Factor.kind == RECOVERY,
                                                      self.Factor.used_at.is_(None)).limit(1)).first()
        return [] if left is not None else self._new_recovery(s, user_id)

    def _new_recovery(self, s, user_id: int) -> list[str]:
        s.execute(delete(self.Factor).where(self.Factor.user_id == user_id, self.Factor.kind == RECOVERY))
        codes = [new_recovery_code() for _ in range(RECOVERY_CODES)]
        for code in codes:
            s.add(self.Factor(user_id=user_id, kind=RECOVERY, label="", code_hash=hash_password(code)))
        self.audit(s, user_id, "factor.recovery_codes_issued", {"count": len(codes)})
        return codes

    def new_recovery_codes(self, user_id: int) -> list[str]:
        """Ten new codes; the old ones stop working."""
        with self.db.transaction() as s:
            return self._new_recovery(s, user_id)

    def use_recovery_code(self, user_id: int, code: str) -> bool:
        code = normal_recovery_code(code)
        with self.db.read() as s:
            rows = list(s.scalars(select(self.Factor).where(self.Factor.user_id == user_id, self.Factor.kind == RECOVERY,
                                                            self.Factor.used_at.is_(None))))
        for row in rows:
            if check_password(row.code_hash, code):
                with self.db.transaction() as s:
                    took = s.execute(update(self.Factor).where(self.Factor.id == row.id, self.Factor.used_at.is_(None))
                                     .values(used_at=utcnow(), last_used_at=utcnow())).rowcount
                    if took:
                        self.audit(s, user_id, "factor.used", {"kind": RECOVERY})
                    return bool(took)
        return False

    # -- passkeys ------------------------------------------------------------------------------

    def begin_passkey(self, session_ref: str, user_id: int, username: str, display: str, rp: passkeys.Rp) -> dict:
        """Registration options for navigator.credentials.create()."""
        with self.db.transaction() as s:
            known = list(s.scalars(select(self.Factor.credential_id).where(
                self.Factor.user_id == user_id, self.Factor.kind == PASSKEY)))
            options, challenge = passkeys.registration_options(rp, user_id, username, display, known)
            self._begin(s, session_ref, user_id, "passkey-enrol", challenge)
        return options

    def finish_passkey(self, session_ref: str, user_id: int, credential: dict, rp: passkeys.Rp,
                       label: str) -> list[str]:
        with self.db.transaction() as s:
            challenge = self._take(s, session_ref, user_id, "passkey-enrol")
        made = passkeys.verify_registration(rp, credential, challenge)
        with self.db.transaction() as s:
            if s.scalars(select(self.Factor.id).where(self.Factor.credential_id == made.credential_id)).first():
                raise Refused(409, "this passkey is already enrolled", "duplicate")
            s.add(self.Factor(user_id=user_id, kind=PASSKEY, label=label[:64] or "passkey",
                              credential_id=made.credential_id, public_key=made.public_key, sign_count=made.sign_count))
            self.audit(s, user_id, "factor.enrolled", {"kind": PASSKEY})
            return self._recovery_if_none(s, user_id)

    def begin_passkey_sign_in(self, session_ref: str, user_id: int, rp: passkeys.Rp) -> dict:
        """Authentication options for navigator.credentials.get(), naming this user's passkeys."""
        with self.db.transaction() as s:
            known = list(s.scalars(select(self.Factor.credential_id).where(
                self.Factor.user_id == user_id, self.Factor.kind == PASSKEY)))
            if not known:
                raise Refused(409, "no passkey is enrolled for this account", "no_passkey")
            options, challenge = passkeys.authentication_options(rp, known)
            self._begin(s, session_ref, user_id, "passkey-sign-in", challenge)
        return options

    def verify_passkey(self, session_ref: str, user_id: int, credential: dict, rp: passkeys.Rp) -> bool:
        with self.db.transaction() as s:
            challenge = self._take(s, session_ref, user_id, "passkey-sign-in")
        with self.db.read() as s:
            row = s.scalars(select(self.Factor).where(self.Factor.user_id == user_id, self.Factor.kind == PASSKEY,
                                                      self.Factor.credential_id == passkeys.credential_id_of(credential))
                            ).first()
        if row is None:
            return False
        count = passkeys.verify_authentication(rp, credential, challenge, row.public_key, row.sign_count)
        if count is None:
            return False
        with self.db.transaction() as s:
            # The counter only moves forward; a cloned authenticator replaying an old count loses here.
            took = s.execute(update(self.Factor).where(self.Factor.id == row.id, self.Factor.sign_count == row.sign_count)
                             .values(sign_count=count, last_used_at=utcnow())).rowcount
            if took:
                self.audit(s, user_id, "factor.used", {"kind": PASSKEY})
        return bool(took)
