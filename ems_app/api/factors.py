"""The hub's staff (paramedics, privacy officers) and their second factors: web/factors.py with
the hub's tables, its audit trail and its relying party."""
from __future__ import annotations

import hashlib

from ems_app.models import Factor, FactorChallenge, User
from ems_app.services import audit
from shared.factors import Factors, Policy
from shared.passkeys import Rp
from web import factors as edge


def factors_of(hub, cfg: dict) -> Factors:
    """The hub's factors, for the web edge and for the command line alike."""
    def trail(s, user_id: int, action: str, detail: dict) -> None:
        user = s.get(User, user_id)
        audit.append(s, hub.audit_key, actor=f"user:{user.username if user else user_id}", action=action,
                     detail=detail)

    return Factors(hub.db, Factor, FactorChallenge, hashlib.sha256(cfg["FACTOR_KEY"].encode()).digest(), trail)


def init_app(app) -> None:
    cfg = app.config
    site = edge.Site(factors_of(app.extensions["hub"], cfg),
                     Rp(cfg["WEBAUTHN_RP_ID"], "PreArrival", cfg["WEBAUTHN_ORIGINS"]), "PreArrival")
    edge.init_app(app, site, policy_of(cfg))


def policy_of(cfg: dict) -> Policy:
    return Policy.from_settings(cfg["SECOND_FACTOR"], cfg["SECOND_FACTOR_ORGANISATIONS"])
