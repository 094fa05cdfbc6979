"""Run an app as a real server process and wait until it answers; used by the demo launcher,
the end-to-end tests and the benchmarks alike."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    # Where servers come from when set (the end-to-end tests set it): forked from a process that
    # has imported both apps already (launcher/forkserver.py), instead of a new interpreter each.
    forkserver: "Forkserver | None" = None

    def __init__(self, module: str, env: dict, port: int | None = None, log_dir: Path | None = None):
        self.module, self.env = module, env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = (log_dir or Path(env.get("EMS_INSTANCE") or env.get("HOSPITAL_INSTANCE") or "."))
        self.log_file = self.log_path / f"{self.module}-{self.port}.log"  # its output, all of it
        self.proc: subprocess.Popen | Forked | None = None

    def start(self, timeout: float = 60) -> "Server":
        return self.launch().wait_ready(timeout)

    def launch(self) -> "Server":
        """Start the process without waiting, so several can import and migrate side by side."""
        self.log_path.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_file, "ab")
        # Production mode runs under gevent, which must patch before the app is imported.
        gevent = self.env.get("ASYNC_MODE") == "gevent"
        argv = ["run", "--port", str(self.port)]
        if self.forkserver is not None and not gevent and self.module in Forkserver.MODULES:
            self.proc = self.forkserver.start(self.module, argv, {**os.environ, **self.env}, self._log.name)
            return self
        entry = ["launcher.gevent_run", self.module] if gevent else [self.module]
        self.proc = subprocess.Popen([sys.executable, "-m", *entry, *argv],
                                     env={**os.environ, **self.env}, stdout=self._log, stderr=subprocess.STDOUT)
        return self

    def wait_ready(self, timeout: float = 60) -> "Server":
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"{self.module} exited with {self.proc.returncode}; see {self._log.name}")
            try:
                if requests.get(f"{self.url}/healthz", timeout=1).ok:
                    return self
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        self.stop()
        raise RuntimeError(f"{self.module} did not answer within {timeout}s; see {self._log.name}")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        if getattr(self, "_log", None):
            self._log.close()

    def kill(self) -> None:
        """Die like a crash: no clean shutdown."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(5)


class Forkserver:
    """The launcher's end of launcher/forkserver.py: start() -> a Forked server process."""
    MODULES = ("ems_app", "hospital_app")  # what it has imported

    def __init__(self):
        self.proc = subprocess.Popen([sys.executable, "-m", "launcher.forkserver"],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.changed = threading.Condition()
        self.pids: dict[int, int] = {}    # request id -> pid
        self.exits: dict[int, int] = {}   # pid -> exit code
        self.requests, self.closed = 0, False
        threading.Thread(target=self._read, daemon=True, name="forkserver").start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            answer = json.loads(line)
            with self.changed:
                if "exited" in answer:
                    self.exits[answer["exited"]] = answer["code"]
                else:
                    self.pids[answer["id"]] = answer["pid"]
                self.changed.notify_all()
        with self.changed:  # the forkserver is gone: nothing more will be heard of its servers
            self.closed = True
            self.changed.notify_all()

    def start(self, module: str, argv: list[str], env: dict, log: str) -> "Forked":
        with self.changed:
            self.requests += 1
            request = self.requests
            self.proc.stdin.write(json.dumps({"id": request, "module": module, "argv": argv, "env": env,
                                              "cwd": os.getcwd(), "log": log}).encode() + b"\n")
            self.proc.stdin.flush()
            if not self.changed.wait_for(lambda: request in self.pids or self.closed, timeout=30):
                raise RuntimeError("the forkserver did not answer")
            if request not in self.pids:
                raise RuntimeError(f"the forkserver ended with {self.proc.poll()}")
            return Forked(self, self.pids[request])

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(10)


class Forked:
    """A server the forkserver started, handled as a subprocess.Popen is (what Server uses of it)."""

    def __init__(self, forkserver: Forkserver, pid: int):
        self.forkserver, self.pid = forkserver, pid

    @property
    def returncode(self) -> int | None:
        return self.forkserver.exits.get(self.pid)

    def poll(self) -> int | None:
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        with self.forkserver.changed:
            if not self.forkserver.changed.wait_for(lambda: self.pid in self.forkserver.exits
                                                    or self.forkserver.closed, timeout):
                raise subprocess.TimeoutExpired(f"server {self.pid}", timeout)
        return self.returncode

    def send_signal(self, sig: int) -> None:
        if self.returncode is None:
            os.kill(self.pid, sig)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)
