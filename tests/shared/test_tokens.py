"""Grants are ES256, typed, audience- and key-bound; every way to misuse one is refused."""
import time

import jwt
import pytest

from shared.tokens import GrantError, KeyStore, issue_grant, thumbprint, verify_grant


@pytest.fixture
def keys(tmp_path):
    return KeyStore(tmp_path / "hub")


@pytest.fixture
def hospital_key(tmp_path):
    return KeyStore(tmp_path / "hospital", name="hospital-key")


def grant(keys, hospital_key, **kw):
    args = dict(issuer="https://hub", hospital_id="tokyo-er", incident_id="inc1", scope=["medications"],
                basis="emergency_exception", hospital_jkt=thumbprint(hospital_key.public), lifetime_s=600)
    args.update(kw)
    return issue_grant(keys, **args)


def verify(keys, token, hospital_key, **kw):
    args = dict(issuer="https://hub", hospital_id="tokyo-er", hospital_jkt=thumbprint(hospital_key.public))
    args.update(kw)
    return verify_grant(token, {keys.kid: keys.private_key.public_key()}, **args)


def test_key_is_created_once_private_and_reused(tmp_path, keys):
    assert oct(keys.path.stat().st_mode & 0o777) == "0o600"
    assert KeyStore(tmp_path / "hub").kid == keys.kid
    assert "d" not in keys.jwks()["keys"][0]


def test_grant_has_every_required_claim_and_no_patient_identifier(keys, hospital_key):
    token, _ = grant(keys, hospital_key)
    claims = verify(keys, token, hospital_key)
    header = jwt.get_unverified_header(token)
    assert header["alg"] == "ES256" and header["typ"] == "grant+jwt" and header["kid"] == keys.kid
    assert claims.aud == "tokyo-er" and claims.sub == "inc1" and claims.exp - claims.iat == 600
    assert claims.purpose_of_use == "ETREAT" and claims.scope == ["medications"]


def test_another_hospital_cannot_use_it(keys, hospital_key):
    token, _ = grant(keys, hospital_key)
    with pytest.raises(GrantError, match="another hospital"):
        verify(keys, token, hospital_key, hospital_id="minato-hp")


def test_it_is_bound_to_the_hospital_key(keys, hospital_key, tmp_path):
    token, _ = grant(keys, hospital_key)
    other = KeyStore(tmp_path / "thief", name="k")
    with pytest.raises(GrantError, match="bound to another key"):
        verify(keys, token, hospital_key, hospital_jkt=thumbprint(other.public))


def test_expired_grant_is_refused(keys, hospital_key):
    token, _ = grant(keys, hospital_key, now=time.time() - 3600)
    with pytest.raises(GrantError, match="expired"):
        verify(keys, token, hospital_key)


def test_forged_with_another_key_or_algorithm_is_refused(keys, hospital_key, tmp_path):
    forger = KeyStore(tmp_path / "forger")
    token, _ = grant(forger, hospital_key)
    with pytest.raises(GrantError, match="unknown key"):
        verify(keys, token, hospital_key)
    claims = jwt.decode(grant(keys, hospital_key)[0], options={"verify_signature": False})
    hs = jwt.encode(claims, "secret" * 8, algorithm="HS256", headers={"typ": "grant+jwt", "kid": keys.kid})
    with pytest.raises(GrantError, match="invalid grant"):
        verify(keys, hs, hospital_key)


def test_a_token_of_another_type_is_refused(keys, hospital_key):
    claims = jwt.decode(grant(keys, hospital_key)[0], options={"verify_signature": False})
    other = jwt.encode(claims, keys.private_key, algorithm="ES256", headers={"kid": keys.kid})
    with pytest.raises(GrantError, match="wrong typ"):
        verify(keys, other, hospital_key)


def test_rotation_keeps_a_key_for_the_overlap_after_it_stops_signing(tmp_path):
    import os

    from shared.tokens import KeyRing
    ring = KeyRing(tmp_path / "ring", retire_after_s=3600)
    first, first_file = ring.current.kid, ring.current.path
    old = time.time() - 7 * 24 * 3600
    os.utime(first_file, (old, old))                   # created long ago, but signing until now
    second = ring.rotate()
    assert set(ring.public_keys()) == {first, second}  # still published: it signed until just now
    first_file.with_suffix(".retired").write_text(str(time.time() - 7200))  # its overlap has passed
    third = ring.rotate()
    assert set(ring.public_keys()) == {second, third} and not first_file.exists()
