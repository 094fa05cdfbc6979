"""Hospital gateways on /hospital.

A gateway connects out (no inbound port at the hospital), proves itself with a private-key
assertion in the connect auth, and joins only its own hospital's room; every event after
that acts as that hospital and no other. Each event checks who is asking first, then parses
its payload (realtime/payloads.py); a refusal is raised and becomes the reply in the
namespace's one error handler."""
from __future__ import annotations

import logging
import threading

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from ems_app.notifier import hospital_room
from ems_app.realtime.payloads import AboutIncident, AccessReport, Ack, Acks, InquiryAnswer, parsed
from ems_app.services import availability, delivery, hospital_access, lifecycle, outcomes, presence, routing
from shared.availability import AvailabilityReport
from shared.errors import Refused

log = logging.getLogger(__name__)


def connected_hospitals(hub) -> set[str]:
    """Hospitals whose gateway is connected to any hub process (services/presence.py)."""
    return presence.online(hub)


class HospitalGateways(Namespace):
    def __init__(self, namespace: str):
        super().__init__(namespace)
        # sid -> (hospital id, key thumbprint): who each socket of this app authenticated as, so
        # the heartbeat refreshes this app's sockets only. Whether a hospital is online, across
        # every hub process, is services/presence.py's table.
        self._online: dict[str, tuple[str, str]] = {}
        self._lock = threading.Lock()
        self._beating = False

    @property
    def hub(self):
        return current_app.extensions["hub"]

    def _hospital(self) -> tuple[str, str]:
        """The hospital this socket authenticated as at connect, and the key it used."""
        with self._lock:
            who = self._online.get(request.sid)
        if who is None:
            raise Refused(401, "not authenticated", "unauthenticated")
        return who

    def on_connect(self, auth=None):
        try:
            assertion = auth.get("assertion") if isinstance(auth, dict) else None
            hospital, kid = hospital_access.authenticate(self.hub, assertion if isinstance(assertion, str) else None)
        except Refused as e:
            raise ConnectionRefusedError(e.english) from None
        with self._lock:
            self._online[request.sid] = (hospital.id, kid)
        join_room(hospital_room(hospital.id))
        presence.arrived(self.hub, request.sid, hospital.id)
        self._keep_presence(self.hub)

    def on_disconnect(self, *_):
        with self._lock:
            self._online.pop(request.sid, None)
        presence.left(self.hub, request.sid)

    def _keep_presence(self, hub) -> None:
        """One heartbeat per process while it has gateways: refreshes this process's sockets, so a
        crashed process's gateways stop counting as online. It ends when the last socket has gone
        (under the lock connects take, so a new one starts it again)."""
        with self._lock:
            if self._beating:
                return
            self._beating = True
        self.socketio.start_background_task(self._beat, hub)

    def _beat(self, hub) -> None:
        interval = presence.ttl_s(hub) / 3
        while True:
            self.socketio.sleep(interval)
            with self._lock:
                sids = list(self._online)
                if not sids or getattr(hub.db, "disposed", False):  # none left, or shut down
                    self._beating = False
                    return
            try:
                presence.heartbeat(hub, sids)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the heartbeat
                log.warning("gateway presence heartbeat failed; retrying", exc_info=True)

    # `data=None` on every event: one sent with no payload is refused as malformed, like any other.
    # `*_`: arguments after the payload are ignored, like unknown fields; without it, one too many
    # was a TypeError and the gateway never heard back.

    def on_inquiry_answer(self, data=None, *_):
        """Answered in the ack, so the gateway learns the grant even if the push is lost."""
        hospital_id, kid = self._hospital()
        answer = parsed(InquiryAnswer, data, "inquiry_answer")
        return routing.answer(self.hub, hospital_id, answer.inquiry_id, answer.accept, answer.answered_by[:128],
                              reason=answer.reason, key_thumbprint=kid)

    def on_access(self, data=None, *_):
        """A hospital user opened a patient, or was refused the full history; the hub's audit
        trail records it by role, with what that role was shown (hospital_access.record_user_view)."""
        hospital_id, _ = self._hospital()
        report = parsed(AccessReport, data, "access")
        hospital_access.record_user_view(self.hub, hospital_id, report.incident_id, report.role, report.action,
                                         report.at)
        return {"ok": True}

    def on_ack(self, data=None, *_):
        """delivered / seen up to a sequence number, or the new patient acknowledged at the ER."""
        hospital_id, _ = self._hospital()
        ack = parsed(Ack, data, "ack")
        delivery.hospital_ack(self.hub, hospital_id, ack.incident_id, ack.what, ack.seq)
        return {"ok": True}

    def on_acks(self, data=None, *_):
        """The gateway's batch of acknowledgements (a list of what 'ack' takes, at most 1,000)."""
        hospital_id, _ = self._hospital()
        acks = parsed(Acks, data, "acks")
        return {"ok": True, "changed": delivery.hospital_acks(self.hub, hospital_id,
                                                               [ack.model_dump() for ack in acks.root])}

    def on_handover(self, data=None, *_):
        """The ER confirms the patient has been handed over: the grant's last window starts."""
        hospital_id, _ = self._hospital()
        incident = parsed(AboutIncident, data, "handover")
        lifecycle.handover_by_hospital(self.hub, hospital_id, incident.incident_id)
        return {"ok": True}

    def on_availability(self, data=None, *_):
        """The ER's acceptance status by capability, as its staff set it (all of it after a
        reconnect); the reply is the board as the crews now read it."""
        hospital_id, _ = self._hospital()
        sent = parsed(AvailabilityReport, data, "availability")
        return {"ok": True, "availability": availability.report(self.hub, hospital_id, sent)}

    def on_outcome(self, data=None, *_):
        """A physician returned what became of the patient (or corrected it): a new version."""
        hospital_id, _ = self._hospital()
        returned = parsed(outcomes.Returned, data, "outcome")
        return {"ok": True, "outcome": outcomes.record(self.hub, hospital_id, returned)}

    def on_pending(self, *_):
        """Open inquiries and live grants for this hospital, to resynchronise after a reconnect."""
        return routing.pending_for_hospital(self.hub, self._hospital()[0])
