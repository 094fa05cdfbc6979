"""Servers forked from the forkserver behave as the processes they stand in for: each answers on
its own port with its own settings, stops on SIGTERM, and one that cannot start says so with
its exit code and its log."""
from __future__ import annotations

import signal

import pytest
import requests

from launcher.processes import Server


def hospital(tmp_path, name: str, **env) -> Server:
    return Server("hospital_app", {"HOSPITAL_INSTANCE": str(tmp_path / name), "GATEWAY": "0",
                                   "HOSPITAL_ID": name, "DATABASE_URL": f"sqlite:///{tmp_path / name}.db", **env})


def parent_of(pid: int) -> int:
    return int(open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[1])


def test_two_forked_servers_answer_apart_and_stop_on_sigterm(servers_forked, tmp_path):
    first, second = hospital(tmp_path, "first-er").start(), hospital(tmp_path, "second-er").start()
    try:
        assert first.proc.pid != second.proc.pid
        assert parent_of(first.proc.pid) == parent_of(second.proc.pid) == servers_forked.proc.pid
        for server in (first, second):
            assert requests.get(f"{server.url}/healthz", timeout=5).ok
        first.proc.send_signal(signal.SIGTERM)
        assert first.proc.wait(10) == -signal.SIGTERM
        with pytest.raises(requests.ConnectionError):
            requests.get(f"{first.url}/healthz", timeout=5)
        assert requests.get(f"{second.url}/healthz", timeout=5).ok  # the other one goes on
    finally:
        first.stop()
        second.stop()


def test_a_forked_server_that_cannot_start_says_so_with_its_log(servers_forked, tmp_path):
    broken = hospital(tmp_path, "broken-er", DATABASE_URL="nosuchdb://nowhere")
    with pytest.raises(RuntimeError, match=r"hospital_app exited with 1; see .*hospital_app-\d+\.log"):
        broken.start(timeout=30)
    assert "Traceback" in (tmp_path / "broken-er" / f"hospital_app-{broken.port}.log").read_text()
