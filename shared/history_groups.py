"""The full history, grouped so a physician can read it: one line per drug, diagnosis, place or test.

Why it exists: five years of claims list a regular drug once a month from each source, so a patient
on twelve drugs comes with hundreds of medication lines and the one dose change among them is lost.
Here each drug appears once, with the dates it was first and last dispensed and every regimen it
had (a new strength or dosage is a new span, never merged away), newest first; every line keeps
each source that holds it with that source's latest as-of date. Each group also carries what its
sources said (`status`), so a group with no lines still tells "recorded as none" from "nothing
recorded (unknown)" and "source unavailable".

A drug's identity: the YJ code's ingredient and dosage form (its first 8 characters: the 9th is
the strength, so 2.5 mg and 5 mg are one drug whose dose changed); another code as it stands; no
code, the name without its strength, normalised (NFKC, case, spaces). A name-only entry that
normalises like a coded drug joins it."""
from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date

from pydantic import BaseModel, ConfigDict

from shared.schemas.record import (CATEGORIES, CategoryStatus, EmergencyRecord, Medication, Source)

_YJ = re.compile(r"^\d{7}[A-Z]\d{3}[0-9A-Z]$")
_STRENGTH = re.compile(r"\d+(?:[.,]\d+)?\s*(?:mg|μg|µg|ug|mcg|g|ml|l|%|単位|iu|meq|mmol)(?:/\S+)?", re.IGNORECASE)
SEVERITY_ORDER = {"severe": 3, "moderate": 2, "mild": 1}


class Seen(BaseModel):
    """One source that holds the line, and the latest as-of date it gave."""
    model_config = ConfigDict(extra="forbid")
    source: Source
    as_of: date


class DoseSpan(BaseModel):
    """One regimen of a drug: the product as dispensed (its strength) and the dosage, from the first to
    the last dispensing in a row with it."""
    model_config = ConfigDict(extra="forbid")
    drug: str
    dose: str
    first: date
    last: date
    dispensings: int
    days_supplied: int  # of the last dispensing in the span


class HistoryLine(BaseModel):
    """One thing the record holds, once. `tags` are codes the screen words (inpatient, positive,
    anaphylaxis, severe, anticoagulant...); `notes` are the sources' own words, shown as written."""
    model_config = ConfigDict(extra="forbid")
    key: str
    name: str
    first: date | None = None
    last: date | None = None
    count: int
    tags: list[str] = []
    notes: list[str] = []
    institutions: list[str] = []
    seen: list[Seen]
    doses: list[DoseSpan] = []  # medications: every regimen, newest first

    @property
    def dose_changed(self) -> bool:
        return len(self.doses) > 1


class HistoryGroup(BaseModel):
    """One category as the physician reads it (medications gather claims, e-prescriptions and the EMR's
    prescriptions). `entries`: the lines the sources sent before grouping."""
    model_config = ConfigDict(extra="forbid")
    category: str
    categories: list[str]
    status: dict[str, CategoryStatus]
    entries: int
    lines: list[HistoryLine]


class GroupedHistory(BaseModel):
    model_config = ConfigDict(extra="forbid")
    groups: list[HistoryGroup]


def normalised(name: str, *, strength: bool = False) -> str:
    text = unicodedata.normalize("NFKC", name).casefold()
    if strength:
        text = _STRENGTH.sub("", text)
    return re.sub(r"\s+", "", text)


def drug_key(m: Medication) -> str:
    code = (m.code or "").strip().upper()
    if _YJ.match(code):
        return f"yj:{code[:8]}"
    return f"code:{code}" if code else f"name:{normalised(m.drug, strength=True)}"


def _seen(items: Iterable) -> list[Seen]:
    latest: dict[Source, date] = {}
    for i in items:
        latest[i.source] = max(latest.get(i.source, i.as_of), i.as_of)
    return [Seen(source=s, as_of=d) for s, d in sorted(latest.items(), key=lambda kv: kv[1], reverse=True)]


def _unique(values: Iterable[str]) -> list[str]:
    return list(dict.fromkeys(v for v in values if v))


