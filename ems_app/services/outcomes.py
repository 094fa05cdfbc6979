"""What became of the patient, returned by the ER that took them: kept by the fire service.

A physician at the ER records the 初診時傷病程度, the diagnosis and the disposition at or after
handover, while the hospital still holds its grant (the window after handover); the gateway
sends it (realtime/hospitals.py `on_outcome`). The hub keeps every version (`outcome_versions`:
a correction is a new version, the old one stays), the latest in `outcomes` where the figures
count it (services/figures.record_outcome, audited), and pushes it to the crew's tablets. Neither
table is touched when the grant ends or the incident is purged: the fire service keeps the
outcome without the record."""
from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field
from sqlalchemy import func, select

from ems_app.hub import Hub
from ems_app.models import Incident, Outcome, OutcomeVersion
from ems_app.services import figures, grants
from shared.clock import aware, utcnow
from shared.errors import Refused
from shared.problems import storable
from shared.schemas.outcome import Diagnosis, Disposition, Outcome as OutcomeIn, Severity


class Returned(BaseModel):
    """The gateway's event `outcome`: the physician's findings and their role (never a name)."""
    model_config = ConfigDict(extra="forbid")
    incident_id: Annotated[str, AfterValidator(storable), Field(min_length=1, max_length=32)]
    severity: Severity
    diagnosis: Diagnosis
    disposition: Disposition
    recorded_by: Annotated[str, AfterValidator(storable), Field(max_length=64)] = ""


def record(hub: Hub, hospital_id: str, returned: Returned) -> dict:
    """Keep a new version of the outcome and tell the crew. Only the hospital holding the patient's
    grant, and only from handover on: an ER that declined, or lost the patient to re-routing, has
    nothing to say about them."""
    now = utcnow()
    with hub.db.transaction() as s:
        incident = s.get(Incident, returned.incident_id)
        if incident is None or grants.covering(s, hospital_id, returned.incident_id, now) is None:
            raise Refused(403, "this hospital holds no live grant for that patient", "no_grant")
        if incident.handed_over_at is None:
            raise Refused(409, "the outcome is recorded at or after handover", "not_handed_over")
        version = (s.scalar(select(func.max(OutcomeVersion.version))
                            .where(OutcomeVersion.incident_id == incident.id)) or 0) + 1
        by = f"hospital:{hospital_id} {returned.recorded_by}".strip()[:128]
        s.add(OutcomeVersion(incident_id=incident.id, version=version, hospital_id=hospital_id,
                             severity=returned.severity, diagnosis_system=returned.diagnosis.system,
                             diagnosis_code=returned.diagnosis.code, diagnosis_display=returned.diagnosis.display,
                             disposition=returned.disposition, recorded_at=now, recorded_by=by))
        figures.record_outcome(s, hub, incident.id, hospital_id, OutcomeIn(
            severity=returned.severity, diagnosis=returned.diagnosis, disposition=returned.disposition,
            recorded_at=now), by=by)
        s.flush()
        sent = as_payload(s, incident.id)
    hub.notifier.outcome(returned.incident_id, sent)
    return sent


def as_payload(s, incident_id: str) -> dict | None:
    """The latest outcome with its version (1: as first recorded; more: corrected), or None."""
    kept = s.get(Outcome, incident_id)
    if kept is None:
        return None
    version = s.scalar(select(func.max(OutcomeVersion.version)).where(OutcomeVersion.incident_id == incident_id)) or 1
    return {"severity": kept.severity, "disposition": kept.disposition, "hospital_id": kept.hospital_id,
            "diagnosis": {"system": kept.diagnosis_system, "code": kept.diagnosis_code,
                          "display": kept.diagnosis_display},
            "recorded_at": aware(kept.recorded_at).isoformat(), "version": version}


def versions(s, incident_id: str) -> list[dict]:
    """Every version, oldest first (the trail of corrections)."""
    rows = s.scalars(select(OutcomeVersion).where(OutcomeVersion.incident_id == incident_id)
                     .order_by(OutcomeVersion.version)).all()
    return [{"version": v.version, "severity": v.severity, "disposition": v.disposition,
             "diagnosis": {"system": v.diagnosis_system, "code": v.diagnosis_code, "display": v.diagnosis_display},
             "recorded_at": aware(v.recorded_at).isoformat(), "recorded_by": v.recorded_by} for v in rows]
