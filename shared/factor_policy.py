"""Who must show a second factor at sign-in: the policy, apart from the factors themselves so the
rule reads in one screen (shared/factors.py re-exports it; web/login.py asks it at sign-in)."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

# Roles that read or export many patients' data, or manage the accounts that do: a stolen
# password there costs the most.
# medical_control: the fire service's MC physician (事後検証), a physician at the hub.
MANDATORY_ROLES = frozenset({"physician", "medical_control", "privacy_officer", "analyst", "admin"})


@dataclass(frozen=True)
class Policy:
    """Who needs a second factor. `organisations`: those whose every staff member does (a setting
    per fire service and per hospital); `home`: the organisation of accounts that name none (a
    hospital app's own staff). `enrolled(user_id)` says whether a user has a factor: whoever
    enrolled one is always asked for it. `enforced` is False only where SECOND_FACTOR=off
    (development and the automated tests other than the second factor's own)."""
    enforced: bool = True
    organisations: frozenset[str] = frozenset()
    home: str = ""
    enrolled: Callable[[int], bool] | None = field(default=None, compare=False)

    @classmethod
    def from_settings(cls, mode: str, organisations: str, home: str = "") -> "Policy":
        if mode not in ("policy", "off"):
            raise ValueError(f"SECOND_FACTOR must be policy or off, not {mode!r}")
        orgs = frozenset(o.strip() for o in organisations.split(",") if o.strip())
        return cls(enforced=mode == "policy", organisations=orgs, home=home)

    def bound(self, enrolled: Callable[[int], bool]) -> "Policy":
        return replace(self, enrolled=enrolled)


def required(user, policy: Policy | None) -> bool:
    """Whether the policy demands a factor of this user, enrolled or not."""
    policy = policy or Policy()
    if not policy.enforced:
        return False
    role = getattr(user, "role", "") or ""
    if role in MANDATORY_ROLES or "analyst" in role:
        return True
    return (getattr(user, "organisation", "") or policy.home) in policy.organisations


def second_factor_needed(user, policy: Policy | None) -> bool:
    """Whether sign-in stops after the password until a second factor is shown (or enrolled)."""
    policy = policy or Policy()
    if not policy.enforced:
        return False
    return required(user, policy) or bool(policy.enrolled and policy.enrolled(user.id))
