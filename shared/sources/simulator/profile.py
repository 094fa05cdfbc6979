"""Who each simulated patient is: identity, conditions, regular drugs, allergies, card.

Why it exists: the simulator builds every patient's profile up front (cheap: a few dozen
random draws each) so that the card list and the 4-attribute search are instant, while
the dated history is generated only when a record is fetched (see generate.py). Every
draw comes from a Random seeded by (simulator seed, card id), never from the global
generator or the clock, so the same seed always gives the same population. The fixed
edge-case cards (SIM-EMPTY, SIM-CRITICAL, ...) are built here too.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from random import Random

from shared.schemas.record import CardFace
from shared.sources import CardRead

from . import drugs, names
from .clinical import AGE_BANDS, CONDITIONS, EPISODE_RATE, band_of

# Share of emergency transports by age band (0-17, 18-39, 40-64, 65-74, 75+): mostly elderly.
AGE_WEIGHTS = (7, 10, 20, 17, 46)
INSTITUTION_ROLES = ("clinic", "hospital", "specialist", "emergency", "dialysis")


@dataclass(frozen=True)
class Patient:
    card_id: str
    face: CardFace
    card: CardRead
    seed: str
    place: tuple[str, str, str, str]
    conditions: tuple[str, ...] = ()
    regimen: tuple[tuple[str, str], ...] = ()  # (drug key, condition key)
    dialysis: str | None = None  # "hemodialysis" or "peritoneal"
    drug_allergies: tuple[tuple[str, str, str], ...] = ()  # (allergen key, reaction, severity)
    # The EMR sharing service holds an explicit "no known drug allergy" (none_recorded, not unknown).
    no_known_drug_allergy: bool = False
    other_allergies: tuple[drugs.OtherAllergen, ...] = ()
    contraindications: tuple[tuple[str, str], ...] = ()  # (drug, reason)
    positive: tuple[str, ...] = ()  # infection kinds that test positive
    emr_sharing: bool = False  # the main institution joined the EMR sharing service
    eprescribers: frozenset[str] = frozenset()  # institution roles issuing e-prescriptions
    claims_lag_days: int = 45
    checkups: bool = False
    episode_rate: float = 0.0  # acute episodes per year
    visit_interval: int = 28  # days between regular visits
    kind: str = "generated"  # generated, empty, expired, phone, long, critical


def sample_age(rng: Random) -> int:
    band = rng.choices(range(len(AGE_WEIGHTS)), AGE_WEIGHTS)[0]
    lo, hi = AGE_BANDS[band]
    if band == 4:  # 75-100, peaking in the early eighties
        return 75 + int(rng.betavariate(1.6, 2.6) * 26)
    return rng.randint(lo, hi)


def _regimen(rng: Random, conditions: list[str], age: int) -> list[tuple[str, str]]:
    chosen: list[tuple[str, str]] = []
    for cond in conditions:
        for prob, choices in CONDITIONS[cond].drugs:
            if rng.random() < prob:
                chosen.append((rng.choice(choices), cond))
    out: list[tuple[str, str]] = []
    has_anticoagulant = False
    for key, cond in chosen:
        if "dialysis" in conditions:  # DOACs and metformin are contraindicated on dialysis
            key = {"metformin": "linagliptin", "sitagliptin": "linagliptin"}.get(key, key)
            if drugs.is_anticoagulant(key):
                key = "warfarin"
            if key == "magnesium":
                continue
        if key == "budesonide" and age < 12:
            key = "montelukast"
        if drugs.is_anticoagulant(key):
            if has_anticoagulant:
                continue
            has_anticoagulant = True
        if cond == "stroke" and drugs.is_antiplatelet(key) and "ihd" not in conditions \
                and any(drugs.is_anticoagulant(k) for k, _ in chosen):
            continue  # cardioembolic stroke: anticoagulation alone
        if all(k != key for k, _ in out):
            out.append((key, cond))
    return out


def _drug_allergies(rng: Random) -> list[tuple[str, str, str]]:
    keys = list(drugs.DRUG_ALLERGEN_WEIGHTS)
    picked = {rng.choices(keys, [drugs.DRUG_ALLERGEN_WEIGHTS[k] for k in keys])[0]
              for _ in range(1 if rng.random() < 0.85 else 2)}
    out = []
    for key in sorted(picked):
        _substance, reactions, weights = drugs.DRUG_ALLERGENS[key]
        severity = rng.choices(("mild", "moderate", "severe"), weights)[0]
        reaction = {"mild": reactions[0], "severe": reactions[-1]}.get(severity) or rng.choice(reactions)
        out.append((key, reaction, severity))
    return out


def make_patient(seed: int, card_id: str, reference: date, *, age: int | None = None,
                 sex: str | None = None, namesake: Patient | None = None) -> Patient:
    """A generated patient; `namesake` shares name, birth date, sex and prefecture with another."""
    rng = Random(f"{seed}:{card_id}:profile")
    if namesake is not None:
        age = reference.year - namesake.face.birth_date.year - (
            (reference.month, reference.day) < (namesake.face.birth_date.month, namesake.face.birth_date.day))
        sex = namesake.face.sex
    age = sample_age(rng) if age is None else age
    sex = sex or ("female" if rng.random() < (0.58 if age >= 75 else 0.48) else "male")
    face, place = names.card_face(rng, age, sex, reference, namesake.place[0] if namesake else None)
    if namesake is not None:
        face = face.model_copy(update={"name": namesake.face.name, "kana": namesake.face.kana,
                                       "birth_date": namesake.face.birth_date})
    band = band_of(age)
    conditions = [c for c, d in CONDITIONS.items()
                  if (d.sex is None or d.sex == sex) and rng.random() < d.prevalence[band]]
    regimen = _regimen(rng, conditions, age)
    dialysis = None
    if "dialysis" in conditions:
        dialysis = "hemodialysis" if rng.random() < 0.95 else "peritoneal"
    d_allergies = _drug_allergies(rng) if rng.random() < 0.10 else []
    o_weights = [a.child_weight if age < 18 else a.adult_weight for a in drugs.OTHER_ALLERGENS]
    o_allergies = []
    if rng.random() < (0.15 if age < 18 else 0.07):
        o_allergies.append(rng.choices(drugs.OTHER_ALLERGENS, o_weights)[0])
    contra = [drugs.drug_allergy_contraindication(k, r) for k, r, s in d_allergies
              if s != "mild" and rng.random() < 0.7]
    triggers = conditions + [k for k, _ in regimen]
    for trigger, prob in (("dialysis", .6), ("asthma", .5), ("bph", .2), ("glaucoma", .3), ("warfarin", .3)):
        if trigger in triggers and rng.random() < prob:
            contra.append(drugs.CONDITION_CONTRAINDICATIONS[trigger])
    positive = [kind for kind, p in (("HBs", .012), ("HCV", .003 + (.01 if age >= 65 else 0) +
                                                     (.04 if dialysis else 0)),
                                     ("syphilis", .004 if age >= 18 else 0),
                                     ("HIV", .002 if 18 <= age < 65 else 0)) if rng.random() < p]
    emr = rng.random() < 0.65 or bool(d_allergies or o_allergies or contra or positive)
    # Drawn from a stream of its own, so every other draw (and the records tests rely on) stays as it was.
    nkda = emr and not d_allergies and Random(f"{seed}:{card_id}:nkda").random() < 0.25
    smartphone = 18 <= age < 75 and rng.random() < 0.03
    card = CardRead(card_id=card_id, kind="smartphone" if smartphone else "physical",
                    certificate_expires=reference + timedelta(days=rng.randint(60, 5 * 365)),
                    has_photo=not smartphone)
    return Patient(
        card_id=card_id, face=face, card=card, seed=f"{seed}:{card_id}", place=place,
        conditions=tuple(conditions), regimen=tuple(regimen), dialysis=dialysis,
        drug_allergies=tuple(d_allergies), no_known_drug_allergy=nkda, other_allergies=tuple(o_allergies),
        contraindications=tuple(dict.fromkeys(contra)), positive=tuple(positive), emr_sharing=emr,
        eprescribers=frozenset(r for r in INSTITUTION_ROLES if rng.random() < 0.5),
        claims_lag_days=rng.randint(30, 60),
        checkups=rng.random() < (0.55 if 40 <= age < 75 else 0.3 if age >= 75 else 0),
        episode_rate=EPISODE_RATE[band] * rng.uniform(0.5, 1.5),
        visit_interval=rng.choice((28, 28, 30, 56, 56, 84)))


EDGE_CASES = ("SIM-EMPTY", "SIM-EXPIRED", "SIM-PHONE", "SIM-LONG", "SIM-CRITICAL")


def edge_case(seed: int, card_id: str, reference: date) -> Patient:
    """The fixed-id cards every demo and test relies on."""
    if card_id == "SIM-EMPTY":  # a healthy young adult: the card face and nothing else
        p = make_patient(seed, card_id, reference, age=28, sex="male")
        return Patient(card_id=card_id, face=p.face, card=p.card, seed=p.seed, place=p.place,
                       kind="empty")
    if card_id == "SIM-EXPIRED":
        p = make_patient(seed, card_id, reference, age=71, sex="female")
        card = p.card.model_copy(update={"certificate_expires": reference - timedelta(days=45)})
        return replace(p, card=card, kind="expired")
    if card_id == "SIM-PHONE":  # no face photo on a smartphone card
        p = make_patient(seed, card_id, reference, age=58, sex="female")
        conditions = tuple(dict.fromkeys(c for c in p.conditions + ("hypertension", "dyslipidemia")
                                         if c != "dialysis"))
        regimen = tuple(r for r in p.regimen if r[1] != "dialysis")
        regimen += tuple((k, c) for k, c in (("amlodipine", "hypertension"), ("rosuvastatin", "dyslipidemia"))
                         if all(k != r for r, _ in regimen))
        card = p.card.model_copy(update={"kind": "smartphone", "has_photo": False})
        return replace(p, card=card, conditions=conditions, regimen=regimen, dialysis=None,
                       kind="phone")
    if card_id == "SIM-LONG":  # multimorbid, monthly visits for well over five years
        p = make_patient(seed, card_id, reference, age=88, sex="female")
        conditions = ("hypertension", "diabetes", "dyslipidemia", "af", "hf", "osteoporosis",
                      "dementia", "gerd", "constipation", "insomnia", "glaucoma")
        regimen = (("amlodipine", "hypertension"), ("candesartan", "hypertension"),
                   ("linagliptin", "diabetes"), ("rosuvastatin", "dyslipidemia"),
                   ("edoxaban", "af"), ("bisoprolol", "af"), ("furosemide", "hf"),
                   ("eldecalcitol", "osteoporosis"), ("donepezil", "dementia"),
                   ("lansoprazole", "gerd"), ("magnesium", "constipation"),
                   ("lemborexant", "insomnia"), ("latanoprost", "glaucoma"))
        # Her EMR says "no known drug allergy" unless she has one: the demo's none_recorded.
        return replace(p, conditions=conditions, regimen=regimen, dialysis=None, emr_sharing=True,
                       no_known_drug_allergy=not p.drug_allergies,
                       checkups=True, episode_rate=3.0, visit_interval=28, claims_lag_days=45,
                       kind="long")
    if card_id == "SIM-CRITICAL":  # everything the ER must see first
        p = make_patient(seed, card_id, reference, age=82, sex="male")
        conditions = ("hypertension", "diabetes", "af", "ihd", "hf", "dialysis")
        regimen = (("warfarin", "af"), ("aspirin", "ihd"), ("nitroglycerin", "ihd"),
                   ("bisoprolol", "af"), ("amlodipine", "hypertension"), ("linagliptin", "diabetes"),
                   ("furosemide", "hf"), ("lanthanum", "dialysis"), ("alfacalcidol", "dialysis"))
        allergies = (("penicillin", "アナフィラキシーショック", "severe"),
                     ("contrast", "嘔吐・血圧低下", "moderate"))
        contra = tuple(drugs.drug_allergy_contraindication(k, r) for k, r, _ in allergies) + (
            drugs.CONDITION_CONTRAINDICATIONS["dialysis"], drugs.CONDITION_CONTRAINDICATIONS["warfarin"])
        return replace(p, conditions=conditions, regimen=regimen, dialysis="hemodialysis",
                       drug_allergies=allergies, no_known_drug_allergy=False,
                       other_allergies=(drugs.other_allergen("ラテックス"),),
                       contraindications=contra, positive=("HCV",), emr_sharing=True,
                       eprescribers=frozenset(INSTITUTION_ROLES), claims_lag_days=30,
                       checkups=False, episode_rate=1.5, visit_interval=28, kind="critical")
    raise KeyError(card_id)
