"""The patient's page needs a one-time code sent to the contact the patient registered.

The card number and the birth date are printed on the card; alone they only send a code to the
patient's own phone or mailbox (the development outbox here, which the test reads as the patient
reads their SMS). The code opens the history once, within 10 minutes, with 5 tries, counted in
the database so a second hub process on the same database meets the same limit; only its hash is
stored; every failed look-up is in the trail by the card's pseudonym, never the card number."""
from __future__ import annotations

import re
import threading

import pytest
from sqlalchemy import select, update

from ems_app import create_app
from ems_app.models import AuditEntry, PatientCode
from ems_app.services import patient_codes
from ems_app.services.identification import patient_ref
from ems_app.services.outbox import FileOutbox
from shared.clock import utcnow
from tests.ems_app.patient_page import latest_code

CARD = "SIM-000002"  # registered a mobile phone (the simulator's contact.py)


def birth(hub, card=CARD) -> str:
    return hub.source.fetch(card).card.birth_date.isoformat()


def ask_code(client, hub, card=CARD, born=None):
    return client.post("/api/patient/code", json={"card_id": card, "birth_date": born or birth(hub, card)})


def outbox(hub) -> list[dict]:
    return FileOutbox(hub.settings["INSTANCE"] / "outbox").messages()


def trail(hub, action: str) -> list[AuditEntry]:
    with hub.db.read() as s:
        return list(s.scalars(select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def test_the_code_goes_to_the_registered_phone_and_opens_the_history_once(hub_app, hub):
    patient = hub_app.test_client()
    contact = hub.source.registered_contact(CARD)
    sent = ask_code(patient, hub)
    assert sent.status_code == 200, sent.json
    assert sent.json["channel"] == "sms" and sent.json["expires_in_s"] == 600
    assert re.fullmatch(r"0[789]0-\*\*\*\*-\d{4}", sent.json["sent_to"])
    assert sent.json["sent_to"] == contact.masked and contact.address not in str(sent.json)
    [message] = outbox(hub)
    assert message["to"] == contact.address and message["channel"] == "sms"
    code = latest_code(hub.settings["INSTANCE"])
    with hub.db.read() as s:  # hashed at rest: the code is nowhere in the row
        row = s.get(PatientCode, sent.json["challenge"])
        assert row.code_hash.startswith("scrypt$") and code not in row.code_hash and row.sent_to == contact.masked
    opened = patient.post("/api/patient/history", json={"challenge": sent.json["challenge"], "code": code})
    assert opened.status_code == 200 and opened.json == []  # nobody has looked at this patient yet
    again = patient.post("/api/patient/history", json={"challenge": sent.json["challenge"], "code": code})
    assert again.status_code == 401 and again.json["error"] == "code_spent"  # single use


def test_wrong_codes_are_counted_and_the_sixth_try_is_refused_even_with_the_right_code(hub_app, hub):
    patient = hub_app.test_client()
    patient.set_cookie("lang", "en")
    challenge = ask_code(patient, hub).json["challenge"]
    code = latest_code(hub.settings["INSTANCE"])
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    for left in (4, 3, 2, 1, 0):
        resp = patient.post("/api/patient/history", json={"challenge": challenge, "code": wrong})
        assert resp.status_code == 401 and resp.json["error"] == "wrong_code"
        assert f"{left} attempts left" in resp.json["message"]
    resp = patient.post("/api/patient/history", json={"challenge": challenge, "code": code})
    assert resp.status_code == 401 and resp.json["error"] == "code_spent"
    refusals = trail(hub, "patient.lookup_refused")
    assert [e.detail["step"] for e in refusals] == ["wrong_code"] * 5 + ["code_spent"]
    assert {e.detail["patient_ref"] for e in refusals} == {patient_ref(hub, CARD)}
    assert CARD not in str([(e.actor, e.detail) for e in trail(hub, "patient.code_sent") + refusals])


def test_an_expired_code_is_refused(hub_app, hub):
    patient = hub_app.test_client()
    challenge = ask_code(patient, hub).json["challenge"]
    with hub.db.transaction() as s:  # ten minutes have passed
        s.execute(update(PatientCode).where(PatientCode.id == challenge).values(expires_at=utcnow()))
    resp = patient.post("/api/patient/history",
                        json={"challenge": challenge, "code": latest_code(hub.settings["INSTANCE"])})
    assert resp.status_code == 401 and resp.json["error"] == "code_spent"


def test_a_wrong_birth_date_sends_nothing_and_is_audited_without_the_card_number(hub_app, hub):
    patient = hub_app.test_client()
    resp = ask_code(patient, hub, born="1900-01-01")
    assert resp.status_code == 401 and outbox(hub) == []
    [refused] = trail(hub, "patient.lookup_refused")
    assert refused.detail == {"patient_ref": patient_ref(hub, CARD), "step": "card_and_birth_date"}
    assert CARD not in str(refused.detail)


def test_a_patient_without_a_registered_contact_is_sent_to_the_national_portal(hub_app, hub):
    resp = ask_code(hub_app.test_client(), hub, card="SIM-EMPTY")
    assert resp.status_code == 409 and resp.json["error"] == "no_contact"
    assert "マイナポータル" in resp.json["message"] and outbox(hub) == []


def test_at_most_three_codes_in_fifteen_minutes(hub_app, hub):
    patient = hub_app.test_client()
    assert [ask_code(patient, hub).status_code for _ in range(4)] == [200, 200, 200, 429]
    assert len(outbox(hub)) == 3


@pytest.mark.parametrize("bad", [{"challenge": "x", "code": "12345"}, {"challenge": "x", "code": "１２３４５６"},
                                 {"challenge": "x" * 33, "code": "123456"}, {"card_id": "SIM-000002"}])
def test_malformed_requests_are_refused_plainly(hub_app, bad):
    assert hub_app.test_client().post("/api/patient/history", json=bad).status_code == 400


def test_two_hub_processes_share_one_attempt_limit(hub_app, hub, tmp_path):
    """A second app on the same database (as a second hub process is): 40 wrong guesses at once,
    spread over both, reserve exactly 5 attempts between them."""
    other = create_app({"EMS_INSTANCE": hub.settings["INSTANCE"], "EXPIRY_SWEEP_S": 0,
                        "DATABASE_URL": hub_app.config["DATABASE_URL"],
                        **({"DATABASE_SCHEMA": hub_app.config["DATABASE_SCHEMA"]}
                           if hub_app.config["DATABASE_SCHEMA"] else {})})
    try:
        sent = patient_codes.send_code(hub, CARD, hub.source.fetch(CARD).card.birth_date)
        code = latest_code(hub.settings["INSTANCE"])
        wrong = f"{(int(code) + 7) % 10**6:06d}"
        answers, start = [], threading.Barrier(8)

        def guess(app):
            client = app.test_client()
            start.wait()
            for _ in range(5):
                answers.append(client.post("/api/patient/history",
                                           json={"challenge": sent["challenge"], "code": wrong}).json["error"])

        threads = [threading.Thread(target=guess, args=(app,)) for app in [hub_app, other] * 4]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert sorted(answers).count("wrong_code") == 5 and answers.count("code_spent") == 35
        with hub.db.read() as s:
            assert s.get(PatientCode, sent["challenge"]).attempts == 5
    finally:
        other.extensions["hub"].db.dispose()
