"""Every Socket.IO event of both apps, fuzzed: whatever a gateway, a tablet or a dashboard sends,
the sender hears back, the socket stays open and the server logs no error.

Schemathesis holds the HTTP side to its OpenAPI document (test_openapi_fuzz.py); sockets have
no such document, so here Hypothesis generates what a script could send each event of /hospital
(the gateway), /crew (a paramedic's tablet) and /dashboard (physician, nurse, clerk): no payload,
scalars of every JSON kind, text with NUL, lone surrogates or U+3000, deep nesting, lists of
2,000 items, the right fields with the wrong types, and well-formed events about incidents that
exist and that do not. Every reply must be the event's documented success or a refusal with a
known code. A handler that raised anything else used to leave a gateway waiting for an answer
that never came (the hub) or was logged as a bug (the hospital app).

In process, derandomized and bounded (about half a minute); FUZZ_EXAMPLES=500 digs deeper by
hand, and with TEST_DATABASE_URL on PostgreSQL too. A failure names the event, the role and the
payload that broke it; each crash found is kept below as a regression test of its own."""
from __future__ import annotations

import logging
import os
from datetime import datetime, timezone
from contextlib import contextmanager

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ems_app import create_app as create_hub
from ems_app.realtime.crew import CrewTablets
from ems_app.realtime.hospitals import HospitalGateways
from ems_app.services.hospital_access import ROLES as STAFF_ROLES
from ems_app.services.hospital_access import USER_ACTIONS
from ems_app.services.routing import DECLINE_REASONS
from hospital_app import create_app as create_hospital
from shared.availability import CAPABILITIES
from shared.schemas.outcome import DISPOSITIONS, SEVERITIES
from hospital_app import store
from hospital_app.realtime.events import DashboardEvents
from hospital_app.staff import create_staff
from tests.ems_app.conftest import accept, enrol, open_identified
from tests.ems_app.conftest import signed_in as crew_signed_in
from tests.hospital_app.conftest import PASSWORD
from tests.hospital_app.test_dashboard_access import BODY
from tests.hospital_app.test_dashboard_events import dashboard

HOSPITAL, CREW, DASHBOARD = "/hospital", "/crew", "/dashboard"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", 250))
FUZZ = settings(max_examples=EXAMPLES, derandomize=True, database=None, deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                       HealthCheck.filter_too_much])

# What a refusal over a socket may say; anything else ("internal" among them) is a bug.
KNOWN_CODES = {"invalid", "forbidden", "not_found", "no_grant", "unauthenticated", "closed", "not_pending",
               "not_open", "no_hospital", "hub_unreachable", "not_handed_over"}


# ---- the two apps, set up once: a patient each side, so well-formed events reach the domain ----

@pytest.fixture(scope="module")
def hub(module_database, tmp_path_factory):
    """The hub with an enrolled hospital that accepted one incident (a live grant, an update) and
    has an inquiry pending for another; its gateway and a paramedic's tablet connected."""
    app = create_hub({"EMS_INSTANCE": tmp_path_factory.mktemp("ems"), "EXPIRY_SWEEP_S": 0,
                      **module_database("socket-fuzz-ems")})
    hub = app.extensions["hub"]
    crew = crew_signed_in(app, "kyukyu1")
    hospital = enrol(hub, tmp_path_factory.mktemp("keys"), "tokyo-er")
    accepted, _grant = accept(crew, hub, hospital)
    crew.post(f"/api/incidents/{accepted}/updates", json={"kind": "note", "text": "経過"})
    asked = open_identified(crew)
    crew.post(f"/api/incidents/{asked}/record", json={})
    [inquiry] = crew.post(f"/api/incidents/{asked}/inquiries", json={"hospital_ids": [hospital.id]}).json
    socketio = app.extensions["socketio"]
    clients = {
        "gateway": socketio.test_client(app, namespace=HOSPITAL, auth={"assertion": hospital.assertion()}),
        "paramedic": socketio.test_client(app, namespace=CREW, flask_test_client=crew),
    }
    yield {"clients": clients, "incidents": [accepted, asked], "inquiries": [inquiry["inquiry_id"]]}
    clients["gateway"].disconnect(namespace=HOSPITAL)
    clients["paramedic"].disconnect(namespace=CREW)
    hub.db.dispose()


