"""Sign-in is throttled, not locked (NIST SP 800-63B 5.2.2; docs/security.md): guesses stall
behind waits that double, parallel guesses cannot slip past the count, a stranger cannot keep
the owner out where the owner signs in, and one address spraying many accounts is slowed."""
import threading

import pytest

from hospital_app import create_app
from hospital_app.staff import create_staff
from shared.errors import Refused
from web.login import ACCOUNT, MemoryAttempts, Rule, Throttle

PASSWORD = "correct horse battery"
OWNER, STRANGER = "10.1.1.1", "10.6.6.6"


@pytest.fixture
def er_app(database, tmp_path):
    app = create_app({"HOSPITAL_INSTANCE": tmp_path / "er", "GATEWAY": "0", **database("er")})
    create_staff(app.extensions["db"], "doc", "doc", "physician", PASSWORD)
    yield app
    app.extensions["db"].dispose()


def sign_in(app, password: str, address: str = OWNER, username: str = "doc"):
    return app.test_client().post("/api/auth/login", json={"username": username, "password": password},
                                  environ_base={"REMOTE_ADDR": address})


def test_parallel_wrong_passwords_are_counted_before_they_are_checked(er_app):
    start = threading.Barrier(20)
    statuses = []

    def guess():
        client = er_app.test_client()
        start.wait()
        statuses.append(client.post("/api/auth/login", json={"username": "doc", "password": "wrong"}).status_code)

    threads = [threading.Thread(target=guess) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [401] * ACCOUNT.free + [429] * (20 - ACCOUNT.free)


def test_a_stranger_cannot_keep_the_owner_out_where_the_owner_signs_in(er_app):
    assert sign_in(er_app, PASSWORD).status_code == 200
    tries = [sign_in(er_app, "wrong", STRANGER).status_code for _ in range(10)]
    assert tries == [401] * 5 + [429] * 5
    assert sign_in(er_app, PASSWORD, STRANGER).status_code == 429  # the stranger's place waits
    assert sign_in(er_app, PASSWORD, OWNER).status_code == 200     # the owner's does not


def test_a_throttled_answer_says_when_to_come_back(er_app):
    for _ in range(5):
        sign_in(er_app, "wrong")
    resp = sign_in(er_app, PASSWORD)
    assert resp.status_code == 429 and resp.json["error"] == "throttled"
    assert resp.headers["Retry-After"] == "30" and "1 min" in resp.json["message"]


def test_a_success_forgets_the_failures_before_it(er_app):
    for _ in range(4):
        assert sign_in(er_app, "wrong").status_code == 401
    assert sign_in(er_app, PASSWORD).status_code == 200
    assert [sign_in(er_app, "wrong").status_code for _ in range(5)] == [401] * 5


def test_one_address_trying_many_accounts_is_slowed_for_all_of_them(er_app):
    sprayed = [sign_in(er_app, "wrong", STRANGER, f"user{i}").status_code for i in range(31)]
    assert sprayed == [401] * 30 + [429]
    assert sign_in(er_app, "wrong", STRANGER, "someone-new").status_code == 429
    assert sign_in(er_app, PASSWORD, OWNER).status_code == 200  # other places are untouched


class Clock:
    def __init__(self):
        self.now = 1_000_000.0

    def __call__(self):
        return self.now


def test_each_failure_past_the_free_ones_doubles_the_wait_up_to_a_cap():
    rule, times, waits = ACCOUNT, [], []
    now = 0.0
    for _ in range(12):
        wait = rule.wait(times, now)
        waits.append(wait)
        now += wait
        times.append(now)
    assert waits == [0, 0, 0, 0, 0, 30, 60, 120, 240, 480, 900, 900]


def test_the_wait_ends_it_is_never_a_lock():
    clock = Clock()
    throttle = Throttle(MemoryAttempts(), clock)
    rules = {"account:doc": ACCOUNT}
    for _ in range(5):
        throttle.take(rules, "too many")
    with pytest.raises(Refused) as refused:
        throttle.take(rules, "too many")
    assert refused.value.status == 429 and refused.value.params["retry_after_s"] == 30
    clock.now += 30
    throttle.take(rules, "too many").release(clear=("account:doc",))  # the right password
    throttle.take(rules, "too many")


def test_no_more_than_a_hundred_failures_a_day_whatever_the_waits():
    rule = Rule(free=1000, first_wait_s=0, max_wait_s=0, window_s=24 * 3600)
    assert rule.wait([float(t) for t in range(99)], 100.0) == 0
    assert rule.wait([float(t) for t in range(100)], 100.0) == pytest.approx(24 * 3600 - 100)


def test_a_flood_of_made_up_names_does_not_grow_the_store_without_bound(monkeypatch):
    monkeypatch.setattr(MemoryAttempts, "MAX_KEYS", 100)
    store = MemoryAttempts()
    for i in range(1000):
        store.take({f"account:made-up-{i}": ACCOUNT}, float(i))
    assert len(store._times) <= 100
