"""The hospital's own store: staff, inquiries it was asked, and patients it holds a grant for."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.clock import utcnow


class Base(DeclarativeBase):
    pass


class Staff(Base):
    __tablename__ = "staff"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))  # physician | nurse | clerk
    password_hash: Mapped[str] = mapped_column(String(256))
    language: Mapped[str | None] = mapped_column(String(8))  # ja | en, applied at sign-in; None: never chose
    disabled_at: Mapped[datetime | None]  # set by an administrator: no sign-in, its sessions ended
    # When someone else (an administrator, the operator) set the password: it is temporary until the
    # person chooses their own (shared/accounts.py). None: the password is their own.
    temporary_password_at: Mapped[datetime | None]


class Inquiry(Base):
    __tablename__ = "inquiries"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the hub's inquiry id
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    status: Mapped[str] = mapped_column(String(16))
    summary: Mapped[dict] = mapped_column(JSON)  # age band, sex, complaint: nothing identifying
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class Patient(Base):
    """An incoming patient: held only while the grant lives, purged when it ends."""
    __tablename__ = "patients"
    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    grant: Mapped[str] = mapped_column(Text)
    grant_expires_at: Mapped[datetime]
    basis: Mapped[str] = mapped_column(String(32))
    record_status: Mapped[str] = mapped_column(String(32))
    identity: Mapped[dict | None] = mapped_column(JSON)
    record: Mapped[dict | None] = mapped_column(JSON)
    critical: Mapped[dict | None] = mapped_column(JSON)
    incident: Mapped[dict] = mapped_column(JSON)
    last_seq: Mapped[int] = mapped_column(default=0)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    acknowledged_at: Mapped[datetime | None]  # the new-patient alert stops when someone acknowledges
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))


class PendingGrant(Base):
    """An acceptance whose record has not arrived yet: the grant, stored with the acceptance and
    kept until the record is stored or the hub refuses the grant. A dropout, a stalled hub or a
    restart between the two would otherwise lose an accepted patient for good."""
    __tablename__ = "pending_grants"
    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    grant: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime | None]  # the token's own end; past it the hub would only refuse
    accepted_at: Mapped[datetime] = mapped_column(default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_try_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(64))  # why the last fetch failed, for the log


class PatientUpdate(Base):
    __tablename__ = "patient_updates"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[str] = mapped_column(String(32), index=True)
    seq: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)
    at: Mapped[str] = mapped_column(String(40))


class AccessLog(Base):
    """Who at this hospital opened which patient's record, for the hospital's own review.

    Each entry is also reported to the hub (by role, not name) for the patient's "who viewed"
    page; `reported` marks those the hub has acknowledged, so none is lost to a dropout.
    `action`: "view", "full_history", or "full_history_refused" (a look at clinical data refused
    to this user: logged and reported too, so a refused attempt leaves its trace).

    Append-only and hash-chained like the hub's trail (migration 0008_access_log_chain): written
    only through hospital_app/access_log.py `append`; `reported` is the one column that changes,
    once, and is outside the hash. Entries from before the chain have no hash."""
    __tablename__ = "access_log"
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    staff: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(16))
    incident_id: Mapped[str] = mapped_column(String(32))
    action: Mapped[str] = mapped_column(String(32))
    reported: Mapped[bool] = mapped_column(default=False, index=True)
    previous_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64), unique=True, index=True)


from shared.factor_tables import ChallengeColumns, FactorColumns  # noqa: E402  (second factors: shared/factors.py)


class Factor(FactorColumns, Base):
    __tablename__ = "factors"


class FactorChallenge(ChallengeColumns, Base):
    __tablename__ = "factor_challenges"


class Availability(Base):
    """This ER's acceptance status for one capability (migration 0009_availability), sent to the
    hub as it is set and again after every reconnect (hospital_app/availability.py)."""
    __tablename__ = "availability"
    capability: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # available | unavailable
    set_at: Mapped[datetime]
    set_by: Mapped[str] = mapped_column(String(64))  # the role that set it


class OutcomeReport(Base):
    """An outcome this ER returned to the fire service, each version as sent (no OQC data in it)."""
    __tablename__ = "outcome_reports"
    incident_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    severity: Mapped[str] = mapped_column(String(16))
    diagnosis_code: Mapped[str] = mapped_column(String(16))
    diagnosis_display: Mapped[str] = mapped_column(String(200))
    disposition: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(64))
