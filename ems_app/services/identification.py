"""Who the patient is: card with photo, smartphone card, or (no card) the 4-attribute search.

Each mode is recorded on the incident; the smartphone card and the 4-attribute search are
flagged, and the search is allowed only under the emergency exception, exact match only,
rate-limited per user and per fire HQ, and goes to the privacy officer's review queue."""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta

from sqlalchemy import func, select

from ems_app.hub import Hub
from ems_app.models import AttributeSearch, Incident, User
from ems_app.services import audit, review
from ems_app.services.incidents import SOURCE_MESSAGES as _SOURCE_MESSAGES, actor, load
from shared.clock import utcnow
from shared.errors import FieldProblem, Refused
from shared.problems import CHECK_INPUT
from shared.schemas.incident import AttributeSearchIn, CardReadIn
from shared.sources import RecordSourceError

SEARCHES_PER_USER_HOUR = 3
SEARCHES_PER_HQ_HOUR = 30


def patient_ref(hub: Hub, card_id: str) -> str:
    """A stable pseudonym of the card, so 'who viewed my data' works after the card id is purged."""
    return hmac.new(hub.audit_key, f"patient-ref:{card_id}".encode(), hashlib.sha256).hexdigest()


def _identified(s, hub: Hub, user: User, incident: Incident, card_id: str, kind: str, mode: str,
                confirmation: str, flagged: bool) -> None:
    if incident.card_id is not None:
        raise Refused(409, "the patient is already identified", "identified")
    incident.card_id, incident.card_kind, incident.identification = card_id, kind, mode
    incident.patient_ref = patient_ref(hub, card_id)
    incident.identity_confirmation, incident.identity_flagged = confirmation, flagged
    audit.append(s, hub.audit_key, actor=actor(user), action="identify." + mode, incident_id=incident.id,
                 detail={"card_kind": kind, "confirmation": confirmation, "flagged": flagged})


def _open_and_unidentified(hub: Hub, user: User, incident_id: str) -> None:
    with hub.db.read() as s:
        incident = load(s, user, incident_id)
        if incident.status != "open":
            raise Refused(409, "incident is closed", "closed")
        if incident.card_id is not None:
            raise Refused(409, "the patient is already identified", "identified")


def identify(hub: Hub, user: User, incident_id: str, data: CardReadIn) -> Incident:
    """Read the card once. A photo card needs the crew's face check; a smartphone card has
    no photo, so the crew must say how identity was confirmed instead, and it is flagged."""
    _open_and_unidentified(hub, user, incident_id)  # the crew's own open incident, before any card lookup
    try:
        card = hub.source.read_card(data.card_id)
    except RecordSourceError as e:
        with hub.db.transaction() as s:
            load(s, user, incident_id)
            audit.append(s, hub.audit_key, actor=actor(user), action="identify.failed", incident_id=incident_id,
                         detail={"reason": e.code})
        raise Refused(503 if e.code == "source_unavailable" else 422,
                      _SOURCE_MESSAGES.get(e.code, e.code), e.code) from None
    # Beside the field it is about (the tablet binds `fields` to its inputs), not inside the text.
    if card.has_photo and not data.face_confirmed:
        raise Refused(400, CHECK_INPUT, "face_not_confirmed",
                      fields=[FieldProblem("face_confirmed", "confirm the card photo matches the patient")])
    if not card.has_photo and data.identity_confirmation is None:
        raise Refused(400, CHECK_INPUT, "identity_not_confirmed", fields=[FieldProblem(
            "identity_confirmation", "a smartphone card has no photo; record how identity was confirmed "
                                     "(family, id_document, verbal)")])
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if incident.status != "open":
            raise Refused(409, "incident is closed", "closed")
        if card.has_photo:
            _identified(s, hub, user, incident, card.card_id, card.kind, "card_photo", "face_photo", False)
        else:
            note = f"{data.identity_confirmation}: {data.identity_note}".rstrip(": ")
            _identified(s, hub, user, incident, card.card_id, card.kind, "smartphone", note, True)
    return incident


def identify_by_attributes(hub: Hub, user: User, incident_id: str, data: AttributeSearchIn) -> Incident:
    """No card: the flagged, rate-limited, audited 4-attribute fallback, under the emergency
    exception only, and only an exact single match identifies."""
    now = utcnow()
    _open_and_unidentified(hub, user, incident_id)
    with hub.db.transaction() as s:
        incident = load(s, user, incident_id, for_update=True)
        if (incident.basis or {}).get("kind") != "emergency_exception":
            raise Refused(409, "the 4-attribute search is allowed only under the emergency exception",
                          "needs_exception")
        since = now - timedelta(hours=1)
        mine = s.scalar(select(func.count()).select_from(AttributeSearch).where(
            AttributeSearch.user_id == user.id, AttributeSearch.at > since))
        hq = s.scalar(select(func.count()).select_from(AttributeSearch).where(
            AttributeSearch.organisation == user.organisation, AttributeSearch.at > since))
        if mine >= SEARCHES_PER_USER_HOUR or hq >= SEARCHES_PER_HQ_HOUR:
            audit.append(s, hub.audit_key, actor=actor(user), action="identify.attributes_refused",
                         incident_id=incident_id, detail={"reason": "rate_limited"})
            raise Refused(429, "4-attribute search limit reached (%(per_user)s/h per user, %(per_hq)s/h per fire HQ)",
                          "rate_limited", per_user=SEARCHES_PER_USER_HOUR, per_hq=SEARCHES_PER_HQ_HOUR)
        s.add(AttributeSearch(user_id=user.id, organisation=user.organisation))
    card, failure = None, None
    try:
        matches = hub.source.search_by_attributes(data.name_kana, data.birth_date, data.sex, data.address)
        if len(matches) == 1:
            card = hub.source.read_card(matches[0])
    except RecordSourceError as e:
        matches, failure = [], e
    outcome = failure.code if failure else {0: "no_match", 1: "match"}.get(len(matches), "several")
    with hub.db.transaction() as s:  # the search is on record whatever happens next
        audit.append(s, hub.audit_key, actor=actor(user), action="identify.attributes_search",
                     incident_id=incident_id, detail={"result": outcome})
        review.flag(s, user.organisation, incident_id, "attribute_search", f"{review.ATTRIBUTE_SEARCH}:{outcome}")
    if card is not None:
        with hub.db.transaction() as s:
            incident = load(s, user, incident_id, for_update=True)
            if incident.status != "open":
                raise Refused(409, "incident is closed", "closed")
            _identified(s, hub, user, incident, card.card_id, card.kind, "attributes", "4-attribute exact match", True)
    if outcome == "several":
        raise Refused(409, "several people match: identify another way", "several")
    if outcome == "no_match":
        raise Refused(422, "no exact match", "no_match")
    if failure:
        raise Refused(503, _SOURCE_MESSAGES.get(failure.code, failure.code), failure.code)
    return incident
