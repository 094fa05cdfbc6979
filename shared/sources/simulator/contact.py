"""The contact each synthetic patient registered for one-time codes (the patient's page).

Why it exists: the patient's "who viewed my data" page sends a code to a contact the patient
registered before it opens, and the simulator must give its patients one, as the national
service would from what the patient registered in マイナポータル. Deterministic from the seed and
the card; most have a mobile phone, some an e-mail address, and SIM-EMPTY none at all (the page
then says so and points to マイナポータル). Phone numbers use the 070/080/090 mobile prefixes and
e-mail addresses the reserved example.jp domain: nothing here can reach a real person."""
from __future__ import annotations

from random import Random

from shared.sources import RegisteredContact

NO_CONTACT = ("SIM-EMPTY",)


def contact_of(seed: int, card_id: str) -> RegisteredContact | None:
    if card_id in NO_CONTACT:
        return None
    rng = Random(f"{seed}:{card_id}:contact")
    if rng.random() < 0.8:
        number = f"{rng.choice(('070', '080', '090'))}-{rng.randint(0, 9999):04d}-{rng.randint(0, 9999):04d}"
        return RegisteredContact(channel="sms", address=number, masked=mask_phone(number))
    address = f"{rng.choice(('sakura', 'hikari', 'midori', 'kaze', 'sora'))}{rng.randint(10, 9999)}@example.jp"
    return RegisteredContact(channel="email", address=address, masked=mask_email(address))


def mask_phone(number: str) -> str:
    """090-1234-5678 → 090-****-5678: the prefix and the last four, as Japanese services show."""
    head, _, rest = number.partition("-")
    return f"{head}-****-{rest[-4:]}"


def mask_email(address: str) -> str:
    """sakura123@example.jp → s***@example.jp"""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain}"
