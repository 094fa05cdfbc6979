"""The ER dashboard's Socket.IO namespace (/dashboard): pushed, never polled.

Staff connect with their signed-in session; clinical staff join the clinical room and get
the record and vitals, the desk joins the desk room and gets only what registration needs."""
from __future__ import annotations

from flask import current_app
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from hospital_app.models import Staff
from hospital_app import store
from hospital_app.store import CLINICAL_ROLES
from web import login

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
        if update["kind"] in ("eta", "chief_complaint"):  # the desk needs ETA and complaint, not where
            self.socketio.emit("update", update, to=DESK, namespace=NS)

    def acknowledged(self, incident_id: str, by: str) -> None:
        self._both("patient_acknowledged", {"incident_id": incident_id, "by": by})

    def patient_removed(self, incident_id: str, reason: str) -> None:
        self._both("patient_removed", {"incident_id": incident_id, "reason": reason})


def _load_staff(uid: int) -> Staff | None:
    with current_app.extensions["db"].read() as s:
        return s.get(Staff, uid)


def _staff() -> Staff | None:
    return login.current_user(_load_staff)


def register(socketio: SocketIO) -> None:
    @socketio.on("seen", namespace=NS)
    def seen(data):
        """A clinical dashboard has shown updates up to seq; the crew sees 'seen'."""
        staff = _staff()
        if staff is None or staff.role not in CLINICAL_ROLES or not isinstance(data, dict):
            return {"error": "forbidden"}
        incident_id, seq = str(data.get("incident_id", ""))[:32], data.get("seq")
        if not isinstance(seq, int) or store.last_seq(current_app.extensions["db"], incident_id) is None:
            return {"error": "invalid"}
        current_app.extensions["gateway"].events.put(("forward_ack", {"incident_id": incident_id, "what": "seen",
                                                                      "seq": seq}))
        return {"ok": True}

    @socketio.on("handover", namespace=NS)
    def handover(data):
        """A physician or nurse confirms the patient has arrived and been handed over."""
        staff = _staff()
        if staff is None or staff.role not in CLINICAL_ROLES or not isinstance(data, dict):
            return {"error": "forbidden"}
        incident_id = str(data.get("incident_id", ""))[:32]
        if store.last_seq(current_app.extensions["db"], incident_id) is None:
            return {"error": "not_found"}
        return current_app.extensions["gateway"].handover(incident_id)

    @socketio.on("acknowledge", namespace=NS)
    def acknowledge(data):
        """Someone at the ER (the desk too) acknowledged the new patient: every dashboard stops alerting."""
        staff = _staff()
        if staff is None or not isinstance(data, dict):
            return {"error": "forbidden"}
        incident_id = str(data.get("incident_id", ""))[:32]
        if not store.acknowledge(current_app.extensions["db"], incident_id, staff.display_name):
            return {"error": "not_found"}
        Dashboard(socketio).acknowledged(incident_id, staff.display_name)
        current_app.extensions["gateway"].events.put(("forward_ack", {"incident_id": incident_id,
                                                                      "what": "acknowledged"}))
        return {"ok": True}

    @socketio.on("connect", namespace=NS)
    def connect(_auth=None):
        staff = _staff()
        if staff is None:
            raise ConnectionRefusedError("sign in first")
        join_room(CLINICAL if staff.role in CLINICAL_ROLES else DESK)
