"""A token from a stranger may have any shape: every header or claim of the wrong type is the
token module's own error (ProofError, AssertionError_, GrantError), never an exception that
escapes to the route as a server error."""
import base64
import json
import time

import pytest
from jwt.api_jws import PyJWS

from shared.tokens import (AssertionError_, GrantError, KeyStore, ProofError, verify_assertion, verify_grant,
                           verify_proof)
from shared.tokens.assertions import ASSERTION_TYP, claimed_hospital
from shared.tokens.keys import load_public_jwk
from shared.tokens.proofs import token_hash


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return KeyStore(tmp_path_factory.mktemp("k"))


def signed(keys, claims, header) -> str:
    """Signed as given: PyJWT's encoder would refuse most of these shapes before signing."""
    return PyJWS().encode(json.dumps(claims).encode(), keys.private_key, algorithm="ES256", headers=header)


def unsigned(header, claims) -> str:
    def b64(value):
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()
    return f"{b64(header)}.{b64(claims)}.AAAA"


def public(keys, **changes) -> dict:
    return {**{k: keys.public[k] for k in ("kty", "crv", "x", "y")}, **changes}


@pytest.mark.parametrize("changes", [
    {"x": 1, "y": 2}, {"x": None}, {"x": [1]}, {"y": {"a": 1}}, {"x": "!!!"}, {"x": "AAAA"},
    {"kty": ["EC"]}, {"crv": 256}, {"d": "AAAA"},
])
def test_a_proof_whose_key_is_the_wrong_shape_is_a_proof_error(keys, changes):
    proof = signed(keys, {"jti": "j", "htm": "GET", "htu": "u", "iat": int(time.time()), "ath": token_hash("t")},
                   {"typ": "dpop+jwt", "jwk": public(keys, **changes)})
    with pytest.raises(ProofError):
        verify_proof(proof, "GET", "u", "t")


@pytest.mark.parametrize("jwk", [{"kty": "EC", "crv": "P-256", "x": 1, "y": 2}, {"kty": "EC", "crv": "P-256"}, [], "EC"])
def test_load_public_jwk_refuses_any_other_shape_with_a_value_error(jwk):
    with pytest.raises(ValueError):
        load_public_jwk(jwk)


@pytest.mark.parametrize("changes", [
    {"iat": "now"}, {"iat": 1e300}, {"iat": 10**30}, {"iat": None}, {"jti": 5}, {"jti": "j" * 200},
    {"htm": 5}, {"htu": [1]}, {"ath": {}}, {"exp": "x"}, {"nbf": []},
])
def test_a_proof_whose_claims_are_the_wrong_shape_is_a_proof_error(keys, changes):
    claims = {"jti": "j", "htm": "GET", "htu": "u", "iat": int(time.time()), "ath": token_hash("t"), **changes}
    with pytest.raises(ProofError):
        verify_proof(signed(keys, claims, {"typ": "dpop+jwt", "jwk": public(keys)}), "GET", "u", "t")


@pytest.mark.parametrize("header", [{"typ": ASSERTION_TYP, "kid": 5}, {"typ": 5}, {"typ": ASSERTION_TYP, "kid": {}},
                                    {"typ": ASSERTION_TYP, "alg": ["ES256"]}])
@pytest.mark.parametrize("claims", [{"sub": "h"}, {"sub": 5}, {"sub": ["h"]}, [], "h"])
def test_an_assertion_header_of_any_shape_is_an_assertion_error(keys, header, claims):
    token = unsigned({"alg": "ES256", **header}, claims)
    with pytest.raises(AssertionError_):  # what it claims may be read; it is never verified
        claimed_hospital(token)
        verify_assertion(token, keys.private_key.public_key(), hospital_id="h", audience="hub")


@pytest.mark.parametrize("changes", [
    {"aud": 5}, {"aud": [5]}, {"iss": 5}, {"iss": ["h"]}, {"sub": {"a": 1}}, {"exp": "x"}, {"iat": "x"},
    {"jti": 5}, {"jti": None}, {"nbf": "x"}, {"exp": 1e300}, {"iat": 10**40, "exp": 10**40},
])
def test_an_assertion_whose_claims_are_the_wrong_shape_is_an_assertion_error(keys, changes):
    now = int(time.time())
    claims = {"iss": "h", "sub": "h", "aud": "hub", "iat": now, "exp": now + 60, "jti": "j", **changes}
    token = signed(keys, claims, {"typ": ASSERTION_TYP, "kid": keys.kid})
    with pytest.raises(AssertionError_):
        claimed_hospital(token)
        verify_assertion(token, keys.private_key.public_key(), hospital_id="h", audience="hub")


@pytest.mark.parametrize("changes", [{"aud": 5}, {"iss": 5}, {"cnf": "x"}, {"cnf": {"jkt": 5}}, {"exp": "x"},
                                     {"scope": "a"}, {"sub": 5}, {"jti": 5}])
def test_a_grant_whose_claims_are_the_wrong_shape_is_a_grant_error(keys, changes):
    now = int(time.time())
    claims = {"iss": "hub", "aud": "h", "sub": "i", "iat": now, "nbf": now, "exp": now + 60, "jti": "j",
              "scope": ["a"], "basis": "consent", "purpose_of_use": "TREAT", "cnf": {"jkt": "k"}, **changes}
    with pytest.raises(GrantError):
        verify_grant(signed(keys, claims, {"typ": "grant+jwt", "kid": keys.kid}), {keys.kid: keys.private_key.public_key()},
                     issuer="hub", hospital_id="h", hospital_jkt="k")
