"""The emergency summary and the critical facts an ER physician asked to see first.

One rule set for the ambulance and the hospital: both call `emergency_summary`, so the
crew and the ER see the same thing, cut to the periods of the national emergency summary
(救急用サマリー, below)."""
from __future__ import annotations

import unicodedata
from datetime import date, timedelta
from typing import Literal

from pydantic import BaseModel

from shared.schemas.record import (CATEGORIES, AllergyKind, CategoryStatus, Checkup, EmergencyRecord,
                                   Medication, Severity, Source)

# Days each category reaches back in the emergency summary. The periods are those of the 救急用サマリー
# that the オンライン資格確認等システム shows in its 救急時医療情報閲覧 (MHLW): 3 months of visits,
# medications, treatments and dialysis; 45 days of e-prescription dispensing; 5 years of surgeries;
# checkups by date only (below). Prescriptions shared from electronic records are cut like
# medications. Months and years are counted generously (92, 5 × 366 days): never shorter.
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
    """The summary view of a full record, limited to `scope` (other categories come back empty and
    not_recorded: a grant that does not cover a category learns nothing of it)."""
    data: dict = {"card": record.card}
    status: dict[str, CategoryStatus] = {}
    for category in CATEGORIES:
        if category not in scope:
            continue
        items, said = getattr(record, category), record.status[category]
        window = SUMMARY_WINDOWS_DAYS.get(category)
        if window is not None:
            since = today - timedelta(days=window)
            kept = [i for i in items if _dated(i) >= since]
            if items and not kept and said.state == "recorded":
                # Entries exist, only older than the period: unknown for the period, never "none".
                said = CategoryStatus(state="not_recorded", source=said.source, window_days=window)
            items = kept
        if category == "checkups":
            # The summary shows checkup dates only; the values stay in the full view.
            latest = sorted(items, key=lambda c: c.checked_on, reverse=True)
            items = [Checkup(source=c.source, as_of=c.as_of, checked_on=c.checked_on, items=[])
                     for c in latest[:1]]
        data[category] = sorted(items, key=_dated, reverse=True)
        status[category] = said
    return EmergencyRecord.model_validate({**data, "status": status})


MEDICATION_CATEGORIES = ("medications", "eprescriptions", "prescriptions")
# The rows of the critical box, in the order the ER reads them, and the categories each is read from.
CRITICAL_ROWS: dict[str, tuple[str, ...]] = {
    "drug_allergies": ("drug_allergies",), "other_allergies": ("other_allergies",),
    "contraindications": ("contraindications",), "anticoagulants": MEDICATION_CATEGORIES,
    "antiplatelets": MEDICATION_CATEGORIES, "dialysis": ("dialysis",), "infections": ("infections",),
}
# Other allergies the team must know in the first minutes: they change the first procedures.
CRITICAL_KINDS = ("contrast", "latex")


class Seen(BaseModel):
    """One source's word on a critical fact and its latest date (dispensing, or entry)."""
    source: Source
    on: date


class CriticalAllergy(BaseModel):
    """One allergen, however many entries and sources record it."""
    substance: str
    kind: Literal["drug"] | AllergyKind
    reaction: str
    severity: Severity | None  # None: no source said; unknown is not mild
    anaphylaxis: bool
    seen: list[Seen]


class CriticalDrug(BaseModel):
    """One anticoagulant or antiplatelet, once, whichever sources dispensed it."""
    drug: str
    drug_class: Literal["anticoagulant", "antiplatelet"]
    last_dispensed: date
    seen: list[Seen]  # each source with its last dispensing, newest first


class CriticalFacts(BaseModel):
    """What the dashboard shows before anything else, in this order.

    `anticoagulants` and `antiplatelets` name each drug once (the dashboard's patient list and the
    crew's first glance); `drugs` gives the same drugs with their sources and dates. `states` says
    per row what the sources said, and `unknown` lists the rows nobody can call "none"."""
    drug_allergies: list[CriticalAllergy]
    other_allergies: list[CriticalAllergy]  # only those of CRITICAL_KINDS, severe, or anaphylaxis
    contraindications: list[str]
    anticoagulants: list[str]
    antiplatelets: list[str]
    drugs: list[CriticalDrug]
    dialysis: str | None
    infections: list[str]
    states: dict[str, CategoryStatus]
    unknown: list[str]

    @property
    def any(self) -> bool:
        return bool(self.drug_allergies or self.other_allergies or self.contraindications
                    or self.anticoagulants or self.antiplatelets or self.dialysis or self.infections)


