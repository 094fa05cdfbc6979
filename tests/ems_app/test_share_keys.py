"""One press of "create QR share" leaves one live link, however often it reaches the hub.

The passcode is kept only as a hash, so a repeat cannot be answered with the first share: it
ends the share made with its key and makes a new one, and only the newest link opens."""
from sqlalchemy import select

from ems_app.models import AuditEntry, Share
from tests.ems_app.conftest import open_identified

KEY = "t0123456789abcdef0123456789abcdef"


def fetched(crew) -> str:
    iid = open_identified(crew, "SIM-CRITICAL")
    assert crew.post(f"/api/incidents/{iid}/record", json={}).status_code == 200
    return iid


def make(crew, iid, **body):
    resp = crew.post(f"/api/incidents/{iid}/shares", json={"recipient": "山田医院", **body})
    assert resp.status_code == 201, resp.json
    return {**resp.json, "token": resp.json["url"].rsplit("/", 1)[1]}


def opens(client, share) -> int:
    return client.post(f"/api/shares/{share['token']}/open", json={"passcode": share["passcode"]}).status_code


def test_a_repeated_key_ends_the_earlier_link_and_only_the_new_one_opens(crew, hub_app, hub):
    iid = fetched(crew)
    first = make(crew, iid, client_id=KEY)
    again = make(crew, iid, client_id=KEY)
    assert again["share_id"] != first["share_id"] and again["passcode"]
    client = hub_app.test_client()
    assert client.get(f"/s/{first['token']}").status_code == 410
    assert opens(client, first) == 410
    assert opens(client, again) == 200
    with hub.db.read() as s:
        created = s.scalars(select(AuditEntry.detail).where(AuditEntry.action == "share.create")).all()
    assert created[-1]["replaces"] == [first["share_id"]]  # the trail says which link the repeat ended


def test_other_keys_and_no_key_each_make_their_own_live_link(crew, hub_app, hub):
    iid = fetched(crew)
    made = [make(crew, iid, client_id=KEY), make(crew, iid, client_id=KEY[::-1]), make(crew, iid), make(crew, iid)]
    client = hub_app.test_client()
    assert [opens(client, s) for s in made] == [200, 200, 200, 200]


def test_the_key_is_the_incidents_own(crew, hub_app):
    mine, other = fetched(crew), fetched(crew)
    first = make(crew, mine, client_id=KEY)
    make(crew, other, client_id=KEY)
    assert opens(hub_app.test_client(), first) == 200


def test_a_bad_key_is_refused_beside_its_field(crew, hub):
    iid = fetched(crew)
    resp = crew.post(f"/api/incidents/{iid}/shares", json={"recipient": "山田医院", "client_id": "no spaces!"})
    assert resp.status_code == 400 and [f["field"] for f in resp.json["fields"]] == ["client_id"]
    with hub.db.read() as s:
        assert s.scalars(select(Share)).all() == []
