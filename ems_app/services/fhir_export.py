"""The crew's incident as one FHIR R4 Bundle: the emergency summary the crew was shown, with
the incident's vitals (JCS among them), the transport as the EMS Encounter and the basis as a
Consent, for a FHIR tool or a receiving system that takes FHIR (docs/fhir.md).

Why a service of its own: building the Bundle is shared/fhir's job, deciding who may have it is
the hub's. A download is a look at the record like any other, so it follows the view's rules:
only the crew that owns the incident, only while it is open (after close the record is purged),
audited as a record view with its basis (`format: fhir` says it left as a file) and flagged for
review the same way. It is the summary, not the full record: what the crew may see, no more."""
from __future__ import annotations

import logging
from datetime import date

from pydantic import TypeAdapter, ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ems_app.hub import Hub
from ems_app.models import Hospital, Incident, IncidentEvent, User
from ems_app.services import incidents
from shared.clock import aware
from shared.errors import Refused
from shared.fhir import IncidentContext, record_bundle
from shared.schemas.incident import Basis
from shared.schemas.record import EmergencyRecord
from shared.schemas.vitals import Vitals
from shared.summary import emergency_summary

log = logging.getLogger(__name__)


def incident_bundle(hub: Hub, user: User, incident_id: str) -> dict:
    """The Bundle for this crew's open incident; 404 without a record, 409 once closed."""
    with hub.db.read() as s:
        incident = incidents.load(s, user, incident_id)
        context = _context(s, incident)
    if incident.status != "open":
        incidents.refuse_closed(hub, user, incident)  # audited and flagged, as a view would be
    if incident.record_json is None:
        raise Refused(404, "no record fetched for this incident", "no_record")
    summary = emergency_summary(EmergencyRecord.model_validate_json(incident.record_json), date.today())
    with hub.db.transaction() as s:
        incidents.looked(s, hub, user, incidents.load(s, user, incident_id), "record.view", {"format": "fhir"})
    return record_bundle(summary, context=context)


def _context(s: Session, incident: Incident) -> IncidentContext:
    hospital = s.get(Hospital, incident.hospital_id) if incident.hospital_id else None
    return IncidentContext(
        incident_id=incident.id, opened_at=aware(incident.created_at), handed_over_at=aware(incident.handed_over_at),
        chief_complaint=incident.chief_complaint, destination=hospital.name if hospital else None,
        vitals=tuple(_vitals(s, incident.id)), basis=_BASIS.validate_python(incident.basis) if incident.basis else None,
        basis_recorded_at=aware(incident.basis_recorded_at))


_BASIS = TypeAdapter(Basis)


def _vitals(s: Session, incident_id: str):
    """Every vitals set of the incident in the crew's order."""
    rows = s.execute(select(IncidentEvent.seq, IncidentEvent.payload)
                     .where(IncidentEvent.incident_id == incident_id, IncidentEvent.kind == "vitals")
                     .order_by(IncidentEvent.seq)).all()
    for seq, payload in rows:
        try:
            yield Vitals.model_validate(payload["vitals"])
        except (KeyError, TypeError, ValidationError):
            # Not silently: the file would look complete without the set the hub could not read.
            log.warning("fhir export: vitals update %s of incident %s could not be read", seq, incident_id)
