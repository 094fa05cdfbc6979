"""Fixtures every test may use: a fresh real database per test, SQLite or PostgreSQL.

TEST_DATABASE_URL selects PostgreSQL; each database is then its own schema, dropped after
the test, so runs never see each other's rows."""
from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import text

from shared.storage import make_engine

PG_URL = os.environ.get("TEST_DATABASE_URL")


@pytest.fixture
def database(tmp_path):
    """make(name) -> the DATABASE_URL / DATABASE_SCHEMA settings of a new, empty database."""
    schemas: list[str] = []

    def make(name: str) -> dict:
        if PG_URL:
            schema = f"t_{name.replace('-', '_')}_{uuid.uuid4().hex[:10]}"
            schemas.append(schema)
            return {"DATABASE_URL": PG_URL, "DATABASE_SCHEMA": schema}
        return {"DATABASE_URL": f"sqlite:///{tmp_path / name}.db"}

    yield make
    if schemas:
        engine = make_engine(PG_URL)
        with engine.begin() as conn:
            for schema in schemas:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
