"""The hospital's gateway to the hub: connects out over Socket.IO as this hospital.

Hub events are parsed where they arrive (`hub_events`) and go through lanes (`lanes`), so an
incident's grant, record and live updates are applied in order while different incidents are
handled in parallel. A gap in the update numbers, or a reconnect, makes the gateway ask the hub
for what it missed, so nothing is lost across a dropout. What the ER decides (an answer, a
handover) goes to the hub as a call; a hub that cannot be reached or does not answer, or that
refuses, is a `Refused` for the caller.

An acceptance's grant is stored with the acceptance and kept until the patient's record is
stored: a fetch that fails (link down, hub stalled, this app restarted) is tried again, with
backoff, until it succeeds or the hub refuses the grant. A reconnect recovers the grants the hub
says this hospital holds and has no patient for, so a fault at the moment of acceptance never
loses an accepted patient.

Every vitals update, and every value going stale, pushes the patient's acuity assessed again
(`acuity_watch`), without reading the store on the live path.

The requests to accept are kept by `inquiry_board` (each change stored and pushed in turn), the
acks to the hub batched by `hub_acks`, and this hospital's own chores in the lanes are `chores`.

The link's own state (up, or down since when) goes to every dashboard as it changes, and each
dashboard asks for it as it connects: while it is down nothing new can arrive, and a screen that
said only "live" had its staff read frozen vitals as current."""
from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone
from functools import partial

import requests
import socketio

from hospital_app import inquiry_store, store
from hospital_app.acuity_watch import AcuityWatch
from hospital_app.chores import Ack, CatchUp, FetchRecord, Reassess
from hospital_app.hub_acks import HubAcks
from hospital_app.inquiry_board import InquiryBoard
from hospital_app.hub_events import (FROM_HUB, Answered, Grant, GrantEnds, GrantRevoked, HubEvent, Pending, Update,
                                     parse)
from hospital_app.lanes import Lanes
from hospital_app.realtime import Dashboard
from shared.clock import utcnow
from shared.errors import N_, Refused
from shared.storage import Database
from shared.tokens import KeyStore, make_assertion, make_proof

log = logging.getLogger(__name__)
NS = "/hospital"
LANES = 16
ACK_EVERY_S = 1.0
CALL_TIMEOUT_S = 15
# An answer may have reached the hub even though its reply did not: staff must check first.
OUTCOME_UNKNOWN = N_("no answer from the hub: the outcome is unknown, check before answering again")
# How a refusal by the hub is answered here; any other code is a conflict.
_HUB_STATUS = {"not_found": 404, "invalid": 400}


def _unreachable() -> Refused:
    return Refused(503, "hub unreachable", "hub_unreachable")


