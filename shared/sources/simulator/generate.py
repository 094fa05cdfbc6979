"""Turns a patient profile into a dated record: the claims timeline, e-prescriptions, checkups.

Why it exists: the OQC full view is the product of time. Regular visits every four to
twelve weeks with their dispensings, thrice-weekly dialysis, admissions with operations,
acute episodes, yearly checkups; and then what each source can show on `today`:
claims (visits, medications, surgeries, treatments, dialysis, checkups) only up to the
patient's claims cutoff (today minus 30-60 days, because claims lag one to two months)
and only for five years; e-prescription dispensings in real time for 100 days; the latest
five checkups. Dates are offsets from `today`, so a record always ends "now"; the same
seed, card and `today` always give the same record.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from random import Random

from shared.schemas.record import (CategoryStatus, Checkup, Dialysis, EmergencyRecord, EPrescription,
                                   Medication, Source, Surgery, Treatment, Visit)

from . import measures, names
from .emr import sharing
from .names import age_on, years_before
from .clinical import CONDITIONS, EPISODES, Episode, band_of
from .drugs import CATALOGUE
from .profile import Patient

FULL_VIEW_YEARS = 5  # visits, medications, surgeries, treatments, dialysis
EPRESCRIPTION_DAYS = 100
CHECKUPS_KEPT = 5
# A strength changed along the way, as a grouped full history must show it (card: drug, the strength
# dispensed before, until how many days ago): SIM-LONG's edoxaban was reduced from 60 mg to 30 mg.
STRENGTH_CHANGES = {"SIM-LONG": ("edoxaban", "edoxaban60", 2 * 365)}


@dataclass(frozen=True)
class Admission:
    start: date
    end: date
    role: str
    name: str
    icd10: str
    surgery: str | None


class Timeline:
    """Everything that happened to one patient up to `today`, and what the sources show of it."""

    def __init__(self, p: Patient, today: date):
        self.p, self.today = p, today
        self.rng = rng = Random(f"{p.seed}:events")
        self.inst = names.institutions(rng, p.place)
        birth = p.face.birth_date
        self.age = max(0, age_on(birth, today))
        self.start = max(years_before(today, FULL_VIEW_YEARS), birth)
        self.cutoff = today - timedelta(days=p.claims_lag_days)
        self.erx_start = max(today - timedelta(days=EPRESCRIPTION_DAYS), birth)
        self.ph = measures.physiology(rng, self.age, p.face.sex, p.conditions, {k for k, _ in p.regimen})
        self.allergens = {k for k, _, _ in p.drug_allergies}
        self.visits: list[Visit] = []
        self.medications: list[Medication] = []
        self.eprescriptions: list[EPrescription] = []
        self.surgeries: list[Surgery] = []
        self.treatments: list[Treatment] = []
        self.dialysis: list[Dialysis] = []
        self.checkups: list[Checkup] = []
        self.admissions: list[Admission] = []
        self.acute: list[tuple[date, Episode, str]] = []
        self.last_rx: dict[tuple[str, str], tuple[date, int]] = {}  # (drug, role) -> (date, days)
        self.last_visit: dict[str, date] = {}
        age_days = max(1, (today - birth).days)
        self.onset: dict[str, date] = {}
        for c in p.conditions:
            if p.kind == "long":
                ago = rng.randint(6 * 365, 15 * 365)
            elif p.kind == "critical":
                ago = rng.randint(3 * 365, 4 * 365) if c == "dialysis" else rng.randint(6 * 365, 12 * 365)
            else:
                hi = max(1, min(age_days - 1, 20 * 365))
                ago = rng.randint(min(120, hi), hi)
            self.onset[c] = today - timedelta(days=ago)

    # What each source can see.
    def claims(self, d: date) -> bool:
        return self.start <= d <= self.cutoff

    def visit(self, d: date, role: str, setting: str) -> None:
        self.last_visit[role] = max(d, self.last_visit.get(role, d))
        if self.claims(d):
            self.visits.append(Visit(source=Source.OQC, as_of=d, institution=self.inst[role],
                                     visit_date=d, setting=setting))

    def dispense(self, d: date, key: str, days: int, role: str) -> None:
        changed = STRENGTH_CHANGES.get(self.p.card_id)
        if changed and key == changed[0] and d < self.today - timedelta(days=changed[2]):
            key = changed[1]
        drug = CATALOGUE[key]
        fields = dict(as_of=d, drug=drug.name, code=drug.code, dose=drug.dose, days_supplied=days,
                      dispensed_on=d, institution=self.inst[role], drug_class=drug.drug_class)
        self.last_rx[(key, role)] = (d, days)
        if self.claims(d):
            self.medications.append(Medication(source=Source.OQC, **fields))
        if role in self.p.eprescribers and self.erx_start <= d <= self.today:
            self.eprescriptions.append(EPrescription(source=Source.EPRESCRIPTION, **fields))

    def treat(self, d: date, procedure: str, role: str) -> None:
        if self.claims(d):
            self.treatments.append(Treatment(source=Source.OQC, as_of=d, procedure=procedure,
                                             performed_on=d, institution=self.inst[role]))

    def operate(self, d: date, procedure: str, role: str) -> None:
        if self.claims(d):
            self.surgeries.append(Surgery(source=Source.OQC, as_of=d, procedure=procedure,
                                          performed_on=d, institution=self.inst[role]))

    def admit(self, d: date, stay: int, role: str, name: str, icd10: str, surgery: str | None = None,
              treatments: tuple[str, ...] = ()) -> None:
        self.visit(d, role, "inpatient")
        for t in treatments:
            self.treat(d, t, role)
        if surgery:
            self.operate(d + timedelta(days=1), surgery, role)
        self.admissions.append(Admission(d, d + timedelta(days=stay), role, name, icd10, surgery))

    # What happened.
    def regular_care(self) -> None:
        p, rng = self.p, self.rng
        roles: dict[str, list[str]] = {}
        for c in p.conditions:
            if c != "dialysis":
                roles.setdefault(CONDITIONS[c].where, []).append(c)
        for role, conds in roles.items():
            interval = p.visit_interval if role in ("clinic", "hospital") else rng.choice((56, 84))
            d = max(min(self.onset[c] for c in conds), self.start) + timedelta(days=rng.randint(0, interval - 1))
            n = 0
            while d <= self.today:
                n += 1
                self.visit(d, role, "outpatient")
                if role != "specialist" and n % 3 == 1:
                    self.treat(d, "血液検査（生化学・血算）", role)
                for c in conds:
                    for check, every in CONDITIONS[c].checks if self.onset[c] <= d else ():
                        if n % every == 0:
                            self.treat(d, check, role)
                for key, c in p.regimen:
                    if c in conds and self.onset[c] <= d and (key != "nitroglycerin" or n % 6 == 1):
                        self.dispense(d, key, 10 if key == "nitroglycerin" else interval, role)
                d += timedelta(days=interval + rng.randint(-3, 3))

    def dialysis_sessions(self) -> None:
        p, rng = self.p, self.rng
        if not p.dialysis:
            return
        began = self.onset["dialysis"]
        hd = p.dialysis == "hemodialysis"
        access = "内シャント設置術" if hd else "腹膜透析用カテーテル留置術"
        self.admit(began - timedelta(days=rng.randint(20, 60)), rng.randint(3, 7), "hospital",
                   CONDITIONS["dialysis"].name, CONDITIONS["dialysis"].icd10, access)
        # Mon-Wed-Fri or Tue-Thu-Sat; the critical case dialyses on its claims cutoff day.
        w = self.cutoff.weekday() if p.kind == "critical" else rng.choice((0, 1))
        weekdays = {w % 7, (w + 2) % 7, (w + 4) % 7}
        drugs = [k for k, c in p.regimen if c == "dialysis"]
        month = None
        d = max(began, self.start)
        while d <= self.today:
            first_of_month = (d.year, d.month) != month
            if (hd and d.weekday() in weekdays) or (not hd and first_of_month):
                if first_of_month:
                    month = (d.year, d.month)
                    self.visit(d, "dialysis", "outpatient")
                    self.treat(d, "血液検査（透析前後）", "dialysis")
                    for key in drugs:
                        self.dispense(d, key, 28, "dialysis")
                if self.claims(d):
                    self.dialysis.append(Dialysis(source=Source.OQC, as_of=d, modality=p.dialysis,
                                                  performed_on=d, institution=self.inst["dialysis"]))
            d += timedelta(days=1)

    def procedures(self) -> None:
        for c in self.p.conditions:
            proc = CONDITIONS[c].procedure
            if not proc or c == "dialysis":
                continue
            chance = 1.0 if self.p.kind == "critical" and c == "ihd" else proc[1]
            span = (self.today - self.onset[c]).days
            if self.rng.random() < chance and span > 60:
                d = self.onset[c] + timedelta(days=self.rng.randint(14, span - 30))
                self.admit(d, proc[2], "hospital", CONDITIONS[c].name, CONDITIONS[c].icd10, proc[0],
                           ("心臓カテーテル検査",))

    def episodes(self) -> None:
        p, rng = self.p, self.rng
        band = band_of(self.age)
        eligible = [(k, e) for k, e in EPISODES.items() if e.requires in (None, *p.conditions)]
        weights = [e.weights[band] for _, e in eligible]
        done: set[str] = set()
        m = date(self.start.year, self.start.month, 1)
        while m <= self.today:
            if rng.random() < p.episode_rate / 12:
                key, ep = rng.choices(eligible, weights)[0]
                d = m + timedelta(days=rng.randint(0, 27))
                if self.start <= d <= self.today and not (ep.surgery and ep.inpatient and key in done):
                    done.add(key)
                    self.episode(d, ep)
            m = (m + timedelta(days=32)).replace(day=1)

    def episode(self, d: date, ep: Episode) -> None:
        rng = self.rng
        role = ep.where
        if ep.inpatient:
            stay = rng.randint(*ep.inpatient)
            if d + timedelta(days=stay) > self.today - timedelta(days=3):
                return  # still in hospital: not a patient an ambulance picks up at home
            role = "hospital" if rng.random() < 0.6 else "emergency"
            self.admit(d, stay, role, ep.name, ep.icd10, ep.surgery, ep.treatments)
            rx_day = d + timedelta(days=stay)
        else:
            self.visit(d, role, "outpatient")
            for t in ep.treatments:
                self.treat(d, t, role)
            if ep.surgery:
                self.operate(d, ep.surgery, role)
            rx_day = d
        for slot in ep.drugs:
            options = [k for k in slot if CATALOGUE[k].allergen not in self.allergens]
            if options:
                self.dispense(rx_day, rng.choice(options), ep.days, role)
        self.acute.append((d, ep, role))

    def run(self) -> Timeline:
        self.regular_care()
        self.dialysis_sessions()
        self.procedures()
        self.episodes()
        if self.p.checkups:
            self.checkups = measures.checkups(self.rng, self.ph, self.p.face, self.cutoff, CHECKUPS_KEPT)
        return self


def build_record(p: Patient, today: date) -> EmergencyRecord:
    """The full view of one patient's record on `today`, every list newest first."""
    if p.kind == "empty":
        return EmergencyRecord(card=p.face)
    t = Timeline(p, today).run()
    lists = dict(visits=t.visits, medications=t.medications, eprescriptions=t.eprescriptions,
                 surgeries=t.surgeries, treatments=t.treatments, dialysis=t.dialysis,
                 checkups=t.checkups)
    status = {}
    if p.emr_sharing:
        lists.update(sharing(t))
        if p.no_known_drug_allergy:
            status["drug_allergies"] = CategoryStatus(state="none_recorded", source=Source.EMR_SHARING,
                                                      as_of=_entered(p, today))
    for items in lists.values():
        items.sort(key=lambda item: item.as_of, reverse=True)
    # Every other category's status follows from its list (entries: recorded; none: not_recorded).
    return EmergencyRecord(card=p.face, **lists, status=status)


def _entered(p: Patient, today: date) -> date:
    """When the "no known drug allergy" was entered: its own random stream, the timeline's untouched."""
    span = max(1, min(6 * 365, (today - p.face.birth_date).days))
    return today - timedelta(days=Random(f"{p.seed}:nkda-entered").randint(0, span))
