"""Opening an incident twice with the same key (a double tap on "new incident", a resend after a
lost answer) opens one incident; the key belongs to the crew, so another crew's same key is its own."""
from sqlalchemy import func, select

from ems_app.models import AuditEntry
from ems_app.services.enrolment import create_user
from tests.ems_app.conftest import PASSWORD, signed_in

KEY = "t0123456789abcdef0123456789abcdef"


def open_incident(client, **body):
    return client.post("/api/incidents", json={"chief_complaint": "胸痛 / chest pain", **body})


def opened(hub, incident_id: str) -> int:
    with hub.db.read() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.incident_id == incident_id, AuditEntry.action == "incident.open"))


def test_the_same_key_twice_returns_the_same_incident(crew, hub):
    first = open_incident(crew, client_id=KEY)
    again = open_incident(crew, client_id=KEY)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json["id"] == first.json["id"]
    assert [i["id"] for i in crew.get("/api/incidents").json] == [first.json["id"]]
    assert opened(hub, first.json["id"]) == 1  # audited once: the repeat opened nothing


def test_a_crewmate_repeating_the_key_gets_the_crews_incident(crew, hub_app):
    first = open_incident(crew, client_id=KEY)
    mate = signed_in(hub_app, "kyukyu2")  # same team and fire HQ: the same crew
    again = open_incident(mate, client_id=KEY)
    assert again.status_code == 200 and again.json["id"] == first.json["id"]


def test_another_crews_same_key_opens_its_own_incident(crew, hub_app):
    mine = open_incident(crew, client_id=KEY)
    other = signed_in(hub_app, "kyukyu9", team="osaka-3")
    theirs = open_incident(other, client_id=KEY)
    assert theirs.status_code == 201 and theirs.json["id"] != mine.json["id"]
    assert other.get(f"/api/incidents/{mine.json['id']}").status_code == 404  # and sees nothing of ours


def test_the_same_team_name_in_another_fire_hq_is_another_crew(crew, hub_app):
    mine = open_incident(crew, client_id=KEY)
    create_user(hub_app.extensions["hub"], "osaka1", "隊員 osaka1", "paramedic", "tokyo-1", PASSWORD,
                organisation="fire:osaka")
    other = hub_app.test_client()
    assert other.post("/api/auth/login", json={"username": "osaka1", "password": PASSWORD}).status_code == 200
    theirs = open_incident(other, client_id=KEY)
    assert theirs.status_code == 201 and theirs.json["id"] != mine.json["id"]


def test_a_key_is_checked_like_an_updates_and_without_one_each_press_is_new(crew):
    resp = open_incident(crew, client_id="no spaces!")
    assert resp.status_code == 400 and [f["field"] for f in resp.json["fields"]] == ["client_id"]
    assert crew.get("/api/incidents").json == []
    keyed = open_incident(crew, client_id=KEY)
    first, second = open_incident(crew), open_incident(crew)
    assert (keyed.status_code, first.status_code, second.status_code) == (201, 201, 201)
    assert len({keyed.json["id"], first.json["id"], second.json["id"]}) == 3


def test_a_repeat_racing_the_first_returns_the_first(crew, hub, monkeypatch):
    """Both requests looked before either committed: the second's insert meets the unique key
    and it answers with the first incident instead of a server error."""
    from ems_app.services import incidents
    first = open_incident(crew, client_id=KEY).json
    looked = incidents._opened_with
    calls = []

    def not_yet_committed(session, user, client_id):
        calls.append(client_id)
        return None if len(calls) == 1 else looked(session, user, client_id)

    monkeypatch.setattr(incidents, "_opened_with", not_yet_committed)
    again = open_incident(crew, client_id=KEY)
    assert again.status_code == 200 and again.json["id"] == first["id"] and len(calls) == 2
