"""What each ER role may be sent, written once: every HTTP answer and every Socket.IO push about
inquiries and patients takes its payload through `shown`.

Two audiences. Clinical staff (physicians and nurses) treat the patient and get all that the
grant lets this hospital see. The desk (clerks) prepares the registration before the patient
arrives, and gets only what that needs:
- before acceptance (an inquiry): the age band and sex (which chart to make ready), the chief
  complaint (the crew's one line that the registration and the arrival board go under), which
  ambulance unit asks, and the ETA and since when it stands (when). Not the vitals or their
  acuity, and not the basis: an emergency exception says the patient could not consent, a fact
  about their condition, and the desk does not answer inquiries. Nor the unit's callback number:
  it is for the clinician deciding, who may need to ask the crew before answering.
- once accepted (a patient): who is coming (name, kana, birth date, sex, and how the crew
  confirmed it: a weak confirmation is flagged for everyone who reads the name), the complaint,
  when (ETA, handover) and who acknowledged; the acuity is said to be withheld. Never the record,
  the critical facts, the vitals, the crew's notes or where the ambulance is.
- as it goes on (an update): a new ETA and a new complaint, each with its one field: what the
  desk's patient shows over HTTP, kept current alike. Nothing of any other kind.
This is what docs/privacy.md tells patients a clerk sees: name, birth date, sex, ETA, complaint.

Every rule is an allow-list: a field not named here reaches no one. A field the hub starts to
send (an inquiry's vitals and an update's payload are any object) shows nowhere until it is
decided here who may see it. The desk used to get the inquiry's vitals and each ETA or complaint
update whole over Socket.IO while HTTP withheld them: the rules were spread over the store and
the notifier, each written as what to leave out."""
from __future__ import annotations

from dataclasses import dataclass

CLINICAL, DESK = "clinical", "desk"
AUDIENCES = (CLINICAL, DESK)
CLINICAL_ROLES = ("physician", "nurse")


def audience(role: str) -> str:
    """A role's audience; a role not known to be clinical gets the desk's least."""
    return CLINICAL if role in CLINICAL_ROLES else DESK


WHOLE = "whole"  # the field as it is, whatever it holds: the role is granted all of it


@dataclass(frozen=True)
class Instead:
    """Said in place of a field, whether or not there is a value."""
    value: dict


def _fields(*names: str) -> dict:
    return dict.fromkeys(names, WHOLE)


# Never "no vitals": a clerk looking at a patient in shock must not read that.
ACUITY_WITHHELD = Instead({"withheld": True})

# `seq`: which of the crew's updates a copy includes, so a screen keeps the newer of two (H56).
_INQUIRY_DESK = _fields("inquiry_id", "incident_id", "status", "asked_at", "unit", "chief_complaint", "age_band",
                        "sex", "eta_minutes", "eta_at", "seq")
_PATIENT_DESK = {**_fields("incident_id", "grant_expires_at", "last_seq", "acknowledged_by"),
                 "identity": _fields("name", "kana", "birth_date", "sex", "identification", "identity_flagged"),
                 "incident": _fields("chief_complaint", "eta_minutes", "eta_at", "handed_over_at"),
                 "acuity": ACUITY_WITHHELD}
_UPDATE_HEAD = _fields("incident_id", "seq", "kind", "at")
ANY_KIND = "*"

# thing (the push's event name) -> audience -> the fields it may carry; None: not sent at all.
# An update's rule is chosen by its kind.
RULES: dict[str, dict[str, dict | None]] = {
    # `vitals`: the newest entry alone, as an older hub sent it; `acuity` is every measure's latest.
    # `callback`: the unit's phone, for whoever decides and may need to ask the crew first.
    "inquiry": {CLINICAL: {**_INQUIRY_DESK, **_fields("vitals", "acuity", "basis", "callback")}, DESK: _INQUIRY_DESK},
    "inquiry_changed": dict.fromkeys(AUDIENCES, _fields("inquiry_id", "status", "reason")),
    "patient": {CLINICAL: {**_fields("incident_id", "identity", "incident", "basis", "record_status",
                                     "grant_expires_at", "last_seq", "acknowledged_by",
                                     "critical", "record", "updates", "acuity")},
                DESK: _PATIENT_DESK},
    "update": {CLINICAL: {ANY_KIND: {**_UPDATE_HEAD, "payload": WHOLE}},
               DESK: {"eta": {**_UPDATE_HEAD, "payload": _fields("eta_minutes")},
                      "chief_complaint": {**_UPDATE_HEAD, "payload": _fields("text")}}},
    "acuity": {CLINICAL: _fields("incident_id", "acuity"), DESK: None},
    "patient_acknowledged": dict.fromkeys(AUDIENCES, _fields("incident_id", "by")),
    "patient_removed": dict.fromkeys(AUDIENCES, _fields("incident_id", "reason")),
    # The hospital's own link to the hub: while it is down no update can arrive, whatever the page's link says.
    "hub_link": dict.fromkeys(AUDIENCES, _fields("up", "down_since")),
    # What this ER returned to the fire service (severity, diagnosis, disposition): clinical. The
    # desk registers the patient and is never shown it, over HTTP or here, not even that one exists.
    "outcome": {CLINICAL: _fields("incident_id", "outcome", "versions"), DESK: None},
}


def shown(thing: str, data: dict, to: str) -> dict | None:
    """What the audience `to` may be sent of `data` (a `thing` of RULES); None: nothing at all."""
    rule = RULES[thing].get(to)
    if thing == "update" and rule is not None:
        rule = rule.get(data.get("kind"), rule.get(ANY_KIND))
    return None if rule is None else _kept(data, rule)


def _kept(value, rule):
    if rule == WHOLE:
        return value
    if not isinstance(value, dict):  # a shape this rule does not grant: none of it
        return None
    kept = {}
    for name, inner in rule.items():
        if isinstance(inner, Instead):
            kept[name] = dict(inner.value)
        elif name in value:
            kept[name] = _kept(value[name], inner)
    return kept
