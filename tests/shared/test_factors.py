"""The second factor's rules: who needs one, TOTP once and only within its window, recovery codes
once each, ceremonies bound to their session and short-lived, secrets never stored in the clear."""
from __future__ import annotations

from dataclasses import dataclass

import pyotp
import pytest
from sqlalchemy import select

from hospital_app import MIGRATIONS
from hospital_app.models import Factor, FactorChallenge
from shared import factors
from shared.errors import Refused
from shared.factors import Factors, Policy, second_factor_needed
from shared.storage import Database

KEY = b"k" * 32


@dataclass
class Person:
    id: int
    role: str
    organisation: str = ""


class Clock:
    def __init__(self, now: float = 1_800_000_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def store(database):
    settings = database("f")
    db = Database(settings["DATABASE_URL"], settings.get("DATABASE_SCHEMA"), MIGRATIONS)
    db.migrate()
    trail: list[tuple[int, str, dict]] = []
    clock = Clock()
    made = Factors(db, Factor, FactorChallenge, KEY, lambda s, uid, action, detail: trail.append((uid, action, detail)),
                   clock=clock)
    made.trail, made.clock_ = trail, clock
    yield made
    db.dispose()


def enrol_totp(store, user_id=1, session="s1") -> tuple[str, list[str]]:
    secret, uri = store.begin_totp(session, user_id, "doc", "PreArrival")
    assert uri.startswith("otpauth://totp/") and secret in uri
    codes = store.confirm_totp(session, user_id, pyotp.TOTP(secret).at(store.clock_.now), "phone")
    return secret, codes


# -- who needs a second factor ---------------------------------------------------------------

@pytest.mark.parametrize("role", ["physician", "privacy_officer", "analyst", "regional_analyst"])
def test_physicians_privacy_officers_and_analysts_always_need_one(role):
    assert second_factor_needed(Person(1, role, "fire:tokyo"), Policy())


def test_others_need_one_only_where_their_organisation_says_so():
    policy = Policy.from_settings("policy", "fire:tokyo, hospital:minato-hp")
    assert second_factor_needed(Person(1, "paramedic", "fire:tokyo"), policy)
    assert not second_factor_needed(Person(1, "paramedic", "fire:osaka"), policy)
    # A hospital app's staff carry no organisation: the app's own is theirs.
    here = Policy.from_settings("policy", "hospital:minato-hp", home="hospital:minato-hp")
    assert second_factor_needed(Person(1, "nurse"), here)
    assert not second_factor_needed(Person(1, "nurse"), Policy.from_settings("policy", "", home="hospital:x"))


def test_whoever_enrolled_a_factor_is_asked_for_it_and_off_asks_nobody():
    policy = Policy().bound(lambda uid: uid == 7)
    assert second_factor_needed(Person(7, "clerk"), policy)
    assert not second_factor_needed(Person(8, "clerk"), policy)
    off = Policy.from_settings("off", "fire:tokyo").bound(lambda uid: True)
    assert not second_factor_needed(Person(7, "physician", "fire:tokyo"), off)
    with pytest.raises(ValueError):
        Policy.from_settings("sometimes", "")


# -- TOTP ------------------------------------------------------------------------------------

def test_totp_enrolment_needs_a_right_code_and_keeps_the_secret_sealed(store):
    secret, _uri = store.begin_totp("s1", 1, "doc", "PreArrival")
    with pytest.raises(Refused) as wrong:
        store.confirm_totp("s1", 1, "000000" if pyotp.TOTP(secret).at(store.clock_.now) != "000000" else "111111", "x")
    assert wrong.value.code == "bad_code"
    assert not store.enrolled(1)
    codes = store.confirm_totp("s1", 1, pyotp.TOTP(secret).at(store.clock_.now), "phone")  # the typo may try again
    assert store.enrolled(1) and len(codes) == 10 and len(set(codes)) == 10
    with store.db.read() as s:
        row = s.scalars(select(Factor).where(Factor.kind == "totp")).one()
    assert secret not in row.secret and factors.unseal(KEY, row.secret) == secret
    assert (1, "factor.enrolled", {"kind": "totp"}) in store.trail


def test_a_totp_code_is_accepted_once_and_within_one_step_either_side(store):
    secret, _ = enrol_totp(store)
    totp, now = pyotp.TOTP(secret), store.clock_.now
    store.clock_.now = now + 60  # two steps on: the enrolment's step is long gone
    code = totp.at(store.clock_.now)
    assert store.verify_totp(1, code)
    assert not store.verify_totp(1, code), "the same code twice"
    assert store.verify_totp(1, totp.at(store.clock_.now + 30)), "the next step (a phone a little ahead)"
    assert not store.verify_totp(1, totp.at(store.clock_.now)), "an earlier step after a later one was used"
    store.clock_.now += 300
    assert not store.verify_totp(1, totp.at(store.clock_.now - 90)), "three steps old"
    assert store.verify_totp(1, totp.at(store.clock_.now - 30)), "one step behind (a phone a little slow)"
    assert not store.verify_totp(1, "12345"), "not six digits"
    assert not store.verify_totp(2, totp.at(store.clock_.now + 30)), "another user's code"


def test_a_totp_ceremony_belongs_to_its_session_and_expires(store, monkeypatch):
    secret, _ = store.begin_totp("s1", 1, "doc", "PreArrival")
    code = pyotp.TOTP(secret).at(store.clock_.now)
    with pytest.raises(Refused) as other:
        store.confirm_totp("another-session", 1, code, "x")
    assert other.value.code == "ceremony_expired"
    monkeypatch.setattr(factors, "CEREMONY_S", -1)
    store.begin_totp("s2", 1, "doc", "PreArrival")
    with pytest.raises(Refused):
        store.confirm_totp("s2", 1, code, "x")
    assert not store.enrolled(1)


# -- recovery codes ----------------------------------------------------------------------------

def test_recovery_codes_work_once_each_in_any_case_and_spacing(store):
    _, codes = enrol_totp(store)
    assert store.recovery_left(1) == 10
    assert store.use_recovery_code(1, codes[3].upper().replace("-", " "))
    assert not store.use_recovery_code(1, codes[3]), "a spent code"
    assert not store.use_recovery_code(2, codes[4]), "another user's code"
    assert not store.use_recovery_code(1, "abcd-efgh-jkmn")
    assert store.recovery_left(1) == 9
    with store.db.read() as s:
        hashes = [f.code_hash for f in s.scalars(select(Factor).where(Factor.kind == "recovery"))]
    assert not any(code in h for code in codes for h in hashes), "only hashes are kept"
    fresh = store.new_recovery_codes(1)
    assert not store.use_recovery_code(1, codes[5]), "old codes stop when new ones are issued"
    assert store.use_recovery_code(1, fresh[0]) and store.recovery_left(1) == 9


def test_the_last_factor_stays_while_the_policy_needs_one_and_removing_it_removes_the_codes(store):
    enrol_totp(store)
    [totp] = store.shown(1)
    with pytest.raises(Refused) as last:
        store.remove(1, totp.id, keep_one=True)
    assert last.value.status == 409
    with pytest.raises(Refused) as theirs:
        store.remove(2, totp.id, keep_one=False)
    assert theirs.value.status == 404
    store.remove(1, totp.id, keep_one=False)
    assert not store.enrolled(1) and store.recovery_left(1) == 0
    assert (1, "factor.removed", {"kind": "totp", "label": "phone"}) in store.trail


def test_an_operator_reset_removes_every_factor(store):
    enrol_totp(store)
    assert store.reset(1, "operator") == 11
    assert not store.enrolled(1) and store.recovery_left(1) == 0
