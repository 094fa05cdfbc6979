"""The emergency record as the OQC and the EMR sharing service hold it.

Every item carries its source and as-of date, because OQC data is claims-based and lags
one to two months: an ER physician must see how old each fact is. Every category also says
what its source said about it (`CategoryStatus`): an empty list alone cannot tell "the
source says there is none" from "the source has no entry" or "the source did not answer",
and an ER physician who reads "none" as "no known allergy" may give the drug that kills."""
from __future__ import annotations

import re
from datetime import date, datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator


class Source(StrEnum):
    OQC = "oqc"                    # オンライン資格確認等システム (claims)
    EPRESCRIPTION = "eprescription"  # 電子処方箋管理サービス
    EMR_SHARING = "emr_sharing"    # 電子カルテ情報共有サービス (3文書6情報)


class Item(BaseModel):
    model_config = ConfigDict(extra="forbid")
    source: Source
    as_of: date = Field(description="The date the source says this fact held (claims lag 1-2 months).")


class CardFace(BaseModel):
    """券面情報: identifies the patient; never leaves the hub inside a grant token."""
    model_config = ConfigDict(extra="forbid")
    name: str
    kana: str
    birth_date: date
    sex: Literal["male", "female"]
    address: str
    insurer_number: str
    insured_number: str


class Visit(Item):
    institution: str
    visit_date: date
    setting: Literal["inpatient", "outpatient"]


class Medication(Item):
    drug: str
    code: str = Field(description="YJ code")
    dose: str
    days_supplied: int = Field(ge=0)
    dispensed_on: date
    institution: str
    drug_class: Literal["anticoagulant", "antiplatelet", "other"] = "other"


class EPrescription(Medication):
    """A dispensing recorded by the e-prescription service (fresher than claims)."""


class Surgery(Item):
    procedure: str
    performed_on: date
    institution: str


class Treatment(Item):
    procedure: str
    performed_on: date
    institution: str


class Dialysis(Item):
    modality: Literal["hemodialysis", "peritoneal"]
    performed_on: date
    institution: str


class CheckupItem(BaseModel):
    model_config = ConfigDict(extra="forbid")
    item: str
    value: float
    unit: str
    reference_low: float | None = None
    reference_high: float | None = None
    referral_threshold: float | None = Field(None, description="受診勧奨値")

    @property
    def above_referral(self) -> bool:
        return self.referral_threshold is not None and self.value >= self.referral_threshold


class Checkup(Item):
    """特定健診: the emergency summary shows only its date."""
    checked_on: date
    items: list[CheckupItem]


class Diagnosis(Item):
    name: str
    icd10: str
    onset: date | None = None


Severity = Literal["mild", "moderate", "severe"]
# What the EMR sharing service's AllergyIntolerance category says (food, environment, biologic),
# plus the two kinds an ER must name at once because they decide the first procedures.
AllergyKind = Literal["contrast", "latex", "food", "environment", "biologic", "other"]

# Records stored before these fields existed said anaphylaxis, latex and contrast only in words.
_ANAPHYLAXIS = re.compile(r"アナフィラキシー|anaphyla", re.IGNORECASE)
_KIND_WORDS = (("latex", re.compile(r"ラテックス|latex|天然ゴム", re.IGNORECASE)),
               ("contrast", re.compile(r"造影剤|contrast", re.IGNORECASE)))


class Allergy(Item):
    """An AllergyIntolerance entry. `severity` None means the source did not say: unknown, not mild."""
    substance: str
    reaction: str
    severity: Severity | None = None
    anaphylaxis: bool = Field(False, description="The reaction was anaphylaxis (else read from the reaction text).")

    @model_validator(mode="before")
    @classmethod
    def _read_old_entries(cls, data):
        if isinstance(data, dict) and "anaphylaxis" not in data:
            data = {**data, "anaphylaxis": bool(_ANAPHYLAXIS.search(str(data.get("reaction", ""))))}
        return data


class DrugAllergy(Allergy):
    """薬剤アレルギー: every one belongs in the critical facts."""


class OtherAllergy(Allergy):
    """その他アレルギー: food, latex, contrast media, venom...; `kind` says which (old records: from the words)."""
    kind: AllergyKind = "other"

    @model_validator(mode="before")
    @classmethod
    def _kind_of_old_entries(cls, data):
        if isinstance(data, dict) and "kind" not in data:
            text = f"{data.get('substance', '')} {data.get('reaction', '')}"
            data = {**data, "kind": next((k for k, words in _KIND_WORDS if words.search(text)), "other")}
        return data


class Infection(Item):
    kind: Literal["syphilis", "HBs", "HCV", "HIV"]
    result: Literal["positive", "negative"]
    tested_on: date


