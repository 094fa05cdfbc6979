"""Secrets made on first run inside an instance directory (0600), never committed."""
from __future__ import annotations

import os
import secrets
from pathlib import Path


def first_run_secret(instance: Path, name: str) -> str:
    path = instance / name
    if not path.exists():
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:  # another process made it first
            return path.read_text().strip()
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32))
    return path.read_text().strip()
