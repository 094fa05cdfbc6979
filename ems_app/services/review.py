"""The privacy officer's review queue: who looked without consent, and what looked odd.

One item per organisation, incident and kind; repeated accesses raise its count rather than
flooding the queue. Items are due after REVIEW_DAYS; overdue ones stand out.

An item's note (`summary`) is a code the page words in the officer's language (review.js);
items stored before the codes keep their text, shown as written."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ems_app.hub import Hub
from ems_app.models import ReviewItem, User
from ems_app.services import audit
from shared.clock import aware, utcnow
from shared.errors import Refused

REVIEW_DAYS = 14

# Notes, as codes (review.js words them). A note may carry a parameter after a colon
# ("many_records_fetched:7", "attribute_search:no_match"), which the page shows beside its words.
VIEWED_UNDER_EXCEPTION = "viewed_under_emergency_exception"
VIEWED_AFTER_HANDOVER = "viewed_after_handover"
MANY_RECORDS_FETCHED = "many_records_fetched"                  # :how many, within the burst window
LOOKUP_ON_CLOSED_INCIDENT = "lookup_on_closed_incident"
SHARE_OPENED_UNDER_EXCEPTION = "share_opened_under_emergency_exception"
ATTRIBUTE_SEARCH = "attribute_search"                          # :the search's outcome


def flag(s: Session, organisation: str, incident_id: str, kind: str, summary: str) -> None:
    """Called inside the transaction that made the access, so the flag commits with it.
    `summary`: the note, a code the page words (VIEWED_UNDER_EXCEPTION...)."""
    item = s.scalars(select(ReviewItem).where(ReviewItem.organisation == organisation,
                                              ReviewItem.incident_id == incident_id,
                                              ReviewItem.kind == kind)).first()
    if item:
        item.accesses += 1
        return
    s.add(ReviewItem(organisation=organisation, incident_id=incident_id, kind=kind, summary=summary[:500],
                     due_at=utcnow() + timedelta(days=REVIEW_DAYS)))


def queue(hub: Hub, officer: User) -> list[dict]:
    now = utcnow()
    with hub.db.read() as s:
        items = s.scalars(select(ReviewItem).where(ReviewItem.organisation == officer.organisation)
                          .order_by(ReviewItem.decision.is_not(None), ReviewItem.due_at)).all()
        return [{"id": i.id, "incident_id": i.incident_id, "kind": i.kind, "summary": i.summary,
                 "accesses": i.accesses, "created_at": aware(i.created_at).isoformat(),
                 "due_at": aware(i.due_at).isoformat(), "overdue": i.decision is None and i.due_at < now,
                 "decision": i.decision, "comment": i.comment, "decided_by": i.decided_by} for i in items]


def decide(hub: Hub, officer: User, item_id: int, decision: str, comment: str) -> None:
    with hub.db.transaction() as s:
        item = s.get(ReviewItem, item_id)
        if item is None or item.organisation != officer.organisation:
            raise Refused(404, "no such review item", "not_found")
        if item.decision is not None:
            raise Refused(409, "already decided", "decided")
        item.decision, item.comment = decision, comment
        item.decided_by, item.decided_at = officer.username, utcnow()
        audit.append(s, hub.audit_key, actor=f"user:{officer.username}", action="review.decide",
                     incident_id=item.incident_id, detail={"item": item.id, "decision": decision})
