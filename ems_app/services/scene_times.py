"""The run's times and why the card was not read, as the crew records them on the tablet.

The region's figures rest on these: 救急搬送困難事案 needs thirty minutes on scene (現場到着 ->
現場出発), the time from the call (覚知) to acceptance and on to the hospital. So a time is what
the crew tapped, never the moment the hub happened to receive it (an offline tap arrives later
with its own time); a time in the future, or one that puts the run out of order, is refused with
the field named; and a correction never passes for a tap: both are audited, the correction with
the time it replaced. Once the incident is closed it has been counted, and nothing changes."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from ems_app.hub import Hub
from ems_app.models import Incident, User
from ems_app.services import audit
from ems_app.services.incidents import actor, load
from shared import clock
from shared.errors import N_, FieldProblem, Refused
from shared.problems import CHECK_INPUT
from shared.schemas.scene_times import MARKS, CardNotReadIn, SceneTimeIn

COLUMNS = {"called": "called_at", "on_scene": "on_scene_at", "left_scene": "left_scene_at",
           "hospital_arrival": "hospital_arrival_at"}
# A tablet's clock may run a little ahead of the hub's: its "now" is not refused as the future.
CLOCK_AHEAD = timedelta(minutes=2)
# The call comes before the incident is opened on the tablet, but not a day before: an older time
# is a wrong date (a time typed past midnight, say), not a run.
EARLIEST = timedelta(hours=24)

OUT_OF_ORDER = {
    ("called", "on_scene"): N_("arrival on scene cannot be before the call"),
    ("called", "left_scene"): N_("leaving the scene cannot be before the call"),
    ("called", "hospital_arrival"): N_("arrival at hospital cannot be before the call"),
    ("on_scene", "left_scene"): N_("leaving the scene cannot be before arrival on scene"),
    ("on_scene", "hospital_arrival"): N_("arrival at hospital cannot be before arrival on scene"),
    ("left_scene", "hospital_arrival"): N_("arrival at hospital cannot be before leaving the scene"),
}
# The ways the patient can be identified with the card itself read: no reason to give then.
CARD_READ = ("card_photo", "smartphone")


def _utc(at: datetime, field: str) -> datetime:
    """Naive UTC, as the database keeps it; a time without an offset is taken as UTC."""
    try:
        return at.astimezone(timezone.utc).replace(tzinfo=None) if at.tzinfo else at
    except (OverflowError, ValueError):  # year 1 at +09:00: no such UTC time
        raise Refused(400, CHECK_INPUT, "invalid", fields=[FieldProblem(field, "is not a time the run can have")]) \
            from None


def _plausible(at: datetime, field: str, earliest: datetime) -> None:
    if at > clock.utcnow() + CLOCK_AHEAD:
        raise Refused(400, CHECK_INPUT, "in_the_future", fields=[FieldProblem(field, "cannot be in the future")])
    if at < earliest:
        raise Refused(400, CHECK_INPUT, "too_early", fields=[FieldProblem(
            field, "cannot be more than 24 hours before the incident was opened")])


def call_time(at: datetime | None) -> datetime | None:
    """The call time (覚知) given when the incident is opened, checked; None: not known."""
    if at is None:
        return None
    at = _utc(at, "called_at")
    _plausible(at, "called_at", clock.utcnow() - EARLIEST)
    return at


def _in_order(incident: Incident, mark: str, at: datetime) -> None:
    """The run's times never go backwards: this one against the nearest recorded before and after it."""
    times = {m: getattr(incident, COLUMNS[m]) for m in MARKS}
    i = MARKS.index(mark)
    before = next((m for m in reversed(MARKS[:i]) if times[m] is not None), None)
    after = next((m for m in MARKS[i + 1:] if times[m] is not None), None)
    if before is not None and at < times[before]:
        problem = OUT_OF_ORDER[(before, mark)]
    elif after is not None and at > times[after]:
        problem = OUT_OF_ORDER[(mark, after)]
    else:
        return
    raise Refused(400, CHECK_INPUT, "out_of_order", fields=[FieldProblem("at", problem)])


def record(hub: Hub, user: User, incident_id: str, data: SceneTimeIn) -> Incident:
    """Record a tap or a correction of one of the run's times on the crew's own open incident."""
    at, column = _utc(data.at, "at"), COLUMNS[data.mark]
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if incident.status != "open":
            raise Refused(409, "incident is closed; its times are counted as they were", "closed")
        previous = getattr(incident, column)
        if previous == at:  # the same tap (or correction) again: a resend from the tablet's queue
            return incident
        if previous is not None and not data.correction:
            raise Refused(409, "this time is already recorded; correct it instead", "already_recorded")
        _plausible(at, "at", incident.created_at - EARLIEST)
        _in_order(incident, data.mark, at)
        setattr(incident, column, at)
        audit.append(s, hub.audit_key, actor=actor(user), action="times.correct" if data.correction else "times.stamp",
                     incident_id=incident.id,
                     detail={"mark": data.mark, "at": _iso(at), "previous": _iso(previous), "client_id": data.client_id})
    return incident


def card_not_read(hub: Hub, user: User, incident_id: str, data: CardNotReadIn) -> Incident:
    """Why the My Number insurance card was not read (the figures' coverage counts it); a later
    choice replaces an earlier one, both audited."""
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if incident.status != "open":
            raise Refused(409, "incident is closed", "closed")
        if incident.identification in CARD_READ:
            raise Refused(409, "the card was read for this patient", "card_read")
        previous = incident.card_not_read_reason
        if previous == data.reason:
            return incident
        incident.card_not_read_reason = data.reason
        audit.append(s, hub.audit_key, actor=actor(user), action="card.not_read", incident_id=incident.id,
                     detail={"reason": data.reason, "previous": previous, "client_id": data.client_id})
    return incident


def _iso(at: datetime | None) -> str | None:
    return None if at is None else at.replace(tzinfo=timezone.utc).isoformat()