@pytest.fixture(scope="module")
def er(module_database, tmp_path_factory):
    """The hospital app (its gateway off: no hub here) with a stored patient and two updates, and
    a dashboard open for each role."""
    app = create_hospital({"HOSPITAL_INSTANCE": tmp_path_factory.mktemp("er"), "GATEWAY": "0",
                           **module_database("socket-fuzz-er")})
    db = app.extensions["db"]
    for role in ("physician", "nurse", "clerk"):
        create_staff(db, role, role, role, PASSWORD)
    store.save_patient(db, "grant-token", BODY)
    for seq in (1, 2):
        assert store.save_update(db, {"incident_id": BODY["incident_id"], "seq": seq, "kind": "note",
                                      "payload": {"text": f"経過 {seq}"}, "at": "2026-01-01T00:00:00Z"}) == "stored"
    clients = {role: dashboard(app, role) for role in ("physician", "nurse", "clerk")}
    yield {"clients": clients, "incidents": [BODY["incident_id"]], "inquiries": []}
    for client in clients.values():
        client.disconnect(namespace=DASHBOARD)
    db.dispose()


# ---- what a sender could send ----

def either(*strategies):
    """One of these, each as likely: st.one_of flattens nested one_ofs, and would give every kind
    of junk in `anything` the weight of a whole well-formed payload."""
    return st.sampled_from(strategies).flatmap(lambda strategy: strategy)


# Valid JSON that no database column can hold: the crash the fuzz found first.
UNSTORABLE = ["\x00", "inc1\x00", "\ud800", "\udfff", "inc1\udc80"]
ODD_TEXT = ["", " ", "\u3000", "\u3000inc1\u3000", "胸痛", "\u202einc1", "\ufeff", "x" * 10_000, "%(event)s",
            "%s%s%n", "{}", "null", "true", "-1", "NaN", "9" * 40, "' OR '1'='1", "<script>alert(1)</script>",
            "../../etc/passwd"]
texts = either(
    st.text(max_size=24),
    st.sampled_from(UNSTORABLE),
    st.sampled_from(ODD_TEXT),
    st.text(st.characters(categories=["Cs", "Cc", "Zs", "Lo", "Nd", "So"]), max_size=12),
)
# python-socketio drops a packet holding an integer of more than 100 characters before any
# handler sees it (engineio.json); the largest here are the largest that reach a handler.
HUGE = 10**99
numbers = st.one_of(
    st.integers(min_value=-2**70, max_value=2**70),
    st.sampled_from([0, -1, 2**31, 2**63 - 1, 2**63, -2**63 - 1, 2**64, HUGE, -(HUGE - 1)]),
    st.floats(allow_nan=True, allow_infinity=True),
)
scalars = st.one_of(st.none(), st.booleans(), numbers, texts)


def _nested(depth: int, as_dict: bool):
    value: object = "inc1"
    for _ in range(depth):
        value = {"incident_id": value} if as_dict else [value]
    return value


anything = st.one_of(
    scalars,
    st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(texts, inner, max_size=4),
                 max_leaves=12),
    st.builds(_nested, st.integers(min_value=2, max_value=300), st.booleans()),
    st.sampled_from([None, 0, "inc1", {}, [], {"incident_id": "inc1", "seq": 1}]).map(lambda item: [item] * 2_000),
)
wrong = either(st.sampled_from(UNSTORABLE), texts, anything)  # what a field may hold instead of its right value


def ids(known: list[str]):
    """A well-formed id: one that exists, or one that looks right and does not."""
    return st.sampled_from(known + ["0" * 16, "f" * 16, "inc1", "q" * 32, "x" * 40])


def with_extra_keys(well_formed):
    return st.builds(lambda extra, body: {**extra, **body}, st.dictionaries(texts, anything, max_size=3), well_formed)


def one_field_wrong(fields: dict):
    """Well-formed but for one field, of the wrong type or odd text."""
    return st.sampled_from(sorted(fields)).flatmap(lambda name: st.fixed_dictionaries({**fields, name: wrong}))


