"""Every way we know to misuse a grant at redemption is refused with 401 or 403, and recorded."""
import base64
import json
import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from sqlalchemy import func, select, update

from ems_app.models import AuditEntry, Grant
from ems_app.services import routing
from shared.tokens import KeyStore, make_proof
from tests.ems_app.conftest import accept, enrol, open_identified


@pytest.fixture
def setting(crew, hub, hub_app, hospital, tmp_path):
    iid, grant = accept(crew, hub, hospital)
    other = enrol(hub, tmp_path, "minato-hp")
    return {"iid": iid, "grant": grant, "a": hospital, "b": other, "client": hub_app.test_client(),
            "hub": hub, "crew": crew, "tmp": tmp_path}


def refusals(hub) -> int:
    with hub.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "access.refused"))


def assert_refused(setting, resp, status: int, words: str):
    assert resp.status_code == status, (resp.status_code, resp.json)
    assert words in resp.json["message"]
    assert "record" not in resp.json


def url(iid):
    return f"http://localhost/api/hospital/records/{iid}"


def forged(setting, **changes) -> str:
    """A grant signed with the hub's real key but with claims or header changed."""
    claims = jwt.decode(setting["grant"], options={"verify_signature": False})
    header = {"typ": "grant+jwt", "kid": setting["hub"].keys.current.kid, **changes.pop("header", {})}
    for k, v in changes.items():
        if v is None:
            claims.pop(k, None)
        else:
            claims[k] = v
    return jwt.encode(claims, setting["hub"].keys.current.private_key, algorithm="ES256", headers=header)


def present(setting, grant, *, by="a", proof=None, iid=None, scheme="DPoP"):
    iid = iid or setting["iid"]
    hospital = setting[by]
    proof = proof if proof is not None else make_proof(hospital.keys, "GET", url(iid), grant)
    headers = {"Authorization": f"{scheme} {grant}"}
    if proof:
        headers["DPoP"] = proof
    return setting["client"].get(f"/api/hospital/records/{iid}", headers=headers)


def b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


CASES = {
    # --- who is presenting: proof of possession -------------------------------------------
    "no authorization": lambda s: s["client"].get(f"/api/hospital/records/{s['iid']}"),
    "bearer instead of DPoP": lambda s: present(s, s["grant"], scheme="Bearer"),
    "no proof": lambda s: present(s, s["grant"], proof=""),
    "malformed proof": lambda s: present(s, s["grant"], proof="not.a.jwt"),
    "proof with wrong typ": lambda s: present(s, s["grant"], proof=jwt.encode(
        {"jti": "x", "htm": "GET", "htu": url(s["iid"]), "iat": int(time.time()), "ath": "x"},
        s["a"].keys.private_key, algorithm="ES256", headers={"typ": "JWT", "jwk": s["a"].keys.public})),
    "proof for another method": lambda s: present(s, s["grant"], proof=make_proof(s["a"].keys, "POST", url(s["iid"]), s["grant"])),
    "proof for another URL": lambda s: present(s, s["grant"], proof=make_proof(s["a"].keys, "GET", url("other"), s["grant"])),
    "proof for another grant": lambda s: present(s, s["grant"], proof=make_proof(s["a"].keys, "GET", url(s["iid"]), "x.y.z")),
    "stale proof": lambda s: present(s, s["grant"], proof=jwt.encode(
        {"jti": "old", "htm": "GET", "htu": url(s["iid"]), "iat": int(time.time()) - 600,
         "ath": __import__("shared.tokens.proofs", fromlist=["x"]).token_hash(s["grant"])},
        s["a"].keys.private_key, algorithm="ES256",
        headers={"typ": "dpop+jwt", "jwk": {k: s["a"].keys.public[k] for k in ("kty", "crv", "x", "y")}})),
    "proof signed by another hospital's key": lambda s: present(s, s["grant"], by="b"),
    "proof with a string iat": lambda s: present(s, s["grant"], proof=jwt.encode(
        {"jti": "x", "htm": "GET", "htu": url(s["iid"]), "iat": str(int(time.time())),
         "ath": __import__("shared.tokens.proofs", fromlist=["x"]).token_hash(s["grant"])},
        s["a"].keys.private_key, algorithm="ES256",
        headers={"typ": "dpop+jwt", "jwk": {k: s["a"].keys.public[k] for k in ("kty", "crv", "x", "y")}})),
    "proof signed by an unenrolled key": lambda s: present(s, s["grant"], proof=make_proof(
        KeyStore(s["tmp"] / "thief", name="k"), "GET", url(s["iid"]), s["grant"])),
    # --- what is presented: the grant itself ----------------------------------------------
    "expired": lambda s: present(s, forged(s, exp=int(time.time()) - 60)),
    "not yet valid": lambda s: present(s, forged(s, nbf=int(time.time()) + 600, iat=int(time.time()) + 600)),
    "wrong audience": lambda s: present(s, forged(s, aud="minato-hp"), by="a"),
    "wrong issuer": lambda s: present(s, forged(s, iss="https://evil.invalid")),
    "wrong typ": lambda s: present(s, forged(s, header={"typ": "JWT"})),
    "alg none": lambda s: present(s, b64({"alg": "none", "typ": "grant+jwt", "kid": s["hub"].keys.current.kid})
                                  + "." + s["grant"].split(".")[1] + "."),
    "HS256 signed with the public key": lambda s: present(s, _hs256_with_public_key(s)),
    "unknown kid": lambda s: present(s, forged(s, header={"kid": "nope"})),
    "tampered payload": lambda s: present(s, _tampered(s)),
    "missing jti": lambda s: present(s, forged(s, jti=None)),
    "missing key binding": lambda s: present(s, forged(s, cnf=None)),
    "bound to another key": lambda s: present(s, forged(s, cnf={"jkt": s["b"].keys.kid})),
    "grant for another incident": lambda s: present(s, s["grant"], iid=open_identified(s["crew"], "SIM-000020")),
    "unrecorded jti": lambda s: present(s, forged(s, jti="forged-but-signed")),
}


