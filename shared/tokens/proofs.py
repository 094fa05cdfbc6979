"""Proof of possession for each redemption (DPoP, RFC 9449).

The hospital signs method, URL, time and a unique id with the key its grant is bound to, and
the hash of the grant itself (`ath`), so a grant copied off the wire or out of a log is
useless without the hospital's private key, and a captured request cannot be replayed."""
from __future__ import annotations

import base64
import hashlib
import time
import uuid

import jwt

from shared.tokens.keys import ALGORITHM, KeyStore, load_public_jwk, thumbprint

PROOF_TYP = "dpop+jwt"
MAX_SKEW_S = 60


class ProofError(Exception):
    """The request was not signed by the key it claims, or not for this request."""


def token_hash(token: str) -> str:
    return base64.urlsafe_b64encode(hashlib.sha256(token.encode()).digest()).rstrip(b"=").decode()


def make_proof(keys: KeyStore, method: str, url: str, access_token: str) -> str:
    jwk = {k: keys.public[k] for k in ("kty", "crv", "x", "y")}
    claims = {"jti": uuid.uuid4().hex, "htm": method.upper(), "htu": url, "iat": int(time.time()),
              "ath": token_hash(access_token)}
    return jwt.encode(claims, keys.private_key, algorithm=ALGORITHM, headers={"typ": PROOF_TYP, "jwk": jwk})


def verify_proof(proof: str | None, method: str, url: str, access_token: str) -> tuple[str, dict]:
    """Returns (thumbprint of the signing key, claims). Raises ProofError."""
    if not proof:
        raise ProofError("DPoP proof required")
    try:
        header = jwt.get_unverified_header(proof)
    except jwt.PyJWTError as e:
        raise ProofError(f"malformed proof: {e}") from None
    if header.get("typ") != PROOF_TYP or header.get("alg") != ALGORITHM:
        raise ProofError("proof must be typ dpop+jwt signed with ES256")
    jwk = header.get("jwk")
    if not isinstance(jwk, dict) or "d" in jwk:
        raise ProofError("proof must carry the public key")
    try:
        key = load_public_jwk(jwk)
        claims = jwt.decode(proof, key, algorithms=[ALGORITHM],
                            options={"require": ["jti", "htm", "htu", "iat", "ath"]})
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as e:  # a stranger's header: any shape
        raise ProofError(f"invalid proof: {e}") from None
    if not isinstance(claims["iat"], int) or not isinstance(claims["jti"], str) or len(claims["jti"]) > 128:
        raise ProofError("proof iat must be a number and jti a short string")
    if claims["htm"] != method.upper() or claims["htu"] != url:
        raise ProofError("proof is for another request")
    if abs(time.time() - claims["iat"]) > MAX_SKEW_S:
        raise ProofError("proof is too old or from the future")
    if claims["ath"] != token_hash(access_token):
        raise ProofError("proof is for another grant")
    return thumbprint(jwk), claims
