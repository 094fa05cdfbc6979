"""The QR-plus-passcode share for a hospital that is not enrolled."""
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select, update

from ems_app.models import AuditEntry, Share
from tests.ems_app.conftest import open_identified


@pytest.fixture
def share(crew):
    iid = open_identified(crew, "SIM-CRITICAL")
    crew.post(f"/api/incidents/{iid}/record", json={})
    resp = crew.post(f"/api/incidents/{iid}/shares", json={"recipient": "山田医院 (電話 03-0000-0000)"})
    assert resp.status_code == 201, resp.json
    return {"iid": iid, **resp.json, "token": resp.json["url"].rsplit("/", 1)[1]}


def wrong(passcode: str) -> str:
    return f"{(int(passcode) + 1) % 10**6:06d}"


def attempts(hub, action):
    with hub.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == action))


def test_the_link_carries_no_patient_data_and_shows_a_qr(share, hub_app):
    assert "SIM" not in share["url"] and share["iid"] not in share["url"]
    assert share["qr"].startswith("data:image/svg+xml;base64,")
    reader = hub_app.test_client()
    reader.set_cookie("lang", "ja")  # the recipient's page in Japanese, one language on screen
    page = reader.get(f"/s/{share['token']}")
    assert page.status_code == 200 and "パスコード" in page.text and "Passcode" not in page.text and "山田" not in page.text


def test_right_passcode_opens_the_summary(share, hub_app, hub):
    resp = hub_app.test_client().post(f"/api/shares/{share['token']}/open", json={"passcode": share["passcode"]})
    assert resp.status_code == 200 and resp.json["critical"]["anticoagulants"]
    assert attempts(hub, "share.open") == 1


def test_five_wrong_passcodes_lock_it_even_for_the_right_one(share, hub_app, hub):
    client = hub_app.test_client()
    for left in (4, 3, 2, 1):
        resp = client.post(f"/api/shares/{share['token']}/open", json={"passcode": wrong(share["passcode"])})
        assert resp.status_code == 401 and f"{left} attempts left" in resp.json["message"]
    assert client.post(f"/api/shares/{share['token']}/open",
                       json={"passcode": wrong(share["passcode"])}).status_code == 403
    locked = client.post(f"/api/shares/{share['token']}/open", json={"passcode": share["passcode"]})
    assert locked.status_code == 403 and "locked" in locked.json["message"]
    assert "locked" in client.get(f"/s/{share['token']}").text
    assert attempts(hub, "share.attempt") == 6


def test_parallel_guesses_never_exceed_the_limit(share, hub_app, hub):
    def guess(i):
        return hub_app.test_client().post(f"/api/shares/{share['token']}/open",
                                          json={"passcode": wrong(share["passcode"])}).status_code
    with ThreadPoolExecutor(8) as pool:
        codes = list(pool.map(guess, range(24)))
    assert codes.count(401) == 4 and codes.count(403) == 20
    with hub.db.read() as s:
        assert s.scalar(select(Share.attempts)) == 5


def test_expired_link_is_gone(share, hub_app, hub):
    with hub.db.transaction() as s:
        s.execute(update(Share).values(expires_at=Share.created_at))
    client = hub_app.test_client()
    assert client.get(f"/s/{share['token']}").status_code == 410
    resp = client.post(f"/api/shares/{share['token']}/open", json={"passcode": share["passcode"]})
    assert resp.status_code == 410 and "expired" in resp.json["message"]


def test_bad_passcode_format_and_unknown_link(share, hub_app):
    client = hub_app.test_client()
    bad = client.post(f"/api/shares/{share['token']}/open", json={"passcode": "12ab"})
    assert bad.status_code == 400 and "passcode" in bad.json["message"]
    assert client.get("/s/nope").status_code == 404
    assert client.post("/api/shares/nope/open", json={"passcode": "123456"}).status_code == 404


def test_only_the_crew_can_create_a_share(hub_app, share):
    assert hub_app.test_client().post(f"/api/incidents/{share['iid']}/shares", json={"recipient": "x"}).status_code == 401
