"""What each event from a gateway or a tablet must hold, checked before anything acts on it.

Parsed strictly: a gateway or a script can send anything, and a string is not a number nor a
bool an int. A seq must be a real sequence number, one the database can hold, and text must be
text the database can hold. An event sent with no payload, of the wrong type or out of range is
refused as "invalid"."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, RootModel, ValidationError

from shared.errors import N_, Invalid, Refused
from shared.problems import DATE_TIME, field_problems, storable



Text = Annotated[str, AfterValidator(storable)]
# Ids are 16 hex characters; a longer one matches no incident, and is cut so it never
# overflows a column when a refusal is audited.
IncidentId = Annotated[Text, AfterValidator(lambda value: value[:32])]
# Below 2**31: the grant's delivered and seen numbers are INTEGER columns, and PostgreSQL refuses a
# larger one outright (the fuzz found 2**31 reaching the UPDATE); no incident has that many updates.
Seq = Annotated[int, Field(ge=0, lt=2**31)]


def _iso_time(value):
    # The gateway sends its own UTC clock's naive time; any offset is dropped, not converted.
    if value is None or value == "":
        return None
    try:
        return datetime.fromisoformat(value).replace(tzinfo=None) if isinstance(value, str) else value
    except ValueError:
        raise Invalid(DATE_TIME) from None


class Payload(BaseModel):
    model_config = ConfigDict(strict=True)


class InquiryAnswer(Payload):
    inquiry_id: Text
    accept: bool
    answered_by: Text = ""
    reason: Text | None = None  # a decline's reason code (routing.DECLINE_REASONS)


class AccessReport(Payload):
    """A staff member opened the patient at the ER, at `at` (default: now), or asked for what their
    role may not see. role: physician | nurse | clerk; action: view | full_history |
    full_history_refused (checked by hospital_access.record_user_view)."""
    incident_id: IncidentId
    role: Text
    action: Text
    at: Annotated[datetime | None, BeforeValidator(_iso_time)] = None


class Ack(Payload):
    """delivered or seen up to seq (cumulative), or the patient acknowledged at the ER."""
    incident_id: IncidentId
    what: Text
    seq: Seq = 0


class Acks(RootModel):
    """The gateway's batch, one transaction at the hub."""
    model_config = ConfigDict(strict=True)
    root: Annotated[list[Ack], Field(max_length=1000)]


class AboutIncident(Payload):
    incident_id: IncidentId


def parsed(model: type[BaseModel], data, event: str):
    """`data` as `model`, or a 400 naming each field that is wrong."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise Refused(400, "malformed %(event)s event", "invalid", event=event, fields=field_problems(e)) from None
