"""This ER's acceptance status by capability: set by clinical staff on the dashboard, kept here,
sent to the hub (which tells every crew tablet), and sent again whole after every reconnect, so a
tap made while the link was down still reaches the crews.

Physicians and nurses set it; the desk reads it only: whether the stroke team or the CT can take
a patient now is a clinical judgement, and a wrong "available" draws the ambulances with the
sickest patients. A setting not refreshed for AVAILABILITY_TTL_S reads "unknown" here as on the
tablets (shared/availability.py)."""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from sqlalchemy import select

from hospital_app.models import Availability
from hospital_app.realtime import CLINICAL, DESK, NS
from shared import availability as rules
from shared.clock import aware, utcnow
from shared.errors import Refused
from shared.storage import Database

if TYPE_CHECKING:
    from hospital_app.gateway import Gateway

log = logging.getLogger(__name__)


def board(db: Database, ttl_s: int) -> dict:
    with db.read() as s:
        rows = s.execute(select(Availability.capability, Availability.status, Availability.set_at)).all()
    return rules.board(rows, utcnow(), ttl_s)


def set_one(db: Database, gateway: Gateway, ttl_s: int, tap: rules.SetIn, role: str) -> dict:
    """One tap: kept here, then sent; the answer says whether the crews have it yet."""
    with db.transaction() as s:
        row = s.get(Availability, tap.capability) or Availability(capability=tap.capability)
        row.status, row.set_at, row.set_by = tap.status, utcnow().replace(microsecond=0), role
        s.add(row)
    return _sent_and_shown(db, gateway, ttl_s, [tap.capability], role)


def confirm(db: Database, gateway: Gateway, ttl_s: int, role: str) -> dict:
    """"Still true": every setting that has not expired is set again now. An expired one reads
    unknown on this screen, so confirming it would assert what nobody is looking at."""
    now = utcnow().replace(microsecond=0)
    with db.transaction() as s:
        fresh = [row for row in s.scalars(select(Availability))
                 if not rules.state(row.status, row.set_at, now, ttl_s)["expired"]]
        for row in fresh:
            row.set_at, row.set_by = now, role
        capabilities = [row.capability for row in fresh]
    if not capabilities:
        raise Refused(409, "nothing to confirm: set each capability first", "nothing_set")
    return _sent_and_shown(db, gateway, ttl_s, capabilities, role)


def _settings(db: Database, capabilities: list[str] | None = None) -> list[dict]:
    with db.read() as s:
        rows = s.scalars(select(Availability)).all()
    return [{"capability": r.capability, "status": r.status, "set_at": aware(r.set_at).isoformat()}
            for r in rows if capabilities is None or r.capability in capabilities]


def _sent_and_shown(db: Database, gateway: Gateway, ttl_s: int, capabilities: list[str], role: str) -> dict:
    try:
        gateway.send("availability", {"settings": _settings(db, capabilities), "set_by": role})
        at_hub = True
    except Refused as e:  # kept here; the reconnect sends it
        log.warning("availability: not sent to the hub (%s); it goes when the link is back", e.code)
        at_hub = False
    shown = {"availability": board(db, ttl_s), "at_hub": at_hub}
    for room in (CLINICAL, DESK):  # no patient in it: every dashboard of this ER gets it whole
        gateway.dashboard.socketio.emit("availability", shown, to=room, namespace=NS)
    return shown


def resend(db: Database, gateway: Gateway) -> None:
    """After a (re)connect: everything held, so what was set while the link was down arrives."""
    settings = _settings(db)
    if settings:
        try:
            gateway.send("availability", {"settings": settings, "set_by": "resync"})
        except Refused as e:
            log.warning("availability: resend refused (%s)", e.code)
