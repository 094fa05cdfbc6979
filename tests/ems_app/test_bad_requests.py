"""Bad input from outside is a 4xx that says what is wrong, checked before it costs anything:
a DPoP proof whose key has numbers for coordinates, a 4-attribute search of spaces alone
(before the crew's three searches an hour), a review item id past the database's integer."""
import json
import time

import pytest
from jwt.api_jws import PyJWS
from sqlalchemy import func, select

from ems_app.models import AttributeSearch, AuditEntry
from shared.tokens.proofs import token_hash
from tests.ems_app.conftest import PASSWORD, accept
from tests.ems_app.test_identification import EXCEPTION, new_incident, search


@pytest.mark.parametrize("jwk_changes", [{"x": 1, "y": 2}, {"x": None}, {"y": [1]}, {"x": {"a": 1}}])
def test_a_proof_key_of_the_wrong_shape_is_refused_and_recorded(crew, hub, hub_app, hospital, jwk_changes):
    iid, grant = accept(crew, hub, hospital)
    url = f"http://localhost/api/hospital/records/{iid}"
    jwk = {**{k: hospital.keys.public[k] for k in ("kty", "crv", "x", "y")}, **jwk_changes}
    claims = {"jti": "j", "htm": "GET", "htu": url, "iat": int(time.time()), "ath": token_hash(grant)}
    proof = PyJWS().encode(json.dumps(claims).encode(), hospital.keys.private_key, algorithm="ES256",
                           headers={"typ": "dpop+jwt", "jwk": jwk})
    resp = hospital.redeem(hub_app.test_client(), iid, grant, proof=proof)
    assert resp.status_code == 401 and resp.json["error"] == "bad_proof"
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "access.refused")) == 1


@pytest.mark.parametrize("blank", [{"name_kana": "   "}, {"name_kana": "\u3000\u3000"}, {"address": "  "},
                                   {"address": "\u3000 \u3000"}, {"address": "\u2003\u2003"}])
def test_a_blank_attribute_search_is_refused_before_it_counts(crew, hub, blank):
    iid = new_incident(crew)
    crew.post(f"/api/incidents/{iid}/basis", json={"basis": EXCEPTION})
    person = {"name_kana": "ヤマダ タロウ", "birth_date": "1950-01-01", "sex": "male", "address": "東京都"}
    for _ in range(3):
        resp = search(crew, iid, **{**person, **blank})
        assert resp.status_code == 400, resp.json
        assert list(blank) == [f["field"] for f in resp.json["fields"]]
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AttributeSearch)) == 0
    assert search(crew, iid, **person).status_code == 422  # the real search still has its allowance


@pytest.mark.parametrize("item_id", [2**31, 2**63, 2**64, 10**30])
def test_a_review_item_id_past_the_database_integer_is_not_found(hub_app, item_id):
    from ems_app.services.enrolment import create_user
    create_user(hub_app.extensions["hub"], "pf", "pf", "privacy_officer", "", PASSWORD)
    officer = hub_app.test_client()
    assert officer.post("/api/auth/login", json={"username": "pf", "password": PASSWORD}).status_code == 200
    resp = officer.post(f"/api/review/{item_id}", json={"decision": "justified", "comment": "ok"})
    assert resp.status_code == 404 and resp.json["error"] == "not_found"
    assert officer.post("/api/review/1", json={"decision": "justified", "comment": "ok"}).status_code == 404
