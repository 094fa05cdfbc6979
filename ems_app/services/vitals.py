"""The acuity the crew sees on its tablet, from the one rule the ER dashboard uses (shared/acuity.py).

The tablet never judges a patient itself: the hub assesses every vitals update stored for the
incident, each measure by its own latest value and time, exactly as the hospital app does for
its dashboard, so the crew and the ER cannot read two different levels for one patient.

Assessed when the crew asks for the incident, never on the write path: posting an update is the
hub's most frequent write (benchmarked), and the tablet asks again once its queue has drained
and when the hub says the answer next changes by time alone (`changes_at`)."""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from ems_app.models import IncidentEvent
from shared.acuity import Acuity, LatestVitals, assess
from shared.clock import aware
from shared.schemas.vitals import Vitals

log = logging.getLogger(__name__)


def latest(session: Session, incident_id: str) -> LatestVitals:
    """Each measure's latest value from every vitals update of the incident, timed by when it was
    taken (never later than when the hub received it, so a fast tablet clock hides nothing)."""
    rows = session.execute(select(IncidentEvent.seq, IncidentEvent.payload, IncidentEvent.created_at)
                           .where(IncidentEvent.incident_id == incident_id, IncidentEvent.kind == "vitals")
                           .order_by(IncidentEvent.seq)).all()
    held = LatestVitals()
    for seq, payload, received_at in rows:
        try:
            vitals = Vitals.model_validate(payload["vitals"])
        except (KeyError, TypeError, ValidationError):
            # Not silently: a set that cannot be read may hold the value that makes the patient red.
            log.warning("vitals: update %s of incident %s could not be read for the acuity", seq, incident_id)
            continue
        held.add(vitals, seq=seq, received_at=aware(received_at))
    return held


def acuity(session: Session, incident_id: str, now: datetime | None = None) -> Acuity:
    return assess(latest(session, incident_id), now or datetime.now(timezone.utc))
