"""The ER returns what became of the patient to the fire service: a physician records the
初診時傷病程度, the diagnosis and the disposition at or after handover, while the patient is still
held here (the grant's window after handover). The hub keeps it after the grant ends; a
correction is a new version. Each return is logged in the access log (with the name) and
audited at the hub (by role), and pushed to the ER's clinical dashboards (never the desk's)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select

from hospital_app import access_log, store
from hospital_app.models import OutcomeReport
from shared.clock import aware, utcnow
from shared.errors import Refused
from shared.schemas.outcome import Diagnosis, Disposition, Severity
from shared.storage import Database

if TYPE_CHECKING:
    from hospital_app.gateway import Gateway
    from hospital_app.models import Staff


class OutcomeIn(BaseModel):
    """The physician's form."""
    model_config = ConfigDict(extra="forbid")
    severity: Severity
    diagnosis: Diagnosis
    disposition: Disposition


def record(db: Database, gateway: Gateway, audit_key: bytes, incident_id: str, found: OutcomeIn,
           staff: Staff) -> dict:
    view = store.patient_view(db, incident_id)
    if view is None:
        raise Refused(404, "no such patient, or the grant has ended", "not_found")
    if not (view.get("incident") or {}).get("handed_over_at"):
        raise Refused(409, "the outcome is recorded at or after handover", "not_handed_over")
    answer = gateway.send("outcome", {"incident_id": incident_id, "severity": found.severity,
                                      "diagnosis": found.diagnosis.model_dump(), "disposition": found.disposition,
                                      "recorded_by": f"{staff.role} #{staff.id}"})  # the hub gets a role, not a name
    sent = answer.get("outcome") or {}
    with db.transaction() as s:
        version = (s.scalar(select(func.max(OutcomeReport.version)).where(OutcomeReport.incident_id == incident_id))
                   or 0) + 1
        s.add(OutcomeReport(incident_id=incident_id, version=version, severity=found.severity,
                            diagnosis_code=found.diagnosis.code, diagnosis_display=found.diagnosis.display,
                            disposition=found.disposition, recorded_at=utcnow().replace(microsecond=0),
                            recorded_by=staff.display_name[:64]))
        # The hub audited it itself (outcome.record): nothing to report to it again.
        access_log.append(s, audit_key, staff=staff.username, role=staff.role, incident_id=incident_id,
                          action="outcome_returned", reported=True)
    now = held(db, incident_id)
    gateway.dashboard.outcome(incident_id, now)  # every clinical dashboard, not only the one that sent it
    return {"incident_id": incident_id, "version": sent.get("version", version), **now}


def held(db: Database, incident_id: str) -> dict:
    """What this ER returned for the patient: the latest version and how many there were."""
    with db.read() as s:
        rows = s.scalars(select(OutcomeReport).where(OutcomeReport.incident_id == incident_id)
                         .order_by(OutcomeReport.version)).all()
    if not rows:
        return {"outcome": None, "versions": 0}
    last = rows[-1]
    return {"outcome": {"severity": last.severity, "disposition": last.disposition,
                        "diagnosis": {"code": last.diagnosis_code, "display": last.diagnosis_display},
                        "recorded_at": aware(last.recorded_at).isoformat(), "recorded_by": last.recorded_by,
                        "version": last.version}, "versions": len(rows)}
