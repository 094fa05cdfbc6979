"""Serving an app and the backup commands, the same way for both apps."""
from __future__ import annotations

import argparse
import gc
import logging
import socket
import sys
from pathlib import Path

from flask import Flask


# What the Server header says: the software and versions behind it are nobody's business.
SERVER = "PreArrival"


def serve(app: Flask, host: str, port: int, name: str) -> None:
    # Request lines carry ids and share tokens (/s/<token>): they stay out of the logs.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    print(f"{name} listening on http://{host}:{port}/ (async mode {app.config['ASYNC_MODE']})", flush=True)
    # What start-up built (modules, models, compiled SQL) lives as long as the process. Left to the
    # cyclic collector, each of its full passes walks all of it with everything else waiting, the
    # largest single stall under load (docs/performance.md). Frozen, a full pass sees only new objects.
    gc.collect()
    gc.freeze()
    app.extensions["socketio"].run(app, host=host, port=port, allow_unsafe_werkzeug=True,
                                   use_reloader=False, log_output=False, **_no_delay_handler(app.config["ASYNC_MODE"]))


def _no_delay(sock) -> None:
    """Send each small frame (one update, one acknowledgement) at once. With Nagle's algorithm, a
    frame sent while the previous one is unacknowledged waits for the peer's delayed ACK, a delay
    that showed in the p99 at any load (docs/performance.md)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except OSError:  # not a TCP socket
        pass


def _no_delay_handler(async_mode: str) -> dict:
    """The server's connection handler, with TCP_NODELAY on every accepted connection and a
    Server header that names no software version."""
    if async_mode == "gevent":
        from gevent import pywsgi

        class Handler(pywsgi.WSGIHandler):
            def __init__(self, sock, *args, **kwargs):
                _no_delay(sock)
                super().__init__(sock, *args, **kwargs)
        return {"handler_class": Handler}
    from werkzeug.serving import WSGIRequestHandler

    class RequestHandler(WSGIRequestHandler):
        disable_nagle_algorithm = True  # socketserver's own switch, applied in setup()

        def version_string(self) -> str:
            return SERVER  # not "Werkzeug/3.1.9 Python/3.11.2" (gevent's server sends no Server header)
    return {"request_handler": RequestHandler}


def add_backup_commands(sub: argparse._SubParsersAction) -> None:
    backup = sub.add_parser("backup", help="write a consistent copy of the store to a file")
    backup.add_argument("--out", required=True, type=Path)
    restore = sub.add_parser("restore", help="replace the store with a backup (stop the app first)")
    restore.add_argument("--from", dest="source", required=True, type=Path)


def run_backup_command(args, cfg: dict) -> int:
    from shared import backup
    try:
        if args.command == "backup":
            backup.backup(cfg["DATABASE_URL"], cfg["DATABASE_SCHEMA"], args.out)
            print(f"backed up to {args.out}")
        else:
            backup.restore(cfg["DATABASE_URL"], cfg["DATABASE_SCHEMA"], args.source)
            print(f"restored from {args.source}")
    except (OSError, RuntimeError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0
