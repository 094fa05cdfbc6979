"""The gateway's batched acknowledgements: they move only the sender's own live grant, only
forward, and the crew's tablet sees each change."""
import pytest

from ems_app.services import delivery
from shared.errors import Refused
from tests.ems_app.conftest import accept, enrol


@pytest.fixture
def accepted(crew, hub, hospital, tmp_path):
    iid, _grant = accept(crew, hub, hospital)
    for n in range(3):
        assert crew.post(f"/api/incidents/{iid}/updates", json={"kind": "note", "text": f"経過 {n}"}).status_code == 201
    pushed = []
    hub.notifier.send_to_crew = lambda event, payload, room: pushed.append((event, payload, room))
    return iid, pushed


def state(crew, iid):
    body = crew.get(f"/api/incidents/{iid}/updates").json
    return body["delivered_seq"], body["seen_seq"], [u["state"] for u in body["updates"]]


def test_a_batch_moves_delivery_and_seen_and_tells_the_crew(crew, hub, hospital, accepted):
    iid, pushed = accepted
    changed = delivery.hospital_acks(hub, hospital.id, [{"incident_id": iid, "what": "delivered", "seq": 3},
                                                        {"incident_id": iid, "what": "seen", "seq": 2}])
    assert changed == 2
    assert state(crew, iid) == (3, 2, ["seen", "seen", "delivered"])
    assert [p[1]["seen_seq"] for p in pushed] == [0, 2] and pushed[-1][2] == f"incident:{iid}"


def test_an_older_number_changes_nothing(crew, hub, hospital, accepted):
    iid, pushed = accepted
    delivery.hospital_acks(hub, hospital.id, [{"incident_id": iid, "what": "delivered", "seq": 3}])
    assert delivery.hospital_acks(hub, hospital.id, [{"incident_id": iid, "what": "delivered", "seq": 1}]) == 0
    assert state(crew, iid)[0] == 3 and len(pushed) == 1


def test_another_hospital_cannot_move_this_patients_state(crew, hub, accepted, tmp_path):
    iid, pushed = accepted
    other = enrol(hub, tmp_path, "minato-hp")
    assert delivery.hospital_acks(hub, other.id, [{"incident_id": iid, "what": "seen", "seq": 3}]) == 0
    assert state(crew, iid)[:2] == (0, 0) and pushed == []


def test_one_batch_moves_many_patients_each_only_forward_and_only_its_own(crew, hub, hospital, accepted,
                                                                            tmp_path):
    iid, pushed = accepted
    second, _ = accept(crew, hub, hospital)
    crew.post(f"/api/incidents/{second}/updates", json={"kind": "note", "text": "経過"})
    other = enrol(hub, tmp_path, "minato-hp")
    assert delivery.hospital_acks(hub, other.id, [{"incident_id": iid, "what": "delivered", "seq": 3}]) == 0
    changed = delivery.hospital_acks(hub, hospital.id, [
        {"incident_id": iid, "what": "delivered", "seq": 2}, {"incident_id": iid, "what": "delivered", "seq": 3},
        {"incident_id": second, "what": "delivered", "seq": 1}, {"incident_id": "not-ours", "what": "delivered",
                                                                  "seq": 9}])
    assert changed == 2
    assert state(crew, iid)[0] == 3 and state(crew, second)[0] == 1
    assert sorted((p[2], p[1]["delivered_seq"]) for p in pushed if p[0] == "delivery") == sorted(
        [(f"incident:{iid}", 3), (f"incident:{second}", 1)])


def test_a_malformed_item_refuses_the_whole_batch(crew, hub, hospital, accepted):
    iid, pushed = accepted
    with pytest.raises(Refused) as refused:
        delivery.hospital_acks(hub, hospital.id, [{"incident_id": iid, "what": "delivered", "seq": 2},
                                                  {"incident_id": iid, "what": "read", "seq": 3}])
    assert refused.value.status == 400
    assert state(crew, iid)[0] == 0 and pushed == []


def test_the_same_update_resent_at_once_from_several_connections_is_stored_once(hub_app, crew, hub, hospital,
                                                                                 accepted):
    """A tablet's offline queue may resend while the first try is still in flight."""
    import threading
    iid, _ = accepted
    clients = [crew] + [hub_app.test_client() for _ in range(5)]
    cookie = crew.get_cookie(hub_app.config["SESSION_COOKIE_NAME"])
    for c in clients[1:]:
        c.set_cookie(cookie.key, cookie.value)
    results, start = [], threading.Barrier(len(clients))

    def send(c):
        start.wait()
        r = c.post(f"/api/incidents/{iid}/updates", json={"kind": "note", "text": "再送 / resent", "client_id": "queue-0001"})
        results.append((r.status_code, r.json.get("seq", r.json.get("message"))))
    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(code for code, _ in results) == [200] * 5 + [201], results
    assert {seq for _, seq in results} == {4}
    assert [u["seq"] for u in crew.get(f"/api/incidents/{iid}/updates").json["updates"]] == [1, 2, 3, 4]
