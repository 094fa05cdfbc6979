"""What became of the patient, as the ER returns it to the fire service: the physician's
初診時傷病程度 (severity at first diagnosis), the coded diagnosis and the disposition.

The fire service needs the severity for its transport report and the region's figures; a case
without an outcome is "outcome not returned", never assumed mild (shared/figures.py)."""
from __future__ import annotations

from datetime import datetime
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from shared.errors import Invalid

# 死亡, 重症 (admission of three weeks or more), 中等症 (admission), 軽症 (outpatient), その他
Severity = Literal["death", "severe", "moderate", "mild", "other"]
SEVERITIES: tuple[str, ...] = get_args(Severity)
Disposition = Literal["admitted", "icu", "transferred", "discharged", "died"]
DISPOSITIONS: tuple[str, ...] = get_args(Disposition)


class Diagnosis(BaseModel):
    """A coded diagnosis: ICD-10 (as Japanese claims code 傷病名) unless the system says otherwise."""
    model_config = ConfigDict(extra="forbid")
    system: Literal["ICD-10", "MEDIS"] = "ICD-10"
    # The code is optional: a physician may give the diagnosis in words alone; never neither.
    code: str = Field("", max_length=16, pattern=r"^[A-Za-z0-9.\-]*$")
    display: str = Field("", max_length=200)

    @model_validator(mode="after")
    def _code_or_words(self) -> "Diagnosis":
        if not self.code and not self.display.strip():
            raise Invalid("give the diagnosis code or the diagnosis in words")
        return self


class Outcome(BaseModel):
    model_config = ConfigDict(extra="forbid")
    severity: Severity
    diagnosis: Diagnosis
    disposition: Disposition
    recorded_at: datetime
