"""What a gateway or a tablet sends the hub over its socket is parsed strictly. An event with no
payload, a bool or a number the database cannot hold as seq, or a wrong type gets an "invalid"
reply (the sender's callback always hears back), never a crash and never silence."""
import pytest

from tests.ems_app.conftest import accept

HOSPITAL, CREW = "/hospital", "/crew"


@pytest.fixture
def gateway(hub_app, hospital):
    """A hospital gateway connected with its own key's assertion, as hospital_app's does."""
    client = hub_app.extensions["socketio"].test_client(hub_app, namespace=HOSPITAL,
                                                        auth={"assertion": hospital.assertion()})
    assert client.is_connected(HOSPITAL)
    yield client
    client.disconnect(namespace=HOSPITAL)


@pytest.fixture
def tablet(hub_app, crew):
    client = hub_app.extensions["socketio"].test_client(hub_app, namespace=CREW, flask_test_client=crew)
    assert client.is_connected(CREW)
    yield client
    client.disconnect(namespace=CREW)


def send(client, namespace, event, args):
    return client.emit(event, *args, namespace=namespace, callback=True)


def assert_invalid(reply):
    assert isinstance(reply, dict) and reply["error"] == "invalid", reply
    assert isinstance(reply["message"], str) and reply["message"]


ANY_EVENT = [
    pytest.param((), id="no payload"),
    pytest.param((None,), id="null"),
    pytest.param(("x",), id="a string"),
    pytest.param(([],), id="a list"),
]
ABOUT_AN_INCIDENT = ANY_EVENT + [
    pytest.param(({},), id="no incident id"),
    pytest.param(({"incident_id": 7},), id="incident id a number"),
    pytest.param(({"incident_id": True},), id="incident id a bool"),
]
INQUIRY_ANSWER = ANY_EVENT + [
    pytest.param(({"accept": True},), id="no inquiry id"),
    pytest.param(({"inquiry_id": 5, "accept": True},), id="inquiry id a number"),
    pytest.param(({"inquiry_id": "x"},), id="no accept"),
    pytest.param(({"inquiry_id": "x", "accept": "yes"},), id="accept as text"),
    pytest.param(({"inquiry_id": "x", "accept": 1},), id="accept a number"),
    pytest.param(({"inquiry_id": "x", "accept": False, "reason": 7},), id="reason a number"),
    pytest.param(({"inquiry_id": "x", "accept": True, "answered_by": ["a"]},), id="answered_by a list"),
]
ACK = ABOUT_AN_INCIDENT + [
    pytest.param(({"incident_id": "i", "seq": 1},), id="no what"),
    pytest.param(({"incident_id": "i", "what": 5, "seq": 1},), id="what a number"),
    pytest.param(({"incident_id": "i", "what": "seen", "seq": True},), id="seq a bool"),
    pytest.param(({"incident_id": "i", "what": "seen", "seq": 2**63},), id="seq 2**63"),
    pytest.param(({"incident_id": "i", "what": "seen", "seq": -1},), id="seq negative"),
    pytest.param(({"incident_id": "i", "what": "seen", "seq": "3"},), id="seq as text"),
    pytest.param(({"incident_id": "i", "what": "seen", "seq": 1.5},), id="seq a fraction"),
    pytest.param(({"incident_id": "i", "what": "seen", "seq": None},), id="seq null"),
]
ACKS = [
    pytest.param((), id="no payload"),
    pytest.param((None,), id="null"),
    pytest.param(({"incident_id": "i", "what": "delivered", "seq": 1},), id="one ack, not a list"),
    pytest.param(([None],), id="a null item"),
    pytest.param(([{"incident_id": "i", "what": "delivered", "seq": True}],), id="seq a bool"),
    pytest.param(([{"incident_id": "i", "what": "delivered", "seq": 2**63}],), id="seq 2**63"),
    pytest.param(([{"incident_id": "i", "what": "delivered", "seq": "1"}],), id="seq as text"),
    pytest.param(([{"incident_id": "i", "what": "delivered", "seq": 1}] * 1001,), id="more than 1000"),
]
ACCESS = ABOUT_AN_INCIDENT + [
    pytest.param(({"incident_id": "i", "action": "view"},), id="no role"),
    pytest.param(({"incident_id": "i", "role": 5, "action": "view"},), id="role a number"),
    pytest.param(({"incident_id": "i", "role": "nurse", "action": True},), id="action a bool"),
    pytest.param(({"incident_id": "i", "role": "nurse", "action": "view", "at": "yesterday"},), id="at not a time"),
    pytest.param(({"incident_id": "i", "role": "nurse", "action": "view", "at": 1700000000},), id="at a number"),
]


