"""Every ER role gets its least data, over HTTP and over Socket.IO alike.

Each role signs in and opens a real dashboard socket; the gateway then does what the hub's events
make it do, so every push goes through the `Dashboard` notifier as it does in service, and the
HTTP routes are asked through the Flask test client. Each answer must carry exactly the fields
its role is granted. The desk's is also searched whole, serialized, for any clinical value: the
desk's inquiry once carried the latest vitals, and its ETA and complaint updates came whole, with
whatever else their payload held, while HTTP withheld them.

The payloads here carry fields no schema names (an inquiry's vitals and an update's payload are
any object, the record's identity and incident are stored as the hub sent them): a field nobody
was granted must reach nobody."""
import json
import re
import time

import pytest

from hospital_app import inquiry_store, store
from hospital_app.chores import Reassess
from hospital_app.hub_events import GrantEnds, GrantRevoked, Inquiry, InquiryWithdrawn, Update
from hospital_app.staff import create_staff
from tests.hospital_app.conftest import PASSWORD, signed_in
from tests.hospital_app.test_dashboard_events import dashboard

NS = "/dashboard"
ROLES = {"physician": "doc", "nurse": "nurse", "clerk": "clerk"}  # role -> who signs in
CLINICAL, DESK = ("physician", "nurse"), ("clerk",)

# Clinical values: none of them may appear anywhere in what the desk is sent.
HEART_RATE, CRITICAL, RECORD_ITEM, PLACE, NOTE = "173", "ワルファリン", "アムロジピン", "新宿区西新宿二丁目", "嘔吐あり"
CLINICAL_VALUES = (HEART_RATE, CRITICAL, RECORD_ITEM, PLACE, NOTE)
VITALS = {"heart_rate": int(HEART_RATE), "systolic_bp": 79, "taken_at": "2026-12-02T09:59:00Z"}

INQUIRY = {"inquiry_id": "q1", "incident_id": "inc1", "status": "pending", "asked_at": "2026-12-02T09:50:00+00:00",
           "chief_complaint": "胸痛", "age_band": "80s", "sex": "male", "eta_minutes": 12, "vitals": VITALS,
           "basis": "emergency_exception"}
BODY = {"incident_id": "inc1", "grant_expires_at": 4102444800, "basis": "emergency_exception",
        "record_status": "fetched",
        "patient": {"name": "山田 太郎", "kana": "ヤマダ タロウ", "birth_date": "1940-01-02", "sex": "male",
                    "address": "東京都新宿区"},
        "record": {"medications": [{"name": RECORD_ITEM}]}, "critical": {"anticoagulants": [CRITICAL]},
        "incident": {"chief_complaint": "胸痛", "location": PLACE, "eta_minutes": 12,
                     "eta_at": "2026-12-02T09:55:00Z", "last_seq": 0, "status": "open", "handed_over_at": None},
        "updates": []}
STORED = [("vitals", {"kind": "vitals", "vitals": VITALS}), ("note", {"kind": "note", "text": NOTE}),
          ("location", {"kind": "location", "text": PLACE})]

# Each kind of update as the hub may send it, with more in its payload than its kind needs.
UPDATES = {
    "vitals": {"kind": "vitals", "vitals": VITALS},
    "note": {"kind": "note", "text": NOTE},
    "location": {"kind": "location", "text": PLACE},
    "eta": {"kind": "eta", "eta_minutes": 9, "vitals": VITALS, "text": NOTE},
    "chief_complaint": {"kind": "chief_complaint", "text": "呼吸困難", "vitals": VITALS, "location": PLACE},
}


def pushes_update(kind: str):
    """The hub's next update of this kind reaches the gateway."""
    def push(app, gateway):
        gateway.lane_events["update"](Update(incident_id="inc1", seq=len(STORED) + 1, kind=kind,
                                             payload=UPDATES[kind], at="2026-12-02T10:00:04Z"))
    return push


def acknowledge(app, gateway):
    reply = dashboard(app, "clerk").emit("acknowledge", {"incident_id": "inc1"}, namespace=NS, callback=True)
    assert reply == {"ok": True}


# What makes the gateway push each event, as the hub's events (or a dashboard's) make it do.
PUSHES = {
    "inquiry": lambda app, gw: gw.lane_events["inquiry"](Inquiry(**INQUIRY)),
    "inquiry_changed": lambda app, gw: gw.lane_events["inquiry_withdrawn"](
        InquiryWithdrawn(incident_id="inc1", inquiry_id="q1")),
    "patient": lambda app, gw: gw.lane_events["grant_ends"](
        GrantEnds(incident_id="inc1", ends_at=int(time.time()) + 1800)),
    **{f"update:{kind}": pushes_update(kind) for kind in UPDATES},
    "acuity": lambda app, gw: gw.lane_events["reassess"](Reassess("inc1")),
    "patient_acknowledged": acknowledge,
    "patient_removed": lambda app, gw: gw.lane_events["grant_revoked"](
        GrantRevoked(incident_id="inc1", reason="closed")),
}

INQUIRY_DESK = {"inquiry_id", "incident_id", "status", "asked_at", "chief_complaint", "age_band", "sex",
                "eta_minutes"}
PATIENT_DESK = {"incident_id", "identity", "incident", "grant_expires_at", "last_seq", "acknowledged_by", "acuity"}
PATIENT_CLINICAL = PATIENT_DESK | {"basis", "record_status", "critical", "record", "updates"}
UPDATE_KEYS = {"incident_id", "seq", "kind", "payload", "at"}

