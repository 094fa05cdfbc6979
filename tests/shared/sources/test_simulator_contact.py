"""The simulator's patients have the contact they registered for one-time codes: the same for the
same seed and card, masked for any page, never reaching a real person, and none for SIM-EMPTY."""
import re

import pytest

from shared.sources import CardNotFound
from shared.sources.simulator import OqcSimulator
from shared.sources.simulator.contact import mask_email, mask_phone


def test_contacts_are_deterministic_masked_and_fictional():
    first, again = OqcSimulator(patients=200), OqcSimulator(patients=200)
    contacts = [first.registered_contact(card) for card in first.cards() if card != "SIM-EMPTY"]
    assert contacts == [again.registered_contact(card) for card in again.cards() if card != "SIM-EMPTY"]
    phones = [c for c in contacts if c.channel == "sms"]
    mails = [c for c in contacts if c.channel == "email"]
    assert phones and mails and len(phones) > len(mails)  # most register a mobile phone
    for c in phones:
        assert re.fullmatch(r"0[789]0-\d{4}-\d{4}", c.address)
        assert c.masked == f"{c.address[:3]}-****-{c.address[-4:]}"
    for c in mails:
        assert c.address.endswith("@example.jp") and c.masked == f"{c.address[0]}***@example.jp"


def test_sim_empty_registered_none_and_an_unknown_card_is_not_found():
    simulator = OqcSimulator(patients=5)
    assert simulator.registered_contact("SIM-EMPTY") is None
    with pytest.raises(CardNotFound):
        simulator.registered_contact("SIM-999999")


def test_masks():
    assert mask_phone("090-1234-5678") == "090-****-5678"
    assert mask_email("sakura123@example.jp") == "s***@example.jp"
