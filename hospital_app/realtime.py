"""The ER dashboard's Socket.IO namespace (/dashboard): pushed, never polled.

Staff connect with their signed-in session; clinical staff join the clinical room and get
the record and vitals, the desk joins the desk room and gets only what registration needs."""
from __future__ import annotations

from flask import current_app, session
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from hospital_app.models import Staff
from hospital_app.store import CLINICAL_ROLES

NS = "/dashboard"
CLINICAL, DESK = "clinical", "desk"
_CLINICAL_ONLY = ("critical", "record", "updates")


class Dashboard:
    """How the gateway tells every open dashboard what changed."""

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
        self.socketio.emit("patient", {k: v for k, v in view.items() if k not in _CLINICAL_ONLY},
                           to=DESK, namespace=NS)

    def update(self, update: dict) -> None:
        self.socketio.emit("update", update, to=CLINICAL, namespace=NS)
        if update["kind"] in ("eta", "chief_complaint", "location"):
            self.socketio.emit("update", update, to=DESK, namespace=NS)

    def patient_removed(self, incident_id: str, reason: str) -> None:
        self._both("patient_removed", {"incident_id": incident_id, "reason": reason})


def register(socketio: SocketIO) -> None:
    @socketio.on("connect", namespace=NS)
    def connect(_auth=None):
        uid = session.get("uid")
        if uid is None:
            raise ConnectionRefusedError("sign in first")
        with current_app.extensions["db"].read() as s:
            staff = s.get(Staff, uid)
        if staff is None:
            raise ConnectionRefusedError("sign in first")
        join_room(CLINICAL if staff.role in CLINICAL_ROLES else DESK)
