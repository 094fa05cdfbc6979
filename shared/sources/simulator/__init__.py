"""The OQC simulator: a RecordSource with synthetic patients, for demos, training and tests.

Why it exists: the real オンライン資格確認等システム is a closed national network, yet the
crew tablet, the hospital dashboard and the load tests need a source that behaves like
it: cards that read, expire or are unknown; a system that can be slow or down; records
with claims lag, retention windows and everything an ER physician must see first. It
holds no real personal data. Everything is deterministic from `seed`: profiles are built
in the constructor (fast), dated histories on each fetch, relative to `today`.

Fixed cards besides SIM-000001..: SIM-EMPTY (card face, no data), SIM-EXPIRED (expired
certificate), SIM-PHONE (smartphone card, no photo), SIM-LONG (five years of monthly care,
hundreds of items; an explicit "no known drug allergy"), SIM-CRITICAL (severe drug allergy
with anaphylaxis, contrast allergy, latex allergy, contraindications, warfarin plus aspirin,
hemodialysis, HCV positive, recent visits).

Each patient has the contact they registered for one-time codes (contact.py): a mobile phone or
an e-mail address; SIM-EMPTY has none.

Operating conditions: "up", "slow", "down" (the OQC itself: nothing answers), and one service
failing while the others answer ("emr_sharing_down", "eprescription_down"): the record then
comes back with that service's categories empty and marked unavailable since the failure.
"""
from __future__ import annotations

import functools
import time
import unicodedata
from datetime import UTC, date, datetime

from shared.schemas.record import CATEGORIES, CATEGORY_SOURCE, EmergencyRecord, Source, unavailable
from shared.sources import CardNotFound, CardRead, CertificateExpired, RegisteredContact, SourceUnavailable

from .contact import contact_of
from .generate import build_record
from .profile import EDGE_CASES, Patient, edge_case, make_patient

__all__ = ["OqcSimulator", "OPERATING_CONDITIONS", "DEFAULT_TODAY", "EDGE_CASES"]

# The services a condition takes down while the OQC answers.
FAILING_SERVICE = {"emr_sharing_down": Source.EMR_SHARING, "eprescription_down": Source.EPRESCRIPTION}
OPERATING_CONDITIONS = ("up", "slow", "down", *FAILING_SERVICE)
DEFAULT_TODAY = date(2026, 11, 1)
DEFAULT_SLOW_LATENCY_S = 2.0
NAMESAKE_EVERY = 200  # every 200th patient shares name, birth date and sex with the one before


def _norm(text: str) -> str:
    """NFKC, no spaces of any width: '山田　太郎' and '山田 太郎' compare equal."""
    return "".join(unicodedata.normalize("NFKC", text).split())


def _without(record: EmergencyRecord, failing: Source, since: datetime) -> EmergencyRecord:
    """The record as the OQC hands it over when one service it asks failed or timed out."""
    lists = {c: [] if CATEGORY_SOURCE[c] == failing else getattr(record, c) for c in CATEGORIES}
    return EmergencyRecord(card=record.card, **lists,
                           status={**record.status, **unavailable(failing, since.replace(microsecond=0))})


@functools.lru_cache(maxsize=4)
def _population(seed: int, patients: int, today: date) -> tuple[tuple[str, Patient], ...]:
    """The patients a seed makes, built once per process: every app a test builds, and every hub,
    asks for the same few hundred, and the profiles are frozen, so they can be shared."""
    made: list[tuple[str, Patient]] = []
    previous: Patient | None = None
    for i in range(1, patients + 1):
        card_id = f"SIM-{i:06d}"
        namesake = previous if i % NAMESAKE_EVERY == 0 else None
        previous = make_patient(seed, card_id, today, namesake=namesake)
        made.append((card_id, previous))
    made += [(card_id, edge_case(seed, card_id, today)) for card_id in EDGE_CASES]
    return tuple(made)


