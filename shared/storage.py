"""One way to open a database and bring it to the current schema, for both apps.

SQLite is the embedded default (one region, one machine); DATABASE_URL selects PostgreSQL.
DATABASE_SCHEMA lets several apps or test runs share one PostgreSQL database without
touching each other's tables."""
from __future__ import annotations

import re
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import Engine, create_engine, event, text

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def make_engine(url: str, schema: str | None = None) -> Engine:
    if url.startswith("sqlite"):
        engine = create_engine(url, hide_parameters=True, connect_args={"timeout": 30,
                               "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    connect_args = {}
    if schema:
        if not _SCHEMA_NAME.match(schema):
            raise ValueError(f"DATABASE_SCHEMA {schema!r} is not a plain lower-case identifier")
        connect_args["options"] = f"-csearch_path={schema}"
    engine = create_engine(url, hide_parameters=True, pool_pre_ping=True, pool_size=10,
                           max_overflow=20, connect_args=connect_args)
    if schema:
        with engine.begin() as conn:
            conn.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    return engine


def migrate(engine: Engine, migrations: Path) -> None:
    """Upgrade to head. On PostgreSQL an advisory lock keeps parallel processes from racing."""
    cfg = Config()
    cfg.set_main_option("script_location", str(migrations))
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(727001)"))
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


class Database:
    """An engine, a session factory and one rule for write transactions.

    SQLite allows one writer at a time; holding a process lock for each write transaction
    turns 'database is locked' errors into a short wait. PostgreSQL needs no such lock."""

    def __init__(self, url: str, schema: str | None, migrations: Path):
        import threading

        from sqlalchemy.orm import sessionmaker
        self.engine = make_engine(url, schema)
        self.migrations = migrations
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._write_lock = threading.RLock() if self.engine.dialect.name == "sqlite" else None

    @property
    def is_postgres(self) -> bool:
        return self.engine.dialect.name == "postgresql"

    def migrate(self) -> None:
        migrate(self.engine, self.migrations)

    def read(self):
        return self.sessions()

    def transaction(self):
        from contextlib import contextmanager

        @contextmanager
        def scope():
            if self._write_lock:
                self._write_lock.acquire()
            try:
                with self.sessions() as session, session.begin():
                    yield session
            finally:
                if self._write_lock:
                    self._write_lock.release()
        return scope()

    def dispose(self) -> None:
        self.engine.dispose()
