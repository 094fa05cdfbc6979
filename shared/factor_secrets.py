"""The secrets behind the second factors, apart from the rules that use them (shared/factors.py):
a TOTP secret sealed at rest, which time step a code belongs to, and recovery codes a person can
read off paper."""
from __future__ import annotations

import base64
import os
import re
import secrets

import pyotp
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

TOTP_STEP_S = 30
TOTP_WINDOW = 1  # one step either side: a phone's clock a little off still works
_RECOVERY_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read off paper


def seal(key: bytes, text: str) -> str:
    """Encrypt a TOTP secret at rest (AES-GCM): a copied table or backup gives no codes."""
    nonce = os.urandom(12)
    return base64.urlsafe_b64encode(nonce + AESGCM(key).encrypt(nonce, text.encode(), b"totp")).decode()


def unseal(key: bytes, sealed: str) -> str:
    raw = base64.urlsafe_b64decode(sealed)
    return AESGCM(key).decrypt(raw[:12], raw[12:], b"totp").decode()


def totp_step(secret: str, code: str, now: float) -> int | None:
    """The time step within the window whose code this is, or None."""
    code = re.sub(r"\s", "", code or "")
    if not re.fullmatch(r"\d{6}", code):
        return None
    totp, step = pyotp.TOTP(secret, interval=TOTP_STEP_S), int(now // TOTP_STEP_S)
    for candidate in range(step - TOTP_WINDOW, step + TOTP_WINDOW + 1):
        if secrets.compare_digest(totp.at(candidate * TOTP_STEP_S), code):
            return candidate
    return None


def new_recovery_code() -> str:
    raw = "".join(secrets.choice(_RECOVERY_ALPHABET) for _ in range(12))  # about 59 bits
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def normal_recovery_code(code: str) -> str:
    raw = re.sub(r"[\s-]", "", (code or "").lower())
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}" if len(raw) == 12 else raw
