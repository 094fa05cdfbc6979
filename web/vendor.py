"""Serve browser libraries installed by npm (package.json), so no third-party code is committed."""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, abort, send_from_directory

NODE_MODULES = Path(__file__).resolve().parent.parent / "node_modules"
FILES = {"socket.io.min.js": NODE_MODULES / "socket.io-client" / "dist"}

bp = Blueprint("vendor", __name__)


@bp.get("/vendor/<name>")
def vendor(name: str):
    """A vendored browser library (socket.io client)."""
    folder = FILES.get(name)
    if folder is None or not (folder / name).exists():
        abort(404, description=f"{name} is not installed; run ./prearrival start (npm install)")
    return send_from_directory(folder, name, max_age=3600)
