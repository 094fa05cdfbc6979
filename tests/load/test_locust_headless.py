"""The documented Locust command runs a profile headless against a system it starts itself and
writes Locust's CSV: paramedics' requests succeed and dashboards report updates arriving."""
import csv
import subprocess
import sys

import pytest


@pytest.mark.slow
@pytest.mark.timeout(400)
def test_headless_smoke_profile_writes_csv_with_updates_arriving(tmp_path):
    done = subprocess.run([sys.executable, "-m", "load.headless", "--profile", "smoke", "--run-time", "25s",
                           "--out", str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-3000:]
    with open(tmp_path / "locust-smoke_stats.csv", newline="") as f:
        rows = {row["Name"]: row for row in csv.DictReader(f)}
    assert int(rows["/updates"]["Request Count"]) > 0 and rows["/updates"]["Failure Count"] == "0"
    assert int(rows["update→dashboard"]["Request Count"]) > 0
    assert int(rows["Aggregated"]["Failure Count"]) == 0
