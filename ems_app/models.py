"""The hub's tables: who works here, which hospitals are enrolled, incidents, grants, audit."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.clock import utcnow


class Base(DeclarativeBase):
    pass


class User(Base):
    __tablename__ = "users"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(32))  # paramedic | privacy_officer
    password_hash: Mapped[str] = mapped_column(String(256))
    team: Mapped[str] = mapped_column(String(64), default="")  # the ambulance crew
    organisation: Mapped[str] = mapped_column(String(64), default="")  # fire:<hq> or hospital:<id>
    language: Mapped[str | None] = mapped_column(String(8))  # ja | en, applied at sign-in; None: never chose
    disabled_at: Mapped[datetime | None]  # set by an administrator: no sign-in, its sessions ended
    # When someone else (an administrator, the operator) set the password: it is temporary until the
    # person chooses their own (shared/accounts.py). None: the password is their own.
    temporary_password_at: Mapped[datetime | None]


class Unit(Base):
    """An ambulance unit (a crew's `team` within its fire HQ) and the phone the ER calls it back on,
    registered by the fire HQ (`python -m ems_app register-unit`), sent with every inquiry."""
    __tablename__ = "units"
    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)
    team: Mapped[str] = mapped_column(String(64), primary_key=True)
    callback_phone: Mapped[str | None] = mapped_column(String(32))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class Hospital(Base):
    __tablename__ = "hospitals"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str] = mapped_column(String(300), default="")
    emergency_level: Mapped[str] = mapped_column(String(16), default="secondary")  # primary|secondary|tertiary
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    public_keys: Mapped[list] = mapped_column(JSON)  # JWKs; several during a key change-over
    enrolled_at: Mapped[datetime] = mapped_column(default=utcnow)


class Incident(Base):
    """One patient's run. The tablet opens it with a key of its own (client_id), unique within the
    crew, so a double tap or a resend after a lost answer finds this incident instead of opening another."""
    __tablename__ = "incidents"
    __table_args__ = (UniqueConstraint("organisation", "team", "client_id", name="uq_incidents_client_id"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    team: Mapped[str] = mapped_column(String(64), default="")  # the crew that opened it: the key's scope
    client_id: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="open")  # open | closed
    chief_complaint: Mapped[str] = mapped_column(String(500), default="")
    location: Mapped[str] = mapped_column(String(200), default="")
    organisation: Mapped[str] = mapped_column(String(64), default="")  # the fire HQ that ran it
    card_id: Mapped[str | None] = mapped_column(String(64))  # purged at close
    patient_ref: Mapped[str | None] = mapped_column(String(64), index=True)  # HMAC of the card: kept for "who viewed"
    card_kind: Mapped[str | None] = mapped_column(String(16))
    identification: Mapped[str | None] = mapped_column(String(16))  # card_photo | smartphone | attributes
    identity_flagged: Mapped[bool] = mapped_column(default=False)
    identity_confirmation: Mapped[str | None] = mapped_column(String(300))
    basis: Mapped[dict | None] = mapped_column(JSON)
    basis_recorded_by: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    basis_recorded_at: Mapped[datetime | None]
    record_json: Mapped[str | None] = mapped_column(Text)  # the EMS copy, purged at close
    record_status: Mapped[str] = mapped_column(String(32), default="not_fetched")
    hospital_id: Mapped[str | None] = mapped_column(ForeignKey("hospitals.id"))
    last_seq: Mapped[int] = mapped_column(default=0)
    eta_minutes: Mapped[int | None]
    handed_over_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # The run's times as the fire service records them (覚知, 現場到着, 現場出発, 病院到着), for the
    # figures: on scene is on_scene_at -> left_scene_at (shared/figures.py).
    called_at: Mapped[datetime | None]
    on_scene_at: Mapped[datetime | None]
    left_scene_at: Mapped[datetime | None]
    hospital_arrival_at: Mapped[datetime | None]
    card_not_read_reason: Mapped[str | None] = mapped_column(String(32))  # shared.figures.NOT_READ_REASONS


class Inquiry(Base):
    """The crew asks a hospital to take the patient; it accepts or declines."""
    __tablename__ = "inquiries"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"), index=True)
    status: Mapped[str] = mapped_column(String(16), default="pending")  # pending|accepted|declined|withdrawn
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(String(128))
    decline_reason: Mapped[str | None] = mapped_column(String(200))


class Grant(Base):
    __tablename__ = "grants"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"))
    scope: Mapped[list] = mapped_column(JSON)
    basis: Mapped[str] = mapped_column(String(32))
    key_thumbprint: Mapped[str] = mapped_column(String(64))  # cnf.jkt: the hospital key it is bound to
    issued_at: Mapped[datetime]
    expires_at: Mapped[datetime] = mapped_column(index=True)  # handover + window, never past the token's exp
    ended_at: Mapped[datetime | None]  # when the hub told the hospital it ended
    delivered_seq: Mapped[int] = mapped_column(default=0)  # updates stored by the hospital's gateway
    seen_seq: Mapped[int] = mapped_column(default=0)       # updates shown on one of its dashboards
    acknowledged_at: Mapped[datetime | None]               # someone at the ER acknowledged the new patient
    revoked_at: Mapped[datetime | None]
    revoked_reason: Mapped[str | None] = mapped_column(String(64))


class IncidentEvent(Base):
    """Live updates in the order the crew made them; seq lets a hospital notice a gap, and the
    tablet's client_id (an idempotency key) lets an offline queue resend without duplicates."""
    __tablename__ = "incident_events"
    __table_args__ = (UniqueConstraint("incident_id", "seq"),
                      UniqueConstraint("incident_id", "client_id", name="uq_incident_events_client_id"))
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"))
    seq: Mapped[int]
    client_id: Mapped[str | None] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(32))
    payload: Mapped[dict] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UsedNonce(Base):
    """Assertions and proofs are single-use; each jti is kept until it would have expired anyway."""
    __tablename__ = "used_nonces"
    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Share(Base):
    """A QR link plus a phoned passcode for a hospital that is not enrolled (SMART Health Links style).

    The link carries no patient data; only the token's hash and the passcode's hash are stored.
    The tablet's key (client_id) for the press that made it is not unique: a repeat cannot show the
    passcode again, so it expires the earlier share and makes a new one (services/shares.py)."""
    __tablename__ = "shares"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), index=True)
    client_id: Mapped[str | None] = mapped_column(String(64))
    recipient: Mapped[str] = mapped_column(String(200))
    passcode_hash: Mapped[str] = mapped_column(String(256))
    created_by: Mapped[int] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column(default=5)
    max_uses: Mapped[int | None]  # right-passcode openings allowed; None: until it expires
    uses: Mapped[int] = mapped_column(default=0, server_default="0")
    opened_at: Mapped[datetime | None]


