"""What the crew sees of each update: sent, delivered to the hospital, seen on a dashboard;
and of the patient: accepted, acknowledged at the ER.

Acknowledgements are cumulative sequence numbers per grant (the hospital applies updates in
order), so one number says "everything up to here". The record itself counts as number 0: a
grant starts at NOTHING_DELIVERED, and the hospital's first 'delivered' (0 when no update has
been made yet) says its record has arrived. Until then the crew reads "accepted, record not yet
delivered", never a silence that looks like success."""
from __future__ import annotations

from sqlalchemy import case, select, update

from ems_app.hub import Hub
from ems_app.models import Grant, IncidentEvent, User
from ems_app.services import grants
from ems_app.services.incidents import load
from shared.clock import aware, utcnow
from shared.errors import Refused

NOTHING_DELIVERED = -1  # accepted, and not even the record has reached the hospital yet


def awaiting_record(s, incident_id: str) -> None:
    """A grant was just issued (in this transaction): nothing has reached the hospital yet."""
    grant = grants.active(s, incident_id)  # the session flushes the new grant before it asks
    if grant is not None:
        grant.delivered_seq = NOTHING_DELIVERED


def hospital_ack(hub: Hub, hospital_id: str, incident_id: str, what: str, seq: int = 0) -> None:
    """The hospital's gateway reports 'delivered' or 'seen' up to seq, or 'acknowledged'.
    One UPDATE each, guarded so a number never goes back: acknowledgements are frequent."""
    _check(what, seq)
    with hub.db.transaction() as s:
        if what == "delivered":
            moved = _delivered_up_to(s, hospital_id, {incident_id: seq})
            row = moved[0][1] if moved else None
        else:
            row = _change(s, hospital_id, incident_id, what, seq)
        if row is None:
            if s.scalars(select(Grant.jti).where(*_live(hospital_id, incident_id))).first() is None:
                raise Refused(403, "no live grant for that incident", "no_grant")
            return  # nothing new: an older or repeated acknowledgement
    _tell_crew(hub, incident_id, row)


def hospital_acks(hub: Hub, hospital_id: str, acks) -> int:
    """Many acknowledgements in one transaction (the gateway's once-a-second batch): a list of at
    most 1,000 of what hospital_ack takes. One for an ended grant, or an older number, changes
    nothing; a malformed item refuses the batch. Returns how many grants changed: the 'delivered'
    items count once per incident (the highest wins) and are told to the crew before the rest,
    which is harmless as every number is cumulative."""
    if not isinstance(acks, list) or len(acks) > 1000 or not all(isinstance(a, dict) for a in acks):
        raise Refused(400, "a list of at most 1000 acknowledgements", "invalid")
    items = [(str(a.get("incident_id", ""))[:32], a.get("what"), a.get("seq", 0)) for a in acks]
    delivered: dict[str, int] = {}  # the usual batch: how far each incident got, as one statement
    for incident_id, what, seq in items:
        _check(what, seq)
        if what == "delivered":
            delivered[incident_id] = max(seq, delivered.get(incident_id, 0))
    with hub.db.transaction() as s:
        changed = _delivered_up_to(s, hospital_id, delivered)
        changed += [(incident_id, row) for incident_id, what, seq in items
                    if what != "delivered" and (row := _change(s, hospital_id, incident_id, what, seq))]
    for incident_id, row in changed:
        _tell_crew(hub, incident_id, row)
    return len(changed)


def _check(what, seq) -> None:
    if what not in ("delivered", "seen", "acknowledged") or not isinstance(seq, int) or seq < 0:
        raise Refused(400, "what must be delivered, seen or acknowledged; seq a number", "invalid")


def _live(hospital_id: str, incident_id: str) -> tuple:
    return Grant.incident_id == incident_id, Grant.hospital_id == hospital_id, *grants.is_live()


def _change(s, hospital_id: str, incident_id: str, what: str, seq: int):
    """'seen' or 'acknowledged' as a guarded UPDATE; RETURNING gives the new state from the same
    statement (None: no change). 'delivered' is _delivered_up_to's, for one incident or many."""
    live = _live(hospital_id, incident_id)
    if what == "acknowledged":
        change = update(Grant).where(*live, Grant.acknowledged_at.is_(None)).values(acknowledged_at=utcnow())
    else:
        change = update(Grant).where(*live, Grant.seen_seq < seq).values(
            seen_seq=seq, delivered_seq=case((Grant.delivered_seq < seq, seq), else_=Grant.delivered_seq))
    return s.execute(change.returning(Grant.hospital_id, Grant.delivered_seq, Grant.seen_seq,
                                      Grant.acknowledged_at)).first()


def _delivered_up_to(s, hospital_id: str, upto: dict[str, int]) -> list[tuple[str, tuple]]:
    """Many incidents' 'delivered' numbers in one guarded UPDATE (each moves only forward)."""
    if not upto:
        return []
    table = Grant.__table__
    seq = case(upto, value=table.c.incident_id)
    rows = s.connection().execute(
        update(table).where(table.c.hospital_id == hospital_id, table.c.incident_id.in_(list(upto)),
                            *grants.is_live(), table.c.delivered_seq < seq)
        .values(delivered_seq=seq)
        .returning(table.c.incident_id, table.c.hospital_id, table.c.delivered_seq, table.c.seen_seq,
                   table.c.acknowledged_at)).all()
    return [(row[0], row[1:]) for row in rows]


def _tell_crew(hub: Hub, incident_id: str, row) -> None:
    state = _state(Grant(hospital_id=row[0], delivered_seq=row[1], seen_seq=row[2], acknowledged_at=row[3]))
    hub.notifier.delivery(incident_id, state)


def _state(grant: Grant | None) -> dict:
    """`record_delivered`: false while an accepting hospital has not yet got the patient's record."""
    if grant is None:
        return {"hospital_id": None, "delivered_seq": 0, "seen_seq": 0, "acknowledged_at": None,
                "record_delivered": False}
    return {"hospital_id": grant.hospital_id, "delivered_seq": max(grant.delivered_seq, 0),
            "seen_seq": grant.seen_seq,
            "acknowledged_at": aware(grant.acknowledged_at).isoformat() if grant.acknowledged_at else None,
            "record_delivered": grant.delivered_seq > NOTHING_DELIVERED}


def updates_with_state(hub: Hub, user: User, incident_id: str) -> dict:
    with hub.db.read() as s:
        load(s, user, incident_id)
        state = _state(grants.active(s, incident_id))
        events = s.scalars(select(IncidentEvent).where(IncidentEvent.incident_id == incident_id)
                           .order_by(IncidentEvent.seq)).all()
        rows = [{"seq": e.seq, "kind": e.kind, "payload": e.payload, "client_id": e.client_id,
                 "at": e.created_at.isoformat() + "Z",  # as updates.as_message: a resync keeps each time
                 "state": "seen" if e.seq <= state["seen_seq"] else
                          "delivered" if e.seq <= state["delivered_seq"] else "sent"} for e in events]
    return {**state, "updates": rows}