def shaped(fields: dict):
    """A dict with each field right, wrong or missing, and keys nobody asked for."""
    return with_extra_keys(st.fixed_dictionaries({}, optional={name: either(value, wrong)
                                                               for name, value in fields.items()}))


def payloads(fields: dict | None):
    """The event's arguments: none, one payload (well-formed, with extra keys, one field wrong,
    shaped or anything), or one argument too many."""
    if fields is None:  # an event that takes nothing
        one = anything
    else:
        well_formed = st.fixed_dictionaries(fields)
        one = either(well_formed, with_extra_keys(well_formed), one_field_wrong(fields), shaped(fields), anything)
    return either(st.just(()), st.tuples(one), st.tuples(one), st.tuples(one, anything))


seqs = st.one_of(st.integers(min_value=0, max_value=2**63 - 1), st.sampled_from([0, 1, 2, 2**31 - 1, 2**31]))
names = st.text(st.characters(exclude_characters="\x00"), max_size=40)  # valid text: no NUL, no surrogate
times = st.one_of(st.none(), st.datetimes().map(lambda at: at.isoformat()))


def events(incidents: list[str], inquiries: list[str]) -> dict[str, dict]:
    """Each namespace's events, with their fields as a well-formed payload has them (None: the
    event takes nothing). test_every_event_is_fuzzed keeps this in step with the handlers."""
    ack = {"incident_id": ids(incidents), "what": st.sampled_from(["delivered", "seen", "acknowledged"]),
           "seq": seqs}
    patient = {"incident_id": ids(incidents)}
    return {
        HOSPITAL: {
            "inquiry_answer": {"inquiry_id": ids(inquiries), "accept": st.booleans(), "answered_by": names,
                               "reason": st.one_of(st.sampled_from(DECLINE_REASONS), st.none())},
            "access": {"incident_id": ids(incidents), "role": st.sampled_from(STAFF_ROLES),
                       "action": st.sampled_from(USER_ACTIONS), "at": times},
            "ack": ack,
            "acks": ack,  # a list of these: see `arguments`
            "handover": patient,
            "pending": None,
            "availability": {"settings": st.lists(st.fixed_dictionaries({
                "capability": st.sampled_from(CAPABILITIES), "status": st.sampled_from(["available", "unavailable"]),
                "set_at": st.one_of(times, st.just(datetime.now(timezone.utc).isoformat()))}), max_size=3),
                "set_by": names},
            "outcome": {**patient, "severity": st.sampled_from(SEVERITIES), "disposition": st.sampled_from(DISPOSITIONS),
                        "diagnosis": st.fixed_dictionaries({"code": st.sampled_from(["I63.9", ""]), "display": names}),
                        "recorded_by": names},
        },
        CREW: {"follow": patient},
        DASHBOARD: {"seen": {**patient, "seq": seqs}, "handover": patient, "acknowledge": patient, "hub_link": None},
    }


def arguments(namespace: str, event: str, incidents: list[str], inquiries: list[str]):
    fields = events(incidents, inquiries)[namespace][event]
    if (namespace, event) != (HOSPITAL, "acks"):
        return payloads(fields)
    well_formed = st.fixed_dictionaries(fields)
    batch = either(st.lists(either(well_formed, shaped(fields)), max_size=6),
                   well_formed.map(lambda ack: [ack] * 1_000),
                   well_formed.map(lambda ack: [ack] * 1_001))
    return either(st.tuples(batch), payloads(fields))


# ---- what each reply may be ----

def ok(reply) -> bool:
    return reply == {"ok": True}


SUCCESS = {  # docs/api.md, "Socket.IO"
    "inquiry_answer": lambda r: set(r) in ({"inquiry_id", "incident_id", "status"},
                                           {"inquiry_id", "incident_id", "status", "grant", "expires_at"})
    and r["status"] in ("accepted", "declined"),
    "access": ok, "ack": ok, "handover": ok, "follow": ok, "seen": ok, "acknowledge": ok,
    "acks": lambda r: set(r) == {"ok", "changed"} and r["ok"] is True and type(r["changed"]) is int,
    "pending": lambda r: set(r) == {"inquiries", "grants"} and all(isinstance(r[k], list) for k in r),
    "hub_link": lambda r: set(r) == {"up", "down_since"} and isinstance(r["up"], bool),
    "availability": lambda r: set(r) == {"ok", "availability"} and r["ok"] is True,
    "outcome": lambda r: set(r) == {"ok", "outcome"} and r["ok"] is True,
}


