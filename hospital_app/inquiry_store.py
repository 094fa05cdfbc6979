"""The inquiries this hospital was asked, kept while they are open and a day after.

The board's list is of open inquiries only: one answered here, withdrawn by the hub (another
hospital accepted, or the incident was closed), no longer open at the hub after a dropout, or
older than the hub's own limit on an incident, leaves it. Each such change says why, so the
dashboards can tell a clinician who had it in front of them (dashboard-notices.js). Before this,
every inquiry ever received stayed under 受入照会, accepted ones of long-closed incidents among
those still waiting for an answer."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select

from hospital_app import visibility
from hospital_app.models import Inquiry
from shared.clock import utcnow
from shared.storage import Database

OPEN = "pending"
# What the hospital keeps of an inquiry, as the hub sent it: nothing that identifies the patient.
KEPT = ("chief_complaint", "age_band", "sex", "basis", "asked_at", "unit", "callback", "eta_minutes", "eta_at",
        "acuity", "seq")
# The hub closes an incident left open this long (ems_app/services/lifecycle.py ABANDONED_AFTER) and
# so withdraws its inquiries; one still open here by then was missed, and expires on this clock.
EXPIRES_AFTER = timedelta(hours=24)
FORGOTTEN_AFTER = timedelta(hours=48)  # since it was received, whatever became of it
# Why an inquiry left the list, beside the hub's reasons (hospital_app/hub_events.py InquiryWithdrawn).
NO_LONGER_OPEN, EXPIRED = "no_longer_open", "expired"


def save_inquiry(db: Database, data: dict) -> bool:
    """An inquiry as the hub sent it (again with newer vitals or ETA, or after a reconnect); False
    when it changes nothing here. The hub's messages are handled side by side, so two versions of
    one inquiry may land in either order: the content with the newer update (`seq`, the incident's
    newest update the hub had read) stays, and one answered or withdrawn here is not reopened by a
    copy sent before that. Before this, a physician could be left deciding on an ETA of 14 minutes
    the crew had since made 6 (docs/clinical-safety.md H56)."""
    with db.transaction() as s:
        row = s.get(Inquiry, data["inquiry_id"])
        if row is not None and (row.status != OPEN or _newer(row.summary or {}, data)):
            return False
        row = row or Inquiry(id=data["inquiry_id"])
        row.incident_id, row.status = data["incident_id"], data["status"]
        # Only what the hub sent: a field it leaves out is unknown here, not "none".
        row.summary = {k: data[k] for k in KEPT if k in data}
        s.add(row)
        return True


def _newer(held: dict, arriving: dict) -> bool:
    """True if what is held already includes an update the arriving copy does not (a hub that
    numbers neither is taken as it comes)."""
    return held.get("seq") is not None and arriving.get("seq") is not None and held["seq"] > arriving["seq"]


def set_inquiry_status(db: Database, inquiry_id: str, status: str, reason: str | None = None,
                       only_if_open: bool = False) -> bool:
    """The inquiry is answered or no longer open (and why); False: not held here, already so, or
    (only_if_open) answered or closed already."""
    with db.transaction() as s:
        row = s.get(Inquiry, inquiry_id)
        if row is None or (row.status == status and (row.summary or {}).get("reason") == reason):
            return False
        if only_if_open and row.status != OPEN:
            return False
        row.status = status
        row.summary = {**(row.summary or {}), "reason": reason}
        return True


def open_inquiries(db: Database, role: str) -> list[dict]:
    """The board's list: inquiries awaiting an answer, newest first, as `role` may see them."""
    to = visibility.audience(role)
    with db.read() as s:
        rows = s.scalars(select(Inquiry).where(Inquiry.status == OPEN).order_by(Inquiry.received_at.desc())
                         .limit(100)).all()
        return [visibility.shown("inquiry", _view(i), to) for i in rows]


def _view(row: Inquiry) -> dict:
    return {"inquiry_id": row.id, "incident_id": row.incident_id, "status": row.status, **(row.summary or {})}


def close_missing(db: Database, still_open: set[str], asked_at: datetime) -> list[str]:
    """After a reconnect: inquiries open here that the hub no longer lists as open (their
    withdrawal was lost in the dropout). Only those received before the hub was asked: one pushed
    since is newer than the hub's list."""
    with db.transaction() as s:
        rows = s.scalars(select(Inquiry).where(Inquiry.status == OPEN, Inquiry.received_at < asked_at)).all()
        gone = [row for row in rows if row.id not in still_open]
        for row in gone:
            row.status, row.summary = "withdrawn", {**(row.summary or {}), "reason": NO_LONGER_OPEN}
        return [row.id for row in gone]


def expire_and_forget(db: Database, now: datetime | None = None) -> list[str]:
    """Inquiries open past EXPIRES_AFTER expire (their ids, to tell the dashboards); closed ones
    are deleted FORGOTTEN_AFTER they were received (no screen shows them, nothing needs them)."""
    now = now or utcnow()
    with db.transaction() as s:
        old = s.scalars(select(Inquiry).where(Inquiry.status == OPEN, Inquiry.received_at < now - EXPIRES_AFTER)).all()
        for row in old:
            row.status, row.summary = EXPIRED, {**(row.summary or {}), "reason": EXPIRED}
        s.execute(delete(Inquiry).where(Inquiry.status != OPEN, Inquiry.received_at < now - FORGOTTEN_AFTER))
        return [row.id for row in old]
