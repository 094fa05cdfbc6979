"""Signing keys generated on first run and kept out of git (the key directory is ignored).

The kid is the RFC 7638 thumbprint, so a key names itself and a JWKS consumer can pick it."""
from __future__ import annotations

import base64
import hashlib
import json
import os
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
import jwt
from jwt.algorithms import ECAlgorithm

ALGORITHM = "ES256"


def public_jwk(public_key) -> dict:
    return json.loads(ECAlgorithm.to_jwk(public_key))


def thumbprint(jwk: dict) -> str:
    """RFC 7638 JWK thumbprint of an EC public key (base64url SHA-256 of the canonical members)."""
    canonical = json.dumps({k: jwk[k] for k in ("crv", "kty", "x", "y")},
                           separators=(",", ":"), sort_keys=True)
    return base64.urlsafe_b64encode(hashlib.sha256(canonical.encode()).digest()).rstrip(b"=").decode()


def load_public_jwk(jwk: dict):
    """The public key of a JWK; ValueError for anything but an EC P-256 public key with text coordinates.
    The JWK may come from a stranger (a DPoP proof's header): PyJWT raises TypeError for a
    coordinate that is not text, and KeyError for a missing one."""
    if not isinstance(jwk, dict) or jwk.get("kty") != "EC" or jwk.get("crv") != "P-256":
        raise ValueError("only EC P-256 keys are accepted")
    if not all(isinstance(jwk.get(c), str) for c in ("x", "y")) or "d" in jwk:
        raise ValueError("an EC public key needs x and y as base64url text, and no private part")
    try:
        return ECAlgorithm.from_jwk(json.dumps({k: jwk[k] for k in ("kty", "crv", "x", "y")}))
    except (TypeError, KeyError, jwt.PyJWTError) as e:
        raise ValueError(f"not a usable EC key: {e}") from None


class KeyStore:
    """One P-256 private key in `directory/name.pem`, created 0600 if absent."""

    def __init__(self, directory: str | os.PathLike, name: str = "signing-key", create: bool = True):
        self.path = Path(directory) / f"{name}.pem"
        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            if not create:
                raise FileNotFoundError(self.path)
            self._generate()
        self.private_key = serialization.load_pem_private_key(self.path.read_bytes(), password=None)
        jwk = public_jwk(self.private_key.public_key())
        self.kid = thumbprint(jwk)
        self.public = {**jwk, "kid": self.kid, "alg": ALGORITHM, "use": "sig"}

    def _generate(self) -> None:
        key = ec.generate_private_key(ec.SECP256R1())
        pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
        fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(pem)

    def jwks(self) -> dict:
        return {"keys": [self.public]}
