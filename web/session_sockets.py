"""Open sockets by session, so a session that ends takes its sockets with it.

A socket is authenticated once, at connect, and then receives pushes in its rooms for as long as
it stays open: a revoked or timed-out session must close it, not only refuse its next event.
Each process knows its own sockets; the process that ends a session disconnects its sockets at
once, and every process sweeps its sockets' sessions each second (one indexed query), so a
session ended by another process, the command line or a timeout closes its sockets here within
that second, with or without a message queue between the processes."""
from __future__ import annotations

import logging
import threading

from shared import sessions

SWEEP_S = 1.0
log = logging.getLogger(__name__)


class SessionSockets:
    def __init__(self, app, db, limits_of, timed_out):
        """`timed_out(key, reason)`: a session this sweep ended on record (audit it)."""
        self.app, self.db, self.limits_of, self.timed_out = app, db, limits_of, timed_out
        self._by_sid: dict[str, tuple[str, str]] = {}  # sid -> (session key, namespace)
        self._lock = threading.Lock()
        self._sweeping = False

    @property
    def socketio(self):
        return self.app.extensions["socketio"]

    def track(self, key: str, sid: str, namespace: str) -> None:
        with self._lock:
            self._by_sid[sid] = (key, namespace)
            start, self._sweeping = not self._sweeping, True
        if start:
            self.socketio.start_background_task(self._sweep)

    def untrack(self, sid: str) -> None:
        with self._lock:
            self._by_sid.pop(sid, None)

    def disconnect(self, keys) -> int:
        """Close this process's sockets of these sessions; how many."""
        keys = set(keys)
        with self._lock:
            doomed = [(sid, ns) for sid, (key, ns) in self._by_sid.items() if key in keys]
            for sid, _ in doomed:
                self._by_sid.pop(sid, None)
        for sid, namespace in doomed:
            self.socketio.server.disconnect(sid, namespace=namespace)
        return len(doomed)

    def _sweep(self) -> None:
        while True:
            self.socketio.sleep(SWEEP_S)
            with self._lock:
                keys = list({key for key, _ in self._by_sid.values()})
                if not keys or getattr(self.db, "disposed", False):  # nothing to watch, or shut down
                    self._sweeping = False
                    return
            try:
                with self.app.app_context():
                    over = sessions.over(self.db, keys, self.limits_of)
                    for key, reason in over.items():
                        if reason in (sessions.IDLE, sessions.ABSOLUTE) and sessions.end(self.db, key, reason):
                            self.timed_out(key, reason)
                    self.disconnect(over)
            except Exception:  # a database hiccup must not stop the sweep for good
                log.exception("session sweep failed")
