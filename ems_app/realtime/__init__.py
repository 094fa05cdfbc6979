"""What gateways and tablets send the hub over Socket.IO: /hospital (realtime/hospitals.py) and
/crew (realtime/crew.py), one class each with a method per event.

A handler raises `Refused` wherever a check fails; the namespace's one error handler turns it
into the reply the sender's callback gets, so no handler catches its own. What the hub pushes
goes through ems_app/notifier.py."""
from __future__ import annotations

from flask_socketio import SocketIO

from ems_app.notifier import CREW_NS, HOSPITAL_NS
from ems_app.realtime.crew import CrewTablets
from ems_app.realtime.hospitals import HospitalGateways, connected_hospitals
from shared.errors import Refused
from web.http import reply

__all__ = ["connected_hospitals", "register"]


def refused(e: Exception) -> dict:
    """A refusal is the event's reply, in the sender's language. Anything else is a bug and goes
    on up, as it always has: python-socketio logs it and the sender gets no reply (so a gateway
    treats an inquiry answer's outcome as unknown, which is the truth)."""
    if isinstance(e, Refused):
        return reply(e)
    raise e


def register(socketio: SocketIO) -> None:
    socketio.on_namespace(HospitalGateways(HOSPITAL_NS))
    socketio.on_namespace(CrewTablets(CREW_NS))
    socketio.on_error(HOSPITAL_NS)(refused)
    socketio.on_error(CREW_NS)(refused)
