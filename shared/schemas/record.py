"""The emergency record as the OQC and the EMR sharing service hold it.

Every item carries its source and as-of date, because OQC data is claims-based and lags
one to two months: an ER physician must see how old each fact is."""
from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


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


class DrugAllergy(Item):
    substance: str
    reaction: str
    severity: Literal["mild", "moderate", "severe"]


class OtherAllergy(Item):
    substance: str
    reaction: str


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


CATEGORIES: tuple[str, ...] = tuple(n for n in EmergencyRecord.model_fields if n != "card")
