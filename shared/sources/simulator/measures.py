"""Numbers for checkups and lab results that agree with the patient's conditions.

Why it exists: a diabetic's HbA1c should sit above the referral threshold more often than
not, a dialysis patient's creatinine near 9 mg/dL and potassium high, a warfarin user's
PT-INR between 2 and 3. Each patient gets one physiology (drawn once per record), and
checkups and panels are noisy readings of it, so trends across five checkups look real.
Reference ranges and referral thresholds (受診勧奨判定値) follow the specific health
checkup programme; the schema's referral threshold is an upper bound, so the lower-bound
thresholds (eGFR, HDL, Hb) are left out rather than misrepresented.
"""
from __future__ import annotations

from datetime import date
from random import Random

from shared.schemas.record import CardFace, Checkup, CheckupItem, Source

from .names import age_on


def _clamp(x: float, lo: float, hi: float) -> float:
    return max(lo, min(hi, x))


def physiology(rng: Random, age: int, sex: str, conditions: tuple[str, ...],
               drug_keys: set[str]) -> dict[str, float]:
    a = max(age, 18)
    female = sex == "female"
    dialysis = "dialysis" in conditions
    diabetes = "diabetes" in conditions
    ph: dict[str, float] = {}
    if age < 18:
        ph["sbp"] = rng.gauss(98 + age * 0.9, 8)
    elif "hypertension" in conditions:
        ph["sbp"] = rng.gauss(136, 11)
    else:
        ph["sbp"] = rng.gauss(110 + 0.35 * (a - 18), 10)
    ph["dbp"] = ph["sbp"] * 0.58 + rng.gauss(4, 5)
    ph["hba1c"] = rng.gauss(7.1, 0.7) if diabetes else rng.gauss(5.4 + 0.006 * (a - 18), 0.25)
    ph["fbs"] = 28.7 * ph["hba1c"] - 46.7 + rng.gauss(0, 8)
    ph["ldl"] = rng.gauss(100, 22) if "dyslipidemia" in conditions else rng.gauss(118, 26)
    ph["hdl"] = rng.gauss(62 if female else 54, 12)
    ph["tg"] = rng.lognormvariate(4.65, 0.4)
    ph["ast"] = rng.gauss(22, 5)
    ph["alt"] = rng.gauss(20, 8)
    ph["ggt"] = rng.lognormvariate(3.0 if female else 3.4, 0.45)
    if dialysis:
        ph["egfr"] = rng.uniform(3, 8)
        ph["cr"] = rng.gauss(9.0, 1.6)
        ph["bun"] = rng.gauss(60, 12)
        ph["k"] = rng.gauss(5.0, 0.4)
        ph["hb"] = rng.gauss(10.8, 0.7)
    else:
        ph["egfr"] = _clamp(rng.gauss(110 - 0.75 * a, 12), 15, 140)
        factor = 194 * a ** -0.287 * (0.739 if female else 1.0)  # JSN eGFR equation, inverted
        ph["cr"] = (factor / ph["egfr"]) ** (1 / 1.094) if age >= 18 else rng.gauss(0.4, 0.08)
        ph["bun"] = rng.gauss(14 + max(0.0, 60 - ph["egfr"]) * 0.2, 3)
        ph["k"] = rng.gauss(4.2, 0.3)
        ph["hb"] = rng.gauss(13.2, 0.9) if female else rng.gauss(15.0 - 0.02 * max(0, a - 40), 1.0)
    ph["bmi"] = _clamp(rng.gauss(17 + age * 0.35 if age < 18 else 23 + (1.5 if diabetes else 0), 3.2),
                       13, 40)
    ph["waist"] = ph["bmi"] * 3.4 + (6 if not female else 4) + rng.gauss(0, 3)
    ph["ua"] = rng.gauss(6.9, 0.8) if "hyperuricemia" in conditions else rng.gauss(
        4.6 if female else 5.8, 0.9)
    ph["na"] = rng.gauss(140, 2)
    ph["plt"] = rng.gauss(24, 5)
    ph["wbc"] = rng.gauss(6.0, 1.3)
    ph["crp"] = rng.uniform(0.02, 0.3)
    ph["glu"] = ph["fbs"] + rng.gauss(20, 10)
    ph["inr"] = rng.gauss(2.2, 0.3) if "warfarin" in drug_keys else rng.gauss(1.0, 0.05)
    return ph


