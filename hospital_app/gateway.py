"""The hospital's gateway to the hub: connects out over Socket.IO as this hospital.

Hub events go through lanes: each incident always goes to the same lane, and each lane has one
worker thread, so a grant, its record and the live updates after it are applied in order while
different incidents are handled in parallel. A gap in the update numbers, or a reconnect, makes
the gateway ask the hub for what it missed, so nothing is lost across a dropout."""
from __future__ import annotations

import logging
import queue
import threading
import time
import zlib

import requests
import socketio

from hospital_app import store
from hospital_app.realtime import Dashboard
from shared.storage import Database
from shared.tokens import KeyStore, make_assertion, make_proof

log = logging.getLogger(__name__)
NS = "/hospital"
# A lane waits while it fetches a new patient's record from the hub, and so do the other
# patients' updates in it: more lanes, fewer updates stuck behind a fetch (under gevent a lane is
# a greenlet, in the embedded layout an idle thread).
LANES = 16
ACK_EVERY_S = 1.0


class Lanes:
    """put((name, data)) like a queue; an event about an incident always lands in that
    incident's lane, anything else in lane 0."""

    def __init__(self, count: int):
        self.queues = [queue.Queue() for _ in range(count)]

    def put(self, event: tuple[str, dict | None]) -> None:
        incident_id = (event[1] or {}).get("incident_id") if isinstance(event[1], dict) else None
        self.queues[zlib.crc32(incident_id.encode()) % len(self.queues) if incident_id else 0].put(event)


