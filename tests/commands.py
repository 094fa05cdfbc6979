"""An app's command line (`python -m ems_app …`, `python -m hospital_app …`) run the way a test
needs it: as a real subprocess, as an operator or a cron job runs it, or in the test's own
process through the same `main()`, for the many tamper checks whose subject is what the command
finds, not how Python starts (each subprocess costs a second or two of imports)."""
from __future__ import annotations

import contextlib
import importlib
import io
import os
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parents[1]


def run(app: str, env: dict, *args: str, subprocess_: bool = False):
    """`python -m <app> args` with these environment variables set (None: unset); an object with
    returncode, stdout and stderr either way."""
    full = {**os.environ, **env}
    full = {k: v for k, v in full.items() if v is not None}
    if subprocess_:
        return subprocess.run([sys.executable, "-m", app, *args], cwd=ROOT, env=full,
                              capture_output=True, text=True, timeout=60)
    main = importlib.import_module(f"{app}.__main__").main
    out, err, saved = io.StringIO(), io.StringIO(), dict(os.environ)
    os.environ.clear()
    os.environ.update(full)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as e:  # argparse's own refusals
                code = e.code if isinstance(e.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return SimpleNamespace(returncode=code or 0, stdout=out.getvalue(), stderr=err.getvalue())
