"""After handover the ER keeps its copy of the record for the grant's window, whatever the crew
does next: closing purges the hub's copy only, and the hospital may still fetch the updates it
missed. A close before handover ends the grant at once and tells the hospital why; each way a
hospital's copy ends has its own reason."""
from sqlalchemy import select, update

from ems_app.models import AuditEntry, Grant
from ems_app.services import grants, routing
from ems_app.services.lifecycle import sweep_expired
from tests.ems_app.conftest import accept, enrol


def pushes_to_hospitals(hub) -> list:
    pushed = []
    hub.notifier.send_to_hospital = lambda event, payload, room: pushed.append((event, payload))
    return pushed


def test_closing_after_handover_leaves_the_hospitals_grant_to_its_window(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital)
    sent = crew.post(f"/api/incidents/{iid}/updates", json={"kind": "vitals", "vitals": {"spo2": 91}})
    assert sent.status_code == 201
    pushed = pushes_to_hospitals(hub)
    crew.post(f"/api/incidents/{iid}/handover", json={})
    with hub.db.read() as s:
        window_end = s.scalars(select(Grant.expires_at).where(Grant.incident_id == iid)).one()

    assert crew.post(f"/api/incidents/{iid}/close", json={}).status_code == 200
    assert [event for event, _ in pushed] == ["grant_ends"]  # told the window's end, never revoked
    with hub.db.read() as s:
        kept = s.scalars(select(Grant).where(Grant.incident_id == iid)).one()
        assert kept.revoked_at is None and kept.ended_at is None and kept.expires_at == window_end

    client = hub_app.test_client()
    missed = hospital.redeem(client, iid, grant, query="?after=0")
    assert missed.status_code == 200, missed.json
    assert [u["kind"] for u in missed.json["updates"]] == ["vitals"] and missed.json["record"] is None
    assert missed.json["incident"]["status"] == "closed"
    assert hospital.redeem(client, iid, grant, query="?after=1").json["updates"] == []

    # The record itself is gone from the hub: asking for it says so.
    full = hospital.redeem(client, iid, grant, query="?view=full", headers={"X-Requested-By": "physician:#1"})
    assert full.status_code == 403 and full.json["error"] == "record_purged"
    assert "only missed updates" in full.json["message"]

    # At the window's end the sweep ends it, with the reason the dashboard shows.
    with hub.db.transaction() as s:
        s.execute(update(Grant).values(expires_at=Grant.issued_at))
    assert sweep_expired(hub) == 1
    assert pushed[-1] == ("grant_revoked", {"incident_id": iid, "reason": "handover_window_over"})
    over = hospital.redeem(client, iid, grant, query="?after=1")
    assert over.status_code == 403 and over.json["error"] == "handover_window_over"


def test_closing_before_handover_revokes_at_once_and_says_why(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital)
    pushed = pushes_to_hospitals(hub)
    assert crew.post(f"/api/incidents/{iid}/close", json={}).status_code == 200
    assert pushed == [("grant_revoked", {"incident_id": iid, "reason": "closed_before_handover"})]
    refused = hospital.redeem(hub_app.test_client(), iid, grant, query="?after=0")
    assert refused.status_code == 403 and refused.json["error"] == "closed_before_handover"
    assert "revoked" in refused.json["message"]
    with hub.db.read() as s:
        revoke = s.scalars(select(AuditEntry).where(AuditEntry.action == "grant.revoke")).one()
        assert revoke.detail["reason"] == "closed_before_handover"


def test_a_rerouted_hospital_is_refused_with_its_own_reason(crew, hub, hub_app, hospital, tmp_path):
    iid, first = accept(crew, hub, hospital)
    second = enrol(hub, tmp_path, "minato-hp")
    [inquiry] = crew.post(f"/api/incidents/{iid}/inquiries", json={"hospital_ids": [second.id]}).json
    routing.answer(hub, second.id, inquiry["inquiry_id"], True, "救急医")
    refused = hospital.redeem(hub_app.test_client(), iid, first)
    assert refused.status_code == 403 and refused.json["error"] == "rerouted"


def test_each_way_a_hospitals_copy_ends_has_its_own_reason():
    reasons = (grants.REROUTED, grants.CLOSED_BEFORE_HANDOVER, grants.HANDOVER_WINDOW_OVER, grants.EXPIRED)
    assert len(set(reasons)) == 4
    assert set(reasons) == {"rerouted", "closed_before_handover", "handover_window_over", "expired"}
