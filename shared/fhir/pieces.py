"""Small pieces every FHIR resource of the export is made of: codings, texts, references by
name, quantities and instants."""
from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone

from shared.schemas.record import Medication

from . import codes as c

JST = timezone(timedelta(hours=9))
# Empty strings are not allowed in FHIR; a required element the record leaves empty says why instead.
ABSENT = {"extension": [{"url": "http://hl7.org/fhir/StructureDefinition/data-absent-reason", "valueCode": "unknown"}]}


def _coding(system: str, code: str, display: str | None = None) -> dict:
    return {"system": system, "code": code, **({"display": display} if display else {})}


def _text(text: str) -> dict:
    return {"text": text} if text else {}


def _who(name: str) -> dict:
    """A reference by name only: the record names institutions, it has no identifiers for them."""
    return {"display": name} if name else ABSENT


def _as_of(item) -> dict:
    return {"extension": [{"url": c.AS_OF, "valueDate": item.as_of.isoformat()}]}


def _drug(m: Medication) -> dict:
    coding = [_coding(c.YJ, m.code, m.drug or None)] if m.code else []
    return {**({"coding": coding} if coding else {}), **_text(m.drug)} or ABSENT


def _days(days: int) -> dict:
    return {"value": days, "unit": "日", "system": c.UCUM, "code": "d"}


def _quantity(value: float, unit: str) -> dict:
    return {"value": value, **({"unit": unit} if unit else {})}


def _instant(at: datetime) -> str:
    return (at if at.tzinfo else at.replace(tzinfo=UTC)).isoformat()


def _day_instant(day: date) -> str:
    """A date as an instant: midnight in Japan, so it reads back as the same day."""
    return datetime(day.year, day.month, day.day, tzinfo=JST).isoformat()