def _grouped(items: list, key: Callable) -> dict[str, list]:
    out: dict[str, list] = {}
    for item in items:
        out.setdefault(key(item), []).append(item)
    return out


def _regimen(drug: str, dose: str) -> tuple[str, str]:
    """What makes a regimen: the product with its strength and the dosage, as written but for
    width, case and spaces (a source writing "５ｍｇ" has not changed the dose)."""
    return normalised(drug), normalised(dose)


def _doses(items: list[Medication]) -> list[DoseSpan]:
    spans: list[DoseSpan] = []
    for m in sorted(items, key=lambda m: (m.dispensed_on, m.source)):
        last = spans[-1] if spans else None
        if last and _regimen(last.drug, last.dose) == _regimen(m.drug, m.dose):
            last.last, last.dispensings, last.days_supplied = m.dispensed_on, last.dispensings + 1, m.days_supplied
        elif (copy := _same_day_copy(spans, m)) is not None:
            copy.dispensings += 1
        else:
            spans.append(DoseSpan(drug=m.drug, dose=m.dose, first=m.dispensed_on, last=m.dispensed_on,
                                  dispensings=1, days_supplied=m.days_supplied))
    return spans[::-1]


def _same_day_copy(spans: list[DoseSpan], m: Medication) -> DoseSpan | None:
    """Two sources may report one day's regimens in either order: one already spanned on that day is
    the same regimen, not a change back and forth."""
    return next((s for s in spans if s.last == m.dispensed_on and _regimen(s.drug, s.dose) == _regimen(m.drug, m.dose)),
                None)


def _medications(meds: list[Medication]) -> list[HistoryLine]:
    # A name-only entry that normalises like a coded drug is that drug.
    coded = {normalised(m.drug, strength=True): drug_key(m) for m in meds if not drug_key(m).startswith("name:")}

    def identity(m: Medication) -> str:
        k = drug_key(m)
        return coded.get(k[5:], k) if k.startswith("name:") else k
    lines = []
    for key, items in _grouped(meds, identity).items():
        newest = sorted(items, key=lambda m: m.dispensed_on, reverse=True)
        lines.append(HistoryLine(
            key=key, name=newest[0].drug, first=newest[-1].dispensed_on, last=newest[0].dispensed_on,
            count=len(items), tags=sorted({m.drug_class for m in items} - {"other"}),
            institutions=_unique(m.institution for m in newest), seen=_seen(items), doses=_doses(items)))
    return lines


def _line(key: str, items: list, name: str, on: Callable, **extra) -> HistoryLine:
    dates = [d for d in (on(i) for i in items) if d is not None]
    return HistoryLine(key=key, name=name, first=min(dates, default=None), last=max(dates, default=None),
                       count=len(items), seen=_seen(items), **extra)


def _newest(items: list, on: Callable) -> list:
    return sorted(items, key=on, reverse=True)


def _allergies(allergies: list) -> list[HistoryLine]:
    lines = []
    for key, items in _grouped(allergies, lambda a: normalised(a.substance)).items():
        worst = max((SEVERITY_ORDER.get(a.severity or "", 0) for a in items), default=0)
        severity = next((s for s, n in SEVERITY_ORDER.items() if n == worst), "severity_unknown")
        kinds = _unique(getattr(a, "kind", "") for a in items if getattr(a, "kind", "other") != "other")
        tags = kinds + (["anaphylaxis"] if any(a.anaphylaxis for a in items) else []) + [severity]
        lines.append(_line(key, items, items[0].substance, lambda a: a.as_of, tags=tags,
                           notes=_unique(a.reaction for a in _newest(items, lambda a: a.as_of))))
    return lines


def _by(items: list, key: Callable, name: Callable, on: Callable, notes: Callable | None = None,
        tags: Callable | None = None, institutions: bool = False) -> list[HistoryLine]:
    lines = []
    for k, group in _grouped(items, key).items():
        newest = _newest(group, lambda i: on(i) or date.min)
        lines.append(_line(k, group, name(newest[0]), on,
                           notes=_unique(notes(i) for i in newest) if notes else [],
                           tags=_unique(t for i in newest[:1] for t in tags(i)) if tags else [],
                           institutions=_unique(i.institution for i in newest) if institutions else []))
    return lines


