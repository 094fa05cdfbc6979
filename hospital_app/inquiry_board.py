"""The requests to accept as every board of this hospital shows them, kept by the gateway.

Why it exists: a request changes from several threads (a newer copy on its incident's lane, a
physician's answer on the request that carried it, the reconnect's closing of what the hub no
longer lists, the minute's expiry), and each change is stored and then pushed. Stored and pushed
one at a time, under one lock, the boards see the changes in the store's order: a copy stored just
before an answer but pushed just after it had put the answered request back on every board as
open (docs/clinical-safety.md H59). The store never reopens an answered request (H56)."""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from hospital_app import inquiry_store, store
from hospital_app.hub_events import Inquiry, InquiryWithdrawn
from hospital_app.realtime import Dashboard
from shared.storage import Database

SWEEP_EVERY = timedelta(minutes=1)


class InquiryBoard:
    def __init__(self, db: Database, dashboard: Dashboard):
        self.db, self.dashboard = db, dashboard
        self._changes = threading.Lock()
        self._swept_at: datetime | None = None

    def received(self, inquiry: Inquiry) -> None:
        """A request, or a newer copy of one (the crew's ETA or vitals): shown unless older than the board's."""
        data = inquiry.model_dump(exclude_unset=True)  # what the hub sent: a field it leaves out is not "null"
        with self._changes:
            if inquiry_store.save_inquiry(self.db, data):
                self.dashboard.inquiry(data)

    def withdrawn(self, withdrawn: InquiryWithdrawn) -> None:
        """No longer open (another hospital accepted, the incident was closed): it leaves every
        board, which tells a clinician who had it in front of them why."""
        self.left(withdrawn.inquiry_id, "withdrawn", withdrawn.reason)

    def left(self, inquiry_id: str, status: str, reason: str | None, only_if_open: bool = False) -> None:
        with self._changes:
            if inquiry_store.set_inquiry_status(self.db, inquiry_id, status, reason, only_if_open=only_if_open):
                self.dashboard.inquiry_changed(inquiry_id, status, reason)

    def answered(self, inquiry_id: str, status: str, incident_id: str, grant: str | None) -> None:
        """The hub took this hospital's answer; an acceptance's grant is held until its record is here."""
        with self._changes:
            store.accepted(self.db, inquiry_id, status, incident_id, grant)
            self.dashboard.inquiry_changed(inquiry_id, status, "answered")

    def close_missing(self, listed: set[str], asked_at: datetime) -> None:
        """After a reconnect: open requests the hub no longer lists were withdrawn while the link
        was down (the push lost); they leave the boards, saying so."""
        with self._changes:
            for inquiry_id in inquiry_store.close_missing(self.db, listed, asked_at):
                self.dashboard.inquiry_changed(inquiry_id, "withdrawn", inquiry_store.NO_LONGER_OPEN)

    def sweep(self) -> None:
        """At most once a minute: a request the hub never closed for us expires; old closed ones are forgotten."""
        now = datetime.now(timezone.utc)
        if self._swept_at is not None and now - self._swept_at < SWEEP_EVERY:
            return
        self._swept_at = now
        with self._changes:
            for inquiry_id in inquiry_store.expire_and_forget(self.db):
                self.dashboard.inquiry_changed(inquiry_id, inquiry_store.EXPIRED, inquiry_store.EXPIRED)
