"""Enrolling hospitals (public key only) and creating accounts."""
from __future__ import annotations

import secrets

from sqlalchemy import select

from ems_app.hub import Hub
from ems_app.models import Hospital, User
from ems_app.services import audit
from shared.accounts import hash_password, password_problem
from shared.tokens import thumbprint
from shared.tokens.keys import load_public_jwk

DEMO_CREW = [("kyukyu1", "救急隊員 佐藤", "paramedic", "tokyo-1"),
             ("kyukyu2", "救急隊員 鈴木", "paramedic", "tokyo-1")]


def enroll_hospital(hub: Hub, hospital_id: str, name: str, address: str, jwk: dict) -> Hospital:
    """Add or re-key a hospital. Only the public half is accepted, never a private key."""
    if "d" in jwk:
        raise ValueError("that JWK contains a private key; enrol the public key only")
    load_public_jwk(jwk)
    public = {k: jwk[k] for k in ("kty", "crv", "x", "y")}
    with hub.db.transaction() as s:
        hospital = s.get(Hospital, hospital_id) or Hospital(id=hospital_id)
        hospital.name, hospital.address = name, address
        hospital.public_jwk, hospital.key_thumbprint = public, thumbprint(public)
        s.add(hospital)
        audit.append(s, hub.audit_key, actor="operator", action="hospital.enroll",
                     detail={"hospital": hospital_id, "jkt": hospital.key_thumbprint})
    return hospital


def create_user(hub: Hub, username: str, display_name: str, role: str, team: str, password: str) -> User:
    problem = password_problem(password)
    if problem:
        raise ValueError(problem)
    with hub.db.transaction() as s:
        user = s.scalars(select(User).where(User.username == username)).first() or User(username=username)
        user.display_name, user.role, user.team = display_name, role, team
        user.password_hash = hash_password(password)
        s.add(user)
    return user


def seed_demo_crew(hub: Hub, password: str | None = None) -> dict[str, str]:
    out = {}
    for username, display, role, team in DEMO_CREW:
        pw = password or secrets.token_urlsafe(12)
        create_user(hub, username, display, role, team, pw)
        out[username] = pw
    return out