def _hs256_with_public_key(s) -> str:
    pem = s["hub"].keys.current.private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing = b64({"alg": "HS256", "typ": "grant+jwt", "kid": s["hub"].keys.current.kid}) + "." + s["grant"].split(".")[1]
    import hashlib
    import hmac
    sig = base64.urlsafe_b64encode(hmac.new(pem, signing.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    return f"{signing}.{sig}"


def _tampered(s) -> str:
    head, payload, sig = s["grant"].split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["scope"].append("documents_full")
    return f"{head}.{b64(claims)}.{sig}"


EXPECTED = {"no authorization": (401, "DPoP"), "bearer instead of DPoP": (401, "DPoP"),
            "no proof": (401, "proof required"), "malformed proof": (401, "malformed proof"),
            "proof with wrong typ": (401, "dpop+jwt"), "proof for another method": (401, "another request"),
            "proof for another URL": (401, "another request"), "proof for another grant": (401, "another grant"),
            "stale proof": (401, "too old"), "proof with a string iat": (401, "must be a number"), "proof signed by another hospital's key": (401, "not an enrolled key"),
            "proof signed by an unenrolled key": (401, "not an enrolled key"), "expired": (403, "expired"),
            "not yet valid": (403, "not yet valid"), "wrong audience": (401, "not an enrolled key"),
            "wrong issuer": (403, "issuer"), "wrong typ": (403, "wrong typ"), "alg none": (403, "invalid grant"),
            "HS256 signed with the public key": (403, "invalid grant"), "unknown kid": (403, "unknown key"),
            "tampered payload": (403, "invalid grant"), "missing jti": (403, "jti"),
            "missing key binding": (403, "cnf"), "bound to another key": (403, "bound to another key"),
            "grant for another incident": (403, "another incident"), "unrecorded jti": (403, "revoked")}


@pytest.mark.parametrize("case", sorted(CASES))
def test_attack_is_refused_and_recorded(setting, case):
    before = refusals(setting["hub"])
    resp = CASES[case](setting)
    status, words = EXPECTED[case]
    assert_refused(setting, resp, status, words)
    assert refusals(setting["hub"]) == before + 1


def test_replayed_proof_is_refused(setting):
    proof = make_proof(setting["a"].keys, "GET", url(setting["iid"]), setting["grant"])
    assert present(setting, setting["grant"], proof=proof).status_code == 200
    assert_refused(setting, present(setting, setting["grant"], proof=proof), 401, "replay")


def test_revoked_after_rerouting(setting):
    [inquiry] = setting["crew"].post(f"/api/incidents/{setting['iid']}/inquiries",
                                     json={"hospital_ids": ["minato-hp"]}).json
    routing.answer(setting["hub"], "minato-hp", inquiry["inquiry_id"], True, "救急医")
    assert_refused(setting, present(setting, setting["grant"]), 403, "revoked")


def test_grant_for_a_closed_incident(setting):
    setting["crew"].post(f"/api/incidents/{setting['iid']}/close", json={})
    assert_refused(setting, present(setting, setting["grant"]), 403, "revoked")


def test_after_the_handover_window(setting):
    setting["crew"].post(f"/api/incidents/{setting['iid']}/handover", json={})
    with setting["hub"].db.transaction() as s:
        s.execute(update(Grant).values(expires_at=Grant.issued_at))
    assert_refused(setting, present(setting, setting["grant"]), 403, "expired")


def test_the_genuine_request_still_works(setting):
    assert present(setting, setting["grant"]).status_code == 200
