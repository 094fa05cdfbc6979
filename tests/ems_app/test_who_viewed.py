"""'Who viewed my data' says what each role at the hospital was actually shown, and who asked by
role, never a name: a clerk saw identity, ETA and the complaint only, a nurse the emergency summary, a physician
the full history on their own request; a look refused to staff is there as a refused attempt,
recorded at the hub like a look. The review queue's notes are codes the page words."""
from sqlalchemy import select

from ems_app.models import AuditEntry, ReviewItem
from ems_app.services import hospital_access
from tests.ems_app import patient_page
from tests.ems_app.conftest import accept

EXCEPTION = {"kind": "emergency_exception", "reason_code": "unconscious", "reason_text": "JCS 300"}
CARD = "SIM-000051"


def looked_at_by_every_role(crew, hub, hub_app, hospital) -> str:
    iid, grant = accept(crew, hub, hospital, card_id=CARD)
    gateway = hub_app.test_client()
    hospital.redeem(gateway, iid, grant)                                          # the gateway's own fetch
    hospital_access.record_user_view(hub, hospital.id, iid, "clerk", "view")
    hospital_access.record_user_view(hub, hospital.id, iid, "nurse", "view")
    full = hospital.redeem(gateway, iid, grant, query="?view=full", headers={"X-Requested-By": "physician:#3"})
    assert full.status_code == 200
    hospital_access.record_user_view(hub, hospital.id, iid, "physician", "full_history")
    hospital_access.record_user_view(hub, hospital.id, iid, "clerk", "full_history_refused")
    return iid


def history(hub, hub_app, lang: str | None) -> list[dict]:
    patient = hub_app.test_client()
    if lang is None:
        patient.delete_cookie("lang")  # no choice made: Japanese
    else:
        patient.set_cookie("lang", lang)
    birth = hub.source.fetch(CARD).card.birth_date.isoformat()
    resp = patient_page.history(lambda path, body: patient.post(path, json=body), hub.settings["INSTANCE"],
                                CARD, birth)
    assert resp.status_code == 200, resp.json
    return resp.json


def test_each_row_says_which_role_saw_what(crew, hub, hub_app, hospital):
    looked_at_by_every_role(crew, hub, hub_app, hospital)
    rows = history(hub, hub_app, None)
    assert [(r["who"], r["look"], r["seen"], r["refused"]) for r in rows] == [
        ("paramedic", "record.fetch", ["emergency_summary"], False),
        ("system", "record.view", ["emergency_summary"], False),
        ("clerk", "hospital.view", ["identity", "eta", "chief_complaint"], False),
        ("nurse", "hospital.view", ["emergency_summary"], False),
        ("physician", "record.view_full", ["full_history"], False),
        ("physician", "hospital.full_history", ["full_history"], False),
        ("clerk", "hospital.full_history_refused", [], True)]
    assert all(r["org_kind"] == "hospital" and r["org_name"] == "tokyo-er 病院" for r in rows[1:])
    assert "#3" not in str(rows) and "kyukyu1" not in str(rows)  # roles, never people


def test_the_rows_read_in_japanese_by_default(crew, hub, hub_app, hospital):
    looked_at_by_every_role(crew, hub, hub_app, hospital)
    clerk, nurse, sent, physician, refused = history(hub, hub_app, None)[2:]
    assert clerk["role"].startswith("受付") and clerk["categories"].startswith("本人情報、到着予定")
    assert "サマリー" not in clerk["categories"] and "履歴" not in clerk["categories"]  # no clinical category
    assert nurse["role"].startswith("看護師") and nurse["categories"].startswith("救急時サマリー")
    assert sent["role"].startswith("医師") and sent["action"].startswith("医師の求めにより全履歴")
    assert physician["role"].startswith("医師") and physician["categories"].startswith("全履歴")
    assert refused["role"].startswith("受付") and refused["action"].startswith("全履歴の閲覧を要求（拒否）")
    assert refused["categories"].startswith("なし")


def test_the_rows_read_in_english_with_the_cookie(crew, hub, hub_app, hospital):
    looked_at_by_every_role(crew, hub, hub_app, hospital)
    system, clerk, nurse, sent, physician, refused = history(hub, hub_app, "en")[1:]
    assert "hospital system" in system["role"]
    assert "clerk" in clerk["role"] and clerk["categories"].endswith("Identity, ETA, Chief complaint")
    assert "summary" not in clerk["categories"].lower() and "history" not in clerk["categories"].lower()
    assert "nurse" in nurse["role"] and nurse["categories"].endswith("Emergency summary")
    assert "physician" in sent["role"] and sent["action"].endswith("full history sent at a physician's request")
    assert physician["categories"].endswith("Full history")
    assert refused["action"].endswith("asked for the full history: refused")
    assert refused["categories"].endswith("Nothing (refused)")


def test_the_hubs_own_refusal_of_a_full_history_names_the_hospital_and_the_role(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital)
    refused = hospital.redeem(hub_app.test_client(), iid, grant, query="?view=full",
                              headers={"X-Requested-By": "nurse:#4"})
    assert refused.status_code == 403 and refused.json["error"] == "forbidden"
    with hub.db.read() as s:
        row = s.scalars(select(AuditEntry).where(AuditEntry.action == "access.refused")).one()
    assert row.actor == f"hospital:{hospital.id}" and row.incident_id == iid
    assert (row.detail["role"], row.detail["what"]) == ("nurse", "full_history")
    assert "physician" in row.detail["reason"]


def test_a_refusal_the_hospital_reports_is_recorded_by_role_and_is_not_a_look(crew, hub, hub_app, hospital):
    iid, _ = accept(crew, hub, hospital, basis=EXCEPTION)
    hospital_access.record_user_view(hub, hospital.id, iid, "nurse", "full_history_refused")
    with hub.db.read() as s:
        row = s.scalars(select(AuditEntry).where(AuditEntry.action == "hospital.user_refused")).one()
        flagged = s.scalars(select(ReviewItem).where(ReviewItem.organisation == f"hospital:{hospital.id}")).all()
    assert row.actor == f"hospital:{hospital.id}" and row.basis == "emergency_exception"
    assert (row.detail["role"], row.detail["what"], row.detail["seen"]) == ("nurse", "full_history", [])
    assert flagged == []  # nothing was shown under the exception


def test_a_hospital_look_is_recorded_with_what_the_role_saw(crew, hub, hospital):
    iid, _ = accept(crew, hub, hospital)
    hospital_access.record_user_view(hub, hospital.id, iid, "clerk", "view")
    with hub.db.read() as s:
        row = s.scalars(select(AuditEntry).where(AuditEntry.action == "hospital.user_view")).one()
    assert (row.detail["role"], row.detail["seen"]) == ("clerk", ["identity", "eta", "chief_complaint"])


def test_review_notes_from_hospital_looks_are_codes(crew, hub, hub_app, hospital):
    iid, grant = accept(crew, hub, hospital, basis=EXCEPTION)
    crew.post(f"/api/incidents/{iid}/handover", json={})
    hospital.redeem(hub_app.test_client(), iid, grant)
    with hub.db.read() as s:
        notes = {i.kind: i.summary for i in s.scalars(select(ReviewItem).where(
            ReviewItem.organisation == f"hospital:{hospital.id}"))}
    assert notes == {"emergency_exception": "viewed_under_emergency_exception",
                     "anomaly:after_handover": "viewed_after_handover"}
