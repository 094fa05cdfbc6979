"""A hospital gets the record only with its own key, its own grant, for that incident, in time."""
import jwt
import pytest

from ems_app.services import routing
from tests.ems_app.conftest import enrol, open_identified


@pytest.fixture
def accepted(crew, hub, hospital):
    iid = open_identified(crew, "SIM-CRITICAL")
    crew.post(f"/api/incidents/{iid}/record", json={})
    inquiry = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_id": hospital.id}).json
    result = routing.answer(hub, hospital.id, inquiry["inquiry_id"], True, "救急医")
    return iid, result["grant"]


def redeem(client, hospital, iid, grant, assertion=None):
    return client.get(f"/api/hospital/records/{iid}", headers={
        "Authorization": f"Bearer {grant}", "X-Hospital-Assertion": assertion or hospital.assertion()})


def test_grant_claims_are_what_the_design_says(hub, hub_app, accepted, hospital):
    iid, grant = accepted
    jwks = hub_app.test_client().get("/.well-known/jwks.json").json
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(grant, key, algorithms=["ES256"], audience=hospital.id, issuer=hub.issuer)
    assert claims["sub"] == iid and claims["basis"] == "consent" and claims["purpose_of_use"] == "TREAT"
    assert {"exp", "iat", "nbf", "jti", "scope", "cnf"} <= claims.keys()
    assert "SIM-CRITICAL" not in grant and "card" not in claims["scope"]


def test_the_hospital_redeems_its_grant_for_the_record(hub_app, accepted, hospital):
    iid, grant = accepted
    body = redeem(hub_app.test_client(), hospital, iid, grant).json
    assert body["critical"]["anticoagulants"] and body["patient"]["name"]
    assert "address" not in body["patient"]


def test_without_a_valid_assertion_nothing_is_returned(hub_app, accepted, hospital):
    iid, grant = accepted
    client = hub_app.test_client()
    assert client.get(f"/api/hospital/records/{iid}", headers={"Authorization": f"Bearer {grant}"}).status_code == 401
    used = hospital.assertion()
    assert redeem(client, hospital, iid, grant, used).status_code == 200
    replay = redeem(client, hospital, iid, grant, used)
    assert replay.status_code == 401 and "already used" in replay.json["message"]


def test_another_hospital_cannot_use_the_grant(hub, hub_app, accepted, tmp_path):
    iid, grant = accepted
    thief = enrol(hub, tmp_path, "minato-hp")
    resp = redeem(hub_app.test_client(), thief, iid, grant)
    assert resp.status_code == 403 and "another hospital" in resp.json["message"]


def test_the_grant_opens_only_its_own_incident(crew, hub_app, accepted, hospital):
    _, grant = accepted
    other = open_identified(crew, "SIM-000010")
    resp = redeem(hub_app.test_client(), hospital, other, grant)
    assert resp.status_code == 403 and "another incident" in resp.json["message"]


def test_rerouting_revokes_the_first_grant(crew, hub, hub_app, accepted, hospital, tmp_path):
    iid, first = accepted
    second = enrol(hub, tmp_path, "minato-hp")
    inquiry = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_id": second.id}).json
    new = routing.answer(hub, second.id, inquiry["inquiry_id"], True, "救急医")["grant"]
    client = hub_app.test_client()
    resp = redeem(client, hospital, iid, first)
    assert resp.status_code == 403 and "revoked" in resp.json["message"]
    assert redeem(client, second, iid, new).status_code == 200


def test_a_declining_hospital_gets_no_grant_and_cannot_answer_twice(crew, hub, hospital):
    iid = open_identified(crew)
    inquiry = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_id": hospital.id}).json
    result = routing.answer(hub, hospital.id, inquiry["inquiry_id"], False, "救急医")
    assert result["status"] == "declined" and "grant" not in result
    with pytest.raises(Exception, match="already declined"):
        routing.answer(hub, hospital.id, inquiry["inquiry_id"], True, "救急医")


def test_jwks_is_public_and_holds_no_private_part(hub_app):
    keys = hub_app.test_client().get("/.well-known/jwks.json").json["keys"]
    assert keys[0]["alg"] == "ES256" and "d" not in keys[0]
