"""The access grant a hospital receives when it accepts a patient (RFC 8725, RFC 9068 shape).

Bound to the hospital three ways: `aud` is the hospital, `cnf.jkt` is the thumbprint of the
hospital's own key (a stolen token is useless without that key), and the hub checks the
presenter's assertion against both. `sub` is the incident, never a patient identifier."""
from __future__ import annotations

import time
import uuid

import jwt
from pydantic import BaseModel, ValidationError

from shared.tokens.keys import ALGORITHM, KeyStore

GRANT_TYP = "grant+jwt"
REQUIRED = ["iss", "aud", "sub", "exp", "iat", "nbf", "jti"]


class GrantError(Exception):
    """The grant is not acceptable; the message says why, without echoing the token."""


class GrantClaims(BaseModel):
    iss: str
    aud: str
    sub: str
    exp: int
    iat: int
    nbf: int
    jti: str
    scope: list[str]
    basis: str
    purpose_of_use: str
    cnf: dict


def issue_grant(keys: KeyStore, *, issuer: str, hospital_id: str, incident_id: str,
                scope: list[str] | tuple[str, ...], basis: str, hospital_jkt: str,
                lifetime_s: int, now: float | None = None) -> tuple[str, GrantClaims]:
    now = int(now if now is not None else time.time())
    claims = GrantClaims(
        iss=issuer, aud=hospital_id, sub=incident_id, iat=now, nbf=now, exp=now + lifetime_s,
        jti=uuid.uuid4().hex, scope=list(scope), basis=basis,
        purpose_of_use="ETREAT" if basis == "emergency_exception" else "TREAT",
        cnf={"jkt": hospital_jkt})
    token = jwt.encode(claims.model_dump(), keys.private_key, algorithm=ALGORITHM,
                       headers={"typ": GRANT_TYP, "kid": keys.kid})
    return token, claims


def verify_grant(token: str, public_keys: dict[str, object], *, issuer: str, hospital_id: str,
                 hospital_jkt: str, leeway_s: int = 5) -> GrantClaims:
    """Verify signature (pinned ES256, key chosen by kid), typ, iss, aud, times and key binding."""
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as e:
        raise GrantError(f"malformed grant: {e}") from None
    if header.get("typ") != GRANT_TYP:
        raise GrantError("not a grant (wrong typ)")
    key = public_keys.get(header.get("kid"))
    if key is None:
        raise GrantError("grant signed by an unknown key")
    try:
        data = jwt.decode(token, key, algorithms=[ALGORITHM], audience=hospital_id, issuer=issuer,
                          leeway=leeway_s, options={"require": REQUIRED})
    except jwt.ExpiredSignatureError:
        raise GrantError("grant expired") from None
    except jwt.InvalidAudienceError:
        raise GrantError("grant is for another hospital") from None
    except jwt.PyJWTError as e:
        raise GrantError(f"invalid grant: {e}") from None
    try:
        claims = GrantClaims.model_validate(data)
    except ValidationError as e:
        raise GrantError(f"grant lacks required claims: {', '.join(str(x['loc'][0]) for x in e.errors())}") from None
    if claims.cnf.get("jkt") != hospital_jkt:
        raise GrantError("grant is bound to another key")
    return claims
