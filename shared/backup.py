"""Backup and restore of an app's store, with each database's own consistent tool.

SQLite: the online backup API (a consistent copy while the app keeps writing).
PostgreSQL: pg_dump / pg_restore in custom format, limited to DATABASE_SCHEMA when one is set.
Keys and first-run secrets live in the instance directory: back that up too (the audit key
is needed to verify a restored audit trail), but separately, since it holds private keys."""
from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from sqlalchemy.engine import make_url


def backup(url: str, schema: str | None, out: Path) -> Path:
    if url.startswith("sqlite"):
        source = sqlite3.connect(make_url(url).database)
        try:
            target = sqlite3.connect(out)
            with target:
                source.backup(target)
            target.close()
        finally:
            source.close()
        return out
    cmd = ["pg_dump", "--format=custom", f"--file={out}", _libpq(url)]
    if schema:
        cmd.insert(1, f"--schema={schema}")
    subprocess.run(cmd, check=True, capture_output=True, text=True)
    return out


def restore(url: str, schema: str | None, source: Path) -> None:
    """Replace the store's contents with the backup's. Stop the app first."""
    if not source.exists():
        raise FileNotFoundError(f"no backup at {source}")
    if url.startswith("sqlite"):
        src = sqlite3.connect(source)
        try:
            target = sqlite3.connect(make_url(url).database)
            with target:
                src.backup(target)
            target.close()
        finally:
            src.close()
        return
    if schema:
        from shared.storage import make_engine
        from sqlalchemy import text
        engine = make_engine(url)
        with engine.begin() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        engine.dispose()
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", f"--dbname={_libpq(url)}", str(source)],
                   check=True, capture_output=True, text=True)


def _libpq(url: str) -> str:
    """postgresql+psycopg://… → postgresql://… for the command-line tools."""
    return str(make_url(url).set(drivername="postgresql").render_as_string(hide_password=False))
