"""Each hub app keeps its own gateways' presence alive, and its heartbeat ends with its last
gateway socket. Several apps share a process in the tests and in the embedded default's CLI; when
the sockets were one table for the whole process, an app's heartbeat ran for as long as any other
app had a gateway connected, refreshing sockets that were not its own."""
import time

from ems_app import create_app
from tests.ems_app.conftest import enrol

HOSPITAL = "/hospital"
TTL_S = 0.3  # a beat every 0.1 s


def app_with_gateway(database, tmp_path, name: str):
    app = create_app({"EMS_INSTANCE": tmp_path / name, "EXPIRY_SWEEP_S": 0, "GATEWAY_PRESENCE_TTL_S": TTL_S,
                      **database(name)})
    hospital = enrol(app.extensions["hub"], tmp_path / name, "tokyo-er")
    socketio = app.extensions["socketio"]
    client = socketio.test_client(app, namespace=HOSPITAL, auth={"assertion": hospital.assertion()})
    assert client.is_connected(HOSPITAL)
    namespace = socketio.server.namespace_handlers[HOSPITAL]
    return app, client, namespace


def beating_after(namespace, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while namespace._beating and time.monotonic() < deadline:
        time.sleep(0.05)
    return namespace._beating


def test_an_apps_heartbeat_ends_with_its_last_gateway_while_another_app_keeps_one(database, tmp_path):
    first, first_gateway, first_ns = app_with_gateway(database, tmp_path, "hub-a")
    second, second_gateway, second_ns = app_with_gateway(database, tmp_path, "hub-b")
    try:
        assert first_ns._online and second_ns._online and set(first_ns._online).isdisjoint(second_ns._online)
        second_gateway.disconnect(namespace=HOSPITAL)
        assert not second_ns._online
        assert beating_after(second_ns, 2.0) is False      # its own sockets are gone: it stops
        assert beating_after(first_ns, 0.5) is True        # the other app's gateway still counts
    finally:
        first_gateway.disconnect(namespace=HOSPITAL)
        assert beating_after(first_ns, 2.0) is False
        for app in (first, second):
            app.extensions["hub"].db.dispose()
