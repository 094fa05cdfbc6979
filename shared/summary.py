"""The emergency summary and the critical facts an ER physician asked to see first.

One rule set for the ambulance and the hospital: both call `emergency_summary`, so the
crew and the ER see the same thing, cut to the brief's summary windows."""
from __future__ import annotations

from datetime import date, timedelta

from pydantic import BaseModel

from shared.schemas.record import CATEGORIES, Checkup, EmergencyRecord

# Days each claims category reaches back in the emergency summary (brief: "emergency summary").
SUMMARY_WINDOWS_DAYS = {
    "visits": 92, "medications": 92, "eprescriptions": 45, "surgeries": 5 * 366,
    "treatments": 92, "dialysis": 92, "prescriptions": 92,
}
# What a hospital's grant covers by default: the summary categories, never the card face.
GRANT_SCOPE: tuple[str, ...] = CATEGORIES


def _dated(item) -> date:
    for field in ("visit_date", "dispensed_on", "performed_on", "checked_on"):
        if hasattr(item, field):
            return getattr(item, field)
    return item.as_of


def emergency_summary(record: EmergencyRecord, today: date,
                      scope: tuple[str, ...] | list[str] = GRANT_SCOPE) -> EmergencyRecord:
    """The summary view of a full record, limited to `scope` (other categories come back empty)."""
    data: dict = {"card": record.card}
    for category in CATEGORIES:
        if category not in scope:
            continue
        items = getattr(record, category)
        window = SUMMARY_WINDOWS_DAYS.get(category)
        if window is not None:
            since = today - timedelta(days=window)
            items = [i for i in items if _dated(i) >= since]
        if category == "checkups":
            # The summary shows checkup dates only; the values stay in the full view.
            latest = sorted(items, key=lambda c: c.checked_on, reverse=True)
            items = [Checkup(source=c.source, as_of=c.as_of, checked_on=c.checked_on, items=[])
                     for c in latest[:1]]
        data[category] = sorted(items, key=_dated, reverse=True)
    return EmergencyRecord.model_validate(data)


class CriticalFacts(BaseModel):
    """What the dashboard shows before anything else, in this order."""
    drug_allergies: list[str]
    contraindications: list[str]
    anticoagulants: list[str]
    antiplatelets: list[str]
    dialysis: str | None
    infections: list[str]

    @property
    def any(self) -> bool:
        return bool(self.drug_allergies or self.contraindications or self.anticoagulants
                    or self.antiplatelets or self.dialysis or self.infections)


def critical_facts(record: EmergencyRecord) -> CriticalFacts:
    meds = record.medications + record.eprescriptions + record.prescriptions

    def drugs(cls: str) -> list[str]:
        return sorted({m.drug for m in meds if m.drug_class == cls})

    last_dialysis = max((d.performed_on for d in record.dialysis), default=None)
    modality = record.dialysis[0].modality if record.dialysis else None
    return CriticalFacts(
        drug_allergies=[f"{a.substance} ({a.reaction}, {a.severity})" for a in record.drug_allergies],
        contraindications=[f"{c.drug}: {c.reason}" for c in record.contraindications],
        anticoagulants=drugs("anticoagulant"),
        antiplatelets=drugs("antiplatelet"),
        dialysis=f"{modality} / last {last_dialysis.isoformat()}" if last_dialysis else None,
        infections=sorted({f"{i.kind} positive" for i in record.infections if i.result == "positive"}),
    )


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
