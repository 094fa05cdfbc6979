"""Each held patient's acuity, assessed again whenever it can change.

Why it exists: the acuity a clinician reads must follow the vitals as they arrive *and* as they go
stale, and the live path must not read the store on every update. So each patient's latest
vitals are kept in memory (read from the store once, after a restart) and every change is
assessed by the one rule (shared/acuity.py) and pushed to the clinical dashboards; the time at
which an assessment will change by time alone is noted, so the gateway's housekeeping queues
the patient again then. A patient's entries are touched only in that patient's lane; the times
are shared with the housekeeping thread, under a lock."""
from __future__ import annotations

import threading
from datetime import datetime, timezone

from hospital_app import store
from hospital_app.realtime import Dashboard
from shared.acuity import LatestVitals, assess
from shared.storage import Database


class AcuityWatch:
    def __init__(self, db: Database, dashboard: Dashboard):
        self.db, self.dashboard = db, dashboard
        self._latest: dict[str, LatestVitals] = {}
        self._changes_at: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def new_patient(self, incident_id: str) -> None:
        """A record just stored: the updates that came with it are all there is."""
        self._latest[incident_id] = LatestVitals()

    def holds(self, incident_id: str) -> bool:
        return incident_id in self._latest

    def _latest_of(self, incident_id: str) -> LatestVitals | None:
        """The patient's latest vitals held here; read from the store on first need (after a
        restart), never on every update. None: no such patient."""
        latest = self._latest.get(incident_id)
        if latest is None:
            latest = store.latest_vitals(self.db, incident_id)
            if latest is not None:
                self._latest[incident_id] = latest
        return latest

    def add_vitals(self, update: dict) -> bool:
        """Add a stored update's vitals to the patient's latest; True when it carried vitals.
        (Read from the store just now, the latest holds it already: adding it again is a no-op.)"""
        if update["kind"] != "vitals":
            return False
        latest = self._latest_of(update["incident_id"])
        return latest is not None and store.add_vitals(latest, update)

    def push(self, incident_id: str) -> None:
        """Assess now and push it to clinical dashboards; note when time alone will change it."""
        latest = self._latest_of(incident_id)
        if latest is None:
            return
        acuity = assess(latest, datetime.now(timezone.utc))
        with self._lock:
            if acuity.changes_at is None:
                self._changes_at.pop(incident_id, None)
            else:
                self._changes_at[incident_id] = acuity.changes_at
        self.dashboard.acuity(incident_id, acuity.model_dump(mode="json"))

    def due(self) -> list[str]:
        """The patients a value of whom has gone stale since their last assessment (each once)."""
        now = datetime.now(timezone.utc)
        with self._lock:
            due = [i for i, at in self._changes_at.items() if at < now]
            for incident_id in due:
                del self._changes_at[incident_id]
        return due

    def drop(self, incident_id: str) -> None:
        self._latest.pop(incident_id, None)
        with self._lock:
            self._changes_at.pop(incident_id, None)
