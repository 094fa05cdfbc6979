"""What the crew records for the fire service's own report and the region's figures: the run's
times (覚知, 現場到着, 現場出発, 病院到着) and, when the patient was identified without the card, why
the マイナ保険証 was not read.

The figures count 救急搬送困難事案 from the time on scene (shared/figures.py), so a time is the
moment of the tap on the tablet, sent with the tap (an offline tap reaches the hub later with its
own time), and a correction says it is one: the hub audits the two apart."""
from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.figures import CREW_NOT_READ_REASONS
from shared.schemas.incident import ClientId

# In the order of the run: each is never before the one above it (ems_app/services/scene_times.py).
MARKS = ("called", "on_scene", "left_scene", "hospital_arrival")
Mark = Literal["called", "on_scene", "left_scene", "hospital_arrival"]


class SceneTimeIn(BaseModel):
    """One of the run's times: a tap ("now" on the tablet, kept from the moment of the tap), or a
    correction of one already recorded (stamped late, forgotten, wrong)."""
    model_config = ConfigDict(extra="forbid")
    mark: Mark = Field(description="called (覚知), on_scene (現場到着), left_scene (現場出発), "
                                   "hospital_arrival (病院到着)")
    at: datetime = Field(description="the moment, with its offset (without one: UTC); never in the future "
                                     "(a tablet clock up to 2 minutes ahead is allowed), never before the "
                                     "time before it in the run nor after the time after it")
    correction: bool = Field(False, description="false: a tap, refused (409) if a different time is already "
                                                "recorded (the same time again is a resend: 200); true: replaces "
                                                "the recorded time, audited with the one it replaces")
    client_id: ClientId | None = Field(None, description="the tablet's queue key for this tap, kept in the audit "
                                                         "trail")


class CardNotReadIn(BaseModel):
    """Why the My Number insurance card was not read; the same codes the figures count."""
    model_config = ConfigDict(extra="forbid")
    reason: Literal[CREW_NOT_READ_REASONS] = Field(  # type: ignore[valid-type]
        description="not_carried (not carried, none found), declined (the patient declined), urgent (no time: "
                    "life-threatening), unreadable (the card or the reader failed), other (e.g. no My Number "
                    "insurance card)")
    client_id: ClientId | None = Field(None, description="the tablet's queue key for this choice")
