"""How the gateway tells every open dashboard what changed: the one way anything is pushed.

Clinical staff and the desk sit in different rooms, so what the desk must not see (the record,
the critical facts, the live vitals and their acuity) is decided here, once, for every push: the
desk's copy of a patient comes from `store.desk_view`, the same as its API reply."""
from __future__ import annotations

from flask_socketio import SocketIO

from hospital_app.store import desk_view

NS = "/dashboard"
CLINICAL, DESK = "clinical", "desk"


class Dashboard:
    def __init__(self, socketio: SocketIO):
        self.socketio = socketio

    def _both(self, event: str, payload: dict) -> None:
        self.socketio.emit(event, payload, to=CLINICAL, namespace=NS)
        self.socketio.emit(event, payload, to=DESK, namespace=NS)

    def inquiry(self, data: dict) -> None:
        self._both("inquiry", data)

    def inquiry_changed(self, inquiry_id: str, status: str) -> None:
        self._both("inquiry_changed", {"inquiry_id": inquiry_id, "status": status})

    def patient(self, view: dict | None) -> None:
        if view is None:
            return
        self.socketio.emit("patient", view, to=CLINICAL, namespace=NS)
        self.socketio.emit("patient", desk_view(view), to=DESK, namespace=NS)

    def update(self, update: dict) -> None:
        self.socketio.emit("update", update, to=CLINICAL, namespace=NS)
        if update["kind"] in ("eta", "chief_complaint"):  # the desk needs ETA and complaint, not where
            self.socketio.emit("update", update, to=DESK, namespace=NS)

    def acuity(self, incident_id: str, assessment: dict) -> None:
        """A patient's acuity assessed again (a vitals update, or a value gone stale): clinical
        staff only; the desk's view already says it is withheld."""
        self.socketio.emit("acuity", {"incident_id": incident_id, "acuity": assessment}, to=CLINICAL, namespace=NS)

    def acknowledged(self, incident_id: str, by: str) -> None:
        self._both("patient_acknowledged", {"incident_id": incident_id, "by": by})

    def patient_removed(self, incident_id: str, reason: str) -> None:
        self._both("patient_removed", {"incident_id": incident_id, "reason": reason})
