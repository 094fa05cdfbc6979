"""The PostgreSQL pool: a connection the server closed while it sat idle is replaced before use,
so the first request after a database restart does not fail. (PostgreSQL only: SQLite has no
server to restart. Runs in both passes against the development machine's PostgreSQL.)"""
import os
import time

import psycopg
import pytest
from sqlalchemy import exc, text

from shared.storage import make_engine

PG = os.environ.get("TEST_DATABASE_URL") or os.environ.get("PREARRIVAL_TEST_PG") \
    or "postgresql://postgres@127.0.0.1:5432/test"


def _pid_and_drop_it(engine) -> None:
    with engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    with psycopg.connect(PG, autocommit=True) as admin:  # as a restart or an idle timeout would
        admin.execute("SELECT pg_terminate_backend(%s)", (pid,))


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
