"""Each ER's acceptance status by capability at the hub, and the crew's hospital list sorted by
what the patient needs.

The hospital's gateway sends what its staff set (realtime/hospitals.py `on_availability`), again
after every reconnect; a setting older than the one held is ignored, so a late resend never undoes
a newer tap. Every change goes to every crew tablet at once (Notifier.availability_changed). What
a capability says is decided here on each read (shared/availability.py): past AVAILABILITY_TTL_S
it is "unknown", whatever it was."""
from __future__ import annotations

from sqlalchemy import select

from ems_app.hub import Hub
from ems_app.models import Hospital, HospitalAvailability
from shared import availability as rules
from shared.clock import utcnow


def ttl_s(hub: Hub) -> int:
    return int(hub.settings.get("AVAILABILITY_TTL_S", rules.DEFAULT_TTL_S))


def report(hub: Hub, hospital_id: str, sent: rules.AvailabilityReport) -> dict:
    """Keep the hospital's settings that are newer than those held; tell the crews when any changed.
    Returns the hospital's board as it reads now."""
    changed = False
    with hub.db.transaction() as s:
        for setting in sent.settings:
            at = rules.naive_utc(setting.set_at)
            held = s.get(HospitalAvailability, (hospital_id, setting.capability))
            if held is not None and held.set_at >= at:
                continue
            held = held or HospitalAvailability(hospital_id=hospital_id, capability=setting.capability)
            held.status, held.set_at, held.set_by = setting.status, at, sent.set_by[:64]
            s.add(held)
            changed = True
    now_board = board_of(hub, hospital_id)
    if changed:
        hub.notifier.availability_changed(hospital_id, now_board)
    return now_board


def board_of(hub: Hub, hospital_id: str) -> dict:
    with hub.db.read() as s:
        rows = s.execute(select(HospitalAvailability.capability, HospitalAvailability.status,
                                HospitalAvailability.set_at)
                         .where(HospitalAvailability.hospital_id == hospital_id)).all()
    return rules.board(rows, utcnow(), ttl_s(hub))


def hospital_list(hub: Hub, online: set[str], need: str | None, latitude: float | None,
                  longitude: float | None) -> list[dict]:
    """Every enrolled hospital with whether its gateway is connected, its board, and its distance
    from where the crew is (when the tablet knows), in the order shared.availability.ranked gives."""
    now, ttl = utcnow(), ttl_s(hub)
    with hub.db.read() as s:
        hospitals = s.scalars(select(Hospital)).all()
        rows = s.execute(select(HospitalAvailability.hospital_id, HospitalAvailability.capability,
                                HospitalAvailability.status, HospitalAvailability.set_at)).all()
    held: dict[str, list] = {}
    for hospital_id, *row in rows:
        held.setdefault(hospital_id, []).append(row)
    listed = [{"id": h.id, "name": h.name, "address": h.address, "level": h.emergency_level,
               "latitude": h.latitude, "longitude": h.longitude, "online": h.id in online,
               "distance_km": rules.distance_km(latitude, longitude, h.latitude, h.longitude),
               "availability": rules.board(held.get(h.id, []), now, ttl)} for h in hospitals]
    return rules.ranked(listed, need)
