"""The PostgreSQL pool: a connection the server closed while it sat idle is replaced before use,
so the first request after a database restart does not fail. PostgreSQL only (SQLite has no
server to restart): these run in the PostgreSQL pass, which CI requires (`./prearrival test`)."""
import os
import time

import psycopg
import pytest
from sqlalchemy import exc, text

from shared.storage import make_engine

PG = os.environ.get("TEST_DATABASE_URL")
pytestmark = pytest.mark.skipif(not PG, reason="PostgreSQL behaviour: runs in the PostgreSQL pass")


def _pid_and_drop_it(engine) -> None:
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    with psycopg.connect(PG, autocommit=True) as admin:  # as a restart or an idle timeout would
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        for _ in range(100):  # terminate only signals: wait until the backend has gone
            if not admin.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone():
                break
            time.sleep(0.02)


def test_an_idle_connection_closed_by_the_server_is_replaced_without_an_error():
    engine = make_engine(PG, ping_after_idle_s=0.2)
    try:
        _pid_and_drop_it(engine)
        time.sleep(0.3)
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()


def test_a_connection_in_steady_use_is_not_checked_so_a_drop_is_seen_once():
    """The price of not pinging every checkout: a drop within the idle window fails one use,
    after which the pool has replaced it."""
    engine = make_engine(PG, ping_after_idle_s=60)
    try:
        _pid_and_drop_it(engine)
        with pytest.raises(exc.OperationalError), engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        with engine.connect() as conn:
            assert conn.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
