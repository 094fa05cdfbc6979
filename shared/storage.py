"""One way to open a database and bring it to the current schema, for both apps.

SQLite is the embedded default (one region, one machine); DATABASE_URL selects PostgreSQL.
DATABASE_SCHEMA lets several apps or test runs share one PostgreSQL database without
touching each other's tables."""
from __future__ import annotations

import functools
import re
import threading
import time
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event, exc, text

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


# A pooled connection idle this long is checked before it is used again (PostgreSQL may have
# restarted, or a firewall dropped it); one in steady use is not: checking every checkout cost a
# round trip on every transaction (docs/performance.md).
PING_AFTER_IDLE_S = 5.0


def make_engine(url: str, schema: str | None = None, ping_after_idle_s: float = PING_AFTER_IDLE_S,
                pool_size: int = 10) -> Engine:
    """pool_size: PostgreSQL connections each process keeps, and as many more for bursts; every
    process's 2 × pool_size together must stay under the server's max_connections (100 by default),
    or requests fail when the pools grow (docs/operations.md)."""
    if url.startswith("sqlite"):
        # Every request thread reads through its own pooled connection; a small pool makes a
        # writer that holds the write lock wait behind readers for a connection (seen in py-spy).
        engine = create_engine(url, hide_parameters=True, pool_size=32, max_overflow=128,
                               connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # SQLAlchemy's "begin" event below issues BEGIN itself
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            # A write transaction takes SQLite's write lock at BEGIN (IMMEDIATE), not at its first
            # write: two writers, in this process or another (a CLI next to the server), then
            # queue on the busy timeout instead of both reading the audit chain's head.
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if pool_size < 1:  # SQLAlchemy reads 0 as "no limit", which is what the setting exists to prevent
        raise ValueError(f"DATABASE_POOL_SIZE must be at least 1, not {pool_size}")
    connect_args = {}
    if schema:
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"DATABASE_SCHEMA {schema!r} is not a plain lower-case identifier")
        connect_args["options"] = f"-csearch_path={schema}"
    engine = create_engine(url, hide_parameters=True, pool_size=pool_size, max_overflow=pool_size,
                           connect_args=connect_args)
    _ping_when_idle(engine, ping_after_idle_s)
    if schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def _ping_when_idle(engine: Engine, idle_s: float) -> None:
    @event.listens_for(engine, "checkin")
    def _idle_from(_dbapi_conn, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _check(dbapi_conn, record, _proxy):
        if time.monotonic() - record.info.get("idle_since", time.monotonic()) < idle_s:
            return
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as e:  # closed by the server: the pool replaces it and tries again
            raise exc.DisconnectionError("idle connection closed by the server") from e


def migrate(engine: Engine, migrations: Path) -> None:
    """Upgrade to head; a database already there is only looked at. On PostgreSQL an advisory
    lock keeps parallel processes from racing."""
    cfg = _config(str(migrations))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(727001)"))
        if set(MigrationContext.configure(conn).get_current_heads()) == _heads(str(migrations)):
            return
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def _config(migrations: str) -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", migrations)
    return cfg


@functools.cache
def _heads(migrations: str) -> frozenset[str]:
    """The revisions a folder's migrations end at, read once per process: reading them loads every
    revision file, which took longer than checking a database already at head (every restart)."""
    return frozenset(ScriptDirectory.from_config(_config(migrations)).get_heads())


class Database:
    """An engine, a session factory and one rule for write transactions.

    SQLite allows one writer at a time: a write transaction begins IMMEDIATE, so writers wait
    their turn from the start. PostgreSQL needs nothing more than row locks."""

    def __init__(self, url: str, schema: str | None, migrations: Path, pool_size: int = 10):
        from sqlalchemy.orm import sessionmaker
        self.engine = make_engine(url, schema, pool_size=pool_size)
        self.migrations = migrations
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        # Within one process, writers queue on a lock (woken in turn) rather than on SQLite's
        # busy handler, which sleeps and polls; BEGIN IMMEDIATE still guards other processes.
        self.write_lock = threading.Lock() if self.engine.dialect.name == "sqlite" else None

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def migrate(self) -> None:
        migrate(self.engine, self.migrations)

    def read(self):
        return self.sessions()

    def transaction(self) -> "_WriteTransaction":
        return _WriteTransaction(self)

    def one_statement(self):
        """`with db.one_statement() as conn:` for a statement that is a whole transaction by itself
        (PostgreSQL, autocommit): no BEGIN and COMMIT round trips around it. Under load every round
        trip waits for a process to wake on each side (the updates' two writes, measured both ways:
        docs/performance.md)."""
        conn = self.engine.connect()
        conn.execution_options(isolation_level="AUTOCOMMIT")
        return conn

    def dispose(self) -> None:
        """Close the pool for good: background work (the session sweep) stops on `disposed`."""
        self.disposed = True
        self.engine.dispose()


class _WriteTransaction:
    """`with db.transaction() as session:` commits on success, rolls back on error, and always
    gives the process write lock back (a plain class: no generator whose clean-up could run late)."""

    def __init__(self, db: Database):
        self.db = db

    def __enter__(self):
        if self.db.write_lock is not None:
            self.db.write_lock.acquire()
        try:
            self.session = self.db.sessions()
            self.session.begin()
            self.session.connection(execution_options={"write": True})  # BEGIN IMMEDIATE on SQLite
        except BaseException:
            self._finish(ok=False)
            raise
        return self.session

    def __exit__(self, exc_type, exc, tb) -> None:
        self._finish(ok=exc_type is None)

    def _finish(self, ok: bool) -> None:
        try:
            session = getattr(self, "session", None)
            if session is not None:
                try:
                    if ok:
                        session.commit()
                    else:
                        session.rollback()
                finally:
                    session.close()
        finally:
            if self.db.write_lock is not None:
                self.db.write_lock.release()
