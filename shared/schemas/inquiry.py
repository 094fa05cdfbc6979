"""Why a hospital may decline an ambulance's inquiry, as codes both apps take from here.

The hub checks the reason it is sent (ems_app/services/routing.py) and the hospital app the one
its staff choose (hospital_app/api/inquiries.py); the screens say each code in the reader's
language (web/static/common.js `DECLINE_REASONS`). Written twice, the two lists could drift and a
reason the ER offers be refused by the hub at the moment it answers."""
from __future__ import annotations

from typing import Literal, get_args

DeclineReason = Literal["no_bed", "no_specialist", "treating_others", "equipment", "other"]
DECLINE_REASONS: tuple[str, ...] = get_args(DeclineReason)
