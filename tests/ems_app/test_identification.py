"""Each identification mode is recorded on the incident; each error path says what is wrong
and fetches nothing."""
import pytest
from sqlalchemy import select

from ems_app.models import AuditEntry, ReviewItem
from tests.ems_app.conftest import signed_in

EXCEPTION = {"kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "JCS 300"}


def new_incident(crew) -> str:
    return crew.post("/api/incidents", json={}).json["id"]


def fetches(hub, iid) -> int:
    with hub.db.read() as s:
        return len(s.scalars(select(AuditEntry).where(AuditEntry.incident_id == iid,
                                                      AuditEntry.action == "record.fetch")).all())


def test_photo_card_needs_the_face_check(crew):
    iid = new_incident(crew)
    resp = crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-000003"})
    assert resp.status_code == 400 and "face_confirmed" in resp.json["message"]
    ok = crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-000003", "face_confirmed": True}).json
    assert ok["identification"] == "card_photo" and ok["identity_flagged"] is False


def test_smartphone_card_needs_how_identity_was_confirmed_and_is_flagged(crew):
    iid = new_incident(crew)
    resp = crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-PHONE", "face_confirmed": True})
    assert resp.status_code == 400 and "identity_confirmation" in resp.json["message"]
    bad = crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-PHONE", "identity_confirmation": "guess"})
    assert bad.status_code == 400 and "identity_confirmation" in bad.json["message"]
    ok = crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-PHONE", "identity_confirmation": "family",
                                                      "identity_note": "長男が確認"})
    assert ok.status_code == 200
    assert ok.json["card_kind"] == "smartphone" and ok.json["identification"] == "smartphone"
    assert ok.json["identity_flagged"] is True


@pytest.mark.parametrize("card,status,code,words,lang", [
    ("SIM-EXPIRED", 422, "certificate_expired", "期限切れ", "ja"),
    ("SIM-NOPE", 422, "card_not_found", "no match", "en"),
])
def test_card_errors_say_so_and_the_incident_goes_on(crew, hub, card, status, code, words, lang):
    crew.set_cookie("lang", lang)
    iid = new_incident(crew)
    resp = crew.post(f"/api/incidents/{iid}/card", json={"card_id": card, "face_confirmed": True})
    assert resp.status_code == status and resp.json["error"] == code and words in resp.json["message"]
    assert crew.post(f"/api/incidents/{iid}/record", json={}).status_code == 409
    assert fetches(hub, iid) == 0
    assert crew.post(f"/api/incidents/{iid}/updates", json={"kind": "note", "text": "記録なしで搬送"}).status_code == 201


def test_source_down_or_slow_at_the_card_reader(crew, hub):
    iid = new_incident(crew)
    hub.source.set_condition("down")
    resp = crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-000005", "face_confirmed": True})
    assert resp.status_code == 503 and "OQC is unavailable" in resp.json["message"]
    hub.source.set_condition("slow", latency_s=0.3)
    assert crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-000005", "face_confirmed": True}).status_code == 200
    hub.source.set_condition("up")


def search(crew, iid, **over):
    data = {"name_kana": "", "birth_date": "", "sex": "", "address": ""}
    data.update(over)
    return crew.post(f"/api/incidents/{iid}/attribute-search", json=data)


@pytest.fixture
def person(hub):
    """The four attributes of a simulated patient, as a family member would tell them."""
    record = hub.source.fetch("SIM-000042")
    return {"name_kana": record.card.kana, "birth_date": record.card.birth_date.isoformat(),
            "sex": record.card.sex, "address": record.card.address}


def test_attribute_search_only_under_the_emergency_exception(crew, person):
    iid = new_incident(crew)
    crew.post(f"/api/incidents/{iid}/basis", json={"basis": {"kind": "consent"}})
    resp = search(crew, iid, **person)
    assert resp.status_code == 409 and "only under the emergency exception" in resp.json["message"]


def test_attribute_search_exact_match_identifies_flags_and_goes_to_review(crew, hub, person):
    iid = new_incident(crew)
    crew.post(f"/api/incidents/{iid}/basis", json={"basis": EXCEPTION})
    resp = search(crew, iid, **person)
    assert resp.status_code == 200, resp.json
    assert resp.json["identification"] == "attributes" and resp.json["identity_flagged"] is True
    assert crew.post(f"/api/incidents/{iid}/record", json={}).status_code == 200
    with hub.db.read() as s:
        kinds = set(s.scalars(select(ReviewItem.kind).where(ReviewItem.incident_id == iid)))
    assert kinds == {"attribute_search", "emergency_exception"}


def test_attribute_search_refuses_near_misses_and_bad_input(crew, person):
    iid = new_incident(crew)
    crew.post(f"/api/incidents/{iid}/basis", json={"basis": EXCEPTION})
    resp = search(crew, iid, **{**person, "birth_date": "1900-01-01"})
    assert resp.status_code == 422 and "no exact match" in resp.json["message"]
    resp = search(crew, iid, **{**person, "name_kana": "山田"})
    assert resp.status_code == 400 and "name_kana" in resp.json["message"]


def test_attribute_search_is_rate_limited_per_user(crew, hub_app, person):
    iid = new_incident(crew)
    crew.post(f"/api/incidents/{iid}/basis", json={"basis": EXCEPTION})
    for _ in range(3):
        assert search(crew, iid, **{**person, "birth_date": "1900-01-01"}).status_code == 422
    resp = search(crew, iid, **person)
    assert resp.status_code == 429 and "limit" in resp.json["message"]
    other = signed_in(hub_app, "kyukyu3")  # same fire HQ, own per-user allowance
    iid2 = new_incident(other)
    other.post(f"/api/incidents/{iid2}/basis", json={"basis": EXCEPTION})
    assert search(other, iid2, **person).status_code == 200


def test_consent_records_who_when_and_how(crew, hub):
    iid = new_incident(crew)
    crew.post(f"/api/incidents/{iid}/card", json={"card_id": "SIM-000006", "face_confirmed": True})
    crew.post(f"/api/incidents/{iid}/basis", json={"basis": {"kind": "consent", "given_by": "family", "method": "verbal"}})
    with hub.db.read() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.incident_id == iid,
                                                   AuditEntry.action == "basis.record")).one()
    assert entry.actor == "user:kyukyu1" and entry.basis == "consent" and entry.at is not None
    assert entry.detail == {"given_by": "family", "method": "verbal"}
