"""The floor: a bare python-socketio relay with no authentication, storage or audit.

`python -m load.relay --port P [--async-mode threading|gevent]` serves it; the benchmark sends
the same messages through it to the same number of dashboard clients, so our overhead is a
ratio measured in the same run on the same machine, not a guess."""
from __future__ import annotations

import argparse
import sys


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--async-mode", default="threading")
    args = parser.parse_args()
    if args.async_mode == "gevent":
        from gevent import monkey
        monkey.patch_all()
    from flask import Flask
    from flask_socketio import SocketIO, join_room

    app = Flask(__name__)
    sio = SocketIO(app, async_mode=args.async_mode, logger=False, engineio_logger=False)

    @app.get("/healthz")
    def healthz():
        return {"ok": True}

    @sio.on("connect", namespace="/dashboard")
    def connect(_auth=None):
        join_room("all")

    @sio.on("relay", namespace="/sender")
    def relay(data):
        sio.emit("update", data, to="all", namespace="/dashboard")

    print(f"relay on {args.port} ({args.async_mode})", flush=True)
    sio.run(app, host="127.0.0.1", port=args.port, allow_unsafe_werkzeug=True, log_output=False)


if __name__ == "__main__":
    sys.exit(main())