class LabResult(Item):
    panel: Literal["emergency", "lifestyle"]
    test: str
    value: float
    unit: str
    taken_on: date


class Contraindication(Item):
    drug: str
    reason: str


class Document(Item):
    kind: Literal["referral_letter", "discharge_summary", "checkup_report"]
    title: str
    written_on: date
    institution: str
    body: str


class CategoryStatus(BaseModel):
    """What the source of one category said about it.

    recorded: the list holds entries. none_recorded: the source explicitly records that there
    is none (e.g. "no known drug allergy", as of `as_of`). not_recorded: the source has no
    entry, which is unknown, never "none"; in a summary `window_days` says the source has entries,
    only none within the summary's last N days. unavailable: `source` failed or timed out at
    `since`, so nothing is known."""
    model_config = ConfigDict(extra="forbid")
    state: Literal["recorded", "none_recorded", "not_recorded", "unavailable"]
    source: Source | None = None
    as_of: date | None = Field(None, description="none_recorded: when the source recorded that there is none.")
    since: datetime | None = Field(None, description="unavailable: when the fetch failed or timed out.")
    window_days: int | None = Field(None, description="not_recorded in a summary: nothing in the last N days.")

    @model_validator(mode="after")
    def _unavailable_says_who_and_when(self):
        if self.state == "unavailable" and (self.source is None or self.since is None):
            raise ValueError("an unavailable category names the source that failed and since when")
        return self

    @property
    def unknown(self) -> bool:
        return self.state in ("not_recorded", "unavailable")


class EmergencyRecord(BaseModel):
    """The full view: everything the sources hold, within their retention windows."""
    model_config = ConfigDict(extra="forbid")
    card: CardFace
    visits: list[Visit] = []
    medications: list[Medication] = []
    eprescriptions: list[EPrescription] = []
    surgeries: list[Surgery] = []
    treatments: list[Treatment] = []
    dialysis: list[Dialysis] = []
    checkups: list[Checkup] = []
    diagnoses: list[Diagnosis] = []
    drug_allergies: list[DrugAllergy] = []
    other_allergies: list[OtherAllergy] = []
    infections: list[Infection] = []
    labs: list[LabResult] = []
    prescriptions: list[Medication] = []
    contraindications: list[Contraindication] = []
    documents: list[Document] = []
    status: dict[str, CategoryStatus] = Field(
        default_factory=dict, description="Per category, what its source said; filled in for every category.")

    @model_validator(mode="after")
    def _status_of_every_category(self):
        # Records stored before `status` existed, and sources that do not say, get the reading that
        # claims no more than the lists do: entries are recorded, an empty list is not_recorded.
        # An entry always wins: no "none" and no "unknown" may hide an allergy that is there.
        unknown = set(self.status) - set(CATEGORIES)
        if unknown:
            raise ValueError(f"status for unknown categories: {', '.join(sorted(unknown))}")
        status = {}
        for category in CATEGORIES:
            given, has_items = self.status.get(category), bool(getattr(self, category))
            if given is None:
                given = CategoryStatus(state="recorded" if has_items else "not_recorded",
                                       source=CATEGORY_SOURCE[category])
            elif has_items and given.state in ("none_recorded", "not_recorded"):
                given = CategoryStatus(state="recorded", source=given.source)
            elif not has_items and given.state == "recorded":
                given = CategoryStatus(state="not_recorded", source=given.source)
            status[category] = given
        self.status = status
        return self

    def within(self, scope) -> dict:
        """The JSON a grant of `scope` may read: those categories and their status, never the card."""
        keep = [c for c in CATEGORIES if c in scope]
        return self.model_dump(mode="json", include={**{c: True for c in keep}, "status": {c: True for c in keep}})


CATEGORIES: tuple[str, ...] = tuple(n for n in EmergencyRecord.model_fields if n not in ("card", "status"))

# Which service each category comes from: when one fails, its categories are unavailable.
CATEGORY_SOURCE: dict[str, Source] = {
    **{c: Source.OQC for c in ("visits", "medications", "surgeries", "treatments", "dialysis", "checkups")},
    "eprescriptions": Source.EPRESCRIPTION,
    **{c: Source.EMR_SHARING for c in ("diagnoses", "drug_allergies", "other_allergies", "infections", "labs",
                                       "prescriptions", "contraindications", "documents")},
}


def unavailable(source: Source, since: datetime) -> dict[str, CategoryStatus]:
    """The status of every category of a source that failed or timed out at `since`."""
    return {c: CategoryStatus(state="unavailable", source=source, since=since)
            for c, s in CATEGORY_SOURCE.items() if s == source}