# (item, physiology key, unit, reference low, reference high, referral threshold, decimals, noise)
CHECKUP_ITEMS: tuple[tuple[str, str, str, float | None, float | None, float | None, int, float], ...] = (
    ("収縮期血圧", "sbp", "mmHg", None, 129, 140, 0, 6),
    ("拡張期血圧", "dbp", "mmHg", None, 84, 90, 0, 4),
    ("空腹時血糖", "fbs", "mg/dL", None, 99, 126, 0, 6),
    ("HbA1c", "hba1c", "%", None, 5.5, 6.5, 1, 0.15),
    ("中性脂肪", "tg", "mg/dL", None, 149, 300, 0, 20),
    ("HDLコレステロール", "hdl", "mg/dL", 40, None, None, 0, 4),
    ("LDLコレステロール", "ldl", "mg/dL", None, 119, 140, 0, 10),
    ("AST", "ast", "U/L", None, 30, 51, 0, 3),
    ("ALT", "alt", "U/L", None, 30, 51, 0, 4),
    ("γ-GT", "ggt", "U/L", None, 50, 101, 0, 6),
    ("eGFR", "egfr", "mL/min/1.73m²", 60, None, None, 1, 3),
    ("血色素量", "hb", "g/dL", None, None, None, 1, 0.4),
    ("BMI", "bmi", "kg/m²", 18.5, 24.9, None, 1, 0.4),
    ("腹囲", "waist", "cm", None, None, None, 1, 1.5),
)


def checkup_items(rng: Random, ph: dict[str, float], sex: str, years_ago: int) -> list[CheckupItem]:
    """One checkup's results; values drift slightly with the years."""
    female = sex == "female"
    out = []
    for item, key, unit, low, high, referral, decimals, noise in CHECKUP_ITEMS:
        base = ph[key]
        if key in ("sbp", "hba1c", "ldl"):
            base -= years_ago * {"sbp": 0.8, "hba1c": 0.04, "ldl": 1.0}[key]
        if key == "egfr":
            base += years_ago * 0.8
        if key == "hb":
            low, high = (12.1, 14.5) if female else (13.1, 16.3)
        if key == "waist":
            high = 89.9 if female else 84.9
        value = round(max(base * 0.6, 0.1, base + rng.gauss(0, noise)), decimals)
        out.append(CheckupItem(item=item, value=float(value), unit=unit, reference_low=low,
                               reference_high=high, referral_threshold=referral))
    return out


# (test, physiology key, unit, decimals)
EMERGENCY_PANEL = (
    ("WBC", "wbc", "×10³/μL", 1), ("Hb", "hb", "g/dL", 1), ("PLT", "plt", "×10⁴/μL", 1),
    ("CRP", "crp", "mg/dL", 2), ("AST", "ast", "U/L", 0), ("ALT", "alt", "U/L", 0),
    ("BUN", "bun", "mg/dL", 1), ("Cr", "cr", "mg/dL", 2), ("Na", "na", "mEq/L", 0),
    ("K", "k", "mEq/L", 1), ("血糖", "glu", "mg/dL", 0), ("PT-INR", "inr", "", 2),
)
LIFESTYLE_PANEL = (
    ("HbA1c", "hba1c", "%", 1), ("LDL-C", "ldl", "mg/dL", 0), ("HDL-C", "hdl", "mg/dL", 0),
    ("TG", "tg", "mg/dL", 0), ("UA", "ua", "mg/dL", 1), ("eGFR", "egfr", "mL/min/1.73m²", 1),
)


def panel(rng: Random, ph: dict[str, float], which: str, acute: bool = False) -> list[tuple[str, float, str]]:
    """(test, value, unit) for an emergency or lifestyle panel; `acute` raises inflammation."""
    values = dict(ph)
    if acute:
        values["wbc"] = rng.gauss(11.5, 2.5)
        values["crp"] = abs(rng.gauss(6.0, 4.0))
        values["glu"] = ph["glu"] + abs(rng.gauss(25, 15))
    out = []
    for test, key, unit, decimals in (EMERGENCY_PANEL if which == "emergency" else LIFESTYLE_PANEL):
        noise = 0.03 * abs(values[key])
        value = round(max(0.01, values[key] + rng.gauss(0, noise)), decimals)
        out.append((test, float(value), unit))
    return out


def checkups(rng: Random, ph: dict[str, float], face: CardFace, cutoff: date, keep: int) -> list[Checkup]:
    """Yearly specific health checkups from age 40 (a year skipped now and then), the latest
    `keep` of those the claims cutoff lets the OQC see."""
    month, day = rng.randint(6, 11), rng.randint(1, 28)
    found: list[date] = []
    for year in range(cutoff.year, cutoff.year - 10, -1):
        d = date(year, month, day)
        skipped = rng.random() < 0.15
        if d <= cutoff and age_on(face.birth_date, d) >= 40 and not skipped:
            found.append(d)
        if len(found) == keep:
            break
    return [Checkup(source=Source.OQC, as_of=d, checked_on=d,
                    items=checkup_items(rng, ph, face.sex, years_ago))
            for years_ago, d in enumerate(found)]
