"""The region's figures and case review at the hub: who may see them, what a closed incident adds,
that nothing under 10 leaves in the JSON, the CSV or the charts, and that case review shows no
identity and is audited."""
from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timezone

from sqlalchemy import select

from ems_app.models import AuditEntry, CaseFigures, Incident
from ems_app.services import figures
from load.seed_figures import seed
from shared.schemas.outcome import Diagnosis, Outcome
from tests.ems_app.conftest import accept, signed_in


def _numbers_that_left(answer: dict) -> list:
    out = []
    for t in answer["tables"]:
        out += [v for row in t["cells"] for v in row] + t["row_totals"] + t["column_totals"] + [t["total"]]
    for m in answer["times"]:
        out += m["cases"] + [m["cases_total"]]
    return out


def test_only_the_analyst_and_medical_control_see_the_figures(hub_app, crew):
    analyst = signed_in(hub_app, "analyst", team="", role="fire_analyst")
    doctor = signed_in(hub_app, "mc", team="", role="medical_control")
    officer = signed_in(hub_app, "privacy", team="", role="privacy_officer")
    assert hub_app.test_client().get("/api/figures").status_code == 401
    assert crew.get("/api/figures").status_code == 403
    assert officer.get("/api/figures").status_code == 403
    assert analyst.get("/api/figures").status_code == 200 and doctor.get("/api/figures").status_code == 200
    # the analyst: the figures only, no case review, no incident, no review queue
    assert analyst.get("/api/cases").status_code == 403
    assert analyst.get("/api/incidents").status_code == 403
    assert analyst.get("/api/review").status_code == 403
    assert doctor.get("/api/cases").status_code == 200
    assert doctor.get("/api/incidents").status_code == 403


def test_bad_filters_are_refused_with_the_field_named(hub_app):
    analyst = signed_in(hub_app, "analyst", team="", role="fire_analyst")
    resp = analyst.get("/api/figures?by=patient")
    assert resp.status_code == 400 and resp.json["fields"][0]["field"] == "by"
    resp = analyst.get("/api/figures?from_week=2026-12-07&to_week=2026-11-02")
    assert resp.status_code == 400 and resp.json["error"] == "bad_range"
    assert analyst.get("/api/figures?from_week=2020-01-06&to_week=2026-11-02").json["error"] == "range_too_long"


def test_nothing_under_ten_leaves_in_the_json_the_csv_or_the_charts(hub, hub_app):
    seed(hub.db, 400, weeks=8, seed=3)
    analyst = signed_in(hub_app, "analyst", team="", role="fire_analyst")
    for by in ("week", "station", "hospital"):
        answer = analyst.get(f"/api/figures?by={by}").json
        left = _numbers_that_left(answer)
        assert sum(v for v in left if isinstance(v, int)) > 0
        assert not [v for v in left if isinstance(v, int) and 0 < v < 10], by
        assert "<10" in left and "*" in left  # 400 cases over 12 units and 8 weeks: small cells exist
        lines = list(csv.reader(io.StringIO(analyst.get(f"/api/figures.csv?by={by}").get_data(as_text=True))))
        values = [line[3] for line in lines[1:] if len(line) == 4]
        assert not [v for v in values if re.fullmatch(r"[1-9]", v)], by
    chart = analyst.get("/api/figures/chart/difficulty.svg?by=station")
    assert chart.status_code == 200 and chart.mimetype == "image/svg+xml"
    text = chart.get_data(as_text=True)
    assert not re.search(r">[1-9]<", text)  # no small count written in the picture either
    assert "<script" not in text


def test_a_closed_incident_is_counted_and_its_outcome_is_not_returned_until_it_is(crew, hub, hub_app, hospital):
    iid, _grant = accept(crew, hub, hospital)
    with hub.db.transaction() as s:
        incident = s.get(Incident, iid)
        incident.called_at = incident.created_at
    assert crew.post(f"/api/incidents/{iid}/handover", json={}).status_code == 200
    assert crew.post(f"/api/incidents/{iid}/close", json={}).status_code == 200
    with hub.db.read() as s:
        row = s.scalars(select(CaseFigures).where(CaseFigures.incident_id == iid)).one()
    assert (row.card, row.basis, row.inquiries, row.severity) == ("card_photo", "consent", 1, None)
    assert row.on_scene_min is None and row.difficult is False  # one inquiry: not difficult, whatever the time
    assert row.age_band and row.age_band.endswith("s")
    raw = _raw(hub)
    assert _column(raw, "outcomes", "not_returned") == 1 and _column(raw, "outcomes", "mild") == 0
    with hub.db.transaction() as s:
        figures.record_outcome(s, hub, iid, hospital.id, Outcome(
            severity="moderate", diagnosis=Diagnosis(code="I21.9", display="急性心筋梗塞"), disposition="admitted",
            recorded_at=datetime.now(timezone.utc)), "hospital:tokyo-er")
    raw = _raw(hub)
    assert _column(raw, "outcomes", "not_returned") == 0 and _column(raw, "outcomes", "moderate") == 1


