"""The gateway's lanes: each incident's events in order, different incidents in parallel.

An event about an incident always lands in that incident's lane, anything else in lane 0, and
each lane has one worker, so a grant, its record and the live updates after it are applied in
order. A lane waits while it fetches a new patient's record from the hub, and so do the other
patients' updates in it: more lanes, fewer updates stuck behind a fetch (under gevent a lane is
a greenlet, in the embedded layout an idle thread)."""
from __future__ import annotations

import logging
import queue
import threading
import zlib
from typing import Callable

log = logging.getLogger(__name__)


class Lanes:
    def __init__(self, count: int):
        self.queues = [queue.Queue() for _ in range(count)]

    def put(self, event: tuple[str, object]) -> None:
        """Queue (name, payload); the payload's `incident_id`, if it has one, picks the lane."""
        incident_id = getattr(event[1], "incident_id", None)
        self.queues[zlib.crc32(incident_id.encode()) % len(self.queues) if incident_id else 0].put(event)

    def start(self, handlers: dict[str, Callable], stopped: threading.Event) -> None:
        for i, lane in enumerate(self.queues):
            threading.Thread(target=_work, args=(lane, handlers, stopped), name=f"gateway-lane-{i}",
                             daemon=True).start()


def _work(lane: queue.Queue, handlers: dict[str, Callable], stopped: threading.Event) -> None:
    """One lane's events, one at a time, in arrival order."""
    while not stopped.is_set():
        try:
            name, payload = lane.get(timeout=1)
        except queue.Empty:
            continue
        try:
            handlers[name](payload)
        except Exception:  # one bad event must not stop the gateway; the name is enough to trace
            log.exception("gateway: handling %s failed", name)
