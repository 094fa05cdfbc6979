"""A hospital gets the record only with its own key, its own grant, for that incident, in time."""
import jwt
import pytest

from ems_app.services import routing
from shared.errors import Refused
from tests.ems_app.conftest import accept, enrol, open_identified


@pytest.fixture
def accepted(crew, hub, hospital):
    return accept(crew, hub, hospital)


def test_grant_claims_are_what_the_design_says(hub, hub_app, accepted, hospital):
    iid, grant = accepted
    jwks = hub_app.test_client().get("/.well-known/jwks.json").json
    key = jwt.PyJWK(jwks["keys"][0]).key
    claims = jwt.decode(grant, key, algorithms=["ES256"], audience=hospital.id, issuer=hub.issuer)
    assert claims["sub"] == iid and claims["basis"] == "consent" and claims["purpose_of_use"] == "TREAT"
    assert claims["exp"] - claims["iat"] == 3 * 3600  # the hard cap; handover shortens it at the hub
    assert claims["cnf"]["jkt"] == hospital.keys.kid
    assert "SIM-CRITICAL" not in grant and "card" not in claims["scope"]


def test_emergency_exception_travels_as_etreat(crew, hub, hospital):
    basis = {"kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "JCS 300"}
    _, grant = accept(crew, hub, hospital, basis=basis)
    claims = jwt.decode(grant, options={"verify_signature": False})
    assert claims["basis"] == "emergency_exception" and claims["purpose_of_use"] == "ETREAT"


def test_the_hospital_redeems_its_grant_for_the_scoped_summary(hub_app, accepted, hospital):
    iid, grant = accepted
    body = hospital.redeem(hub_app.test_client(), iid, grant).json
    assert body["critical"]["anticoagulants"] and body["patient"]["name"]
    assert "address" not in body["patient"] and "card" not in body["record"]
    assert body["purpose_of_use"] == "TREAT"


def test_full_history_only_on_a_physicians_request(hub_app, hub, accepted, hospital):
    iid, grant = accepted
    client = hub_app.test_client()
    refused = hospital.redeem(client, iid, grant, query="?view=full")
    assert refused.status_code == 403 and "physician" in refused.json["message"]
    full = hospital.redeem(client, iid, grant, query="?view=full", headers={"X-Requested-By": "physician:高橋"})
    summary = hospital.redeem(client, iid, grant).json
    assert len(full.json["record"]["medications"]) > len(summary["record"]["medications"])
    from sqlalchemy import select

    from ems_app.models import AuditEntry
    with hub.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "record.view_full")).one()
        assert entry.detail["requested_by"] == "physician:高橋"


def test_rerouting_revokes_the_first_grant(crew, hub, hub_app, accepted, hospital, tmp_path):
    iid, first = accepted
    second = enrol(hub, tmp_path, "minato-hp")
    [inquiry] = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [second.id]}).json
    new = routing.answer(hub, second.id, inquiry["inquiry_id"], True, "救急医")["grant"]
    client = hub_app.test_client()
    resp = hospital.redeem(client, iid, first)
    assert resp.status_code == 403 and "revoked" in resp.json["message"]
    assert second.redeem(client, iid, new).status_code == 200


def test_asking_several_hospitals_at_once_and_the_first_acceptance_withdraws_the_rest(crew, hub, hospital, tmp_path):
    second = enrol(hub, tmp_path, "minato-hp")
    iid = open_identified(crew)
    asked = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital.id, second.id]}).json
    assert {a["hospital_id"] for a in asked} == {hospital.id, second.id}
    by_hospital = {a["hospital_id"]: a["inquiry_id"] for a in asked}
    routing.answer(hub, second.id, by_hospital[second.id], True, "救急医")
    with pytest.raises(Refused, match="already withdrawn"):
        routing.answer(hub, hospital.id, by_hospital[hospital.id], True, "救急医")
    statuses = {i["hospital_id"]: i["status"] for i in crew.get(f"/api/incidents/{iid}/inquiries").json}
    assert statuses == {hospital.id: "withdrawn", second.id: "accepted"}


def test_a_decline_needs_a_reason_gets_no_grant_and_cannot_be_changed(crew, hub, hospital):
    iid = open_identified(crew)
    [inquiry] = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital.id]}).json
    with pytest.raises(Refused, match="needs one of"):
        routing.answer(hub, hospital.id, inquiry["inquiry_id"], False, "救急医")
    result = routing.answer(hub, hospital.id, inquiry["inquiry_id"], False, "救急医", reason="no_bed")
    assert result["status"] == "declined" and "grant" not in result
    with pytest.raises(Refused, match="already declined"):
        routing.answer(hub, hospital.id, inquiry["inquiry_id"], True, "救急医")
    assert crew.get(f"/api/incidents/{iid}/inquiries").json[0]["decline_reason"] == "no_bed"


def test_handover_shortens_the_grant_to_the_window(crew, hub, hub_app, accepted, hospital):
    iid, grant = accepted
    out = crew.post(f"/api/incidents/{iid}/handover", json={}).json
    claims = jwt.decode(grant, options={"verify_signature": False})
    from datetime import datetime
    ends = datetime.fromisoformat(out["grant_expires_at"]).timestamp()
    assert claims["exp"] - ends > 2 * 3600  # 30 minutes after handover, not 3 hours after acceptance
    assert hospital.redeem(hub_app.test_client(), iid, grant).status_code == 200


