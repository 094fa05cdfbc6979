"""Refused grant redemptions, limited per hospital and per address, and summed up in the trail.

Why it exists: every refused redemption used to cost signature checks, a database read and an
audit row, so a flood of bad requests could fill the trail (burying the entries a privacy
officer needs) and slow the hub for everyone. Now refusals are counted in fixed windows
(`REDEEM_REFUSAL_WINDOW_S`, 60 s), in the database so every hub process shares the counts:

- the first few of a window (`REDEEM_REFUSALS_ITEMISED`, 5) per address and per hospital are
  audited one by one, as before; the rest only counted;
- past `REDEEM_REFUSALS_PER_ADDRESS` (20) an address is answered 429 before anything is checked,
  until its window ends; past `REDEEM_REFUSALS_PER_HOSPITAL` (60) so is a hospital, once its key
  has proven who it is (a forged claim cannot slow another hospital down);
- when a window with more than the itemised ones has ended, the trail gets one entry,
  `access.refused_flood`, with the count ("N refused redemptions from hospital X / address Y").

"hospital:unknown" (no enrolled key proven) is never a key: such refusals count by address only."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from ems_app.hub import Hub
from ems_app.models import RefusalCount
from ems_app.services import audit
from shared.clock import utcnow
from shared.errors import Refused

DEFAULTS = {"REDEEM_REFUSAL_WINDOW_S": 60, "REDEEM_REFUSALS_ITEMISED": 5, "REDEEM_REFUSALS_PER_ADDRESS": 20,
            "REDEEM_REFUSALS_PER_HOSPITAL": 60}


def _setting(hub: Hub, name: str) -> int:
    return int(hub.settings.get(name, DEFAULTS[name]))


def _window(hub: Hub, now: datetime) -> datetime:
    size = _setting(hub, "REDEEM_REFUSAL_WINDOW_S")
    epoch = datetime(1970, 1, 1)
    return epoch + timedelta(seconds=int((now - epoch).total_seconds()) // size * size)


def keys(who: str, address: str) -> list[str]:
    return [f"address:{address[:180]}"] + ([f"hospital:{who[:180]}"] if who and who != "unknown" else [])


def check(hub: Hub, key: str) -> None:
    """429 before any work when `key` has used up its refusals for this window; the 429 is itself
    a refusal, counted by the caller's `refused`."""
    limit = _setting(hub, "REDEEM_REFUSALS_PER_ADDRESS" if key.startswith("address:")
                     else "REDEEM_REFUSALS_PER_HOSPITAL")
    now = utcnow()
    start = _window(hub, now)
    with hub.db.read() as s:
        count = s.scalar(select(RefusalCount.count).where(RefusalCount.key == key, RefusalCount.window_start == start))
    if count is not None and count >= limit:
        wait = start + timedelta(seconds=_setting(hub, "REDEEM_REFUSAL_WINDOW_S")) - now
        raise Refused(429, "too many refused requests; try again in %(retry_after_s)s s", "rate_limited",
                      retry_after_s=max(1, int(wait.total_seconds()) + 1))


def refused(hub: Hub, who: str, address: str, incident_id: str | None, reason: str, **detail) -> None:
    """Count a refusal; audit it on its own while its window is young, else leave it to the
    window's one summary entry."""
    start = _window(hub, utcnow())
    counts = _bump(hub, keys(who, address), start)
    if max(counts) <= _setting(hub, "REDEEM_REFUSALS_ITEMISED"):
        with hub.db.transaction() as s:
            audit.append(s, hub.audit_key, actor=f"hospital:{who}", action="access.refused",
                         incident_id=incident_id if incident_id and len(incident_id) <= 32 else None,
                         detail={"reason": reason[:200], **detail})
    if counts[0] == 1:  # the address's first refusal of a window: earlier windows may have ended
        summarise_ended(hub)


def _bump(hub: Hub, keys_: list[str], start: datetime) -> list[int]:
    """One statement per key: insert the window's row or add one, and read the new count."""
    insert = pg_insert if hub.db.is_postgres else sqlite_insert
    counts = []
    with hub.db.transaction() as s:
        for key in keys_:
            statement = insert(RefusalCount).values(key=key, window_start=start, count=1, reported=False)
            statement = statement.on_conflict_do_update(
                index_elements=["key", "window_start"], set_={"count": RefusalCount.count + 1})
            counts.append(s.execute(statement.returning(RefusalCount.count)).scalar_one())
    return counts


def summarise_ended(hub: Hub, now: datetime | None = None) -> int:
    """One `access.refused_flood` entry for each window ended by `now` that had more refusals than
    were itemised; windows are marked so no two processes write the same summary. Returns how many."""
    size, itemised = _setting(hub, "REDEEM_REFUSAL_WINDOW_S"), _setting(hub, "REDEEM_REFUSALS_ITEMISED")
    current = _window(hub, now or utcnow())
    with hub.db.read() as s:
        ended = s.execute(select(RefusalCount.key, RefusalCount.window_start).where(
            RefusalCount.reported.is_(False), RefusalCount.window_start < current)).all()
    written = 0
    for key, start in ended:
        with hub.db.transaction() as s:
            row = s.execute(update(RefusalCount).where(
                RefusalCount.key == key, RefusalCount.window_start == start, RefusalCount.reported.is_(False))
                .values(reported=True).returning(RefusalCount.count)).first()
            if row is None or row.count <= itemised:  # another process took it, or all were itemised
                continue
            kind, _, who = key.partition(":")
            audit.append(s, hub.audit_key, actor=f"hospital:{who}" if kind == "hospital" else "system",
                         action="access.refused_flood",
                         detail={kind: who, "count": row.count, "itemised": itemised,
                                 "window_start": start.isoformat() + "Z", "window_s": size})
            written += 1
    with hub.db.transaction() as s:  # the counts themselves are kept a day, for the operator's eyes
        s.execute(delete(RefusalCount).where(RefusalCount.reported.is_(True),
                                             RefusalCount.window_start < current - timedelta(days=1)))
    return written
