"""Case review (事後検証): a medical-control physician reads a closed case's timeline and records
a note. The timeline never names the patient: no name, card, date of birth, address, location or
free-text note (any of which may name someone); the age band, the complaint, the times, the
inquiries and answers, the vitals and the outcome. Opening a case and every note are audited."""
from __future__ import annotations

from sqlalchemy import select

from ems_app.hub import Hub
from ems_app.models import CaseFigures, CaseReview, Hospital, Incident, IncidentEvent, Inquiry, Outcome, User
from ems_app.services import audit
from ems_app.services.figures import FiguresQuery
from shared import figures as rules
from shared.clock import aware, utcnow
from shared.errors import Refused

MAX_CASES = 200
# What an update may say in the review: the measures and the complaint and ETA, never the
# location or the crew's notes.
SHOWN_UPDATES = {"vitals": "vitals", "chief_complaint": "text", "eta": "eta_minutes"}  # kind -> what it says


def _at(dt):
    return aware(dt).isoformat() if dt is not None else None


def cases(hub: Hub, user: User, query: FiguresQuery) -> list[dict]:
    """The fire HQ's closed cases in the weeks asked, newest first, at most MAX_CASES."""
    first, last = query.weeks()
    c = CaseFigures
    where = [c.organisation == user.organisation, c.week >= first, c.week <= last]
    if query.station:
        where.append(c.station == query.station)
    if query.hospital:
        where.append(c.hospital_id == query.hospital)
    if getattr(query, "difficult", False):
        where.append(c.difficult.is_(True))
    with hub.db.read() as s:
        rows = s.scalars(select(c).where(*where).order_by(c.week.desc(), c.incident_id).limit(MAX_CASES)).all()
        return [{"incident_id": r.incident_id, "week": r.week.isoformat(), "station": r.station,
                 "hospital_id": r.hospital_id, "inquiries": r.inquiries, "on_scene_min": r.on_scene_min,
                 "difficulty": "difficult" if r.difficult else ("unknown" if r.on_scene_min is None
                                                                and r.inquiries >= rules.DIFFICULT_INQUIRIES
                                                                else "not_difficult"),
                 "severity": r.severity or "not_returned", "age_band": r.age_band} for r in rows]


def _closed_case(s, user: User, incident_id: str) -> tuple[Incident, CaseFigures]:
    """The fire HQ's own closed case; 404 otherwise (an open one is still the crew's)."""
    incident = s.get(Incident, incident_id)
    row = s.scalars(select(CaseFigures).where(CaseFigures.incident_id == incident_id)).first()
    if incident is None or row is None or incident.organisation != user.organisation or incident.status != "closed":
        raise Refused(404, "no such case", "not_found")
    return incident, row


def timeline(hub: Hub, user: User, incident_id: str) -> dict:
    with hub.db.read() as s:
        incident, row = _closed_case(s, user, incident_id)
        names = dict(s.execute(select(Hospital.id, Hospital.name)).all())
        events = [{"at": _at(incident.called_at), "what": "called"}, {"at": _at(incident.created_at), "what": "opened"},
                  {"at": _at(incident.on_scene_at), "what": "on_scene"},
                  {"at": _at(incident.left_scene_at), "what": "left_scene"},
                  {"at": _at(incident.hospital_arrival_at), "what": "at_hospital"},
                  {"at": _at(incident.handed_over_at), "what": "handed_over"},
                  {"at": _at(incident.closed_at), "what": "closed"}]
        for q in s.scalars(select(Inquiry).where(Inquiry.incident_id == incident_id).order_by(Inquiry.asked_at)):
            hospital = names.get(q.hospital_id, q.hospital_id)
            events.append({"at": _at(q.asked_at), "what": "asked", "hospital": hospital})
            if q.answered_at is not None:
                events.append({"at": _at(q.answered_at), "what": q.status, "hospital": hospital,
                               "reason": q.decline_reason})
        for e in s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id,
                                                       IncidentEvent.kind.in_(list(SHOWN_UPDATES)))
                           .order_by(IncidentEvent.seq)):
            field = SHOWN_UPDATES[e.kind]
            events.append({"at": _at(e.created_at), "what": e.kind, field: e.payload.get(field)})
        events = sorted((e for e in events if e["at"]), key=lambda e: e["at"])
        outcome = s.get(Outcome, incident_id)
        notes = s.scalars(select(CaseReview).where(CaseReview.incident_id == incident_id).order_by(CaseReview.id)).all()
        answer = {
            "incident_id": incident_id, "week": row.week.isoformat(), "station": row.station,
            "age_band": row.age_band, "chief_complaint": incident.chief_complaint, "card": row.card,
            "not_read_reason": row.not_read_reason, "basis": row.basis, "inquiries": row.inquiries,
            "on_scene_min": row.on_scene_min, "difficult": row.difficult,
            "call_to_acceptance_min": row.call_to_acceptance_min,
            "acceptance_to_arrival_min": row.acceptance_to_arrival_min,
            "hospital": names.get(row.hospital_id, row.hospital_id) if row.hospital_id else None,
            "outcome": None if outcome is None else {
                "severity": outcome.severity, "disposition": outcome.disposition,
                "diagnosis": {"system": outcome.diagnosis_system, "code": outcome.diagnosis_code,
                              "display": outcome.diagnosis_display}, "recorded_at": _at(outcome.recorded_at)},
            "events": events,
            "notes": [{"id": n.id, "author": n.author, "note": n.note, "at": _at(n.created_at)} for n in notes]}
    with hub.db.transaction() as s:
        audit.append(s, hub.audit_key, actor=f"user:{user.username}", action="case.review_open",
                     incident_id=incident_id)
    return answer


def add_note(hub: Hub, user: User, incident_id: str, note: str) -> dict:
    with hub.db.transaction() as s:
        _closed_case(s, user, incident_id)
        review = CaseReview(incident_id=incident_id, organisation=user.organisation, author=user.username,
                            note=note, created_at=utcnow())
        s.add(review)
        s.flush()
        # The note's words stay in the case: the trail says who wrote one and when, not what.
        audit.append(s, hub.audit_key, actor=f"user:{user.username}", action="case.review_note",
                     incident_id=incident_id, detail={"note": review.id, "length": len(note)})
        return {"id": review.id, "author": review.author, "note": review.note, "at": _at(review.created_at)}
