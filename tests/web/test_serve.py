"""Both servers send small frames at once: every accepted connection has TCP_NODELAY, in the
gevent layout and in the embedded (threading) one. Without it a vital sign sent right after
another waited for the dashboard's delayed ACK, up to 40 ms."""
import socket
from types import SimpleNamespace

import pytest

from web.serve import _no_delay_handler


@pytest.fixture
def accepted():
    listener = socket.create_server(("127.0.0.1", 0))
    client = socket.create_connection(listener.getsockname())
    conn, addr = listener.accept()
    assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) == 0  # the kernel's default
    yield conn, addr
    for s in (conn, client, listener):
        s.close()


def test_the_gevent_server_accepts_with_nodelay(accepted):
    conn, addr = accepted
    _no_delay_handler("gevent")["handler_class"](conn, addr, SimpleNamespace())
    assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0


def test_the_embedded_server_accepts_with_nodelay(accepted):
    conn, addr = accepted
    handler_class = _no_delay_handler("threading")["request_handler"]
    handler = handler_class.__new__(handler_class)
    handler.request, handler.client_address, handler.server = conn, addr, SimpleNamespace()
    handler.setup()  # what the server runs first for each connection
    assert conn.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY) != 0
