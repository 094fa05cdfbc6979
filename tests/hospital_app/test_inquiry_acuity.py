"""The inquiry a physician decides on carries the acuity by the one rule, for clinical staff only
(docs/clinical-safety.md H35).

The hub sends the assessment of every vitals entry with the inquiry, and which ambulance unit
asks; the gateway parses it where it arrives and the dashboards get it through visibility.py:
clinical staff the acuity, the desk never (it is clinical), both the unit, the time asked and
the ETA."""
from hospital_app.gateway import NS as HUB_NS
from hospital_app.hub_events import Inquiry as HubInquiry
from tests.hospital_app.conftest import signed_in
from tests.hospital_app.test_dashboard_events import NS, dashboard, queued

ACUITY = {"level": "red", "missing": ["spo2", "respiratory_rate"], "stale": [], "fresh_for_minutes": 20,
          "changes_at": "2026-12-02T10:14:00Z",
          "measures": {"systolic_bp": {"value": 85, "taken_at": "2026-12-02T09:54:00Z", "stale": False,
                                       "level": "red", "scale": None},
                       "heart_rate": {"value": 80, "taken_at": "2026-12-02T09:59:00Z", "stale": False,
                                      "level": "green", "scale": None}}}
INQUIRY = {"inquiry_id": "q1", "incident_id": "inc1", "status": "pending", "asked_at": "2026-12-02T10:00:00+00:00",
           "unit": "tokyo-1", "chief_complaint": "意識障害", "age_band": "80s", "sex": "male", "eta_minutes": 12,
           "acuity": ACUITY, "basis": "consent"}


def test_the_inquiry_brings_its_acuity_to_clinical_staff_and_never_to_the_desk(er_app):
    gateway = er_app.extensions["gateway"]
    doctor, clerk = dashboard(er_app, "doc"), dashboard(er_app, "clerk")
    gateway.sio.handlers[HUB_NS]["inquiry"](INQUIRY)  # as the hub's push arrives
    [(name, event)] = queued(gateway)
    gateway.lane_events[name](event)
    [to_doctor] = [m["args"][0] for m in doctor.get_received(NS) if m["name"] == "inquiry"]
    [to_clerk] = [m["args"][0] for m in clerk.get_received(NS) if m["name"] == "inquiry"]
    assert to_doctor == INQUIRY
    assert "acuity" not in to_clerk and "basis" not in to_clerk
    assert {k: to_clerk[k] for k in ("unit", "asked_at", "eta_minutes")} == {
        "unit": "tokyo-1", "asked_at": "2026-12-02T10:00:00+00:00", "eta_minutes": 12}
    assert "85" not in str(to_clerk)


def test_a_dashboard_reloaded_reads_the_same_from_the_store(er_app):
    gateway = er_app.extensions["gateway"]
    gateway.lane_events["inquiry"](HubInquiry(**INQUIRY))
    [to_doctor] = signed_in(er_app, "doc").get("/api/inquiries").json
    [to_clerk] = signed_in(er_app, "clerk").get("/api/inquiries").json
    assert to_doctor["acuity"] == ACUITY and to_doctor["unit"] == "tokyo-1"
    assert "acuity" not in to_clerk and to_clerk["unit"] == "tokyo-1"
