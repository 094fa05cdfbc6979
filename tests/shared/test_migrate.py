"""Migrating on start: an empty database is built to head, one a revision behind is brought to
head, and one already there is only looked at (every restart does this, and so does every test's
fresh database, copied from a migrated one)."""
import re
from pathlib import Path

import pytest
from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import event, inspect

import ems_app
# The real one: tests/conftest.py puts the migrated copies in its place for the apps' own calls.
from shared.storage import make_engine, migrate

MIGRATIONS = Path(ems_app.__file__).parent / "migrations"
CONFIG = Config()
CONFIG.set_main_option("script_location", str(MIGRATIONS))
HEAD = set(ScriptDirectory.from_config(CONFIG).get_heads())
WRITES = re.compile(r"\s*(CREATE|ALTER|DROP|INSERT|UPDATE|DELETE)\b", re.IGNORECASE)


@pytest.fixture
def engine(database):
    settings = database("ems")
    made = make_engine(settings["DATABASE_URL"], settings.get("DATABASE_SCHEMA"))
    yield made
    made.dispose()


def heads(engine) -> set[str]:
    with engine.connect() as conn:
        return set(MigrationContext.configure(conn).get_current_heads())


def statements_of(engine, action) -> list[str]:
    sent: list[str] = []

    def record(_conn, _cursor, statement, *_):
        sent.append(statement)
    event.listen(engine, "before_cursor_execute", record)
    try:
        action()
    finally:
        event.remove(engine, "before_cursor_execute", record)
    return sent


def test_an_empty_database_is_built_to_head_and_then_only_looked_at(engine):
    migrate(engine, MIGRATIONS)
    assert heads(engine) == HEAD and "incidents" in inspect(engine).get_table_names()
    again = statements_of(engine, lambda: migrate(engine, MIGRATIONS))
    assert again and not [s for s in again if WRITES.match(s)], again


def test_a_database_a_revision_behind_is_brought_to_head(engine):
    migrate(engine, MIGRATIONS)
    with engine.begin() as conn:
        CONFIG.attributes["connection"] = conn
        command.downgrade(CONFIG, "-1")
    assert heads(engine) != HEAD
    migrate(engine, MIGRATIONS)
    assert heads(engine) == HEAD