class OqcSimulator:
    """A RecordSource (see shared.sources) serving synthetic OQC and EMR-sharing records."""

    def __init__(self, seed: int = 2025, patients: int = 600, latency_s: float | None = None,
                 condition: str = "up", today: date = DEFAULT_TODAY):
        if patients < 0 or patients > 999_999:
            raise ValueError("patients must be between 0 and 999999")
        self.seed = seed
        self.today = today
        self._condition = ("up", 0.0)  # (condition, latency) swapped as one tuple: thread-safe reads
        self.set_condition(condition, latency_s=latency_s)
        self._patients: dict[str, Patient] = dict(_population(seed, patients, today))

    # Operating conditions.
    @property
    def condition(self) -> str:
        return self._condition[0]

    @property
    def latency_s(self) -> float:
        return self._condition[1]

    def set_condition(self, condition: str, latency_s: float | None = None) -> None:
        """'up' answers after latency_s (default 0), 'slow' after latency_s (default 2.0 s),
        'down' raises SourceUnavailable on every call; 'emr_sharing_down' and 'eprescription_down'
        answer, with that service's categories unavailable."""
        if condition not in OPERATING_CONDITIONS:
            raise ValueError(f"unknown condition {condition!r}: expected one of {', '.join(OPERATING_CONDITIONS)}")
        if latency_s is None:
            latency_s = DEFAULT_SLOW_LATENCY_S if condition == "slow" else 0.0
        if latency_s < 0:
            raise ValueError(f"latency_s must be >= 0, got {latency_s}")
        self._condition = (condition, float(latency_s))

    def _answer(self) -> None:
        condition, latency = self._condition
        if condition == "down":
            raise SourceUnavailable("OQC simulator is down")
        if latency > 0:
            time.sleep(latency)

    def _patient(self, card_id: str) -> Patient:
        try:
            return self._patients[card_id]
        except (KeyError, TypeError):
            raise CardNotFound(f"no card {card_id!r}") from None

    # The RecordSource protocol.
    def read_card(self, card_id: str) -> CardRead:
        self._answer()
        card = self._patient(card_id).card
        if card.certificate_expires < self.today:
            raise CertificateExpired(f"certificate of {card_id} expired on {card.certificate_expires}")
        return card.model_copy()

    def fetch(self, card_id: str, *, today: date | None = None) -> EmergencyRecord:
        self._answer()
        p = self._patient(card_id)
        if p.card.certificate_expires < self.today:  # the card's validity is judged on the simulator's clock
            raise CertificateExpired(f"certificate of {card_id} expired on {p.card.certificate_expires}")
        record = build_record(p, today or self.today)
        failing = FAILING_SERVICE.get(self.condition)
        return _without(record, failing, datetime.now(UTC)) if failing else record

    def cards(self) -> list[str]:
        """Edge cases first, then the generated population."""
        generated = [c for c in self._patients if c not in EDGE_CASES]
        return list(EDGE_CASES) + generated

    def registered_contact(self, card_id: str) -> RegisteredContact | None:
        """The contact the synthetic patient registered for one-time codes (contact.py)."""
        self._patient(card_id)  # an unknown card has no contact: CardNotFound
        return contact_of(self.seed, card_id)

    # The flagged 4-attribute fallback (4情報検索).
    def search_by_attributes(self, name: str, birth_date: date | str, sex: str, address: str) -> list[str]:
        """Card ids whose name (kanji or kana, spaces ignored) and birth date match exactly, whose
        sex matches and whose address starts with the given address. All four are required."""
        if isinstance(birth_date, str):
            birth_date = date.fromisoformat(birth_date)
        if not _norm(name or "") or not _norm(address or "") or sex not in ("male", "female"):
            raise ValueError("4-attribute search needs a name, a birth date, sex male/female and an address")
        self._answer()
        want_name, want_address = _norm(name), _norm(address)
        return [card_id for card_id, p in self._patients.items()
                if p.face.birth_date == birth_date and p.face.sex == sex
                and want_name in (_norm(p.face.name), _norm(p.face.kana))
                and _norm(p.face.address).startswith(want_address)]