def _seen(pairs) -> list[Seen]:
    latest: dict[Source, date] = {}
    for source, on in pairs:
        latest[source] = max(on, latest.get(source, on))
    return [Seen(source=s, on=d) for s, d in sorted(latest.items(), key=lambda kv: kv[1], reverse=True)]


_WORST_FIRST = {"severe": 0, None: 1, "moderate": 2, "mild": 3}


def _allergies(entries, kind_of) -> list[CriticalAllergy]:
    """Entries of the same allergen as one line: every reaction, the worst severity, every source."""
    groups: dict[tuple[str, str], list] = {}
    for a in entries:
        groups.setdefault(("".join(unicodedata.normalize("NFKC", a.substance).split()), kind_of(a)), []).append(a)
    out = []
    for (_, kind), same in groups.items():
        severities = {a.severity for a in same}
        # Severe if any source says so; unknown if any entry left it unsaid; else the worst said.
        severity = min(severities, key=lambda s: _WORST_FIRST[s])
        out.append(CriticalAllergy(
            substance=same[0].substance, kind=kind, reaction="、".join(dict.fromkeys(a.reaction for a in same)),
            severity=severity, anaphylaxis=any(a.anaphylaxis for a in same),
            seen=_seen((a.source, a.as_of) for a in same)))
    return sorted(out, key=lambda a: (not a.anaphylaxis, _WORST_FIRST[a.severity]))


def _drugs(meds: list[Medication]) -> list[CriticalDrug]:
    """Anticoagulants and antiplatelets merged across sources: by YJ code, or by name where sources
    write the code differently, so a drug on claims, e-prescription and EMR is one line."""
    groups: list[list[Medication]] = []
    for m in sorted((m for m in meds if m.drug_class != "other"), key=lambda m: m.dispensed_on, reverse=True):
        group = next((g for g in groups if g[0].drug_class == m.drug_class
                      and any(m.code and m.code == o.code or m.drug == o.drug for o in g)), None)
        if group is None:
            groups.append([m])
        else:
            group.append(m)
    return sorted((CriticalDrug(drug=g[0].drug, drug_class=g[0].drug_class, last_dispensed=g[0].dispensed_on,
                                seen=_seen((m.source, m.dispensed_on) for m in g)) for g in groups),
                  key=lambda d: d.drug)


def _row_state(record: EmergencyRecord, categories: tuple[str, ...]) -> CategoryStatus:
    said = [record.status[c] for c in categories]
    if len(said) == 1:
        return said[0]
    failed = [s for s in said if s.state == "unavailable"]
    if failed:  # the drug may be in the source that did not answer
        return failed[0]
    if any(s.state == "recorded" for s in said):
        return CategoryStatus(state="recorded")
    if all(s.state == "none_recorded" for s in said):
        return CategoryStatus(state="none_recorded")
    return CategoryStatus(state="not_recorded", window_days=max((s.window_days or 0 for s in said)) or None)


def critical_facts(record: EmergencyRecord) -> CriticalFacts:
    drugs = _drugs(record.medications + record.eprescriptions + record.prescriptions)

    def names(cls: str) -> list[str]:
        return sorted({d.drug for d in drugs if d.drug_class == cls})

    last_dialysis = max((d.performed_on for d in record.dialysis), default=None)
    modality = record.dialysis[0].modality if record.dialysis else None
    critical_other = [a for a in record.other_allergies
                      if a.kind in CRITICAL_KINDS or a.severity == "severe" or a.anaphylaxis]
    states = {row: _row_state(record, categories) for row, categories in CRITICAL_ROWS.items()}
    return CriticalFacts(
        drug_allergies=_allergies(record.drug_allergies, lambda a: "drug"),
        other_allergies=_allergies(critical_other, lambda a: a.kind),
        contraindications=[f"{c.drug}: {c.reason}" for c in record.contraindications],
        anticoagulants=names("anticoagulant"),
        antiplatelets=names("antiplatelet"),
        drugs=drugs,
        dialysis=f"{modality} / last {last_dialysis.isoformat()}" if last_dialysis else None,
        infections=sorted({f"{i.kind} positive" for i in record.infections if i.result == "positive"}),
        states=states,
        unknown=[row for row, state in states.items() if state.unknown],
    )


def age_on(birth: date, today: date) -> int:
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))
