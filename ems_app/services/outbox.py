"""Messages to patients (one-time codes) leave through an outbox, never through a log.

Why it exists: a code must reach the contact the patient registered, and the hub must not care
how. The development outbox (`OUTBOX=file`, the default) appends each message as one JSON line
to `EMS_INSTANCE/outbox/messages.jsonl` (directory 0700, file 0600), which the demo reads to
show the "phone" and the tests read as the patient would their SMS; nothing of a message ever
goes to a log. A deployment plugs an SMS or mail gateway in behind `send` (docs/security.md);
the production path for the patient is the national portal's hand-off instead."""
from __future__ import annotations

import json
import os
import threading
from pathlib import Path
from typing import Protocol

from shared.clock import utcnow
from shared.sources import RegisteredContact


class Outbox(Protocol):
    def send(self, to: RegisteredContact, text: str) -> None:
        """Hand the message over for delivery; raise on failure, so no code is left unsent."""


class FileOutbox:
    """The development outbox: one JSON line per message in `folder/messages.jsonl`."""

    _lock = threading.Lock()  # one line at a time within a process; O_APPEND across processes

    def __init__(self, folder: Path):
        self.path = folder / "messages.jsonl"
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)

    def send(self, to: RegisteredContact, text: str) -> None:
        line = json.dumps({"at": utcnow().isoformat() + "Z", "channel": to.channel, "to": to.address,
                           "text": text}, ensure_ascii=False) + "\n"
        with self._lock:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="utf-8") as f:
                f.write(line)

    def messages(self) -> list[dict]:
        """What was sent, oldest first (the demo's and the tests' "phone")."""
        if not self.path.exists():
            return []
        return [json.loads(line) for line in self.path.read_text(encoding="utf-8").splitlines() if line]


def from_settings(settings: dict) -> Outbox:
    kind = settings.get("OUTBOX", "file")
    if kind == "file":
        return FileOutbox(Path(settings["INSTANCE"]) / "outbox")
    raise ValueError(f"OUTBOX must be file (an SMS or mail gateway is plugged in here), not {kind!r}")
