"""What the hub sends this hospital's gateway, as types, parsed where it arrives.

The hub is trusted, but a version skew or a bug there must not stop a lane or put junk on the
dashboards: a malformed event is dropped at the door. The log names the event and the incident,
never the content (it may be clinical, and logs travel further than the database)."""
from __future__ import annotations

import logging
from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

log = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


class HubEvent(BaseModel):
    # Strict: a string where a number belongs is the hub's bug, not something to guess at.
    # Unknown fields are ignored, so a newer hub does not silence an older gateway.
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    incident_id: str = Field(min_length=1, max_length=32)


class Inquiry(HubEvent):
    """An ambulance asks: which unit and its callback number, when, age band, sex, complaint, ETA
    (and since when it stands) and the acuity by the one rule (each measure with its time),
    nothing identifying."""
    inquiry_id: str = Field(min_length=1, max_length=32)
    status: str
    asked_at: str | None = None
    unit: str | None = Field(default=None, max_length=64)
    callback: str | None = Field(default=None, max_length=32)
    eta_at: str | None = Field(default=None, max_length=40)
    chief_complaint: str | None = None
    age_band: str | None = None
    sex: str | None = None
    eta_minutes: int | None = None
    vitals: dict[str, Any] | None = None  # an older hub's: the newest entry alone
    acuity: dict[str, Any] | None = None
    basis: str | None = None
    seq: int | None = Field(default=None, ge=0, lt=2**63)  # the incident's newest update this content includes


class InquiryWithdrawn(HubEvent):
    """No longer open at the hub: `accepted_elsewhere` or `closed` (an older hub says neither)."""
    inquiry_id: str = Field(min_length=1, max_length=32)
    reason: str = Field(default="withdrawn", min_length=1, max_length=32)


class Grant(HubEvent):
    grant: str = Field(min_length=1)


class GrantRevoked(HubEvent):
    reason: str = "revoked"


class GrantEnds(HubEvent):
    ends_at: int  # epoch seconds


class Update(HubEvent):
    seq: int = Field(ge=0, lt=2**63)
    kind: str
    payload: dict[str, Any]
    at: str


class LiveGrant(HubEvent):
    """A grant the hub says this hospital holds; with its token, so a gateway that lost it (a
    fault at the moment of acceptance) can still fetch the patient's record."""
    jti: str | None = None
    grant: str | None = Field(default=None, min_length=1)


class Pending(BaseModel):
    """The hub's answer to 'pending' after a (re)connect: what this hospital may have missed."""
    model_config = ConfigDict(strict=True, extra="ignore", frozen=True)
    inquiries: list[Inquiry]
    grants: list[LiveGrant]


class Answered(HubEvent):
    """The hub's answer to 'inquiry_answer'; an acceptance carries the grant."""
    inquiry_id: str
    status: str
    grant: str | None = None


# What the hub may push, by event name: each is parsed with its model, then queued in its lane.
FROM_HUB: dict[str, type[HubEvent]] = {
    "inquiry": Inquiry,
    "inquiry_withdrawn": InquiryWithdrawn,
    "grant": Grant,
    "grant_revoked": GrantRevoked,
    "grant_ends": GrantEnds,
    "update": Update,
}


def parse(name: str, model: type[M], data) -> M | None:
    """The event as `model`, or None (logged by name and incident id only) when it is malformed."""
    try:
        return model.model_validate(data)
    except ValidationError:
        incident_id = data.get("incident_id") if isinstance(data, dict) else None
        log.warning("gateway: dropped a malformed %s from the hub (incident %s)", name,
                    incident_id[:32] if isinstance(incident_id, str) else "?")
        return None
