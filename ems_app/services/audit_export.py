"""The audit trail as a FHIR R4 Bundle of AuditEvent resources, in the style of IHE BALP.

A privacy officer reviews emergency-exception accesses with tools that speak FHIR, so each
hub entry becomes one AuditEvent: what was done (type, subtype, action), when (recorded), how
it ended (outcome), who (agent), which system saw it (source.observer = the hub), which
incident (entity: the incident id only, never a card or patient identifier) and on what basis
(purposeOfEvent: consent -> TREAT, emergency exception -> ETREAT).

The export is itself verifiable: each AuditEvent carries the entry's hash, its previous hash
and the exact fields that were hashed (extension AUDIT_CHAIN). Anyone can check the events
link up; whoever holds the hub's audit key can recompute every HMAC (`verify_export`).
Exporting is itself audited ("audit.export"), and the export ends with that entry.

Validated in the tests with fhir.resources' R4B models: its default models are R5, whose
AuditEvent differs; R4B's AuditEvent is R4's."""
from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime

from sqlalchemy import select

from ems_app.hub import Hub
from ems_app.models import AuditEntry
from ems_app.services import audit
from shared.audit import entry_hash

BASE = "https://prearrival.invalid/fhir"
AUDIT_CHAIN = f"{BASE}/StructureDefinition/audit-chain"
ACTION_SYSTEM = f"{BASE}/CodeSystem/hub-audit-action"
DCM = "http://dicom.nema.org/resources/ontology/DCM"
ACT_REASON = "http://terminology.hl7.org/CodeSystem/v3-ActReason"
PATIENT_RECORD = {"system": DCM, "code": "110110", "display": "Patient Record"}
REST = {"system": "http://terminology.hl7.org/CodeSystem/audit-event-type", "code": "rest",
        "display": "RESTful Operation"}
PURPOSE = {"consent": {"system": ACT_REASON, "code": "TREAT", "display": "treatment"},
           "emergency_exception": {"system": ACT_REASON, "code": "ETREAT", "display": "Emergency Treatment"}}
INTERACTION = {"R": "read", "C": "create", "U": "update", "E": "operation"}

# What each hub action does to the record, as BALP's action code. Unlisted actions are E.
_ACTIONS = {"incident.open": "C", "share.create": "C", "grant.issue": "C", "hospital.enroll": "C",
            "basis.record": "U", "card.read": "U", "grant.revoke": "U", "grant.expire": "U",
            "incident.handover": "U", "incident.close": "U", "review.decide": "U",
            "hospital.accept": "U", "hospital.decline": "U", "hospital.user_view": "R",
            "share.open": "R", "share.attempt": "R", "access.refused": "R"}
_READS = ("record.", "updates.")
_FAILURES = (".refused", ".failed")  # share.attempt fails by its detail: ok=false
_ROLES = {"user": "EMS crew or hub user", "hospital": "hospital (grant holder)",
          "share": "holder of a share link", "system": "the hub itself (automatic)",
          "operator": "hub operator (command line)"}


def export(hub: Hub, *, since: datetime | None = None, actor: str = "operator") -> dict:
    """Record the export, then return the Bundle of every entry from `since` to that record.

    The record is appended first: on PostgreSQL that takes the chain's lock (on SQLite the
    transaction's process lock), so no entry can slip in between and leave a gap."""
    since = _utc_naive(since)
    with hub.db.transaction() as s:
        record = audit.append(s, hub.audit_key, actor=actor, action="audit.export",
                              detail={"since": since.isoformat() + "Z" if since else None,
                                      "format": "FHIR R4 Bundle/AuditEvent (IHE BALP)"})
        query = select(AuditEntry).where(AuditEntry.id <= record.id).order_by(AuditEntry.id)
        if since is not None:  # everything from the first entry at or after `since`: no holes
            first = s.scalar(select(AuditEntry.id).where(AuditEntry.at >= since).order_by(AuditEntry.id).limit(1))
            query = query.where(AuditEntry.id >= (first if first is not None else record.id))
        entries = list(s.scalars(query))
    return to_bundle(entries, hub.issuer)


def to_bundle(entries: list[AuditEntry], issuer: str) -> dict:
    return {"resourceType": "Bundle", "id": str(uuid.uuid4()), "type": "collection",
            "timestamp": datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "entry": [{"fullUrl": f"urn:uuid:{uuid.uuid5(uuid.NAMESPACE_URL, f'{issuer}/audit/{e.hash}')}",
                       "resource": audit_event(e, issuer)} for e in entries]}