class Gateway:
    def __init__(self, cfg: dict, db: Database, keys: KeyStore, dashboard: Dashboard):
        self.hospital_id, self.hub_url, self.issuer = cfg["HOSPITAL_ID"], cfg["HUB_URL"], cfg["HUB_ISSUER"]
        self.db, self.keys, self.dashboard = db, keys, dashboard
        self.events = Lanes(LANES)
        self._delivered: dict[str, int] = {}  # cumulative 'delivered' acks waiting for a quiet moment
        self._delivered_lock = threading.Lock()
        self.http = requests.Session()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5,
                                   reconnection_delay_max=5, logger=False, engineio_logger=False)
        self._stopped = threading.Event()
        for name in ("inquiry", "inquiry_withdrawn", "grant", "grant_revoked", "grant_ends", "update"):
            self.sio.on(name, self._enqueuer(name), namespace=NS)
        self.sio.on("connect", lambda: self.events.put(("resync", None)), namespace=NS)

    @property
    def connected(self) -> bool:
        return self.sio.connected

    def _enqueuer(self, name):
        return lambda data: self.events.put((name, data))

    def _assertion(self) -> str:
        return make_assertion(self.keys, hospital_id=self.hospital_id, audience=self.issuer)

    def start(self) -> None:
        for i, lane in enumerate(self.events.queues):
            threading.Thread(target=self._work, args=(lane,), name=f"gateway-lane-{i}", daemon=True).start()
        threading.Thread(target=self._housekeeping, name="gateway-housekeeping", daemon=True).start()
        threading.Thread(target=self._connect_loop, name="gateway-connect", daemon=True).start()

    def stop(self) -> None:
        self._stopped.set()
        self.sio.disconnect()

    def _connect_loop(self) -> None:
        """The first connection may come before the hub is up; keep trying until it works."""
        delay = 0.5
        while not self._stopped.is_set() and not self.sio.connected:
            try:
                self.sio.connect(self.hub_url, namespaces=[NS], auth=lambda: {"assertion": self._assertion()},
                                 transports=["websocket"], wait_timeout=10)
                return
            except socketio.exceptions.ConnectionError as e:
                log.warning("gateway: hub not reachable (%s); retrying", e)
                self._stopped.wait(delay)
                delay = min(delay * 2, 5)

    def answer(self, inquiry_id: str, accept: bool, answered_by: str, reason: str | None = None) -> dict:
        """Send the staff's answer; an acceptance comes back with the grant in the ack."""
        if not self.sio.connected:
            return {"error": "hub_unreachable", "message": "本部に接続できません / hub unreachable"}
        try:
            result = self.sio.call("inquiry_answer", {"inquiry_id": inquiry_id, "accept": accept, "reason": reason,
                                                      "answered_by": answered_by}, namespace=NS, timeout=15)
        except socketio.exceptions.TimeoutError:
            return {"error": "timeout", "message": "本部の応答なし（受入が登録されたか不明）/ no answer from the hub: "
                                                   "the outcome is unknown, check before answering again"}
        if "error" not in result:
            store.set_inquiry_status(self.db, inquiry_id, result["status"])
            self.dashboard.inquiry_changed(inquiry_id, result["status"])
            if result.get("grant"):
                self.events.put(("grant", {"incident_id": result["incident_id"], "grant": result["grant"]}))
        return result

    def handover(self, incident_id: str) -> dict:
        """The ER confirms the handover at the hub (the grant then ends after its window)."""
        if not self.sio.connected:
            return {"error": "hub_unreachable", "message": "本部に接続できません / hub unreachable"}
        try:
            return self.sio.call("handover", {"incident_id": incident_id}, namespace=NS, timeout=15)
        except socketio.exceptions.TimeoutError:
            return {"error": "timeout", "message": "本部の応答なし / no answer from the hub"}

    # ---- the workers: each lane's events one at a time, in arrival order ----
    def _work(self, lane: queue.Queue) -> None:
        while not self._stopped.is_set():
            try:
                name, data = lane.get(timeout=1)
            except queue.Empty:
                continue
            try:
                getattr(self, f"_on_{name}")(data)
            except Exception:  # one bad event must not stop the gateway; the id is enough to trace
                log.exception("gateway: handling %s failed", name)

    def _housekeeping(self) -> None:
        """Once a second, beside the lanes: the batched 'delivered' acks, and expired grants purged."""
        while not self._stopped.wait(ACK_EVERY_S):
            for chore in (self._flush_delivered, self._purge_expired):  # one failing does not stop the other
                try:
                    chore()
                except Exception:
                    log.exception("gateway: %s failed", chore.__name__)

    def _on_inquiry(self, data: dict) -> None:
        store.save_inquiry(self.db, data)
        self.dashboard.inquiry(data)

    def _on_inquiry_withdrawn(self, data: dict) -> None:
        store.set_inquiry_status(self.db, data["inquiry_id"], "withdrawn")
        self.dashboard.inquiry_changed(data["inquiry_id"], "withdrawn")

    def _on_grant(self, data: dict) -> None:
        if store.has_grant(self.db, data["incident_id"], data["grant"]):
            return  # the ack and the broadcast both carry it; redeem once
        self._redeem(data["incident_id"], data["grant"], after=0, fresh=True)

    def fetch(self, incident_id: str, grant: str, params: dict, requested_by: str = "") -> requests.Response:
        """One redemption: the grant as a DPoP-bound token with a fresh proof for this exact request."""
        url = f"{self.hub_url}/api/hospital/records/{incident_id}"
        headers = {"Authorization": f"DPoP {grant}", "DPoP": make_proof(self.keys, "GET", url, grant)}
        if requested_by:
            headers["X-Requested-By"] = requested_by
        return self.http.get(url, params=params, headers=headers, timeout=15)

    def _redeem(self, incident_id: str, grant: str, after: int, fresh: bool) -> None:
        resp = self.fetch(incident_id, grant, {"after": after})
        if resp.status_code == 403:
            self._forget(incident_id, resp.json().get("error", "refused"))
            return
        resp.raise_for_status()
        body = resp.json()
        if fresh:
            store.save_patient(self.db, grant, body)
            self.dashboard.patient(store.patient_view(self.db, incident_id))
        for update in body["updates"]:
            self._apply(update)
        self._ack(incident_id, "delivered", store.last_seq(self.db, incident_id) or 0)

    def _on_update(self, data: dict) -> None:
        """One transaction for the common case: the next update in order is stored and shown.
        An unknown patient's update is dropped (its record fetch brings every update so far)."""
        outcome = store.save_update(self.db, data, in_order=True)
        if outcome == "gap":
            last = store.last_seq(self.db, data["incident_id"])
            self._redeem(data["incident_id"], store.grant_of(self.db, data["incident_id"]), after=last, fresh=False)
        elif outcome == "stored":
            self.dashboard.update(data)
            self._ack(data["incident_id"], "delivered", data["seq"])

    def _ack(self, incident_id: str, what: str, seq: int = 0) -> None:
        """Tell the hub (and so the crew) how far this hospital has got. Lost acks are harmless:
        the next one is cumulative. 'delivered' goes in one batch a second (event 'acks'), so a
        stream of updates costs the hub about one acknowledgement per incident per second."""
        if what == "delivered":
            with self._delivered_lock:
                self._delivered[incident_id] = max(seq, self._delivered.get(incident_id, 0))
            return
        self._send_ack(incident_id, what, seq)

    def _flush_delivered(self) -> None:
        with self._delivered_lock:
            pending, self._delivered = self._delivered, {}
        if pending and self.sio.connected:  # one event for the whole batch: one hub transaction
            self.sio.emit("acks", [{"incident_id": i, "what": "delivered", "seq": seq} for i, seq in pending.items()],
                          namespace=NS)

    def _send_ack(self, incident_id: str, what: str, seq: int) -> None:
        if self.sio.connected:
            self.sio.emit("ack", {"incident_id": incident_id, "what": what, "seq": seq}, namespace=NS)

    def _on_forward_ack(self, data: dict) -> None:
        self._ack(data["incident_id"], data["what"], data.get("seq", 0))

    def _apply(self, update: dict) -> None:
        if store.save_update(self.db, update) == "stored":
            self.dashboard.update(update)

    def _on_grant_revoked(self, data: dict) -> None:
        self._forget(data["incident_id"], data.get("reason", "revoked"))

    def _on_grant_ends(self, data: dict) -> None:
        """Handover: the grant now ends at `ends_at`; the local sweep purges it then."""
        if store.set_grant_end(self.db, data["incident_id"], data["ends_at"]):
            self.dashboard.patient(store.patient_view(self.db, data["incident_id"]))

    def _forget(self, incident_id: str, reason: str) -> None:
        if store.purge_patient(self.db, incident_id):
            self.dashboard.patient_removed(incident_id, reason)

    def _on_resync(self, _data) -> None:
        """After (re)connecting: fresh inquiries, drop patients whose grant ended, fetch gaps."""
        state = self.sio.call("pending", namespace=NS, timeout=15)
        for inquiry in state["inquiries"]:
            self._on_inquiry(inquiry)
        self._on_report_access()
        live = {g["incident_id"] for g in state["grants"]}
        for incident_id, _grant, _last in store.held_patients(self.db):
            self.events.put(("catch_up", {"incident_id": incident_id, "live": incident_id in live}))

    def _on_catch_up(self, data: dict) -> None:
        """In the incident's own lane, so a replay never interleaves with its live updates."""
        if not data["live"]:
            self._forget(data["incident_id"], "ended")
            return
        last = store.last_seq(self.db, data["incident_id"])
        if last is not None:
            self._redeem(data["incident_id"], store.grant_of(self.db, data["incident_id"]), after=last, fresh=False)

    def _on_report_access(self, _data=None) -> None:
        """Send the hub every staff look it has not acknowledged yet (after a dropout too)."""
        if not self.sio.connected:
            return
        for entry_id, incident_id, role, action, at in store.unreported_access(self.db):
            result = self.sio.call("access", {"incident_id": incident_id, "role": role, "action": action,
                                              "at": at.isoformat()}, namespace=NS, timeout=15)
            if result.get("ok") or result.get("error") == "no_grant":
                store.mark_reported(self.db, entry_id)  # no_grant: outside any grant; kept in the local log

    def _purge_expired(self) -> None:
        for incident_id in store.purge_expired(self.db):
            self.dashboard.patient_removed(incident_id, "expired")
