"""Crew tablets on /crew: a tablet follows its incident to see what the hospital got.

The signed-in session cookie is checked at connect and again on every event (a session can
end while the socket stays open); a tablet follows only its own crew's incidents."""
from __future__ import annotations

from flask import current_app
from flask_socketio import ConnectionRefusedError, Namespace, join_room

from ems_app.notifier import CREWS_ROOM, incident_room
from ems_app.realtime.payloads import AboutIncident, parsed
from ems_app.services import incidents
from shared.errors import Refused
from web import login


def _paramedic():
    """The signed-in paramedic behind this socket's session cookie, or None."""
    from ems_app.api.auth import load_user
    user = login.current_user(load_user)
    return user if user is not None and user.role == "paramedic" else None


class CrewTablets(Namespace):
    def on_connect(self, _auth=None):
        if _paramedic() is None:
            raise ConnectionRefusedError("sign in first")
        login.track_socket()  # closed when its session ends (sign-out, revoke, timeout)
        join_room(CREWS_ROOM)  # the ERs' acceptance status, pushed as it changes (nothing about a patient)

    def on_disconnect(self, *_):
        login.untrack_socket()

    def on_follow(self, data=None, *_):
        """Join the incident's room: its delivery states and the hospitals' answers. No payload
        is refused as malformed; arguments after it are ignored, like unknown fields."""
        user = _paramedic()
        if user is None:
            raise Refused(401, "sign in first", "unauthenticated")
        incident_id = parsed(AboutIncident, data, "follow").incident_id
        hub = current_app.extensions["hub"]
        with hub.db.read() as s:
            incidents.load(s, user, incident_id)
        join_room(incident_room(incident_id))
        return {"ok": True}