def audit_event(e: AuditEntry, issuer: str) -> dict:
    code = _action_code(e.action)
    detail = e.detail or {}
    event = {
        "resourceType": "AuditEvent", "id": f"audit-{e.id}",
        "extension": [_chain(e)],
        "type": PATIENT_RECORD if code == "R" or e.action.startswith("identify.") else REST,
        "subtype": [{"system": "http://hl7.org/fhir/restful-interaction", "code": INTERACTION[code]},
                    {"system": ACTION_SYSTEM, "code": e.action}],
        "action": code,
        "recorded": e.at.isoformat() + "Z",  # stored as naive UTC
        "outcome": "4" if _failed(e.action, detail) else "0",
        "agent": [_agent(e.actor)],
        "source": {"site": "ems_app",
                   "observer": {"identifier": {"system": "urn:ietf:rfc:3986", "value": issuer},
                                "display": "PreArrival hub"},
                   "type": [{"system": "http://terminology.hl7.org/CodeSystem/security-source-type",
                             "code": "4", "display": "Application Server"}]},
    }
    if event["outcome"] != "0" and (detail.get("reason") or detail.get("result")):
        event["outcomeDesc"] = str(detail.get("reason") or detail.get("result"))
    if e.basis in PURPOSE:
        event["purposeOfEvent"] = [{"coding": [PURPOSE[e.basis]]}]
    entity: dict = {}
    if e.incident_id:
        entity["what"] = {"identifier": {"system": f"{BASE}/incident", "value": e.incident_id},
                          "display": f"incident {e.incident_id}"}
        entity["type"] = {"system": "http://terminology.hl7.org/CodeSystem/audit-entity-type",
                          "code": "2", "display": "System Object"}
    if detail:
        entity["detail"] = [{"type": str(k), "valueString": v if isinstance(v, str) else json.dumps(v, ensure_ascii=False)}
                            for k, v in sorted(detail.items()) if v is not None and v != ""]
    if entity.get("what") or entity.get("detail"):
        event["entity"] = [entity]
    return event


def verify_export(bundle: dict, key: bytes | None = None) -> int | None:
    """Index of the first AuditEvent that does not link to the one before it (or, given the key,
    whose HMAC does not match its fields), or None. The first event may start mid-chain."""
    previous = None
    for i, item in enumerate(bundle.get("entry", [])):
        chain = {x["url"]: next(v for k, v in x.items() if k.startswith("value"))
                 for x in _chain_of(item["resource"])}
        if previous is not None and chain.get("previousHash") != previous:
            return i
        if key is not None and entry_hash(key, chain.get("previousHash", ""),
                                          json.loads(chain.get("fields", "null")) or {}) != chain.get("hash"):
            return i
        previous = chain.get("hash")
    return None


def _chain(e: AuditEntry) -> dict:
    fields = json.dumps(audit._fields(e), sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                        default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v))
    return {"url": AUDIT_CHAIN, "extension": [
        {"url": "sequence", "valueInteger": e.id},
        {"url": "previousHash", "valueString": e.previous_hash},
        {"url": "hash", "valueString": e.hash},
        {"url": "fields", "valueString": fields}]}


def _chain_of(resource: dict) -> list[dict]:
    return next((x["extension"] for x in resource.get("extension", []) if x.get("url") == AUDIT_CHAIN), [])


def _action_code(action: str) -> str:
    if action in _ACTIONS:
        return _ACTIONS[action]
    return "R" if action.startswith(_READS) else "E"


def _failed(action: str, detail: dict) -> bool:
    return (action.endswith(_FAILURES) or detail.get("ok") is False
            or (action == "record.fetch" and detail.get("result", "fetched") != "fetched"))


def _agent(actor: str) -> dict:
    kind = actor.split(":", 1)[0]
    agent = {"who": {"identifier": {"system": f"{BASE}/actor", "value": actor}, "display": actor},
             "requestor": True, "role": [{"text": _ROLES.get(kind, kind)}]}
    if kind == "system":
        agent["type"] = {"coding": [{"system": DCM, "code": "110150", "display": "Application"}]}
    return agent


def _utc_naive(at: datetime | None) -> datetime | None:
    """The trail stores naive UTC; an aware `since` is converted, a naive one taken as UTC."""
    if at is None or at.tzinfo is None:
        return at
    return at.astimezone(UTC).replace(tzinfo=None)