def assert_answered(event: str, reply) -> None:
    assert isinstance(reply, dict), f"{event}: no acknowledgement, or not a dict: {reply!r}"
    if "error" not in reply:
        assert SUCCESS[event](reply), f"{event}: not its success shape: {reply!r}"
        return
    assert reply["error"] in KNOWN_CODES, f"{event}: unknown error code: {reply!r}"
    assert isinstance(reply["message"], str) and reply["message"], reply
    assert set(reply) <= {"error", "message", "fields"}, reply


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


@contextmanager
def no_error_logged():
    """Fails if anything logs at ERROR meanwhile (a handler's bug the error handler caught)."""
    errors = _Errors()
    root = logging.getLogger()
    root.addHandler(errors)
    try:
        yield
    finally:
        root.removeHandler(errors)
    assert not errors.records, [f"{r.name}: {r.getMessage()}" for r in errors.records]


def send(client, namespace: str, event: str, args: tuple):
    with no_error_logged():
        reply = client.emit(event, *args, namespace=namespace, callback=True)
    assert_answered(event, reply)
    assert client.is_connected(namespace), f"{event}: the socket was closed"
    return reply


# ---- the fuzz: every event, every role that may connect ----

ROLES = {HOSPITAL: ["gateway"], CREW: ["paramedic"], DASHBOARD: ["physician", "nurse", "clerk"]}
HANDLERS = {HOSPITAL: HospitalGateways, CREW: CrewTablets, DASHBOARD: DashboardEvents}
CASES = [(namespace, role, event) for namespace, roles in ROLES.items() for role in roles
         for event in events([], [])[namespace]]
HUB_CASES = [case for case in CASES if case[0] != DASHBOARD]
DASHBOARD_CASES = [case for case in CASES if case[0] == DASHBOARD]


def named(cases):
    return [f"{role}-{event}" for _, role, event in cases]


def test_every_event_is_fuzzed():
    """A new event gets its fields and its success shape here, or this fails."""
    for namespace, handlers in HANDLERS.items():
        handled = {name[3:] for name in dir(handlers) if name.startswith("on_")} - {"connect", "disconnect"}
        assert handled == set(events([], [])[namespace]), namespace
        assert handled <= set(SUCCESS), namespace


@pytest.mark.parametrize("namespace,role,event", HUB_CASES, ids=named(HUB_CASES))
@FUZZ
@given(data=st.data())
def test_hub_events_always_answer(hub, namespace, role, event, data):
    args = data.draw(arguments(namespace, event, hub["incidents"], hub["inquiries"]), label="args")
    send(hub["clients"][role], namespace, event, args)


@pytest.mark.parametrize("namespace,role,event", DASHBOARD_CASES, ids=named(DASHBOARD_CASES))
@FUZZ
@given(data=st.data())
def test_dashboard_events_always_answer(er, namespace, role, event, data):
    args = data.draw(arguments(namespace, event, er["incidents"], er["inquiries"]), label="args")
    send(er["clients"][role], namespace, event, args)


# ---- what the fuzz found, each kept as a plain test ----

def test_one_argument_too_many_is_ignored_like_an_unknown_field(hub, er):
    """It was a TypeError in the handler's call: the hub sent no reply, the hospital app logged a bug."""
    gateway, tablet = hub["clients"]["gateway"], hub["clients"]["paramedic"]
    accepted = hub["incidents"][0]
    assert send(gateway, HOSPITAL, "ack", ({"incident_id": accepted, "what": "seen", "seq": 0}, "extra")) == \
        {"ok": True}
    assert send(gateway, HOSPITAL, "ack", (None, None))["error"] == "invalid"
    assert send(gateway, HOSPITAL, "handover", ({"incident_id": "0" * 16}, {}))["error"] == "no_grant"
    assert send(tablet, CREW, "follow", ({"incident_id": accepted}, [1, 2])) == {"ok": True}
    doctor = er["clients"]["physician"]
    assert send(doctor, DASHBOARD, "acknowledge", ({"incident_id": er["incidents"][0]}, 1)) == {"ok": True}
    assert send(doctor, DASHBOARD, "seen", (None, None))["error"] == "invalid"


