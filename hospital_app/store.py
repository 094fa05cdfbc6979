"""The hospital's reads and writes of its own store, so the gateway and the API share them."""
from __future__ import annotations

import logging
from datetime import datetime, timedelta

import jwt
from sqlalchemy import JSON, Integer, String, bindparam, delete, func, insert, select, true
from sqlalchemy import update as sql_update
from sqlalchemy.exc import IntegrityError

from hospital_app import visibility
from hospital_app.models import AccessLog, Inquiry, Patient, PatientUpdate, PendingGrant
from shared.acuity import LatestVitals, assess
from shared.clock import from_epoch, utcnow
from shared.schemas.vitals import Vitals
from shared.storage import Database

log = logging.getLogger(__name__)


def accepted(db: Database, inquiry_id: str, status: str, incident_id: str, grant: str | None) -> None:
    """The hub's answer to the ER's answer; an acceptance's grant is stored in the same
    transaction, so from here on the patient cannot be lost to a fault before its record arrives."""
    for _ in range(2):  # the patient's lane may store the same grant (the hub pushes it too) at once
        try:
            with db.transaction() as s:
                row = s.get(Inquiry, inquiry_id)
                if row:
                    row.status = status
                if grant:
                    _hold(s, incident_id, grant)
            return
        except IntegrityError:
            continue


def save_patient(db: Database, grant: str, body: dict) -> None:
    """The record has arrived: the patient replaces the grant held for it, in one transaction."""
    with db.transaction() as s:
        s.execute(delete(PendingGrant).where(PendingGrant.incident_id == body["incident_id"]))
        s.execute(delete(PatientUpdate).where(PatientUpdate.incident_id == body["incident_id"]))
        row = s.get(Patient, body["incident_id"]) or Patient(incident_id=body["incident_id"])
        row.grant, row.grant_expires_at = grant, from_epoch(body["grant_expires_at"])
        row.basis, row.record_status = body["basis"], body["record_status"]
        row.identity, row.record, row.critical = body["patient"], body["record"], body["critical"]
        row.incident, row.last_seq = body["incident"], 0
        s.add(row)


def save_update(db: Database, update: dict, in_order: bool = False) -> str:
    """Store one update: 'stored', 'old' (already here), 'unknown' (no such patient here) or, with
    in_order, 'gap' (an earlier one is missing: nothing stored, fetch the gap first).

    Updates are the gateway's most frequent write, so the usual case is one guarded UPDATE that
    moves last_seq on (and takes the patient's row lock) plus the INSERT, statements built once;
    the patient's record is never loaded for it. Only a complaint, location or ETA rewrites the
    incident summary, in the same transaction."""
    incident_id, seq = update["incident_id"], update["seq"]
    params = {"the_incident": incident_id, "the_seq": seq, "the_previous": seq - 1, "the_kind": update["kind"],
              "the_payload": update["payload"], "the_at": update["at"]}
    try:
        if db.is_postgres and update["kind"] not in _SUMMARY_KINDS:  # vitals, notes: one round trip
            with db.one_statement() as conn:
                row = conn.execute(_STORE_IN_ORDER if in_order else _STORE_FORWARD, params).first()
                return "stored" if row is not None else _why_not_stored(conn, incident_id, seq)
        with db.transaction() as s:
            conn = s.connection()
            row = conn.execute(_MOVE_IN_ORDER if in_order else _MOVE_FORWARD, params).first()
            if row is None:
                return _why_not_stored(conn, incident_id, seq)
            conn.execute(_STORE_UPDATE, params)
            summary = _summary_after(row.incident, update)
            if summary is not None:
                conn.execute(_SET_SUMMARY, {"the_incident": incident_id, "the_summary": summary})
        return "stored"
    except IntegrityError:
        return "old"


def _why_not_stored(conn, incident_id: str, seq: int) -> str:
    last = conn.execute(_LAST_SEQ, {"the_incident": incident_id}).scalar()
    return "unknown" if last is None else "old" if seq <= last else "gap"


_patients = Patient.__table__
_this_patient = _patients.c.incident_id == bindparam("the_incident")
_MOVE_IN_ORDER = (sql_update(_patients).where(_this_patient, _patients.c.last_seq == bindparam("the_previous"))
                  .values(last_seq=bindparam("the_seq")).returning(_patients.c.incident))