# event -> (the keys clinical staff get, the keys the desk gets); None: not sent to that role at all.
KEYS = {
    "inquiry": (INQUIRY_DESK | {"vitals", "basis"}, INQUIRY_DESK),
    # the hospital keeps an inquiry's summary (inquiry_store.save_inquiry), not its newest vitals entry
    "stored inquiry": (INQUIRY_DESK | {"basis"}, INQUIRY_DESK),
    "inquiry_changed": ({"inquiry_id", "status", "reason"},) * 2,
    "patient": (PATIENT_CLINICAL, PATIENT_DESK),
    "update:vitals": (UPDATE_KEYS, None),
    "update:note": (UPDATE_KEYS, None),
    "update:location": (UPDATE_KEYS, None),
    "update:eta": (UPDATE_KEYS, UPDATE_KEYS),
    "update:chief_complaint": (UPDATE_KEYS, UPDATE_KEYS),
    "acuity": ({"incident_id", "acuity"}, None),
    "patient_acknowledged": ({"incident_id", "by"},) * 2,
    "patient_removed": ({"incident_id", "reason"},) * 2,
}
# Inside what the desk gets: only these.
DESK_INSIDE = {
    "patient": {"identity": {"name": "山田 太郎", "kana": "ヤマダ タロウ", "birth_date": "1940-01-02", "sex": "male"},
                "acuity": {"withheld": True}},
    "update:eta": {"payload": {"eta_minutes": 9}},
    "update:chief_complaint": {"payload": {"text": "呼吸困難"}},
}
DESK_INCIDENT = {"chief_complaint", "eta_minutes", "eta_at", "handed_over_at"}


@pytest.fixture
def held(er_app):
    """A patient with vitals, a note and a new location stored, and the inquiry that brought them."""
    db = er_app.extensions["db"]
    create_staff(db, "nurse", "nurse", "nurse", PASSWORD)
    inquiry_store.save_inquiry(db, INQUIRY)
    store.save_patient(db, "grant-token", BODY)
    for seq, (kind, payload) in enumerate(STORED, start=1):
        stored = {"incident_id": "inc1", "seq": seq, "kind": kind, "payload": payload,
                  "at": f"2026-12-02T10:00:0{seq}Z"}
        assert store.save_update(db, stored, in_order=True) == "stored"
    return er_app


def assert_least(role: str, what: str, answer: dict) -> None:
    """`answer` carries exactly what `role` may see of `what`, and the desk no clinical value."""
    clinical_keys, desk_keys = KEYS[what]
    assert set(answer) == (clinical_keys if role in CLINICAL else desk_keys)
    if role in CLINICAL:
        return
    for field, inside in DESK_INSIDE.get(what, {}).items():
        assert answer[field] == inside
    if what == "patient":
        assert set(answer["incident"]) <= DESK_INCIDENT and answer["incident"]["chief_complaint"] == "胸痛"
    serialized = json.dumps(answer, ensure_ascii=False)
    assert [value for value in CLINICAL_VALUES if carries(serialized, value)] == []


def carries(serialized: str, value: str) -> bool:
    """The value on its own, not as digits inside a time or a longer number: the heart rate 173
    can turn up among the digits of a time the desk may see (a fraction of a second, say)."""
    return re.search(rf"(?<![\d.:]){re.escape(value)}(?!\d)", serialized) is not None


@pytest.mark.parametrize("what", list(PUSHES))
@pytest.mark.parametrize("role", list(ROLES))
def test_each_push_carries_what_the_role_may_see(held, role, what):
    board = dashboard(held, ROLES[role])
    board.get_received(NS)
    PUSHES[what](held, held.extensions["gateway"])
    event = what.split(":")[0]
    pushed = [m["args"][0] for m in board.get_received(NS) if m["name"] == event]
    sent_to = KEYS[what][0 if role in CLINICAL else 1]
    if sent_to is None:
        assert pushed == []
        return
    [answer] = pushed
    assert_least(role, what, answer)


@pytest.mark.parametrize("route, what", [("/api/patients", "patient"), ("/api/patients/inc1", "patient"),
                                         ("/api/inquiries", "stored inquiry")])
@pytest.mark.parametrize("role", list(ROLES))
def test_each_http_answer_carries_what_the_role_may_see(held, role, route, what):
    resp = signed_in(held, ROLES[role]).get(route)
    assert resp.status_code == 200
    answers = resp.json if isinstance(resp.json, list) else [resp.json]
    [answer] = answers
    assert_least(role, what, answer)


@pytest.mark.parametrize("role", CLINICAL)
def test_clinical_staff_still_get_every_clinical_value(held, role):
    """The least for the desk takes nothing from the clinical view: each value is there."""
    board = dashboard(held, ROLES[role])
    PUSHES["patient"](held, held.extensions["gateway"])
    [patient] = [m["args"][0] for m in board.get_received(NS) if m["name"] == "patient"]
    answered = signed_in(held, ROLES[role]).get("/api/patients/inc1").json
    for view in (patient, answered):
        serialized = json.dumps(view, ensure_ascii=False)
        assert [value for value in CLINICAL_VALUES if value not in serialized] == []
        assert view["identity"] == BODY["patient"] and view["incident"]["location"] == PLACE