def _raw(hub) -> dict:
    query = figures.FiguresQuery()
    first, last = query.weeks()
    with hub.db.read() as s:
        return figures.compute(s, "fire:tokyo", query, first, last)


def _column(raw: dict, topic: str, code: str) -> int:
    index = list(figures.TABLES[topic]).index(code)
    return sum(row[index] for row in raw["tables"][topic])


def test_case_review_shows_no_identity_and_is_audited(crew, hub, hub_app, hospital):
    iid, _grant = accept(crew, hub, hospital, card_id="SIM-000070")
    crew.post(f"/api/incidents/{iid}/updates", json={"kind": "vitals", "client_id": "vitals-0001",
                                                      "vitals": {"heart_rate": 112, "systolic_bp": 88}})
    crew.post(f"/api/incidents/{iid}/updates", json={"kind": "location", "client_id": "where-0001",
                                                      "text": "東京都千代田区一丁目 山田様方"})
    record = crew.get(f"/api/incidents/{iid}/record").json
    name = record["summary"]["card"]["name"]
    crew.post(f"/api/incidents/{iid}/handover", json={})
    crew.post(f"/api/incidents/{iid}/close", json={})
    doctor = signed_in(hub_app, "mc", team="", role="medical_control")
    assert iid in [c["incident_id"] for c in doctor.get("/api/cases").json]
    case = doctor.get(f"/api/cases/{iid}")
    assert case.status_code == 200
    text = json.dumps(case.json, ensure_ascii=False)
    for identity in (name, "SIM-000070", record["summary"]["card"]["birth_date"], "山田", "千代田区"):
        assert identity not in text
    assert re.fullmatch(r"\d+s", case.json["age_band"])
    kinds = [e["what"] for e in case.json["events"]]
    assert {"asked", "accepted", "vitals", "handed_over", "closed"} <= set(kinds)
    assert [e for e in case.json["events"] if e["what"] == "vitals"][0]["vitals"]["heart_rate"] == 112
    assert case.json["outcome"] is None
    resp = doctor.post(f"/api/cases/{iid}/notes", json={"note": "照会から受入まで適切"})
    assert resp.status_code == 201
    assert doctor.get(f"/api/cases/{iid}").json["notes"][0]["note"] == "照会から受入まで適切"
    with hub.db.read() as s:
        trail = [(a.actor, a.action) for a in s.scalars(select(AuditEntry).where(AuditEntry.incident_id == iid))]
    assert ("user:mc", "case.review_open") in trail and ("user:mc", "case.review_note") in trail
    # an open incident, another fire HQ's case or an analyst: no case to open
    analyst = signed_in(hub_app, "analyst", team="", role="fire_analyst")
    assert analyst.get(f"/api/cases/{iid}").status_code == 403
    open_iid = crew.post("/api/incidents", json={}).json["id"]
    assert doctor.get(f"/api/cases/{open_iid}").status_code == 404
    from ems_app.services.enrolment import create_user
    create_user(hub, "mc-osaka", "MC 大阪", "medical_control", "", "correct horse battery", "fire:osaka")
    other = hub_app.test_client()
    other.post("/api/auth/login", json={"username": "mc-osaka", "password": "correct horse battery"})
    assert other.get(f"/api/cases/{iid}").status_code == 404
    assert other.post(f"/api/cases/{iid}/notes", json={"note": "x"}).status_code == 404


def test_odd_input_is_a_4xx_on_every_figures_endpoint(hub_app):
    doctor = signed_in(hub_app, "mc", team="", role="medical_control")
    odd = ["from_week=2026-13-40", "to_week=yesterday", "station=" + "x" * 65, "hospital=", "by=", "by=week&by=station",
           "station=%00", "from_week=0001-01-01&to_week=9999-12-27", "to_week=0001-01-01", "difficult=perhaps",
           "extra=1"]
    for path in ("/api/figures", "/api/figures.csv", "/api/figures/chart/outcomes.svg", "/api/cases"):
        for query in odd:
            resp = doctor.get(f"{path}?{query}")
            assert resp.status_code < 500, (path, query, resp.status_code)
            if resp.status_code >= 400:
                assert resp.json["message"], (path, query)
    assert doctor.get("/api/cases/not-a-case-id-xx").status_code == 404
    assert doctor.get("/api/figures/chart/patients.svg").status_code == 404
    assert doctor.post("/api/cases/0123456789abcdef/notes", json={"note": ""}).status_code in (400, 404)
    assert doctor.post("/api/cases/0123456789abcdef/notes", json={"note": "ok"}).status_code == 404
