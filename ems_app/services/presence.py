"""Which hospitals' gateways are connected, as every hub process sees it.

Why it exists: with several hub processes, a gateway's socket lives in one of them, yet the crew's
list of hospitals, served by any of them, must say whether the hospital is reachable. Each socket
is a row in the shared database; its process refreshes `seen_at` on a heartbeat while the socket
lives and deletes the row when it closes. A process that crashes deletes nothing, but stops
refreshing: its rows stop counting after `GATEWAY_PRESENCE_TTL_S` (30 s) and are swept later."""
from __future__ import annotations

import os
import secrets
import socket
from datetime import timedelta

from sqlalchemy import delete, select, update

from ems_app.hub import Hub
from ems_app.models import GatewayPresence
from shared.clock import utcnow

PROCESS = f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"
DEFAULT_TTL_S = 30.0
SWEEP_AFTER = timedelta(hours=1)  # rows of crashed processes are deleted this long after they lapsed


def ttl_s(hub: Hub) -> float:
    return float(hub.settings.get("GATEWAY_PRESENCE_TTL_S", DEFAULT_TTL_S))


def arrived(hub: Hub, sid: str, hospital_id: str) -> None:
    with hub.db.transaction() as s:
        s.merge(GatewayPresence(sid=sid[:64], hospital_id=hospital_id, process=PROCESS, seen_at=utcnow()))


def left(hub: Hub, sid: str) -> None:
    with hub.db.transaction() as s:
        s.execute(delete(GatewayPresence).where(GatewayPresence.sid == sid[:64]))


def heartbeat(hub: Hub, sids: list[str]) -> None:
    """This process's sockets are still here; long-lapsed rows of any process go."""
    now = utcnow()
    with hub.db.transaction() as s:
        if sids:
            s.execute(update(GatewayPresence).where(GatewayPresence.sid.in_([sid[:64] for sid in sids]))
                      .values(seen_at=now))
        s.execute(delete(GatewayPresence).where(
            GatewayPresence.seen_at < now - timedelta(seconds=ttl_s(hub)) - SWEEP_AFTER))


def online(hub: Hub) -> set[str]:
    since = utcnow() - timedelta(seconds=ttl_s(hub))
    with hub.db.read() as s:
        return set(s.scalars(select(GatewayPresence.hospital_id).where(GatewayPresence.seen_at > since).distinct()))
