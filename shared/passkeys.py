"""The WebAuthn ceremonies (passkeys), through the `webauthn` library, with this project's rules.

Kept apart from shared/factors.py so the rules are in one place: user verification required
(the authenticator checked a PIN or a fingerprint, so a stolen tablet alone is not enough), the
relying party's id and origins from the configuration (WEBAUTHN_RP_ID, WEBAUTHN_ORIGINS), no
attestation asked (a hospital cannot vet authenticator makers; the key is what counts), and the
signature counter checked by the library and again by the caller's conditional update."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass

import webauthn
from webauthn.helpers import base64url_to_bytes, bytes_to_base64url
from webauthn.helpers.exceptions import WebAuthnException
from webauthn.helpers.structs import (AuthenticatorSelectionCriteria, PublicKeyCredentialDescriptor,
                                      ResidentKeyRequirement, UserVerificationRequirement)

from shared.errors import Refused

_LOCAL = re.compile(r"^https?://localhost(:\d{1,5})?$")


@dataclass(frozen=True)
class Rp:
    """The relying party: `id` a domain (never an IP address: browsers refuse one), `name` shown
    by the browser, `origins` the pages allowed to run a ceremony. With no origins configured only
    http(s)://localhost on any port is allowed, and only when the id is localhost (development)."""
    id: str
    name: str
    origins: tuple[str, ...] = ()

    def origin_for(self, claimed: str) -> list[str]:
        if self.origins:
            return list(self.origins)
        return [claimed] if self.id == "localhost" and _LOCAL.match(claimed or "") else ["https://" + self.id]


@dataclass(frozen=True)
class Made:
    credential_id: str
    public_key: str
    sign_count: int


def registration_options(rp: Rp, user_id: int, username: str, display: str, known: list[str]) -> tuple[dict, str]:
    """-> (options as the browser's JSON, the challenge in base64url)."""
    options = webauthn.generate_registration_options(
        rp_id=rp.id, rp_name=rp.name, user_name=username, user_display_name=display,
        user_id=f"user:{user_id}".encode(),
        authenticator_selection=AuthenticatorSelectionCriteria(
            resident_key=ResidentKeyRequirement.PREFERRED, user_verification=UserVerificationRequirement.REQUIRED),
        exclude_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in known])
    return json.loads(webauthn.options_to_json(options)), bytes_to_base64url(options.challenge)


def authentication_options(rp: Rp, known: list[str]) -> tuple[dict, str]:
    options = webauthn.generate_authentication_options(
        rp_id=rp.id, user_verification=UserVerificationRequirement.REQUIRED,
        allow_credentials=[PublicKeyCredentialDescriptor(id=base64url_to_bytes(c)) for c in known])
    return json.loads(webauthn.options_to_json(options)), bytes_to_base64url(options.challenge)


def claimed_origin(credential: dict) -> str:
    try:
        client_data = json.loads(base64url_to_bytes(credential["response"]["clientDataJSON"]))
        return str(client_data.get("origin", ""))
    except (KeyError, TypeError, ValueError):
        return ""


def credential_id_of(credential: dict) -> str:
    value = credential.get("id") if isinstance(credential, dict) else None
    return value if isinstance(value, str) else ""


def verify_registration(rp: Rp, credential: dict, challenge: str) -> Made:
    try:
        made = webauthn.verify_registration_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp.id,
            expected_origin=rp.origin_for(claimed_origin(credential)), require_user_verification=True)
    except (WebAuthnException, KeyError, TypeError, ValueError) as e:
        raise Refused(400, "the passkey could not be enrolled; try again", "passkey_refused") from e
    return Made(bytes_to_base64url(made.credential_id), bytes_to_base64url(made.credential_public_key),
                made.sign_count)


def verify_authentication(rp: Rp, credential: dict, challenge: str, public_key: str, sign_count: int) -> int | None:
    """The authenticator's new counter, or None when the assertion does not hold."""
    try:
        done = webauthn.verify_authentication_response(
            credential=credential, expected_challenge=base64url_to_bytes(challenge), expected_rp_id=rp.id,
            expected_origin=rp.origin_for(claimed_origin(credential)),
            credential_public_key=base64url_to_bytes(public_key), credential_current_sign_count=sign_count,
            require_user_verification=True)
    except (WebAuthnException, KeyError, TypeError, ValueError):
        return None
    return done.new_sign_count