def _checkup_note(c) -> str:
    above = [f"{i.item} {i.value:g} {i.unit}" for i in c.items if i.above_referral]
    return " / ".join(above)


# category -> (the record's categories it gathers, how its entries become lines)
GROUPS: dict[str, tuple[tuple[str, ...], Callable[[EmergencyRecord], list[HistoryLine]]]] = {
    "drug_allergies": (("drug_allergies",), lambda r: _allergies(r.drug_allergies)),
    "other_allergies": (("other_allergies",), lambda r: _allergies(r.other_allergies)),
    "contraindications": (("contraindications",), lambda r: _by(
        r.contraindications, lambda c: normalised(c.drug), lambda c: c.drug, lambda c: c.as_of, lambda c: c.reason)),
    "medications": (("eprescriptions", "medications", "prescriptions"),
                    lambda r: _medications([*r.eprescriptions, *r.medications, *r.prescriptions])),
    "dialysis": (("dialysis",), lambda r: _by(
        r.dialysis, lambda d: f"{d.modality}:{d.institution}", lambda d: d.institution, lambda d: d.performed_on,
        tags=lambda d: [d.modality])),
    "infections": (("infections",), lambda r: _by(
        r.infections, lambda i: i.kind, lambda i: i.kind, lambda i: i.tested_on,
        lambda i: f"{i.tested_on} {i.result}", tags=lambda i: [i.result])),
    "diagnoses": (("diagnoses",), lambda r: _by(
        r.diagnoses, lambda d: d.icd10 or normalised(d.name), lambda d: d.name, lambda d: d.onset or d.as_of,
        lambda d: d.icd10)),
    "visits": (("visits",), lambda r: _by(
        r.visits, lambda v: f"{v.setting}:{v.institution}", lambda v: v.institution, lambda v: v.visit_date,
        tags=lambda v: [v.setting])),
    "surgeries": (("surgeries",), lambda r: _by(
        r.surgeries, lambda s: f"{normalised(s.procedure)}:{s.performed_on}", lambda s: s.procedure,
        lambda s: s.performed_on, institutions=True)),
    "treatments": (("treatments",), lambda r: _by(
        r.treatments, lambda t: normalised(t.procedure), lambda t: t.procedure, lambda t: t.performed_on,
        institutions=True)),
    "labs": (("labs",), lambda r: _by(
        r.labs, lambda lab: f"{lab.panel}:{normalised(lab.test)}", lambda lab: lab.test, lambda lab: lab.taken_on,
        lambda lab: f"{lab.taken_on} {lab.value:g} {lab.unit}")),
    "checkups": (("checkups",), lambda r: _by(
        r.checkups, lambda c: str(c.checked_on), lambda c: str(c.checked_on), lambda c: c.checked_on,
        _checkup_note)),
    "documents": (("documents",), lambda r: _by(
        r.documents, lambda d: f"{d.kind}:{d.written_on}:{normalised(d.title)}", lambda d: d.title,
        lambda d: d.written_on, tags=lambda d: [d.kind], institutions=True)),
}
assert {c for cats, _ in GROUPS.values() for c in cats} == set(CATEGORIES)


def group_history(record: EmergencyRecord, scope: Iterable[str] = CATEGORIES) -> GroupedHistory:
    """The record's categories within `scope`, grouped; the critical ones first, lines newest first."""
    scope = set(scope)
    # Outside the scope a category is read as empty: a grant without prescriptions sends none of them.
    record = record.model_copy(update={c: [] for c in CATEGORIES if c not in scope})
    groups = []
    for category, (categories, lines_of) in GROUPS.items():
        kept = [c for c in categories if c in scope]
        if not kept:
            continue
        lines = sorted(lines_of(record), key=lambda line: line.last or date.min, reverse=True)
        groups.append(HistoryGroup(category=category, categories=kept, status={c: record.status[c] for c in kept},
                                   entries=sum(len(getattr(record, c)) for c in kept), lines=lines))
    return GroupedHistory(groups=groups)
