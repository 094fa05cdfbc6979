"""The EMR sharing service's part of a record: 6 information and 3 documents.

Why it exists: diagnoses, drug and other allergies, infections, lab results, prescriptions
and drug contraindications come from hospitals' electronic medical records, not from
claims: they are near real time (no claims lag) and exist only when the patient's main
institution has joined the service. They must agree with the claims timeline (the
admission in the visits list has its discharge summary; the warfarin user's PT-INR is
raised), so they are derived from a finished Timeline. The discharge summary is only
ever attached to a referral letter, as in the real service.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from shared.schemas.record import (Contraindication, Diagnosis, Document, DrugAllergy, Infection,
                                   LabResult, Medication, OtherAllergy, Source)

from . import measures
from .clinical import CONDITIONS
from .drugs import CATALOGUE, DRUG_ALLERGENS

if TYPE_CHECKING:
    from .generate import Timeline

EMR = Source.EMR_SHARING


def _ja(d: date) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def _registered(t: Timeline, max_days: int) -> date:
    """A date when a fact was entered in the EMR: in the past, after birth."""
    span = max(14, min(max_days, (t.today - t.p.face.birth_date).days))
    return t.today - timedelta(days=t.rng.randint(min(14, span), span))


def main_role(t: Timeline) -> str:
    return "hospital" if any(CONDITIONS[c].where == "hospital" for c in t.p.conditions) else "clinic"


def sharing(t: Timeline) -> dict[str, list]:
    p, today = t.p, t.today
    main = main_role(t)
    updated = t.last_visit.get(main) or _registered(t, 200)

    diagnoses = [Diagnosis(source=EMR, as_of=max(updated, t.onset[c]), name=CONDITIONS[c].name,
                           icd10=CONDITIONS[c].icd10, onset=t.onset[c]) for c in p.conditions]
    diagnoses += [Diagnosis(source=EMR, as_of=d, name=ep.name, icd10=ep.icd10, onset=d)
                  for d, ep, _ in t.acute if (today - d).days <= 365]

    drug_allergies = [DrugAllergy(source=EMR, as_of=_registered(t, 8 * 365), substance=DRUG_ALLERGENS[k][0],
                                  reaction=reaction, severity=severity, anaphylaxis="アナフィラキシー" in reaction)
                      for k, reaction, severity in p.drug_allergies]
    other_allergies = [OtherAllergy(source=EMR, as_of=_registered(t, 10 * 365), substance=a.substance,
                                    reaction=a.reaction, kind=a.kind, severity=a.severity,
                                    anaphylaxis=a.anaphylaxis)
                       for a in p.other_allergies]
    contraindications = [Contraindication(source=EMR, as_of=_registered(t, 5 * 365), drug=drug, reason=reason)
                         for drug, reason in p.contraindications]

    return dict(diagnoses=diagnoses, drug_allergies=drug_allergies, other_allergies=other_allergies,
                infections=_infections(t), labs=_labs(t, main), prescriptions=_prescriptions(t, main),
                contraindications=contraindications, documents=_documents(t, main))


def _infections(t: Timeline) -> list[Infection]:
    """The latest result per kind: tested on admission, twice a year on dialysis, or screened."""
    p, rng = t.p, t.rng
    occasions = [a.start for a in t.admissions if t.start <= a.start <= t.today]
    if p.dialysis:
        occasions.append(t.today - timedelta(days=rng.randint(7, 180)))
    if not occasions and t.age >= 40 and rng.random() < 0.3:
        occasions.append(t.today - timedelta(days=rng.randint(60, 4 * 365)))
    kinds = ["HBs", "HCV", "syphilis"] if occasions else []
    if rng.random() < 0.1 or "HIV" in p.positive:
        kinds.append("HIV")
    for kind in p.positive:
        if kind not in kinds:
            kinds.append(kind)
    if not kinds:
        return []
    tested = max(occasions) if occasions else _registered(t, 3 * 365)
    return [Infection(source=EMR, as_of=tested, kind=kind, tested_on=tested,
                      result="positive" if kind in p.positive else "negative")
            for kind in dict.fromkeys(kinds)]


def _labs(t: Timeline, main: str) -> list[LabResult]:
    out: list[LabResult] = []
    hospital_days = [d for d, _, role in t.acute if role in ("hospital", "emergency")]
    emergency_day, acute = (max(hospital_days), True) if hospital_days else (
        t.last_visit.get("dialysis"), False)
    if emergency_day:
        out += [LabResult(source=EMR, as_of=emergency_day, panel="emergency", test=test, value=value,
                          unit=unit, taken_on=emergency_day)
                for test, value, unit in measures.panel(t.rng, t.ph, "emergency", acute)]
    lifestyle_day = t.last_visit.get(main)
    if lifestyle_day and t.age >= 18:
        out += [LabResult(source=EMR, as_of=lifestyle_day, panel="lifestyle", test=test, value=value,
                          unit=unit, taken_on=lifestyle_day)
                for test, value, unit in measures.panel(t.rng, t.ph, "lifestyle")]
    return out


def _prescriptions(t: Timeline, main: str) -> list[Medication]:
    """The main institution's latest prescription of each regular drug."""
    out = []
    for key, _cond in t.p.regimen:
        last = t.last_rx.get((key, main))
        if last is None:
            continue
        d, days = last
        drug = CATALOGUE[key]
        out.append(Medication(source=EMR, as_of=d, drug=drug.name, code=drug.code, dose=drug.dose,
                              days_supplied=days, dispensed_on=d, institution=t.inst[main],
                              drug_class=drug.drug_class))
    return out


