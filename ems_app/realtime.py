"""Socket.IO for hospital gateways (namespace /hospital).

A gateway connects out (no inbound port at the hospital), proves itself with a private-key
assertion in the connect auth, and joins only its own hospital's room; every event after
that acts as that hospital and no other."""
from __future__ import annotations

import threading
from datetime import datetime

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, SocketIO, join_room

from ems_app.errors import Refused
from ems_app.services import delivery, hospital_access, incidents, lifecycle, routing
from web import login

HOSPITAL_NS = "/hospital"
CREW_NS = "/crew"
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


def _crew_user():
    """The signed-in paramedic behind this socket's session cookie, checked on every event."""
    from ems_app.api.auth import load_user
    user = login.current_user(load_user)
    return user if user is not None and user.role == "paramedic" else None


def register(socketio: SocketIO) -> None:
    @socketio.on("connect", namespace=HOSPITAL_NS)
    def connect(auth):
        hub = current_app.extensions["hub"]
        try:
            assertion = auth.get("assertion") if isinstance(auth, dict) else None
            hospital, kid = hospital_access.authenticate(hub, assertion if isinstance(assertion, str) else None)
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
                                  str(data.get("answered_by", ""))[:128],
                                  reason=data.get("reason") if isinstance(data.get("reason"), str) else None,
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
            try:
                at = datetime.fromisoformat(str(data.get("at"))).replace(tzinfo=None) if data.get("at") else None
            except ValueError:
                raise Refused(400, "at: not an ISO time", "invalid") from None
            hospital_access.record_user_view(hub, hospital_id, str(data.get("incident_id", ""))[:32],
                                             str(data.get("role", "")), str(data.get("action", "")), at)
            return {"ok": True}
        except Refused as e:
            return {"error": e.code, "message": e.message}

    @socketio.on("ack", namespace=HOSPITAL_NS)
    def ack(data):
        """delivered / seen up to a sequence number, or the new patient acknowledged at the ER."""
        hub = current_app.extensions["hub"]
        try:
            hospital_id, _ = _hospital()
            if not isinstance(data, dict):
                raise Refused(400, "invalid", "invalid")
            delivery.hospital_ack(hub, hospital_id, str(data.get("incident_id", ""))[:32], str(data.get("what")),
                                  data.get("seq", 0))
            return {"ok": True}
        except Refused as e:
            return {"error": e.code, "message": e.message}

    @socketio.on("acks", namespace=HOSPITAL_NS)
    def acks(data):
        """The gateway's batch of acknowledgements (a list of what 'ack' takes, at most 1,000)."""
        hub = current_app.extensions["hub"]
        try:
            hospital_id, _ = _hospital()
            return {"ok": True, "changed": delivery.hospital_acks(hub, hospital_id, data)}
        except Refused as e:
            return {"error": e.code, "message": e.message}

    @socketio.on("connect", namespace=CREW_NS)
    def crew_connect(_auth=None):
        if _crew_user() is None:
            raise ConnectionRefusedError("sign in first")

    @socketio.on("follow", namespace=CREW_NS)
    def follow(data):
        """The tablet follows one incident's delivery states; only its own crew's incidents."""
        hub, user = current_app.extensions["hub"], _crew_user()
        incident_id = str(data.get("incident_id", ""))[:32] if isinstance(data, dict) else ""
        try:
            if user is None:
                raise Refused(401, "sign in first", "unauthenticated")
            with hub.db.read() as s:
                incidents.load(s, user, incident_id)
        except Refused as e:
            return {"error": e.code, "message": e.message}
        join_room(delivery.crew_room(incident_id))
        return {"ok": True}

    @socketio.on("handover", namespace=HOSPITAL_NS)
    def handover(data):
        """The ER confirms the patient has been handed over: the grant's last window starts."""
        hub = current_app.extensions["hub"]
        try:
            hospital_id, _ = _hospital()
            incident_id = str(data.get("incident_id", ""))[:32] if isinstance(data, dict) else ""
            lifecycle.handover_by_hospital(hub, hospital_id, incident_id)
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