_MOVE_FORWARD = (sql_update(_patients).where(_this_patient, _patients.c.last_seq < bindparam("the_seq"))
                 .values(last_seq=bindparam("the_seq")).returning(_patients.c.incident))
_LAST_SEQ = select(_patients.c.last_seq).where(_this_patient)
_SET_SUMMARY = sql_update(_patients).where(_this_patient).values(incident=bindparam("the_summary"))
_SUMMARY_KINDS = ("chief_complaint", "location", "eta")


# The update's row, from the same parameters as the guard, for both ways of storing it.
_UPDATE_ROW = {"incident_id": bindparam("the_incident", type_=String), "seq": bindparam("the_seq", type_=Integer),
               "kind": bindparam("the_kind", type_=String), "payload": bindparam("the_payload", type_=JSON),
               "at": bindparam("the_at", type_=String)}
_STORE_UPDATE = insert(PatientUpdate.__table__).values(_UPDATE_ROW)


def _moved_and_stored(move):
    """PostgreSQL: the guarded UPDATE and the INSERT as one statement, a transaction by itself
    (under load each extra round trip waits for a process to wake on both sides)."""
    moved = move.cte("moved")
    row = select(*_UPDATE_ROW.values()).select_from(moved)
    stored = insert(PatientUpdate.__table__).from_select(list(_UPDATE_ROW), row)
    # A copy of the hub's: if a crash loses it, last_seq goes back with it and the gateway's
    # catch-up fetches it again. So this transaction's commit does not wait for the disk (local
    # to the statement's own transaction; under load the wait was a large part of the write,
    # docs/performance.md).
    return select(moved.c.incident, func.set_config("synchronous_commit", "off", true())).add_cte(stored.cte("stored"))


_STORE_IN_ORDER = _moved_and_stored(_MOVE_IN_ORDER)
_STORE_FORWARD = _moved_and_stored(_MOVE_FORWARD)


def _summary_after(incident: dict, update: dict) -> dict | None:
    """The incident summary the dashboard shows, changed by this update (None: unchanged)."""
    if update["kind"] in ("chief_complaint", "location"):
        return {**incident, update["kind"]: update["payload"].get("text", "")}
    if update["kind"] == "eta":  # the countdown starts when the ETA was sent
        return {**incident, "eta_minutes": update["payload"].get("eta_minutes"), "eta_at": update["at"]}
    return None


def acknowledge(db: Database, incident_id: str, by: str) -> bool:
    with db.transaction() as s:
        p = s.get(Patient, incident_id)
        if p is None:
            return False
        if p.acknowledged_at is None:
            p.acknowledged_at, p.acknowledged_by = utcnow(), by[:64]
        return True


def set_grant_end(db: Database, incident_id: str, ends_epoch: int) -> bool:
    with db.transaction() as s:
        p = s.get(Patient, incident_id)
        if p is None:
            return False
        p.grant_expires_at = min(p.grant_expires_at, from_epoch(ends_epoch))
        p.incident = {**p.incident, "handed_over_at": p.incident.get("handed_over_at") or utcnow().isoformat() + "Z"}
        return True


def last_seq(db: Database, incident_id: str) -> int | None:
    with db.read() as s:
        p = s.get(Patient, incident_id)
        return None if p is None else p.last_seq


def grant_of(db: Database, incident_id: str) -> str:
    with db.read() as s:
        return s.get(Patient, incident_id).grant


def grant_if_held(db: Database, incident_id: str) -> str | None:
    with db.read() as s:
        p = s.get(Patient, incident_id)
        return p.grant if p is not None and p.grant_expires_at > utcnow() else None


def has_grant(db: Database, incident_id: str, grant: str) -> bool:
    with db.read() as s:
        p = s.get(Patient, incident_id)
        return p is not None and p.grant == grant


def held_patients(db: Database) -> list[tuple[str, str, int]]:
    with db.read() as s:
        return [(p.incident_id, p.grant, p.last_seq) for p in s.scalars(select(Patient))]


