"""Vital signs as the crew enters them in a moving ambulance.

Ranges are physiological limits, not normal ranges: a value outside them is a typo, and the
message must say which field and why so the paramedic can fix it with gloves on. Element
choice follows NEMSIS v3.5 eVitals; consciousness is the Japan Coma Scale or GCS."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from shared.errors import Invalid

JCS_VALUES = (0, 1, 2, 3, 10, 20, 30, 100, 200, 300)


class Gcs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    eye: int = Field(ge=1, le=4)
    verbal: int = Field(ge=1, le=5)
    motor: int = Field(ge=1, le=6)

    @property
    def total(self) -> int:
        return self.eye + self.verbal + self.motor


class Vitals(BaseModel):
    """One set of vitals; every field optional because the crew measures what it can."""
    model_config = ConfigDict(extra="forbid")
    taken_at: datetime = Field(default_factory=lambda: datetime.now(timezone.utc))
    heart_rate: Annotated[int, Field(ge=0, le=300, description="beats/min")] | None = None
    systolic_bp: Annotated[int, Field(ge=0, le=300, description="mmHg")] | None = None
    diastolic_bp: Annotated[int, Field(ge=0, le=200, description="mmHg")] | None = None
    spo2: Annotated[int, Field(ge=0, le=100, description="%")] | None = None
    respiratory_rate: Annotated[int, Field(ge=0, le=80, description="breaths/min")] | None = None
    temperature: Annotated[float, Field(ge=25.0, le=45.0, description="°C")] | None = None
    jcs: int | None = Field(None, description="Japan Coma Scale: 0,1,2,3,10,20,30,100,200,300")
    gcs: Gcs | None = None

    @field_validator("jcs")
    @classmethod
    def _jcs_is_a_scale_value(cls, v: int | None) -> int | None:
        if v is not None and v not in JCS_VALUES:
            raise Invalid("JCS must be one of %(values)s", values=", ".join(map(str, JCS_VALUES)))
        return v

    @model_validator(mode="after")
    def _pressure_pair(self) -> "Vitals":
        if self.systolic_bp is not None and self.diastolic_bp is not None \
                and self.diastolic_bp >= self.systolic_bp:
            raise Invalid("diastolic_bp must be lower than systolic_bp")
        if all(getattr(self, f) is None for f in MEASURES):
            raise Invalid("at least one vital sign is required")
        return self


MEASURES = ("heart_rate", "systolic_bp", "diastolic_bp", "spo2", "respiratory_rate",
            "temperature", "jcs", "gcs")


class IncidentUpdate(BaseModel):
    """A live update the hospital receives in order: vitals, or what changed on the road."""
    model_config = ConfigDict(extra="forbid")
    kind: Literal["vitals", "chief_complaint", "eta", "location", "note"]
    client_id: str | None = Field(None, min_length=8, max_length=64, pattern=r"^[A-Za-z0-9_-]+$",
                                  description="idempotency key from the tablet's offline queue")
    vitals: Vitals | None = None
    text: str | None = Field(None, max_length=2000)
    eta_minutes: int | None = Field(None, ge=0, le=600)

    @model_validator(mode="after")
    def _payload_matches_kind(self) -> "IncidentUpdate":
        need = {"vitals": "vitals", "eta": "eta_minutes"}.get(self.kind, "text")
        if getattr(self, need) is None:
            raise Invalid("an update of kind '%(kind)s' needs '%(field)s'", kind=self.kind, field=need)
        limit = {"chief_complaint": 500, "location": 200}.get(self.kind)
        if limit and len(self.text) > limit:
            raise Invalid("text: a %(kind)s is at most %(limit)s characters", kind=self.kind, limit=limit)
        return self
