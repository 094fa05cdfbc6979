"""Every dashboard is told when the hospital's own link to the hub is down, and since when
(docs/clinical-safety.md H38).

The page's chip followed only its own socket to this app: with the gateway cut off from the hub
it still said "live" while no update could arrive. The gateway now pushes its link's state to
every dashboard as it changes (both rooms: the desk waits for updates too), and a dashboard that
connects asks for it (`hub_link`) and is answered with the state as it is."""
from datetime import datetime

from hospital_app.gateway import NS as HUB_NS
from tests.hospital_app.test_dashboard_events import NS, dashboard


def pushed(board) -> list[dict]:
    return [m["args"][0] for m in board.get_received(NS) if m["name"] == "hub_link"]


def asked(board) -> dict:
    return board.emit("hub_link", namespace=NS, callback=True)


def test_a_dashboard_that_connects_is_told_the_link_is_down_and_since_when(er_app):
    for who in ("doc", "clerk"):
        state = asked(dashboard(er_app, who))  # the gateway is not started here: never connected
        assert state["up"] is False and datetime.fromisoformat(state["down_since"])


def test_the_link_going_down_and_coming_back_is_pushed_to_every_dashboard(er_app):
    gateway = er_app.extensions["gateway"]
    gateway.events.put = lambda event: None  # the reconnect's resync is the lanes' (not started here)
    handlers = gateway.sio.handlers[HUB_NS]
    boards = [dashboard(er_app, who) for who in ("doc", "clerk")]
    handlers["connect"]()
    for board in boards:
        assert pushed(board) == [{"up": True, "down_since": None}] and asked(board) == {"up": True, "down_since": None}
    handlers["disconnect"]("transport close")
    [down] = pushed(boards[0])
    assert down["up"] is False and pushed(boards[1]) == [down]
    handlers["disconnect"]()  # told again, but down since the first moment it was lost, not the last retry
    assert pushed(boards[0]) == pushed(boards[1]) == [down]
    assert asked(dashboard(er_app, "doc")) == down  # opened while it is down: the same time
    handlers["connect"]()
    assert pushed(boards[1]) == [{"up": True, "down_since": None}]

