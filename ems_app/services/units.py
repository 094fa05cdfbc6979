"""Ambulance units and the number a hospital calls them back on.

A physician deciding on an inquiry often needs one question answered by the crew ("is the airway
secured?"). The number is the unit's registered phone, configured by the fire HQ on the unit's
account: a crew never types it on a tablet at the start of a shift (a typo there reaches every
hospital it asks), and it stays the same whichever paramedic signs in. An inquiry says so when a
unit has none registered, so the ER knows to call the fire HQ instead of waiting for a number."""
from __future__ import annotations

import re

from ems_app.hub import Hub
from ems_app.models import Unit
from ems_app.services import audit
from shared.clock import utcnow

# Digits with the separators people write in Japanese numbers (03-1234-5678, +81 3 1234 5678).
PHONE = re.compile(r"^\+?[0-9][0-9 \-]{5,18}[0-9]$")

# The demo fire HQ's unit. No Tokyo subscriber number begins with 0: never a real line.
DEMO_UNITS = [("fire:tokyo", "tokyo-1", "03-0000-0119")]


def register(hub: Hub, organisation: str, team: str, callback_phone: str | None) -> Unit:
    """Set (or clear, with None) a unit's callback number. ValueError: not a phone number."""
    if callback_phone is not None:
        callback_phone = callback_phone.strip()
        if not PHONE.match(callback_phone):
            raise ValueError("the callback number must be digits, spaces or hyphens, 7 to 20 characters")
    if not organisation or not team:
        raise ValueError("a unit needs its fire HQ (organisation) and its team")
    with hub.db.transaction() as s:
        unit = s.get(Unit, (organisation, team)) or Unit(organisation=organisation, team=team)
        unit.callback_phone, unit.updated_at = callback_phone, utcnow()
        s.add(unit)
        audit.append(s, hub.audit_key, actor="operator", action="unit.register",
                     detail={"organisation": organisation, "team": team, "callback_phone": callback_phone})
    return unit


def callback_of(s, organisation: str, team: str) -> str | None:
    """The unit's registered number, in the caller's transaction; None: none registered."""
    unit = s.get(Unit, (organisation, team))
    return unit.callback_phone if unit is not None else None


def seed_demo(hub: Hub) -> None:
    for organisation, team, phone in DEMO_UNITS:
        register(hub, organisation, team, phone)
