"""What staff at an open dashboard may ask over the socket: seen, handover, acknowledge, and the
state of the hospital's link to the hub.

Each event is checked the same way: who is asking (a signed-in member of staff, clinical for
seen and handover), then the payload, parsed strictly (a browser or script can send anything;
a seq must be a real sequence number, never True or a number the database cannot hold, and an
id text the database can hold, with no NUL and no lone surrogate). A check that fails raises
`Refused`; the namespace's one error handler (see `register`) turns it into the reply the
dashboard's callback gets."""
from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, TypeVar

from flask_socketio import ConnectionRefusedError, Namespace, join_room
from pydantic import AfterValidator, BaseModel, ConfigDict, Field, ValidationError

from hospital_app import store, visibility
from hospital_app.models import Staff
from hospital_app.realtime.dashboard import NS
from hospital_app.visibility import CLINICAL_ROLES, audience
from shared.errors import N_, Refused
from shared.problems import field_problems, storable
from shared.storage import Database
from web import login

if TYPE_CHECKING:
    from hospital_app.gateway import Gateway

NOT_HERE = N_("no such patient, or the grant has ended")
M = TypeVar("M", bound=BaseModel)


# Ids are 16 hex characters; a longer one matches no patient (not found, as it always was), and
# is cut so it never reaches a query or a log line whole.
IncidentId = Annotated[str, Field(min_length=1), AfterValidator(storable), AfterValidator(lambda value: value[:32])]


class AboutPatient(BaseModel):
    model_config = ConfigDict(strict=True)  # unknown fields are ignored, as they always were
    incident_id: IncidentId


class Seen(AboutPatient):
    seq: int = Field(ge=0, lt=2**63)  # the hub keeps it in a BIGINT


def parsed(model: type[M], data, event: str) -> M:
    """`data` as `model`, or a 400 naming each field that is wrong (worded as the hub's are)."""
    try:
        return model.model_validate(data)
    except ValidationError as e:
        raise Refused(400, "malformed %(event)s event", "invalid", event=event, fields=field_problems(e)) from None


class DashboardEvents(Namespace):
    def __init__(self, db: Database, gateway: Gateway):
        super().__init__(NS)
        self.db, self.gateway = db, gateway

    def _load_staff(self, uid: int) -> Staff | None:
        with self.db.read() as s:
            return s.get(Staff, uid)

    def _signed_in(self) -> Staff | None:
        return login.current_user(self._load_staff)

    def _staff(self, *roles: str) -> Staff:
        """Checked on every event, not only at connect: a desk dashboard is connected too, and
        may still not say 'seen' or hand a patient over."""
        staff = self._signed_in()
        if staff is None:
            raise Refused(403, "sign in first", "forbidden")
        if roles and staff.role not in roles:
            raise Refused(403, "your role may not do this", "forbidden")
        return staff

    def on_connect(self, _auth=None):
        staff = self._signed_in()
        if staff is None or staff.role == login.ADMIN:  # an administrator sees no patient
            raise ConnectionRefusedError("sign in first")
        login.track_socket()  # closed when its session ends (sign-out, revoke, timeout)
        join_room(audience(staff.role))  # its room gets what its role may see (Dashboard)

    def on_disconnect(self, *_):
        login.untrack_socket()

    # `data=None`: an event sent with no payload is refused as malformed, like any other.
    # `*_`: arguments after the payload are ignored, like unknown fields (one too many was a bug).
    def on_seen(self, data=None, *_):
        """A clinical dashboard has shown updates up to seq; the crew sees 'seen'. Never past the
        updates held here: a page cannot have shown what this hospital does not have, and a
        number beyond it would make every later update read 'seen' on the tablet as it is sent."""
        self._staff(*CLINICAL_ROLES)
        seen = parsed(Seen, data, "seen")
        held = store.last_seq(self.db, seen.incident_id)
        if held is None:
            raise Refused(404, NOT_HERE, "invalid")  # the code dashboards have always had for this
        if seen.seq > held:
            raise Refused(400, "seen past the updates held here (%(held)s)", "invalid", held=held)
        self.gateway.forward_seen(seen.incident_id, seen.seq)
        return {"ok": True}

    def on_hub_link(self, *_):
        """The hospital's link to the hub as it is now, asked by a dashboard as it (re)connects: it
        missed every change pushed before (Dashboard.hub_link), and one opened while the hub is out
        of reach must say so at once, not at the next change."""
        staff = self._staff()
        return visibility.shown("hub_link", self.gateway.link_state(), audience(staff.role))

    def on_handover(self, data=None, *_):
        """A physician or nurse confirms the patient has arrived and been handed over."""
        self._staff(*CLINICAL_ROLES)
        patient = parsed(AboutPatient, data, "handover")
        if store.last_seq(self.db, patient.incident_id) is None:
            raise Refused(404, NOT_HERE, "not_found")
        self.gateway.handover(patient.incident_id)
        return {"ok": True}

    def on_acknowledge(self, data=None, *_):
        """Someone at the ER (the desk too) acknowledged the new patient: every dashboard stops alerting."""
        staff = self._staff()
        patient = parsed(AboutPatient, data, "acknowledge")
        if not store.acknowledge(self.db, patient.incident_id, staff.display_name):
            raise Refused(404, NOT_HERE, "not_found")
        self.gateway.dashboard.acknowledged(patient.incident_id, staff.display_name)
        self.gateway.forward_acknowledged(patient.incident_id)
        return {"ok": True}