def test_jwks_is_public_cacheable_and_holds_no_private_part(hub_app):
    resp = hub_app.test_client().get("/.well-known/jwks.json")
    assert resp.json["keys"][0]["alg"] == "ES256" and "d" not in resp.json["keys"][0]
    assert "max-age" in resp.headers["Cache-Control"]


def test_rotation_keeps_old_grants_valid_and_signs_new_ones_with_the_new_key(crew, hub, hub_app, accepted, hospital):
    iid, old_grant = accepted
    old_kid = jwt.get_unverified_header(old_grant)["kid"]
    new_kid = hub.keys.rotate()
    assert {k["kid"] for k in hub_app.test_client().get("/.well-known/jwks.json").json["keys"]} == {old_kid, new_kid}
    assert hospital.redeem(hub_app.test_client(), iid, old_grant).status_code == 200
    _, new_grant = accept(crew, hub, hospital, card_id="SIM-000011")
    assert jwt.get_unverified_header(new_grant)["kid"] == new_kid


def test_the_sweeper_ends_expired_grants_once_and_tells_the_hospital(crew, hub, hub_app, accepted, hospital):
    from sqlalchemy import update

    from ems_app.models import Grant
    from ems_app.services.lifecycle import sweep_expired
    iid, grant = accepted
    told = []
    hub.notifier.send_to_hospital = lambda event, payload, room: told.append((event, payload, room))
    assert sweep_expired(hub) == 0
    with hub.db.transaction() as s:
        s.execute(update(Grant).values(expires_at=Grant.issued_at))
    assert sweep_expired(hub) == 1 and sweep_expired(hub) == 0
    assert told == [("grant_revoked", {"incident_id": iid, "reason": "expired"}, f"hospital:{hospital.id}")]
    assert hospital.redeem(hub_app.test_client(), iid, grant).status_code == 403


def test_finished_incidents_close_and_purge_the_record_but_not_the_history(crew, hub, accepted):
    from sqlalchemy import update

    from ems_app.models import Incident
    from ems_app.services.lifecycle import close_finished
    iid, _ = accepted
    crew.post(f"/api/incidents/{iid}/handover", json={})
    assert close_finished(hub) == 0  # the window is still open
    with hub.db.transaction() as s:
        s.execute(update(Incident).values(handed_over_at=Incident.created_at))
    hub.settings["GRANT_WINDOW_AFTER_HANDOVER_S"] = 0
    assert close_finished(hub) == 1
    with hub.db.read() as s:
        incident = s.get(Incident, iid)
        assert incident.status == "closed" and incident.record_json is None and incident.card_id is None
        assert incident.patient_ref  # the pseudonym stays for the patient's access history


def test_behind_a_proxy_the_proof_signs_the_public_https_url(database, tmp_path):
    from ems_app import create_app
    from shared.tokens import make_proof
    from tests.ems_app.conftest import signed_in
    app = create_app({"EMS_INSTANCE": tmp_path / "px", "EXPIRY_SWEEP_S": 0, "PROXY_HOPS": 1, **database("px")})
    hub = app.extensions["hub"]
    hospital = enrol(hub, tmp_path, "tokyo-er")
    iid, grant = accept(signed_in(app, "kyukyu1"), hub, hospital)
    public = f"https://hub.example/api/hospital/records/{iid}"
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-Host": "hub.example"}
    client = app.test_client()
    ok = client.get(f"/api/hospital/records/{iid}", headers={
        "Authorization": f"DPoP {grant}", "DPoP": make_proof(hospital.keys, "GET", public, grant), **forwarded})
    assert ok.status_code == 200
    share = signed_in(app, "kyukyu1").post(f"/api/incidents/{iid}/shares", json={"recipient": "x"},
                                           headers=forwarded).json
    assert share["url"].startswith("https://hub.example/s/")
    hub.db.dispose()


def test_two_hospitals_accepting_at_the_same_moment_one_wins_cleanly(crew, hub, hospital, tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from shared.errors import Refused
    second = enrol(hub, tmp_path, "minato-hp")
    outcomes = []
    for n in range(5):
        iid = open_identified(crew, f"SIM-0002{n:02d}")
        asked = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [hospital.id, second.id]}).json
        by = {a["hospital_id"]: a["inquiry_id"] for a in asked}

        def take(hid):
            try:
                return routing.answer(hub, hid, by[hid], True, "救急医")["status"]
            except Refused as e:
                return e.code
        with ThreadPoolExecutor(2) as pool:
            outcomes.append(sorted(pool.map(take, [hospital.id, second.id])))
    assert outcomes == [["accepted", "not_pending"]] * 5


def test_text_that_is_not_unicode_is_refused_not_a_crash(crew):
    iid = open_identified(crew)
    resp = crew.post(f"/api/incidents/{iid}/updates", data='{"kind": "note", "text": "\\ud800"}',
                     content_type="application/json")
    assert resp.status_code == 400 and "Unicode" in resp.json["message"]
    long = crew.post(f"/api/incidents/{iid}/updates", json={"kind": "location", "text": "x" * 300})
    assert long.status_code == 400 and "at most 200" in long.json["message"]