class AttributeSearch(Base):
    """Each 4-attribute search, counted for the per-user and per-fire-HQ rate limits."""
    __tablename__ = "attribute_searches"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    organisation: Mapped[str] = mapped_column(String(64), index=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class ReviewItem(Base):
    """An access the organisation's privacy officer must review: emergency exception,
    4-attribute search, or an anomaly."""
    __tablename__ = "review_items"
    __table_args__ = (UniqueConstraint("organisation", "incident_id", "kind"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    organisation: Mapped[str] = mapped_column(String(64), index=True)
    incident_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(32))  # emergency_exception | attribute_search | anomaly:<what>
    summary: Mapped[str] = mapped_column(String(500))
    accesses: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]
    decision: Mapped[str | None] = mapped_column(String(16))  # justified | not_justified
    comment: Mapped[str | None] = mapped_column(Text)
    decided_by: Mapped[str | None] = mapped_column(String(64))
    decided_at: Mapped[datetime | None]


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_incident", "incident_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(128))      # user:<name> or hospital:<id>
    action: Mapped[str] = mapped_column(String(64))
    incident_id: Mapped[str | None] = mapped_column(String(32))
    basis: Mapped[str | None] = mapped_column(String(32))
    detail: Mapped[dict] = mapped_column(JSON, default=dict)
    previous_hash: Mapped[str] = mapped_column(String(64), unique=True)  # no forks in the chain
    hash: Mapped[str] = mapped_column(String(64), unique=True)


from sqlalchemy import Column, Date, Integer, Table  # noqa: E402 - the figures' tables below

from shared.figures import TALLY_COLUMNS  # noqa: E402


class Outcome(Base):
    """What the ER found (shared/schemas/outcome.py): the fire service keeps it after the record is gone."""
    __tablename__ = "outcomes"
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"))
    severity: Mapped[str] = mapped_column(String(16))
    diagnosis_system: Mapped[str] = mapped_column(String(16))
    diagnosis_code: Mapped[str] = mapped_column(String(16))
    diagnosis_display: Mapped[str] = mapped_column(String(200))
    disposition: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(128))


class CaseFigures(Base):
    """One closed case as the region's figures count it (shared/figures.py `case_row`), written at
    close. Keyed by organisation and week first, so a year's figures read one contiguous range."""
    __tablename__ = "case_figures"
    __table_args__ = (Index("ix_case_figures_incident", "incident_id", unique=True),
                      Index("ix_case_figures_times", "organisation", "week", "station", "hospital_id",
                            "call_to_acceptance_min", "acceptance_to_arrival_min"), {"sqlite_with_rowid": False})
    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)
    week: Mapped[date] = mapped_column(primary_key=True)  # the Monday of its week (JST)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    station: Mapped[str] = mapped_column(String(64))
    hospital_id: Mapped[str | None] = mapped_column(String(64))
    card: Mapped[str] = mapped_column(String(16))
    not_read_reason: Mapped[str | None] = mapped_column(String(32))
    basis: Mapped[str] = mapped_column(String(32))
    inquiries: Mapped[int]
    on_scene_min: Mapped[int | None]
    difficult: Mapped[bool]
    call_to_acceptance_min: Mapped[int | None]
    acceptance_to_arrival_min: Mapped[int | None]
    severity: Mapped[str | None] = mapped_column(String(16))  # None: no outcome returned
    age_band: Mapped[str | None] = mapped_column(String(8))  # "70s": kept for case review, never the birth date