class Gateway:
    def __init__(self, cfg: dict, db: Database, keys: KeyStore, dashboard: Dashboard):
        self.hospital_id, self.hub_url, self.issuer = cfg["HOSPITAL_ID"], cfg["HUB_URL"], cfg["HUB_ISSUER"]
        self.db, self.keys, self.dashboard = db, keys, dashboard
        self.events = Lanes(LANES)
        self.inquiries = InquiryBoard(db, dashboard)  # each change stored and pushed in turn (H59)
        # The one table of what each lane event does: the hub's events by the hub's names, then
        # this hospital's own chores, queued so they run in the incident's order.
        self.lane_events = {
            "inquiry": self.inquiries.received,
            "inquiry_withdrawn": self.inquiries.withdrawn,
            "grant": self.grant_received,
            "grant_revoked": self.grant_revoked,
            "grant_ends": self.grant_ending,
            "update": self.update_received,
            "resync": self.resync,
            "catch_up": self.catch_up,
            "fetch_record": self.fetch_record,
            "forward_ack": self.send_ack,
            "report_access": self.send_access_reports,
            "reassess": self.reassess,
        }
        self.acuity = AcuityWatch(db, dashboard)
        self.acks = HubAcks(lambda: self.sio, NS)  # 'delivered' batched once a second
        self._fetching: set[str] = set()  # records queued to be fetched again, each once
        self._fetching_lock = threading.Lock()
        self.http = requests.Session()
        self.sio = socketio.Client(reconnection=True, reconnection_delay=0.5,
                                   reconnection_delay_max=5, logger=False, engineio_logger=False)
        self._stopped = threading.Event()
        self._down_since: datetime | None = datetime.now(timezone.utc)  # not connected yet
        for name, model in FROM_HUB.items():
            self.sio.on(name, partial(self._arrived, name, model), namespace=NS)
        self.sio.on("connect", self._linked, namespace=NS)
        self.sio.on("disconnect", self._unlinked, namespace=NS)

    @property
    def connected(self) -> bool:
        return self.sio.connected

    def link_state(self) -> dict:
        """What the dashboards are told of this link: up, or down since when."""
        since = self._down_since
        return {"up": since is None, "down_since": since.isoformat() if since else None}

    def _linked(self) -> None:
        if self._down_since is not None:
            log.warning("gateway: linked to the hub (after %.0f s without it)",
                        (datetime.now(timezone.utc) - self._down_since).total_seconds())
        self._down_since = None
        self.dashboard.hub_link(self.link_state())
        self.events.put(("resync", None))

    def _unlinked(self, *_reason) -> None:
        if self._down_since is None:  # down since the first moment it was lost, not the last retry
            self._down_since = datetime.now(timezone.utc)
            log.warning("gateway: link to the hub lost; reconnecting")
        self.dashboard.hub_link(self.link_state())

    def _arrived(self, name: str, model: type[HubEvent], data=None) -> None:
        event = parse(name, model, data)
        if event is not None:
            self.events.put((name, event))

    def _assertion(self) -> str:
        return make_assertion(self.keys, hospital_id=self.hospital_id, audience=self.issuer)

    def start(self) -> None:
        self.events.start(self.lane_events, self._stopped)
        for incident_id in store.patient_ids(self.db):  # after a restart: their values still go stale
            self.events.put(("reassess", Reassess(incident_id)))
        for incident_id in store.pending_grants(self.db):  # accepted before a restart, record not here yet
            self._fetch_soon(incident_id)
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

    # ---- what the ER decides, carried to the hub (called from requests and dashboard events) ----
    def _call_hub(self, event: str, payload: dict, no_answer: str) -> dict:
        """One call whose answer comes in the ack. `no_answer` says what a timeout means here."""
        if not self.sio.connected:
            raise _unreachable()
        try:
            result = self.sio.call(event, payload, namespace=NS, timeout=CALL_TIMEOUT_S)
        except socketio.exceptions.BadNamespaceError:  # the connection dropped since the check
            raise _unreachable() from None
        except socketio.exceptions.TimeoutError:
            raise Refused(504, no_answer, "timeout") from None
        if isinstance(result, dict) and "error" in result:
            code = str(result["error"])
            # The hub's own words, already in a language (the one the gateway's connection got).
            raise Refused(_HUB_STATUS.get(code, 409), "the hub refused: %(hub_said)s", code,
                          hub_said=str(result.get("message") or code))
        return result

    def answer(self, inquiry_id: str, accept: bool, answered_by: str, reason: str | None = None) -> str:
        """Send the staff's answer and return the inquiry's new status; an acceptance comes back
        with the grant in the ack."""
        try:
            result = self._call_hub("inquiry_answer", {"inquiry_id": inquiry_id, "accept": accept, "reason": reason,
                                                       "answered_by": answered_by},
                                    no_answer=OUTCOME_UNKNOWN)
        except Refused as e:
            if e.code == "not_pending":  # closed at the hub and the push lost: it leaves every board, saying why
                self.inquiries.left(inquiry_id, "withdrawn", inquiry_store.NO_LONGER_OPEN, only_if_open=True)
            raise
        answered = parse("inquiry_answer", Answered, result)
        if answered is None:
            raise Refused(502, "the hub's answer was not understood", "bad_gateway")
        self.inquiries.answered(inquiry_id, answered.status, answered.incident_id, answered.grant)
        if answered.grant:
            self.events.put(("grant", Grant(incident_id=answered.incident_id, grant=answered.grant)))
        return answered.status

    def send(self, event: str, payload: dict) -> dict:
        """One of this ER's own reports to the hub (availability, outcome), answered in the ack."""
        return self._call_hub(event, payload, no_answer=N_("no answer from the hub"))

    def handover(self, incident_id: str) -> None:
        """The ER confirms the handover at the hub (the grant then ends after its window)."""
        self._call_hub("handover", {"incident_id": incident_id}, no_answer=N_("no answer from the hub"))

    def forward_seen(self, incident_id: str, seq: int) -> None:
        """A clinical dashboard has shown this patient's updates up to seq."""
        self.events.put(("forward_ack", Ack(incident_id, "seen", seq)))

    def forward_acknowledged(self, incident_id: str) -> None:
        """Someone at the ER acknowledged the new patient."""
        self.events.put(("forward_ack", Ack(incident_id, "acknowledged")))

    def report_access(self) -> None:
        """A member of staff looked at a patient: tell the hub soon, off the request's thread."""
        self.events.put(("report_access", None))

    # ---- the lanes' work: each incident's events one at a time, in arrival order ----
    def _housekeeping(self) -> None:
        """Once a second, beside the lanes: the batched 'delivered' acks, expired grants purged,
        patients whose assessment time has changed queued to be assessed again, and records still
        awaited whose next try is due queued to be fetched."""
        while not self._stopped.wait(ACK_EVERY_S):
            # one failing does not stop the others
            for chore in (self.acks.flush, self._purge_expired, self._reassess_due, self._records_due,
                          self.inquiries.sweep):
                try:
                    chore()
                except Exception:
                    log.exception("gateway: %s failed", chore.__name__)

    def grant_received(self, grant: Grant) -> None:
        if store.has_grant(self.db, grant.incident_id, grant.grant):
            return  # the ack and the broadcast both carry it; redeem once
        store.hold_grant(self.db, grant.incident_id, grant.grant)  # the push may be the first we hear of it
        self._fetch_record(grant.incident_id, grant.grant)

    def fetch_record(self, due: FetchRecord) -> None:
        """Try again to fetch an accepted patient's record (after a failure, a restart or a reconnect)."""
        with self._fetching_lock:
            self._fetching.discard(due.incident_id)
        grant = store.pending_grant(self.db, due.incident_id)
        if grant is None:
            return  # it arrived, or the hub refused it, meanwhile
        if store.last_seq(self.db, due.incident_id) is not None:
            store.drop_grant(self.db, due.incident_id)  # here already; a catch-up fetches what it missed
            return
        self._fetch_record(due.incident_id, grant)

    def _fetch_record(self, incident_id: str, grant: str) -> None:
        """A new patient's record. Until it is stored the grant stays held; any failure but the
        hub's refusal is tried again later (store.grant_failed says when)."""
        try:
            self._redeem(incident_id, grant, after=0, fresh=True)
        except Exception as e:  # the link, the hub or the store: whatever it was, the patient is not given up
            delay = store.grant_failed(self.db, incident_id, type(e).__name__)
            if delay is None:  # the record was stored: what failed came after it (a push, an update)
                log.exception("gateway: handling the record of incident %s failed after it was stored", incident_id)
            else:
                log.warning("gateway: the record of incident %s did not arrive (%s); trying again in %ss",
                            incident_id, type(e).__name__, delay)

    def _fetch_soon(self, incident_id: str) -> None:
        with self._fetching_lock:
            if incident_id in self._fetching:
                return
            self._fetching.add(incident_id)
        self.events.put(("fetch_record", FetchRecord(incident_id)))

    def _records_due(self) -> None:
        for incident_id in store.drop_ended_grants(self.db):
            log.warning("gateway: the grant of incident %s ended before its record could be fetched", incident_id)
        for incident_id in store.pending_grants(self.db, due_only=True):
            self._fetch_soon(incident_id)

    def fetch(self, incident_id: str, grant: str, params: dict, requested_by: str = "") -> requests.Response:
        """One redemption: the grant as a DPoP-bound token with a fresh proof for this exact request."""
        url = f"{self.hub_url}/api/hospital/records/{incident_id}"
        headers = {"Authorization": f"DPoP {grant}", "DPoP": make_proof(self.keys, "GET", url, grant)}
        if requested_by:
            headers["X-Requested-By"] = requested_by
        return self.http.get(url, params=params, headers=headers, timeout=CALL_TIMEOUT_S)

    def _redeem(self, incident_id: str, grant: str, after: int, fresh: bool) -> None:
        resp = self.fetch(incident_id, grant, {"after": after})
        if resp.status_code == 403:  # the hub's word is final: the reason goes to the log and the dashboards
            why = _refusal_code(resp)
            log.warning("gateway: the hub refused the grant of incident %s (%s)", incident_id, why)
            self._forget(incident_id, why)
            return
        resp.raise_for_status()
        body = resp.json()
        if fresh:
            store.save_patient(self.db, grant, body)
            self.acuity.new_patient(incident_id)
            self.dashboard.patient(store.patient_view(self.db, incident_id))
        vitals = [self._apply(update) for update in body["updates"]]
        if any(vitals) or not self.acuity.holds(incident_id):  # one assessment for the whole batch
            self.acuity.push(incident_id)
        self.acks.ack(incident_id, "delivered", store.last_seq(self.db, incident_id) or 0)

    def update_received(self, update: Update) -> None:
        """One transaction for the common case: the next update in order is stored and shown.
        An unknown patient's update is dropped (its record fetch brings every update so far)."""
        data = update.model_dump()
        outcome = store.save_update(self.db, data, in_order=True)
        if outcome == "gap":
            last = store.last_seq(self.db, update.incident_id)
            self._redeem(update.incident_id, store.grant_of(self.db, update.incident_id), after=last, fresh=False)
        elif outcome == "stored":
            self.dashboard.update(data)
            if self.acuity.add_vitals(data):
                self.acuity.push(update.incident_id)
            self.acks.ack(update.incident_id, "delivered", update.seq)

    def send_ack(self, ack: Ack) -> None:
        self.acks.ack(ack.incident_id, ack.what, ack.seq)

    def _apply(self, update: dict) -> bool:
        """Store and show one update of a batch; True when it brought vitals."""
        if store.save_update(self.db, update) == "stored":
            self.dashboard.update(update)
            return self.acuity.add_vitals(update)
        return False

    # ---- acuity: assessed again as vitals come and as they go stale (acuity_watch.py) ----
    def _reassess_due(self) -> None:
        """A value went stale since the last assessment: push a new one (pushed, never polled)."""
        for incident_id in self.acuity.due():
            self.events.put(("reassess", Reassess(incident_id)))

    def reassess(self, due: Reassess) -> None:
        self.acuity.push(due.incident_id)

    def grant_revoked(self, revoked: GrantRevoked) -> None:
        self._forget(revoked.incident_id, revoked.reason)

    def grant_ending(self, ends: GrantEnds) -> None:
        """Handover: the grant now ends at `ends_at`; the local sweep purges it then."""
        if store.set_grant_end(self.db, ends.incident_id, ends.ends_at):
            self.dashboard.patient(store.patient_view(self.db, ends.incident_id))

    def _forget(self, incident_id: str, reason: str) -> None:
        store.drop_grant(self.db, incident_id)  # a record still awaited will not come now
        if store.purge_patient(self.db, incident_id):
            self.acuity.drop(incident_id)
            self.dashboard.patient_removed(incident_id, reason)

    def resync(self, _=None) -> None:
        """After (re)connecting: fresh inquiries, drop patients whose grant ended, fetch gaps, and
        fetch the record of every accepted patient that is not here yet."""
        asked_at = utcnow()  # naive UTC, as the store keeps received_at
        state = parse("pending", Pending, self.sio.call("pending", namespace=NS, timeout=CALL_TIMEOUT_S))
        if state is None:
            return
        for inquiry in state.inquiries:
            self.inquiries.received(inquiry)
        self.inquiries.close_missing({i.inquiry_id for i in state.inquiries}, asked_at)
        self.send_access_reports()
        from hospital_app import availability  # what was set while the link was down reaches the crews
        availability.resend(self.db, self)
        live = {g.incident_id for g in state.grants}
        held = store.held_patients(self.db)
        for incident_id, _grant, _last in held:
            self.events.put(("catch_up", CatchUp(incident_id, live=incident_id in live)))
        here = {incident_id for incident_id, _grant, _last in held}
        for lacking in state.grants:  # accepted, and the grant lost before it was stored (or never got here)
            if lacking.grant and lacking.incident_id not in here:
                store.hold_grant(self.db, lacking.incident_id, lacking.grant)
        for incident_id in store.pending_grants(self.db):  # now, not at the next try: the link is back
            self._fetch_soon(incident_id)

    def catch_up(self, patient: CatchUp) -> None:
        """In the incident's own lane, so a replay never interleaves with its live updates."""
        if not patient.live:
            self._forget(patient.incident_id, "ended")
            return
        last = store.last_seq(self.db, patient.incident_id)
        if last is not None:
            self._redeem(patient.incident_id, store.grant_of(self.db, patient.incident_id), after=last, fresh=False)

    def send_access_reports(self, _=None) -> None:
        """Send the hub every staff look it has not acknowledged yet (after a dropout too)."""
        if not self.sio.connected:
            return
        for entry_id, incident_id, role, action, at in store.unreported_access(self.db):
            result = self.sio.call("access", {"incident_id": incident_id, "role": role, "action": action,
                                              "at": at.isoformat()}, namespace=NS, timeout=CALL_TIMEOUT_S)
            if result.get("ok") or result.get("error") == "no_grant":
                store.mark_reported(self.db, entry_id)  # no_grant: outside any grant; kept in the local log

    def _purge_expired(self) -> None:
        for incident_id, why in store.purge_ended(self.db):
            self.acuity.drop(incident_id)
            self.dashboard.patient_removed(incident_id, why)


def _refusal_code(resp: requests.Response) -> str:
    """The code of the hub's refusal (the grant's revoke reason, or which end it reached)."""
    try:
        code = resp.json().get("error")
    except (ValueError, AttributeError):
        code = None
    return code if isinstance(code, str) and code else "refused"
