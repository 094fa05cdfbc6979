"""Which ERs can take which patient now: each ER's acceptance status by capability, as its staff
set it, and the order in which a crew's hospital list puts them for what the patient needs.

A status is true when it is set and for AVAILABILITY_TTL_S after (2 hours by default); past that
nobody has confirmed it, so it reads "unknown" with the time it was last set, never its old
status: a stale "available" sends a stroke patient to a CT that has been down since noon
(docs/clinical-safety.md). Free of Flask: the hub, the hospital app and the tests share it."""
from __future__ import annotations

import math
from datetime import datetime, timedelta, timezone
from typing import Annotated, Literal, get_args

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, field_validator

from shared.errors import Invalid
from shared.problems import storable

# What a patient may need (the first six) and the resources that decide it (the last three).
Capability = Literal["stroke", "cardiac", "trauma", "paediatrics", "burns", "dialysis", "ct", "cath_lab", "icu_bed"]
CAPABILITIES: tuple[str, ...] = get_args(Capability)
Status = Literal["available", "unavailable"]
AVAILABLE, UNAVAILABLE, UNKNOWN = "available", "unavailable", "unknown"
DEFAULT_TTL_S = 2 * 3600


EARLIEST = datetime(2020, 1, 1)
CLOCK_SKEW = timedelta(minutes=5)


class Setting(BaseModel):
    """One capability as the ER's staff set it, at `set_at` (UTC). Never in the future (beyond a
    few minutes of clock skew): a setting dated ahead would not expire when it should."""
    model_config = ConfigDict(strict=True, extra="forbid")
    capability: Capability
    status: Status
    set_at: Annotated[datetime, Field(strict=False)]

    @field_validator("set_at")
    @classmethod
    def _not_ahead(cls, at: datetime) -> datetime:
        at = naive_utc(at)
        if not EARLIEST <= at <= datetime.now(timezone.utc).replace(tzinfo=None) + CLOCK_SKEW:
            raise Invalid("the time it was set must be now or earlier")
        return at


class AvailabilityReport(BaseModel):
    """The gateway's event `availability`: the settings it holds (all of them after a reconnect)."""
    model_config = ConfigDict(strict=True, extra="forbid")
    settings: list[Setting] = Field(max_length=len(CAPABILITIES))
    set_by: Annotated[str, AfterValidator(storable), Field(max_length=64)] = ""


class SetIn(BaseModel):
    """A tap on the dashboard: one capability available or not."""
    model_config = ConfigDict(extra="forbid")
    capability: Capability
    status: Status


def naive_utc(at: datetime) -> datetime:
    return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at


def state(status: str | None, set_at: datetime | None, now: datetime, ttl_s: int) -> dict:
    """What a capability says now: its status while fresh, else "unknown" (never set, or not
    refreshed since `set_at`). Times are naive UTC in, ISO with offset out."""
    if status is None or set_at is None:
        return {"status": UNKNOWN, "set_at": None, "expires_at": None, "expired": False}
    expires = set_at + timedelta(seconds=ttl_s)
    expired = now >= expires
    return {"status": UNKNOWN if expired else status, "set_at": _iso(set_at), "expires_at": _iso(expires),
            "expired": expired}


def board(rows, now: datetime, ttl_s: int) -> dict:
    """Every capability's state from (capability, status, set_at) rows; unset ones unknown."""
    held = {cap: (status, set_at) for cap, status, set_at in rows}
    return {cap: state(*held.get(cap, (None, None)), now, ttl_s) for cap in CAPABILITIES}


def _iso(at: datetime) -> str:
    return at.replace(tzinfo=timezone.utc).isoformat()


def distance_km(lat1: float | None, lon1: float | None, lat2: float | None, lon2: float | None) -> float | None:
    """Great-circle distance; None when either place is unknown (sorted after every known one)."""
    if None in (lat1, lon1, lat2, lon2):
        return None
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return round(6371.0 * 2 * math.asin(math.sqrt(a)), 1)


_GROUP = {AVAILABLE: 0, UNKNOWN: 1, UNAVAILABLE: 2}


def ranked(hospitals: list[dict], need: str | None) -> list[dict]:
    """For a need: those whose capability is available first, then unknown, then unavailable;
    nearest first within each (unknown distance last), then by name. Without a need: nearest first.
    Each hospital is a dict with `availability` (board) and `distance_km`."""
    def key(h: dict):
        group = _GROUP[h["availability"][need]["status"]] if need else 0
        far = h["distance_km"]
        return group, far is None, far or 0.0, h["name"]
    return sorted(hospitals, key=key)
