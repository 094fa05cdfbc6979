"""How a hospital gateway proves who it is to the hub: a private-key JWT (RFC 7523 style).

No shared secret crosses the wire or sits in the hub's database: the hub holds only the
hospital's public key, enrolled out of band. Each assertion lives a minute and is used once."""
from __future__ import annotations

import time
import uuid

import jwt

from shared.tokens.keys import ALGORITHM, KeyStore

ASSERTION_TYP = "hospital-assertion+jwt"
MAX_LIFETIME_S = 120


class AssertionError_(Exception):
    """The presenter could not prove it is the hospital it claims to be."""


def make_assertion(keys: KeyStore, *, hospital_id: str, audience: str, lifetime_s: int = 60) -> str:
    now = int(time.time())
    claims = {"iss": hospital_id, "sub": hospital_id, "aud": audience, "iat": now,
              "exp": now + lifetime_s, "jti": uuid.uuid4().hex}
    return jwt.encode(claims, keys.private_key, algorithm=ALGORITHM,
                      headers={"typ": ASSERTION_TYP, "kid": keys.kid})


def claimed_hospital(token: str) -> tuple[str, str]:
    """(hospital, kid) an assertion claims to come from, to look up its key (not yet trusted)."""
    try:
        header = jwt.get_unverified_header(token)
        if header.get("typ") != ASSERTION_TYP:
            raise AssertionError_("not a hospital assertion (wrong typ)")
        sub = jwt.decode(token, options={"verify_signature": False}).get("sub")
    except jwt.PyJWTError as e:
        raise AssertionError_(f"malformed assertion: {e}") from None
    if not isinstance(sub, str) or not sub:
        raise AssertionError_("assertion names no hospital")
    return sub, str(header.get("kid", ""))


def verify_assertion(token: str, public_key, *, hospital_id: str, audience: str) -> dict:
    try:
        data = jwt.decode(token, public_key, algorithms=[ALGORITHM], audience=audience,
                          issuer=hospital_id, options={"require": ["iss", "sub", "aud", "iat", "exp", "jti"]})
    except jwt.PyJWTError as e:
        raise AssertionError_(f"invalid assertion: {e}") from None
    if not all(isinstance(data[k], int) for k in ("iat", "exp")) or not isinstance(data["jti"], str) \
            or len(data["jti"]) > 128:
        raise AssertionError_("assertion iat/exp must be numbers and jti a short string")
    if data["sub"] != hospital_id or data["exp"] - data["iat"] > MAX_LIFETIME_S:
        raise AssertionError_("assertion subject or lifetime not acceptable")
    return data
