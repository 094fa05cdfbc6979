"""A fresh test database gets a copy of what the real migrations made, not the migrations again.

Nearly every test makes an app on a new, empty database, and the app migrates it on start: 15
Alembic revisions, SQLite's batch table rebuilds among them, were two fifths of the unit tests'
CPU time. The first empty database of each migration chain in a test process is migrated for
real and kept as the pattern:
- SQLite: each later one receives a page-for-page copy of it (SQLite's backup API);
- PostgreSQL: each later empty schema receives the statements the migrations sent, in order, in
  one transaction (names are unqualified: the connection's search_path picks the schema).
Then the real migrate runs as well and must find the database at head. So the schema a test
sees is exactly what the migrations make. A database that is not empty (an upgrade under test,
a restart) takes the real migrations only."""
from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from shared import storage


class MigratedCopies:
    """`migrate` stands in for shared.storage.migrate (tests/conftest.py puts it there)."""

    def __init__(self, folder: Path):
        self.folder, self.real_migrate = folder, storage.migrate
        self.lock = threading.Lock()
        self.sqlite: dict[str, sqlite3.Connection] = {}  # migrations folder -> a database at its head
        self.statements: dict[str, list] = {}            # migrations folder -> what they sent PostgreSQL

    def migrate(self, engine: Engine, migrations: Path) -> None:
        key = str(Path(migrations).resolve())
        if engine.dialect.name == "sqlite":
            self._copy_into(engine, key, migrations)
        elif engine.dialect.name == "postgresql" and self._schema_is_empty(engine):
            if key in self.statements:
                self._replay(engine, self.statements[key])
            else:
                self.statements[key] = self._recorded(engine, migrations)
        self.real_migrate(engine, migrations)

    def _copy_into(self, engine: Engine, key: str, migrations: Path) -> None:
        raw = engine.raw_connection()
        try:
            if raw.driver_connection.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]:
                return
            with self.lock:
                if key not in self.sqlite:
                    path = self.folder / f"{len(self.sqlite)}.db"
                    pattern = storage.make_engine(f"sqlite:///{path}")
                    self.real_migrate(pattern, migrations)
                    pattern.dispose()
                    self.sqlite[key] = sqlite3.connect(path, check_same_thread=False)
                self.sqlite[key].backup(raw.driver_connection)
        finally:
            raw.close()

    @staticmethod
    def _schema_is_empty(engine: Engine) -> bool:
        with engine.connect() as conn:
            return not conn.execute(text("SELECT count(*) FROM information_schema.tables "
                                         "WHERE table_schema = current_schema()")).scalar()

    def _recorded(self, engine: Engine, migrations: Path) -> list:
        sent: list = []

        def record(_conn, _cursor, statement, parameters, _context, executemany):
            sent.append((statement, parameters or None, executemany))

        event.listen(engine, "before_cursor_execute", record)
        try:
            self.real_migrate(engine, migrations)
        finally:
            event.remove(engine, "before_cursor_execute", record)
        return sent

    @staticmethod
    def _replay(engine: Engine, statements: list) -> None:
        raw = engine.raw_connection()
        try:
            cursor = raw.cursor()
            for statement, parameters, executemany in statements:
                (cursor.executemany if executemany else cursor.execute)(statement, parameters)
            raw.commit()
        finally:
            raw.close()

    def close(self) -> None:
        for connection in self.sqlite.values():
            connection.close()