def purge_patient(db: Database, incident_id: str, only_if_expired: bool = False) -> bool:
    """The patient first, under its row lock: an update being stored for it either commits before
    (and its row goes with the rest) or finds no patient; none is left behind. only_if_expired:
    a grant saved again since the expiry sweep looked keeps the patient."""
    with db.transaction() as s:
        gone = delete(Patient).where(Patient.incident_id == incident_id)
        if only_if_expired:
            gone = gone.where(Patient.grant_expires_at <= utcnow())
        if s.execute(gone).rowcount == 0:
            return False
        s.execute(delete(PatientUpdate).where(PatientUpdate.incident_id == incident_id))
        return True


def purge_expired(db: Database) -> list[str]:
    """purge_ended, the ids only."""
    return [incident_id for incident_id, _why in purge_ended(db)]


# Why a patient's grant ran out here, in the hub's words (ems_app/services/grants.py), so the
# dashboard says the same whichever clock noticed first.
HANDOVER_WINDOW_OVER, EXPIRED = "handover_window_over", "expired"


def purge_ended(db: Database) -> list[tuple[str, str]]:
    """Purge every patient whose grant has run out: (incident id, why) of each."""
    with db.read() as s:
        due = [(p.incident_id, HANDOVER_WINDOW_OVER if (p.incident or {}).get("handed_over_at") else EXPIRED)
               for p in s.scalars(select(Patient).where(Patient.grant_expires_at <= utcnow()))]
    return [(i, why) for i, why in due if purge_patient(db, i, only_if_expired=True)]


# ---- accepted patients whose record has not arrived yet ----
RETRY_MAX_S = 30  # a hub back from a dropout is tried again within this


def hold_grant(db: Database, incident_id: str, grant: str) -> None:
    """Keep an accepted patient's grant until its record is stored (save_patient) or the hub
    refuses it. The same grant again changes nothing; another (the hub's, after a reconnect)
    replaces it."""
    for _ in range(2):  # the acceptance's request and the patient's lane may both store it at once
        try:
            with db.transaction() as s:
                _hold(s, incident_id, grant)
            return
        except IntegrityError:
            continue


def _hold(s, incident_id: str, grant: str) -> None:
    row = s.get(PendingGrant, incident_id)
    if row is None:
        s.add(PendingGrant(incident_id=incident_id, grant=grant, expires_at=_token_end(grant)))
        s.flush()
    elif row.grant != grant:
        row.grant, row.expires_at, row.attempts, row.next_try_at = grant, _token_end(grant), 0, utcnow()


def _token_end(grant: str) -> datetime | None:
    """When the grant's token says it ends. Read without checking the signature: the hub checks
    the token when it is redeemed; this only says when trying again is of no use."""
    try:
        exp = jwt.decode(grant, options={"verify_signature": False}).get("exp")
    except jwt.PyJWTError:
        return None
    return from_epoch(exp) if isinstance(exp, int) else None


def pending_grant(db: Database, incident_id: str) -> str | None:
    with db.read() as s:
        row = s.get(PendingGrant, incident_id)
        return None if row is None else row.grant


def pending_grants(db: Database, due_only: bool = False) -> list[str]:
    """The incidents whose record is awaited; due_only: those whose next try is due."""
    with db.read() as s:
        query = select(PendingGrant.incident_id).order_by(PendingGrant.accepted_at)
        if due_only:
            query = query.where(PendingGrant.next_try_at <= utcnow())
        return list(s.scalars(query))


def grant_failed(db: Database, incident_id: str, why: str) -> int | None:
    """A fetch of the record failed: try again later, waiting twice as long each time up to
    RETRY_MAX_S. The seconds until the next try (None: no grant held any more)."""
    with db.transaction() as s:
        row = s.get(PendingGrant, incident_id)
        if row is None:
            return None
        delay = min(2 ** min(row.attempts, 8), RETRY_MAX_S)
        row.attempts, row.last_error = row.attempts + 1, why[:64]
        row.next_try_at = utcnow() + timedelta(seconds=delay)
        return delay


def drop_grant(db: Database, incident_id: str, only_if_ended: bool = False) -> bool:
    """Stop waiting for this patient's record (refused, revoked, or it is here already).
    only_if_ended: a grant replaced since the sweep looked is kept."""
    gone = delete(PendingGrant).where(PendingGrant.incident_id == incident_id)
    if only_if_ended:
        gone = gone.where(PendingGrant.expires_at <= utcnow())
    with db.transaction() as s:
        return s.execute(gone).rowcount > 0