class FigureWeek(Base):
    """The figures' counters per organisation, week, unit and destination hospital ("" for none),
    added to at close (services/figures.py): a year's figures sum a few thousand of these."""
    __table__ = Table("figure_weeks", Base.metadata,
                      Column("organisation", String(64), primary_key=True), Column("week", Date, primary_key=True),
                      Column("station", String(64), primary_key=True),
                      Column("hospital_id", String(64), primary_key=True),
                      *(Column(name, Integer, nullable=False, server_default="0") for name in TALLY_COLUMNS),
                      sqlite_with_rowid=False)


class DeclineWeek(Base):
    """Declines per organisation, week, unit, declining hospital and reason."""
    __tablename__ = "decline_weeks"
    __table_args__ = ({"sqlite_with_rowid": False},)
    organisation: Mapped[str] = mapped_column(String(64), primary_key=True)
    week: Mapped[date] = mapped_column(primary_key=True)
    station: Mapped[str] = mapped_column(String(64), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    reason: Mapped[str] = mapped_column(String(32), primary_key=True)
    declines: Mapped[int]


class CaseReview(Base):
    """A medical-control physician's note on a case (事後検証)."""
    __tablename__ = "case_reviews"
    __table_args__ = (Index("ix_case_reviews_incident", "incident_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"))
    organisation: Mapped[str] = mapped_column(String(64))
    author: Mapped[str] = mapped_column(String(64))
    note: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PatientCode(Base):
    """A one-time code sent to the contact the patient registered, the second step before "who
    viewed my data" opens (migration 0010_patient_codes; services/patient_codes.py)."""
    __tablename__ = "patient_codes"
    __table_args__ = (Index("ix_patient_codes_patient_ref", "patient_ref", "created_at"),)
    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # random; the page holds it between steps
    patient_ref: Mapped[str] = mapped_column(String(64))  # the card's pseudonym, never the card number
    code_hash: Mapped[str] = mapped_column(String(256))  # scrypt; the code itself is never stored
    sent_to: Mapped[str] = mapped_column(String(64))  # masked: "090-****-1234"
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(default=0)
    used_at: Mapped[datetime | None]


class GatewayPresence(Base):
    """A connected gateway socket, as every hub process sees it; its process refreshes `seen_at`
    while the socket lives (services/presence.py)."""
    __tablename__ = "gateway_presence"
    __table_args__ = (Index("ix_gateway_presence_seen_at", "seen_at"),)
    sid: Mapped[str] = mapped_column(String(64), primary_key=True)
    hospital_id: Mapped[str] = mapped_column(String(64))
    process: Mapped[str] = mapped_column(String(64))
    seen_at: Mapped[datetime] = mapped_column(default=utcnow)


class RefusalCount(Base):
    """Refused grant redemptions of one hospital or one address in one window
    (services/refusal_limit.py); `reported` once the trail has the window's count."""
    __tablename__ = "refusal_counts"
    __table_args__ = (Index("ix_refusal_counts_reported", "reported", "window_start"),)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)  # hospital:<id> | address:<ip>
    window_start: Mapped[datetime] = mapped_column(primary_key=True)
    count: Mapped[int] = mapped_column(default=0)
    reported: Mapped[bool] = mapped_column(default=False)


from shared.factor_tables import ChallengeColumns, FactorColumns  # noqa: E402  (second factors: shared/factors.py)


class Factor(FactorColumns, Base):
    __tablename__ = "factors"


class FactorChallenge(ChallengeColumns, Base):
    __tablename__ = "factor_challenges"


class HospitalAvailability(Base):
    """An ER's acceptance status for one capability, as its staff last set it (migration
    0013_availability_outcome); past AVAILABILITY_TTL_S it reads "unknown", never its old status
    (shared/availability.py)."""
    __tablename__ = "hospital_availability"
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"), primary_key=True)
    capability: Mapped[str] = mapped_column(String(16), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))  # available | unavailable
    set_at: Mapped[datetime]
    set_by: Mapped[str] = mapped_column(String(64))  # a role at the ER, never a name


class OutcomeVersion(Base):
    """Every outcome an ER returned for an incident, oldest first: a correction adds a version,
    the one before stays (`outcomes` holds the latest, for the figures)."""
    __tablename__ = "outcome_versions"
    incident_id: Mapped[str] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    version: Mapped[int] = mapped_column(primary_key=True)
    hospital_id: Mapped[str] = mapped_column(ForeignKey("hospitals.id"))
    severity: Mapped[str] = mapped_column(String(16))
    diagnosis_system: Mapped[str] = mapped_column(String(16))
    diagnosis_code: Mapped[str] = mapped_column(String(16))  # "" when the physician gave text only
    diagnosis_display: Mapped[str] = mapped_column(String(200))
    disposition: Mapped[str] = mapped_column(String(16))
    recorded_at: Mapped[datetime]
    recorded_by: Mapped[str] = mapped_column(String(128))
