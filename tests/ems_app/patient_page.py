"""The patient's two steps, as a test takes them: card and birth date, then the code from the
development outbox (the patient's "phone": EMS_INSTANCE/outbox/messages.jsonl)."""
from __future__ import annotations

import re
from pathlib import Path

from ems_app.services.outbox import FileOutbox


def latest_code(instance: Path, to: str | None = None) -> str:
    """The code in the newest message (to `to`, when given) in the hub's outbox."""
    messages = [m for m in FileOutbox(Path(instance) / "outbox").messages() if to is None or m["to"] == to]
    assert messages, "no message in the outbox"
    return re.search(r"\b(\d{6})\b", messages[-1]["text"]).group(1)


def history(post, instance: Path, card_id: str, birth_date: str):
    """`post(path, json)` -> response with .status_code and .json (a Flask test client's or a
    requests wrapper's). Returns the history response."""
    sent = post("/api/patient/code", {"card_id": card_id, "birth_date": birth_date})
    assert sent.status_code == 200, _body(sent)
    return post("/api/patient/history", {"challenge": _body(sent)["challenge"], "code": latest_code(instance)})


def _body(resp):
    return resp.json() if callable(resp.json) else resp.json
