"""How far this hospital has got with each patient, told to the hub (and so to the crew).

Why it exists: every update stored here is acknowledged as 'delivered', and one event per update
would cost the hub a transaction each. 'delivered' is cumulative, so the latest per incident is
kept and sent in one batch ('acks') once a second; a lost ack is harmless, the next covers it.
'seen' and 'acknowledged' go at once. While the link is down the batch is kept: a new patient's
first 'delivered' (its record, seq 0) may be the only one, and until the hub has it the crew
reads "record not yet delivered"."""
from __future__ import annotations

import threading
from collections.abc import Callable

import socketio


class HubAcks:
    def __init__(self, link: Callable[[], socketio.Client], namespace: str):
        self._link, self._namespace = link, namespace  # the gateway's client, as it is at each send
        self._delivered: dict[str, int] = {}
        self._lock = threading.Lock()

    def ack(self, incident_id: str, what: str, seq: int = 0) -> None:
        if what == "delivered":
            self._keep({incident_id: seq})
            return
        sio = self._link()
        if sio.connected:
            sio.emit("ack", {"incident_id": incident_id, "what": what, "seq": seq}, namespace=self._namespace)

    def flush(self) -> None:
        """The 'delivered' acks kept since the last flush, in one event: one hub transaction."""
        sio = self._link()
        if not sio.connected:
            return
        with self._lock:
            pending, self._delivered = self._delivered, {}
        if not pending:
            return
        try:
            sio.emit("acks", [{"incident_id": i, "what": "delivered", "seq": seq} for i, seq in pending.items()],
                     namespace=self._namespace)
        except socketio.exceptions.SocketIOError:  # dropped since the check: next time
            self._keep(pending)

    def _keep(self, delivered: dict[str, int]) -> None:
        with self._lock:
            for incident_id, seq in delivered.items():
                self._delivered[incident_id] = max(seq, self._delivered.get(incident_id, 0))
