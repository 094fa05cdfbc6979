"""This ER's acceptance status and outcome form at the hospital app, with no hub reachable: a tap
is kept here and the answer says the crews do not have it yet; "All still true" renews only what
has not expired; the desk reads and cannot set; the outcome is for physicians, after handover,
and a bad one is refused with its field named."""
from __future__ import annotations

from datetime import datetime, timedelta

from hospital_app.models import Availability
from tests.hospital_app.conftest import signed_in


def test_a_tap_is_kept_and_says_the_crews_do_not_have_it_while_the_hub_is_out_of_reach(er_app):
    doc = signed_in(er_app, "doc")
    resp = doc.post("/api/availability", json={"capability": "stroke", "status": "available"})
    assert resp.status_code == 200, resp.json
    assert resp.json["at_hub"] is False                                   # no hub: said, not hidden
    assert resp.json["availability"]["stroke"]["status"] == "available"
    assert resp.json["availability"]["ct"]["status"] == "unknown"          # never set: unknown
    assert doc.get("/api/availability").json["availability"]["stroke"]["status"] == "available"


def test_confirm_renews_only_what_has_not_expired(er_app):
    doc = signed_in(er_app, "doc")
    doc.post("/api/availability", json={"capability": "stroke", "status": "available"})
    with er_app.extensions["db"].transaction() as s:
        s.add(Availability(capability="ct", status="available", set_at=datetime.utcnow() - timedelta(hours=3),
                           set_by="nurse"))
    board = doc.get("/api/availability").json["availability"]
    assert board["ct"]["status"] == "unknown" and board["ct"]["expired"]   # not "available"
    board = doc.post("/api/availability/confirm", json={}).json["availability"]
    assert board["stroke"]["status"] == "available" and board["ct"]["status"] == "unknown"


def test_the_desk_reads_but_cannot_set(er_app):
    clerk = signed_in(er_app, "clerk")
    assert clerk.get("/api/availability").status_code == 200
    assert clerk.post("/api/availability", json={"capability": "stroke", "status": "available"}).status_code == 403
    assert clerk.post("/api/availability/confirm", json={}).status_code == 403
    assert clerk.post("/api/patients/x/outcome", json={}).status_code == 403


def test_a_bad_tap_names_the_field(er_app):
    doc = signed_in(er_app, "doc")
    resp = doc.post("/api/availability", json={"capability": "coffee", "status": "available"})
    assert resp.status_code == 400 and resp.json["fields"][0]["field"] == "capability"
    assert doc.post("/api/availability/confirm", json={}).json["error"] == "nothing_set"


def test_an_outcome_for_no_patient_or_badly_formed_is_refused(er_app):
    doc = signed_in(er_app, "doc")
    resp = doc.post("/api/patients/nobody/outcome", json={"severity": "severe", "disposition": "icu",
                                                          "diagnosis": {"code": "I63.9"}})
    assert resp.status_code == 404
    resp = doc.post("/api/patients/nobody/outcome", json={"severity": "severe", "disposition": "icu",
                                                          "diagnosis": {"code": "", "display": ""}})
    assert resp.status_code == 400 and resp.json["fields"][0]["field"] == "diagnosis"
    assert doc.get("/api/outcome/diagnoses").json[0]["code"] == "I63.9"