@pytest.mark.parametrize("args", INQUIRY_ANSWER)
def test_inquiry_answer_malformed(gateway, args):
    assert_invalid(send(gateway, HOSPITAL, "inquiry_answer", args))


@pytest.mark.parametrize("args", ACK)
def test_ack_malformed(gateway, args):
    assert_invalid(send(gateway, HOSPITAL, "ack", args))


@pytest.mark.parametrize("args", ACKS)
def test_acks_malformed(gateway, args):
    assert_invalid(send(gateway, HOSPITAL, "acks", args))


@pytest.mark.parametrize("args", ACCESS)
def test_access_malformed(gateway, args):
    assert_invalid(send(gateway, HOSPITAL, "access", args))


@pytest.mark.parametrize("args", ABOUT_AN_INCIDENT)
def test_handover_malformed(gateway, args):
    assert_invalid(send(gateway, HOSPITAL, "handover", args))


@pytest.mark.parametrize("args", ABOUT_AN_INCIDENT)
def test_follow_malformed(tablet, args):
    assert_invalid(send(tablet, CREW, "follow", args))


def test_the_reply_names_what_was_wrong(gateway):
    reply = send(gateway, HOSPITAL, "ack", ({"incident_id": "i", "what": "seen", "seq": True},))
    assert [f["field"] for f in reply["fields"]] == ["seq"]


def test_well_formed_events_still_act_and_refusals_keep_their_codes(crew, hub, hospital, gateway, tablet):
    iid, _grant = accept(crew, hub, hospital)
    crew.post(f"/api/incidents/{iid}/updates", json={"kind": "note", "text": "経過"})
    assert send(gateway, HOSPITAL, "ack", ({"incident_id": iid, "what": "seen", "seq": 1},)) == {"ok": True}
    assert send(gateway, HOSPITAL, "acks", ([{"incident_id": iid, "what": "delivered", "seq": 1}],)) == \
        {"ok": True, "changed": 0}  # 'seen' 1 already moved 'delivered' to 1
    assert send(gateway, HOSPITAL, "access", ({"incident_id": iid, "role": "nurse", "action": "view",
                                               "at": "2020-01-01T00:00:00"},))["error"] == "no_grant"
    assert send(gateway, HOSPITAL, "access", ({"incident_id": iid, "role": "nurse", "action": "view"},)) == \
        {"ok": True}
    assert send(gateway, HOSPITAL, "ack", ({"incident_id": "0" * 16, "what": "seen", "seq": 1},))["error"] == \
        "no_grant"
    assert send(tablet, CREW, "follow", ({"incident_id": iid},)) == {"ok": True}
    assert send(tablet, CREW, "follow", ({"incident_id": "0" * 16},))["error"] == "not_found"
    assert send(gateway, HOSPITAL, "handover", ({"incident_id": iid},)) == {"ok": True}
    [handed_over] = [m["args"][0] for m in tablet.get_received(CREW) if m["name"] == "handed_over"]
    assert handed_over == {"incident_id": iid, "by": hospital.id}
    assert [m["name"] for m in gateway.get_received(HOSPITAL)] == ["inquiry", "grant", "update", "grant_ends"]


def test_a_gateway_without_an_assertion_is_not_connected(hub_app):
    client = hub_app.extensions["socketio"].test_client(hub_app, namespace=HOSPITAL, auth={"assertion": 5})
    assert not client.is_connected(HOSPITAL)
