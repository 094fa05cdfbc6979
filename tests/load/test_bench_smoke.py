"""The benchmark itself works: it starts the system, drives a small profile through real
servers and a bare relay, and reports an update stream with nothing lost, duplicated or out
of order. (Its speed figures are for docs/performance.md, not asserted here.)"""
import json
import subprocess
import sys

import pytest


@pytest.mark.slow
@pytest.mark.timeout(400)  # it starts a whole system and a relay: slow on a busy 2-core machine
def test_bench_smoke_profile_reports_a_complete_stream(tmp_path):
    done = subprocess.run([sys.executable, "-m", "load.bench", "--layouts", "sqlite-1", "--profile", "smoke",
                           "--duration", "4", "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads((tmp_path / "sqlite-1-smoke.json").read_text())
    step = result["steps"][0]
    assert step["update_to_dashboard_ms"]["n"] > 0 and result["setup_accept_to_record_ms"]["n"] == 20
    assert result["accept_to_record_ms"]["n"] >= 1  # new patients accepted while the stream runs
    assert (step["lost"], step["duplicated"], step["out_of_order"]) == (0, 0, 0)
    assert step["sent"] > 0 and step["rejected"] == 0 and step["failed"] == 0
    assert step["update_to_stored_ms"]["n"] == step["stored_to_dashboard_ms"]["n"] == step["update_to_dashboard_ms"]["n"]
    assert "machine" in step["resources"] and "load generator" in step["resources"]
    assert set(step["generator_gc"]) == {"full_passes", "max_ms"}  # the instrument's own stalls, reported
    assert result["floor"]["update_to_dashboard_ms"]["n"] > 0
    assert "update→dashboard" in done.stdout and "floor" in done.stdout
