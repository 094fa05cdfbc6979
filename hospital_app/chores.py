"""This hospital's own chores, queued in the gateway's lanes beside the hub's events
(hub_events.py), so each runs in its patient's lane, in order with that patient's updates."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class CatchUp:
    """After a reconnect, in the patient's own lane: fetch what was missed, or forget them."""
    incident_id: str
    live: bool


@dataclass(frozen=True)
class FetchRecord:
    """An accepted patient whose record has not arrived: fetch it, in the patient's own lane."""
    incident_id: str


@dataclass(frozen=True)
class Reassess:
    """A value of this patient has gone stale: assess again, in the patient's own lane."""
    incident_id: str


@dataclass(frozen=True)
class Ack:
    """'seen' or 'acknowledged' from a dashboard, on its way to the hub (and the crew)."""
    incident_id: str
    what: str
    seq: int = 0
