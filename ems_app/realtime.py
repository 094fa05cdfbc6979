"""Socket.IO for hospital gateways (namespace /hospital).

A gateway connects out (no inbound port at the hospital), proves itself with a private-key
assertion in the connect auth, and joins only its own hospital's room; every event after
that acts as that hospital and no other."""
from __future__ import annotations

import threading

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from ems_app.errors import Refused
from ems_app.services import hospital_access, routing

HOSPITAL_NS = "/hospital"
_online: dict[str, tuple[str, str]] = {}  # sid -> (hospital id, key thumbprint), this process only
_lock = threading.Lock()


def connected_hospitals() -> set[str]:
    with _lock:
        return {hospital_id for hospital_id, _ in _online.values()}


def _hospital() -> tuple[str, str]:
    with _lock:
        who = _online.get(request.sid)
    if who is None:
        raise Refused(401, "not authenticated", "unauthenticated")
    return who


def register(socketio: SocketIO) -> None:
    @socketio.on("connect", namespace=HOSPITAL_NS)
    def connect(auth):
        hub = current_app.extensions["hub"]
        try:
            hospital, kid = hospital_access.authenticate(hub, (auth or {}).get("assertion"))
        except Refused as e:
            raise ConnectionRefusedError(e.message) from None
        with _lock:
            _online[request.sid] = (hospital.id, kid)
        join_room(routing.hospital_room(hospital.id))

    @socketio.on("disconnect", namespace=HOSPITAL_NS)
    def disconnect(*_):
        with _lock:
            _online.pop(request.sid, None)

    @socketio.on("inquiry_answer", namespace=HOSPITAL_NS)
    def inquiry_answer(data):
        """Answer with an ack, so the gateway learns the grant even if an emit is lost."""
        hub = current_app.extensions["hub"]
        try:
            hospital_id, kid = _hospital()
            if not isinstance(data, dict) or not isinstance(data.get("inquiry_id"), str) \
                    or not isinstance(data.get("accept"), bool):
                return {"error": "invalid", "message": "inquiry_id (string) and accept (bool) required"}
            return routing.answer(hub, hospital_id, data["inquiry_id"], data["accept"],
                                  str(data.get("answered_by", ""))[:128], reason=data.get("reason"),
                                  key_thumbprint=kid)
        except Refused as e:
            return {"error": e.code, "message": e.message}

    @socketio.on("access", namespace=HOSPITAL_NS)
    def access(data):
        """A hospital user opened a patient; the hub's audit trail records it by role."""
        hub = current_app.extensions["hub"]
        try:
            hospital_id, _ = _hospital()
            if not isinstance(data, dict):
                raise Refused(400, "invalid", "invalid")
            hospital_access.record_user_view(hub, hospital_id, str(data.get("incident_id", ""))[:32],
                                             str(data.get("role", "")), str(data.get("action", "")))
            return {"ok": True}
        except Refused as e:
            return {"error": e.code, "message": e.message}

    @socketio.on("pending", namespace=HOSPITAL_NS)
    def pending(*_):
        """Open inquiries and live grants for this hospital, to resynchronise after a reconnect."""
        hub = current_app.extensions["hub"]
        try:
            return routing.pending_for_hospital(hub, _hospital()[0])
        except Refused as e:
            return {"error": e.code, "message": e.message}
