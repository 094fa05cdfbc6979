"""The redemption's query is read strictly before anything else: `after` is ASCII digits below
2**31 (an INTEGER column), `view` is `full` or absent. A bad one is a 400 naming the field, on record like any
other refused redemption, and it costs the gateway nothing: its proof is still unused."""
import pytest
from sqlalchemy import select

from ems_app.models import AuditEntry
from shared.tokens import make_proof
from tests.ems_app.conftest import accept


def refusals(hub) -> list[dict]:
    with hub.db.read() as s:
        return [e.detail for e in s.scalars(select(AuditEntry).where(AuditEntry.action == "access.refused"))]


@pytest.mark.parametrize("query, field", [
    ("?after=%C2%B2", "after"),          # "²": str.isdigit() says yes, int() says no
    ("?after=" + "9" * 5000, "after"),   # past int()'s 4,300 digits
    ("?after=9223372036854775808", "after"),  # 2**63: past SQLite's integer
    ("?after=2147483648", "after"),  # 2**31: past PostgreSQL's INTEGER
    ("?after=-1", "after"),
    ("?after=1.5", "after"),
    ("?after=", "after"),
    ("?view=everything", "view"),
])
def test_a_bad_query_is_a_400_before_any_credential_and_is_recorded(hub_app, hub, query, field):
    resp = hub_app.test_client().get(f"/api/hospital/records/abc{query}")
    assert resp.status_code == 400, resp.json
    assert [f["field"] for f in resp.json["fields"]] == [field]
    [refused] = refusals(hub)
    assert field in refused["reason"]


def test_a_bad_after_with_a_real_grant_leaves_the_proof_unused(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital)
    client = hub_app.test_client()
    proof = make_proof(hospital.keys, "GET", f"http://localhost/api/hospital/records/{iid}", grant)
    too_far = hospital.redeem(client, iid, grant, proof=proof, query=f"?after={2**64}")
    assert too_far.status_code == 400 and too_far.json["fields"][0]["field"] == "after"
    assert hospital.redeem(client, iid, grant, proof=proof).status_code == 200


def test_a_good_after_still_fetches_only_the_updates_after_it(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital)
    client = hub_app.test_client()
    caught_up = hospital.redeem(client, iid, grant, query="?after=0000")
    assert caught_up.status_code == 200 and caught_up.json["record"] is not None
    later = hospital.redeem(client, iid, grant, query=f"?after={2**31 - 1}")
    assert later.status_code == 200 and later.json["record"] is None and later.json["updates"] == []
