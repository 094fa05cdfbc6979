"""Enrolling hospitals (public key only) and creating accounts."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from ems_app.hub import Hub
from ems_app.models import Hospital, User
from ems_app.services import audit, units
from shared.accounts import hash_password, password_problem
from shared.tokens import thumbprint
from shared.tokens.keys import load_public_jwk

# (username, display name, role, crew, organisation)
DEMO_USERS = [("kyukyu1", "救急隊員 佐藤", "paramedic", "tokyo-1", "fire:tokyo"),
              ("kyukyu2", "救急隊員 鈴木", "paramedic", "tokyo-1", "fire:tokyo"),
              ("privacy-fire", "個人情報保護担当 山本", "privacy_officer", "", "fire:tokyo"),
              ("privacy-tokyo-er", "個人情報保護担当 中村", "privacy_officer", "", "hospital:tokyo-er"),
              ("analyst-fire", "救急企画 分析担当 高橋", "fire_analyst", "", "fire:tokyo"),
              ("mc-doctor", "MC医師 伊藤", "medical_control", "", "fire:tokyo")]
# fire_analyst: the region's figures only, anonymous; medical_control: the figures and case review
# without identity (api/figures.py). Neither opens an incident, a record or the review queue.
ROLES = ("paramedic", "privacy_officer", "fire_analyst", "medical_control")


LEVELS = ("primary", "secondary", "tertiary")  # 初期・二次・三次救急


def enroll_hospital(hub: Hub, hospital_id: str, name: str, address: str, keys: dict,
                    level: str = "secondary", latitude: float | None = None,
                    longitude: float | None = None) -> Hospital:
    """Add or re-key a hospital from a JWK or a JWKS (several keys during a change-over).

    Only public halves are accepted, never a private key."""
    if level not in LEVELS:
        raise ValueError(f"emergency level must be one of {', '.join(LEVELS)}")
    jwks = keys["keys"] if "keys" in keys else [keys]
    public = []
    for jwk in jwks:
        if "d" in jwk:
            raise ValueError("that JWK contains a private key; enrol the public key only")
        load_public_jwk(jwk)
        public.append({k: jwk[k] for k in ("kty", "crv", "x", "y")})
    if not public:
        raise ValueError("no key given")
    with hub.db.transaction() as s:
        hospital = s.get(Hospital, hospital_id) or Hospital(id=hospital_id)
        hospital.name, hospital.address, hospital.emergency_level = name, address, level
        hospital.latitude, hospital.longitude, hospital.public_keys = latitude, longitude, public
        s.add(hospital)
        audit.append(s, hub.audit_key, actor="operator", action="hospital.enroll",
                     detail={"hospital": hospital_id, "jkt": [thumbprint(k) for k in public]})
    return hospital


def create_user(hub: Hub, username: str, display_name: str, role: str, team: str, password: str,
                organisation: str = "fire:tokyo") -> User:
    problem = password_problem(password) or (None if role in ROLES else f"role must be one of {ROLES}")
    if problem:
        raise ValueError(problem)
    with hub.db.transaction() as s:
        user = s.scalars(select(User).where(User.username == username)).first() or User(username=username)
        user.display_name, user.role, user.team, user.organisation = display_name, role, team, organisation
        user.password_hash = hash_password(password)
        s.add(user)
    return user


def seed_demo_crew(hub: Hub, password: str | None = None) -> dict[str, str]:
    out = {}
    for username, display, role, team, organisation in DEMO_USERS:
        pw = password or secrets.token_urlsafe(12)
        create_user(hub, username, display, role, team, pw, organisation)
        out[username] = pw
    units.seed_demo(hub)  # the demo crew's unit, with the number hospitals call it back on
    return out
