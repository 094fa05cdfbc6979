"""A flood of refused grant redemptions neither fills the audit trail nor slows the hub.

Refusals are counted per address and per hospital in the database (services/refusal_limit.py):
the first few of a window are audited one by one, the rest only counted; past the limit the
address (or the proven hospital) is answered 429 before any check; when the window is over, the
trail gets one entry with the count. A hospital whose name a forger puts in a grant is not slowed."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from ems_app import create_app
from ems_app.models import AuditEntry, RefusalCount
from ems_app.services import refusal_limit
from shared.clock import utcnow
from tests.ems_app.conftest import accept, enrol

ATTACKER, ER = "203.0.113.66", "198.51.100.7"


@pytest.fixture
def hub_app(database, tmp_path):
    app = create_app({"EMS_INSTANCE": tmp_path / "ems", "EXPIRY_SWEEP_S": 0, "REDEEM_REFUSAL_WINDOW_S": 600,
                      **database("ems")})
    yield app
    app.extensions["hub"].db.dispose()


def from_address(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


def trail(hub) -> list[AuditEntry]:
    with hub.db.read() as s:
        return list(s.scalars(select(AuditEntry).order_by(AuditEntry.id)))


def windows(hub, key: str) -> dict:
    with hub.db.read() as s:
        return {r.window_start: r.count for r in s.scalars(select(RefusalCount).where(RefusalCount.key == key))}


def test_a_thousand_refused_redemptions_leave_a_few_rows_with_the_count(hub_app, hub, crew, tmp_path):
    tokyo, minato = enrol(hub, tmp_path, "tokyo-er"), enrol(hub, tmp_path, "minato-hp")
    iid, grant = accept(crew, hub, minato)
    before = len(trail(hub))
    attacker = hub_app.test_client()
    answers = []
    for n in range(1000):
        resp = attacker.get(f"/api/hospital/records/inc{n}", environ_base={"REMOTE_ADDR": ATTACKER},
                            headers={"Authorization": "DPoP not-a-grant", "DPoP": "not-a-proof"})
        answers.append(resp.status_code)
        if n == 500:  # mid-flood, a legitimate redemption from another hospital goes through at once
            started = time.monotonic()
            ok = minato.redeem(from_address(hub_app, ER), iid, grant)
            took = time.monotonic() - started
            assert ok.status_code == 200 and ok.json["record"] is not None
            assert took < 2.0, f"the ER waited {took:.2f} s behind the flood"
    counted = windows(hub, f"address:{ATTACKER}")
    assert sum(counted.values()) == 1000 and len(counted) in (1, 2)
    # In each window the limit, then refused unchecked. The windows follow the clock (ten minutes
    # here), so a flood that crosses into the next one starts a fresh count there.
    checked = sum(min(20, count) for count in counted.values())
    assert answers.count(401) == checked and answers.count(429) == 1000 - checked

    itemised = [e for e in trail(hub)[before:] if e.action == "access.refused"]
    assert len(itemised) <= 5 * len(counted)  # the first few of each window only
    # A window is summed up once it is over, never while it is open (the flood's first refusal in
    # a new window sums up the one before; the sweeper does the rest).
    now = utcnow()
    refusal_limit.summarise_ended(hub, now=now)
    over = {start for start, count in counted.items() if start + timedelta(seconds=600) <= now and count > 5}
    summed = {e.detail["window_start"] for e in trail(hub) if e.action == "access.refused_flood"}
    assert summed == {f"{start.isoformat()}Z" for start in over}
    # The sweeper, run once the last window is over too (as every hub process's sweeper runs it).
    later = utcnow() + timedelta(seconds=600)
    assert refusal_limit.summarise_ended(hub, now=later) == len([c for c in counted.values() if c > 5]) - len(over)
    assert refusal_limit.summarise_ended(hub, now=later) == 0  # once
    floods = [e for e in trail(hub) if e.action == "access.refused_flood"]
    assert sorted(e.detail["count"] for e in floods) == sorted(c for c in counted.values() if c > 5)
    assert all(e.detail["address"] == ATTACKER and e.detail["window_s"] == 600 for e in floods)
    added = [e for e in trail(hub)[before:] if e.action != "record.view" and not e.action.startswith("hospital.")]
    assert len(added) <= 6 * len(counted), [e.action for e in added]  # a few rows, not a thousand
    assert tokyo.id not in str([e.detail for e in floods])


def test_a_hospital_presenting_refused_grants_is_limited_but_not_a_hospital_named_by_a_forger(
        hub_app, hub, crew, tmp_path):
    tokyo, minato = enrol(hub, tmp_path, "tokyo-er"), enrol(hub, tmp_path, "minato-hp")
    iid, grant = accept(crew, hub, tokyo)
    client = hub_app.test_client()
    # Tokyo's own key, the grant presented for the wrong incident, from a new address each time.
    statuses = [client.get("/api/hospital/records/not-this-one", environ_base={"REMOTE_ADDR": f"10.0.0.{n}"},
                           headers={"Authorization": f"DPoP {grant}",
                                    "DPoP": _proof(tokyo, "not-this-one", grant)}).status_code
                for n in range(70)]
    counted = windows(hub, "hospital:tokyo-er")
    assert sum(counted.values()) == 70
    checked = sum(min(60, count) for count in counted.values())  # each clock window its own limit
    assert statuses[:60] == [403] * 60 and statuses.count(403) == checked and statuses.count(429) == 70 - checked
    # Minato's grant with a proof by a key that is not Minato's: refused, counted by address only.
    other_iid, minato_grant = accept(crew, hub, minato)
    for n in range(70):
        forged = client.get(f"/api/hospital/records/{other_iid}", environ_base={"REMOTE_ADDR": f"10.9.{n}.1"},
                            headers={"Authorization": f"DPoP {minato_grant}",
                                     "DPoP": _proof(tokyo, other_iid, minato_grant)})
        assert forged.status_code == 401
    assert windows(hub, "hospital:minato-hp") == {}
    ok = minato.redeem(client, other_iid, minato_grant)
    assert ok.status_code == 200  # Minato itself was never slowed down


def _proof(hospital, incident_id: str, grant: str) -> str:
    from shared.tokens import make_proof
    return make_proof(hospital.keys, "GET", f"http://localhost/api/hospital/records/{incident_id}", grant)


def test_the_limit_holds_across_hub_processes(hub_app, hub, tmp_path):
    """A second app on the same database (as a second hub process is) sees the same counts."""
    other = create_app({"EMS_INSTANCE": hub.settings["INSTANCE"], "EXPIRY_SWEEP_S": 0, "REDEEM_REFUSAL_WINDOW_S": 600,
                        "DATABASE_URL": hub_app.config["DATABASE_URL"],
                        **({"DATABASE_SCHEMA": hub_app.config["DATABASE_SCHEMA"]}
                           if hub_app.config["DATABASE_SCHEMA"] else {})})
    try:
        statuses = [app.test_client().get("/api/hospital/records/x", environ_base={"REMOTE_ADDR": ATTACKER},
                                          headers={"Authorization": "DPoP x", "DPoP": "x"}).status_code
                    for app in [hub_app, other] * 15]
        assert statuses == [401] * 20 + [429] * 10
    finally:
        other.extensions["hub"].db.dispose()
    with hub.db.read() as s:
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "access.refused")) == 5
