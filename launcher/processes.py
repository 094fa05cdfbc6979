"""Run an app as a real server process and wait until it answers; used by the demo launcher,
the end-to-end tests and the benchmarks alike."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, module: str, env: dict, port: int | None = None, log_dir: Path | None = None):
        self.module, self.env = module, env
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log_path = (log_dir or Path(env.get("EMS_INSTANCE") or env.get("HOSPITAL_INSTANCE") or "."))
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = 60) -> "Server":
        return self.launch().wait_ready(timeout)

    def launch(self) -> "Server":
        """Start the process without waiting, so several can import and migrate side by side."""
        self.log_path.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path / f"{self.module}-{self.port}.log", "ab")
        # Production mode runs under gevent, which must patch before the app is imported.
        entry = ["launcher.gevent_run", self.module] if self.env.get("ASYNC_MODE") == "gevent" else [self.module]
        self.proc = subprocess.Popen([sys.executable, "-m", *entry, "run", "--port", str(self.port)],
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
