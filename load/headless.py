"""`python -m load.headless --profile P --run-time T`: start the system, run Locust headless on a
profile, write CSV under load/results/<date>-<commit>/ (as load.bench does), stop the system."""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from load.bench import PASSWORD, run_folder, start_system


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m load.headless")
    parser.add_argument("--profile", default="smoke")
    parser.add_argument("--run-time", default="1m")
    parser.add_argument("--layout", default="sqlite-1")
    parser.add_argument("--out", type=Path, help="folder for the CSV (default: load/results/<date>-<commit>)")
    args = parser.parse_args()
    args.out = args.out or run_folder()
    args.out.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="locust-") as tmp:
        system = start_system(args.layout, Path(tmp), hospitals=2)
        try:
            env = {**os.environ, "PREARRIVAL_PROFILE": args.profile, "PREARRIVAL_PASSWORD": PASSWORD,
                   "PREARRIVAL_HOSPITALS": ",".join(f"{h}={s.url}" for h, s in system.hospitals.items())}
            return subprocess.run([sys.executable, "-m", "locust", "-f", "load/locustfile.py", "--headless",
                                   "--run-time", args.run_time, "--host", system.hub.url, "--only-summary",
                                   "--csv", str(args.out / f"locust-{args.profile}")], env=env).returncode
        finally:
            system.stop()


if __name__ == "__main__":
    sys.exit(main())
