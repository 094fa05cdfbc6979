"""Everything the hub pushes, in one place: to hospital gateways on /hospital, to crew tablets on /crew.

The services say what happened (`hub.notifier.grant_revoked(...)`); this class knows which
namespace and room that goes to and what the event carries, so a gateway's or a tablet's
author reads every event shape here. Without a Socket.IO server (CLI commands, services run
in-process) the hub holds a Notifier with no socketio, and every push is dropped."""
from __future__ import annotations

from flask_socketio import SocketIO

HOSPITAL_NS = "/hospital"
CREW_NS = "/crew"


def hospital_room(hospital_id: str) -> str:
    """A gateway joins only its own hospital's room."""
    return f"hospital:{hospital_id}"


def incident_room(incident_id: str) -> str:
    """The tablets following one incident (their crew's own)."""
    return f"incident:{incident_id}"


# Every crew tablet: what any crew may read (the ERs' acceptance status), nothing about a patient.
CREWS_ROOM = "crews"


class Notifier:
    def __init__(self, socketio: SocketIO | None = None):
        self.socketio = socketio

    # The two ways out. Tests replace these to see what would have been pushed.

    def send_to_hospital(self, event: str, payload: dict, room: str) -> None:
        if self.socketio is not None:
            self.socketio.emit(event, payload, to=room, namespace=HOSPITAL_NS)

    def send_to_crew(self, event: str, payload: dict, room: str) -> None:
        if self.socketio is not None:
            self.socketio.emit(event, payload, to=room, namespace=CREW_NS)

    # To a hospital's gateway.

    def inquiry(self, hospital_id: str, inquiry: dict) -> None:
        """Asked to take a patient: `routing.inquiry_payload`, nothing that identifies."""
        self.send_to_hospital("inquiry", inquiry, room=hospital_room(hospital_id))

    def inquiry_withdrawn(self, hospital_id: str, inquiry_id: str, incident_id: str,
                          reason: str = "accepted_elsewhere") -> None:
        """No longer open: another hospital accepted first, or the incident was closed (`reason`)."""
        self.send_to_hospital("inquiry_withdrawn", {"inquiry_id": inquiry_id, "incident_id": incident_id,
                                                    "reason": reason}, room=hospital_room(hospital_id))

    def grant(self, hospital_id: str, incident_id: str, token: str) -> None:
        """Also in the inquiry_answer ack; pushed too in case the ack is lost."""
        self.send_to_hospital("grant", {"incident_id": incident_id, "grant": token}, room=hospital_room(hospital_id))

    def grant_revoked(self, hospital_id: str, incident_id: str, reason: str) -> None:
        """Re-routed, closed or expired: the gateway purges the patient now."""
        self.send_to_hospital("grant_revoked", {"incident_id": incident_id, "reason": reason},
                              room=hospital_room(hospital_id))

    def grant_ends(self, hospital_id: str, incident_id: str, ends_at: int) -> None:
        """Handed over: the grant now ends at `ends_at` (epoch seconds)."""
        self.send_to_hospital("grant_ends", {"incident_id": incident_id, "ends_at": ends_at},
                              room=hospital_room(hospital_id))

    def update(self, hospital_id: str, message: dict) -> None:
        """A live update, already stored and numbered: `updates.as_message`."""
        self.send_to_hospital("update", message, room=hospital_room(hospital_id))

    # To the crew's tablets.

    def inquiry_changed(self, incident_id: str, inquiry_id: str, hospital_id: str, status: str,
                        reason: str | None) -> None:
        """A hospital answered (accepted or declined with a reason)."""
        self.send_to_crew("inquiry_changed", {"incident_id": incident_id, "inquiry_id": inquiry_id,
                                              "hospital_id": hospital_id, "status": status, "reason": reason},
                          room=incident_room(incident_id))

    def handed_over(self, incident_id: str, by: str) -> None:
        """The ER confirmed the handover."""
        self.send_to_crew("handed_over", {"incident_id": incident_id, "by": by}, room=incident_room(incident_id))

    def delivery(self, incident_id: str, state: dict) -> None:
        """How far the hospital got: delivered, seen, acknowledged (`delivery._state`)."""
        self.send_to_crew("delivery", {"incident_id": incident_id, **state}, room=incident_room(incident_id))

    def availability_changed(self, hospital_id: str, board: dict) -> None:
        """An ER set its acceptance status (`services/availability.board_of`): every tablet sorts
        its hospital list again."""
        self.send_to_crew("availability_changed", {"hospital_id": hospital_id, "availability": board},
                          room=CREWS_ROOM)

    def outcome(self, incident_id: str, outcome: dict) -> None:
        """The ER returned (or corrected) what became of the patient (`services/outcomes.as_payload`)."""
        self.send_to_crew("outcome", {"incident_id": incident_id, **outcome}, room=incident_room(incident_id))
