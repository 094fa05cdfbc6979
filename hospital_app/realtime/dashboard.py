"""How the gateway tells every open dashboard what changed: the one way anything is pushed.

Clinical staff and the desk sit in different rooms, one per audience of hospital_app/visibility.py,
and every push goes to each room as `visibility.shown` cuts it for that audience (nothing, where
it may see nothing): the same rule as the HTTP answers, so a socket never tells a role more."""
from __future__ import annotations

from flask_socketio import SocketIO

from hospital_app import visibility
from hospital_app.visibility import CLINICAL, DESK

NS = "/dashboard"
ROOMS = (CLINICAL, DESK)


class Dashboard:
    def __init__(self, socketio: SocketIO):
        self.socketio = socketio

    def _push(self, event: str, data: dict) -> None:
        for room in ROOMS:
            payload = visibility.shown(event, data, room)
            if payload is not None:
                self.socketio.emit(event, payload, to=room, namespace=NS)

    def inquiry(self, data: dict) -> None:
        self._push("inquiry", data)

    def inquiry_changed(self, inquiry_id: str, status: str, reason: str | None = None) -> None:
        """Answered, or no longer open and why (`reason`): it leaves the boards' list of requests."""
        self._push("inquiry_changed", {"inquiry_id": inquiry_id, "status": status, "reason": reason})

    def patient(self, view: dict | None) -> None:
        """`view`: the patient as clinical staff see it (store.patient_view); each room gets its cut."""
        if view is not None:
            self._push("patient", view)

    def update(self, update: dict) -> None:
        self._push("update", update)

    def acuity(self, incident_id: str, assessment: dict) -> None:
        """A patient's acuity assessed again (a vitals update, or a value gone stale); the desk's
        view already says it is withheld."""
        self._push("acuity", {"incident_id": incident_id, "acuity": assessment})

    def acknowledged(self, incident_id: str, by: str) -> None:
        self._push("patient_acknowledged", {"incident_id": incident_id, "by": by})

    def patient_removed(self, incident_id: str, reason: str) -> None:
        self._push("patient_removed", {"incident_id": incident_id, "reason": reason})

    def outcome(self, incident_id: str, held: dict) -> None:
        """An outcome returned (or corrected) from one dashboard: colleagues with the patient open
        see it at once. `held`: outcome_return.held, the latest version and how many there were."""
        self._push("outcome", {"incident_id": incident_id, **held})

    def hub_link(self, state: dict) -> None:
        """The gateway's link to the hub changed (`Gateway.link_state`); a dashboard that connects
        asks for it (events.py `on_hub_link`). While it is down no update can arrive: a page that
        said only "live" would have its staff read frozen vitals as current."""
        self._push("hub_link", state)