# Each event's text fields, as (event, payload with the text at `field`, field).
HUB_TEXT_FIELDS = [
    (HOSPITAL, "ack", lambda text: {"incident_id": text, "what": "seen", "seq": 1}, "incident_id"),
    (HOSPITAL, "ack", lambda text: {"incident_id": "0" * 16, "what": text, "seq": 1}, "what"),
    (HOSPITAL, "acks", lambda text: [{"incident_id": text, "what": "delivered", "seq": 1}], "0.incident_id"),
    (HOSPITAL, "access", lambda text: {"incident_id": text, "role": "nurse", "action": "view"}, "incident_id"),
    (HOSPITAL, "handover", lambda text: {"incident_id": text}, "incident_id"),
    (HOSPITAL, "inquiry_answer", lambda text: {"inquiry_id": text, "accept": False, "reason": "no_bed"}, "inquiry_id"),
    (HOSPITAL, "inquiry_answer", lambda text: {"inquiry_id": "0" * 16, "accept": True, "answered_by": text},
     "answered_by"),
    (CREW, "follow", lambda text: {"incident_id": text}, "incident_id"),
]
DASHBOARD_TEXT_FIELDS = [
    (DASHBOARD, "seen", lambda text: {"incident_id": text, "seq": 0}, "incident_id"),
    (DASHBOARD, "handover", lambda text: {"incident_id": text}, "incident_id"),
    (DASHBOARD, "acknowledge", lambda text: {"incident_id": text}, "incident_id"),
]


def text_cases(fields):
    return [pytest.param(namespace, event, payload, field, text, id=f"{event}-{field}-{ascii(text)}")
            for namespace, event, payload, field in fields for text in UNSTORABLE]


def assert_invalid_field(reply, field: str) -> None:
    assert reply["error"] == "invalid" and [f["field"] for f in reply["fields"]] == [field], reply


@pytest.mark.parametrize("namespace,event,payload,field,text", text_cases(HUB_TEXT_FIELDS))
def test_text_no_database_can_hold_is_invalid_at_the_hub(hub, namespace, event, payload, field, text):
    """A lone surrogate reached SQLite's encoder and a NUL PostgreSQL's text: a crash, no reply."""
    client = hub["clients"]["gateway" if namespace == HOSPITAL else "paramedic"]
    assert_invalid_field(send(client, namespace, event, (payload(text),)), field)


@pytest.mark.parametrize("namespace,event,payload,field,text", text_cases(DASHBOARD_TEXT_FIELDS))
def test_text_no_database_can_hold_is_invalid_at_the_dashboard(er, namespace, event, payload, field, text):
    """A NUL in an id reached PostgreSQL's text, and the dashboard got 'internal'."""
    assert_invalid_field(send(er["clients"]["physician"], namespace, event, (payload(text),)), field)


@pytest.mark.parametrize("event,payload", [
    ("ack", lambda seq: {"what": "delivered", "seq": seq}),
    ("ack", lambda seq: {"what": "seen", "seq": seq}),
    ("acks", lambda seq: [{"what": "delivered", "seq": seq}]),
])
def test_a_seq_past_the_integer_columns_is_invalid(hub, event, payload):
    """PostgreSQL refused 2**31 in the grant's INTEGER delivered_seq: a crash, no reply."""
    gateway, accepted = hub["clients"]["gateway"], hub["incidents"][0]

    def about(seq):
        body = payload(seq)
        for item in body if isinstance(body, list) else [body]:
            item["incident_id"] = accepted
        return body

    assert send(gateway, HOSPITAL, event, (about(2**31),))["error"] == "invalid"
    assert "error" not in send(gateway, HOSPITAL, event, (about(2**31 - 1),))