def _summary_lines(t: Timeline) -> str:
    history = "、".join(CONDITIONS[c].name for c in t.p.conditions) or "特記事項なし"
    meds = "、".join(CATALOGUE[k].name for k, _ in t.p.regimen) or "なし"
    allergies = "、".join(f"{DRUG_ALLERGENS[k][0]}（{r}）" for k, r, _ in t.p.drug_allergies) or "なし"
    return f"既往歴：{history}\n内服薬：{meds}\n薬剤アレルギー：{allergies}"


def _documents(t: Timeline, main: str) -> list[Document]:
    docs: list[Document] = []
    admissions = [a for a in t.admissions if t.start <= a.start and a.end <= t.today]
    for a in sorted(admissions, key=lambda a: a.start)[-2:]:
        surgery = f"{_ja(a.start + timedelta(days=1))}、{a.surgery}を施行。" if a.surgery else ""
        course = f"{_ja(a.start)}、{a.name}の診断で入院。{surgery}経過良好にて{_ja(a.end)}退院。"
        docs.append(Document(
            source=EMR, as_of=a.end, kind="referral_letter", written_on=a.end, institution=t.inst[a.role],
            title=f"診療情報提供書（{t.inst['clinic']} 御中）",
            body=f"傷病名：{a.name}（{a.icd10}）\n紹介目的：退院後の継続加療のお願い\n経過：{course}\n"
                 + _summary_lines(t)))
        docs.append(Document(
            source=EMR, as_of=a.end, kind="discharge_summary", written_on=a.end, institution=t.inst[a.role],
            title="退院時サマリー",
            body=f"入院日：{_ja(a.start)}\n退院日：{_ja(a.end)}\n入院時診断：{a.name}（{a.icd10}）\n"
                 f"入院中経過：{course}\n退院先：自宅\n" + _summary_lines(t)))
    if main == "hospital":
        onset = min(t.onset[c] for c in t.p.conditions if CONDITIONS[c].where == "hospital")
        if t.start <= onset <= t.today:
            names = "、".join(CONDITIONS[c].name for c in t.p.conditions
                             if CONDITIONS[c].where == "hospital")
            docs.append(Document(
                source=EMR, as_of=onset, kind="referral_letter", written_on=onset,
                institution=t.inst["clinic"], title=f"診療情報提供書（{t.inst['hospital']} 御中）",
                body=f"傷病名：{names}\n紹介目的：精査・加療のお願い\n" + _summary_lines(t)))
    if t.checkups:
        latest = max(t.checkups, key=lambda c: c.checked_on)
        written = min(latest.checked_on + timedelta(days=14), t.today)
        flagged = [f"{i.item} {i.value:g}{i.unit}" for i in latest.items if i.above_referral]
        verdict = ("受診勧奨：" + "、".join(flagged)) if flagged else "受診勧奨判定値を超える項目なし"
        docs.append(Document(
            source=EMR, as_of=written, kind="checkup_report", written_on=written,
            institution=t.inst["checkup"], title="特定健康診査 結果報告書",
            body=f"健診日：{_ja(latest.checked_on)}\n" + "\n".join(
                f"{i.item}：{i.value:g} {i.unit}" for i in latest.items) + f"\n判定：{verdict}"))
    return docs
