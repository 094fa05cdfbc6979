"""ER staff and their second factors: web/factors.py with the hospital's tables, its own access
log (which names the staff member) and its relying party. The hospital's policy: physicians
always; the rest of its staff too when SECOND_FACTOR_ALL_STAFF=1."""
from __future__ import annotations

import hashlib

from hospital_app import access_log
from hospital_app.models import Factor, FactorChallenge, Staff
from shared.factors import Factors, Policy
from shared.passkeys import Rp
from web import factors as edge


def init_app(app) -> None:
    db, cfg = app.extensions["db"], app.config

    def trail(s, user_id: int, action: str, detail: dict) -> None:
        staff = s.get(Staff, user_id)
        # Not a look at a patient: marked reported, so it never goes to the hub's "who viewed".
        access_log.append(s, cfg["AUDIT_KEY"], staff=staff.username if staff else str(user_id),
                          role=staff.role if staff else "", incident_id="-", action=action[:32], reported=True)

    home = f"hospital:{cfg['HOSPITAL_ID']}"
    key = hashlib.sha256(cfg["FACTOR_KEY"].encode()).digest()
    site = edge.Site(Factors(db, Factor, FactorChallenge, key, trail),
                     Rp(cfg["WEBAUTHN_RP_ID"], "PreArrival", cfg["WEBAUTHN_ORIGINS"]),
                     f"PreArrival {cfg['HOSPITAL_NAME']}")
    policy = Policy.from_settings(cfg["SECOND_FACTOR"], home if cfg["SECOND_FACTOR_ALL_STAFF"] else "", home=home)
    edge.init_app(app, site, policy)