def drop_ended_grants(db: Database) -> list[str]:
    """Grants held for a record that never came, whose token has ended: no hub would honour them.
    (Asked once a second: a read, and a write only when there is something to drop.)"""
    with db.read() as s:
        ended = list(s.scalars(select(PendingGrant.incident_id).where(PendingGrant.expires_at <= utcnow())))
    return [incident_id for incident_id in ended if drop_grant(db, incident_id, only_if_ended=True)]


def patient_view(db: Database, incident_id: str, role: str = "physician") -> dict | None:
    """A patient as a role may see it, by hospital_app/visibility.py: a clerk gets who and when,
    never the clinical record. Clinical staff get the acuity too, assessed by the one rule from
    every vitals update stored; for the desk the updates are not even read."""
    audience = visibility.audience(role)
    with db.read() as s:
        p = s.get(Patient, incident_id)
        if p is None:
            return None
        view = {"incident_id": p.incident_id, "identity": p.identity, "incident": p.incident,
                "basis": p.basis, "record_status": p.record_status,
                "grant_expires_at": p.grant_expires_at.isoformat() + "Z", "last_seq": p.last_seq,
                "acknowledged_by": p.acknowledged_by}
        if audience == visibility.CLINICAL:
            rows = s.scalars(select(PatientUpdate).where(PatientUpdate.incident_id == incident_id)
                             .order_by(PatientUpdate.seq)).all()
            updates = [{"seq": u.seq, "kind": u.kind, "payload": u.payload, "at": u.at} for u in rows]
            latest = LatestVitals()
            for update in updates:
                add_vitals(latest, update)
            view.update(critical=p.critical, record=p.record, updates=updates,
                        acuity=assess(latest, utcnow()).model_dump(mode="json"))
    return visibility.shown("patient", view, audience)


def add_vitals(latest: LatestVitals, update: dict) -> bool:
    """Add a stored update's vitals to `latest`, timed by when they were taken (no later than the
    hub received them); False when the update carries none."""
    if update.get("kind") != "vitals":
        return False
    try:
        vitals = Vitals.model_validate(update["payload"]["vitals"])
        received_at = datetime.fromisoformat(update["at"])
    except (KeyError, TypeError, ValueError):  # pydantic's ValidationError is a ValueError
        # Not silently: a set that cannot be read may hold the value that makes the patient red.
        log.warning("store: vitals update %s of incident %s could not be read for the acuity",
                    update.get("seq"), update.get("incident_id"))
        return False
    latest.add(vitals, seq=update["seq"], received_at=received_at)
    return True


def latest_vitals(db: Database, incident_id: str) -> LatestVitals | None:
    """Each measure's latest value from every vitals update stored (None: no such patient here)."""
    with db.read() as s:
        if s.get(Patient, incident_id) is None:
            return None
        rows = s.scalars(select(PatientUpdate).where(PatientUpdate.incident_id == incident_id,
                                                     PatientUpdate.kind == "vitals")
                         .order_by(PatientUpdate.seq)).all()
    latest = LatestVitals()
    for u in rows:
        add_vitals(latest, {"incident_id": incident_id, "seq": u.seq, "kind": u.kind, "payload": u.payload,
                            "at": u.at})
    return latest


def patient_ids(db: Database) -> list[str]:
    with db.read() as s:
        return list(s.scalars(select(Patient.incident_id).order_by(Patient.received_at)))


def unreported_access(db: Database) -> list[tuple[int, str, str, str, datetime]]:
    with db.read() as s:
        rows = s.scalars(select(AccessLog).where(AccessLog.reported.is_(False)).order_by(AccessLog.id)).all()
        return [(a.id, a.incident_id, a.role, a.action, a.at) for a in rows]


def recently_logged(db: Database, staff: str, incident_id: str, action: str, within: timedelta) -> bool:
    with db.read() as s:
        return s.scalars(select(AccessLog.id).where(
            AccessLog.staff == staff, AccessLog.incident_id == incident_id, AccessLog.action == action,
            AccessLog.at > utcnow() - within)).first() is not None


def mark_reported(db: Database, entry_id: int) -> None:
    with db.transaction() as s:
        s.get(AccessLog, entry_id).reported = True
