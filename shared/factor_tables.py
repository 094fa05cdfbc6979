"""The columns of the second-factor tables, written once for both apps.

Each app keeps its staff's factors in its own database (the hub's `users`, the hospital's
`staff`), so each declares `Factor` and `FactorChallenge` on its own `Base` with these mixins;
shared/factors.py works on whichever pair it is given."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from shared.clock import utcnow


class FactorColumns:
    """One enrolled factor: a passkey, a TOTP authenticator, or one recovery code.

    Secrets never sit in the clear: a TOTP secret is encrypted with the instance's factor key, a
    recovery code is kept as a scrypt hash, a passkey is only its public key."""
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(Integer, index=True)
    kind: Mapped[str] = mapped_column(String(16))  # passkey | totp | recovery
    label: Mapped[str] = mapped_column(String(64), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]
    credential_id: Mapped[str | None] = mapped_column(String(512), unique=True)  # passkey, base64url
    public_key: Mapped[str | None] = mapped_column(Text)  # passkey: COSE key, base64url
    sign_count: Mapped[int] = mapped_column(default=0)  # passkey: the authenticator's counter
    secret: Mapped[str | None] = mapped_column(Text)  # TOTP: encrypted secret
    last_step: Mapped[int | None]  # TOTP: the last time step accepted; a code is never taken twice
    code_hash: Mapped[str | None] = mapped_column(String(256))  # recovery: scrypt hash of the code
    used_at: Mapped[datetime | None]  # recovery: spent


class ChallengeColumns:
    """A ceremony under way: the passkey challenge, or a TOTP secret not yet confirmed by a code.

    Bound to the session that asked for it and short-lived, so a challenge cannot be carried to
    another session or answered late."""
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_ref: Mapped[str] = mapped_column(String(128), index=True)
    user_id: Mapped[int] = mapped_column(Integer)
    purpose: Mapped[str] = mapped_column(String(16))  # passkey-enrol | passkey-sign-in | totp-enrol
    challenge: Mapped[str] = mapped_column(Text)  # base64url challenge, or the encrypted TOTP secret
    expires_at: Mapped[datetime]
