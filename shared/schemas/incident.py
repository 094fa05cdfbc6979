"""The incident and the legal basis on which the crew looks at a record.

The basis is a discriminated union so a consent can never carry an exception reason and an
emergency exception can never be recorded without one."""
from __future__ import annotations

import unicodedata
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from shared.acuity import Acuity
from shared.errors import Invalid

EXCEPTION_REASONS = {
    "unconscious": "意識障害のため同意取得不能 / unconscious",
    "cannot_communicate": "意思疎通困難 / cannot communicate",
    "life_threatening": "生命・身体の保護のため緊急に必要 / immediate threat to life",
}


class Consent(BaseModel):
    """Who recorded it and when come from the signed-in user and the clock; this says how."""
    model_config = ConfigDict(extra="forbid")
    kind: Literal["consent"] = "consent"
    given_by: Literal["patient", "family"] = "patient"
    method: Literal["verbal", "written", "gesture"] = "verbal"


class EmergencyException(BaseModel):
    """Viewing without consent to protect life or body; reviewed afterwards."""
    model_config = ConfigDict(extra="forbid")
    kind: Literal["emergency_exception"] = "emergency_exception"
    reason_code: Literal["unconscious", "cannot_communicate", "life_threatening"]
    reason_text: str = Field(min_length=3, max_length=500)


Basis = Annotated[Consent | EmergencyException, Field(discriminator="kind")]


class BasisIn(BaseModel):
    basis: Basis


# The tablet's key for one press of a button that creates something (web/static/common.js
# `submission`): a double tap or a resend after a lost answer carries the same key.
ClientId = Annotated[str, Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$")]


class IncidentIn(BaseModel):
    """Opening an incident, with the tablet's key for this one press of "new incident"."""
    model_config = ConfigDict(extra="forbid")
    chief_complaint: str = Field("", max_length=500)
    location: str = Field("", max_length=200)
    client_id: ClientId | None = Field(None, description="idempotency key: the same key again returns the same incident")
    called_at: datetime | None = Field(
        None, description="覚知, when the call reached the fire service (the tablet sends now unless the crew "
                          "changes it; without an offset, UTC); never in the future, at most 24 h ago. Absent: "
                          "not known (the figures never take the opening for the call)")


IDENTITY_CHECKS = {
    "family": "家族による確認 / confirmed by family",
    "id_document": "他の身分証 / another ID document",
    "verbal": "本人への口頭確認 / verbal check with the patient",
}


class CardReadIn(BaseModel):
    """The reader presents a card; for a smartphone card the crew says how identity was confirmed."""
    model_config = ConfigDict(extra="forbid")
    card_id: str = Field(min_length=1, max_length=64)
    face_confirmed: bool = False
    identity_confirmation: Literal["family", "id_document", "verbal"] | None = None
    identity_note: str = Field("", max_length=200)


class AttributeSearchIn(BaseModel):
    """No card: the four basic attributes (4情報), exact match only."""
    model_config = ConfigDict(extra="forbid")
    name_kana: str = Field(min_length=1, max_length=100, pattern=r"^[\u30A0-\u30FF\s\u3000]+$",
                           description="full name in katakana")
    birth_date: date
    sex: Literal["male", "female"]
    address: str = Field(min_length=2, max_length=200)

    @field_validator("name_kana", "address")
    @classmethod
    def _not_blank(cls, text: str) -> str:
        # Record sources compare without spaces of any width (NFKC); a name of spaces alone
        # would reach the source empty, after the search already counted against the crew's limit.
        if not "".join(unicodedata.normalize("NFKC", text).split()):
            raise Invalid("should not be blank")
        return text


class IncidentOut(BaseModel):
    id: str
    status: str
    created_at: datetime
    chief_complaint: str
    location: str
    identified: bool
    card_kind: str | None
    identification: str | None = None
    identity_flagged: bool = False
    basis: str | None
    record_status: str
    hospital_id: str | None
    grant_expires_at: datetime | None = None
    handed_over_at: datetime | None = Field(None, description="when the crew handed over or the ER confirmed it")
    # The run's times and why the card was not read, as the region's figures count them
    # (ems_app/services/scene_times.py); null: not recorded.
    called_at: datetime | None = None
    on_scene_at: datetime | None = None
    left_scene_at: datetime | None = None
    hospital_arrival_at: datetime | None = None
    card_not_read_reason: str | None = None
    acuity: Acuity | None = Field(
        None, description="the patient's acuity by the one rule (shared/acuity.py), from every vitals update "
                          "stored; in the answer for one incident and in the crew's list of open incidents "
                          "(null elsewhere)")


class HospitalRequestIn(BaseModel):
    """Candidate hospitals asked at once."""
    model_config = ConfigDict(extra="forbid")
    hospital_ids: list[Annotated[str, Field(min_length=1, max_length=64)]] = Field(min_length=1, max_length=10)


class LoginIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    username: str = Field(min_length=1, max_length=64)
    password: str = Field(min_length=1, max_length=256)
