"""`python -m launcher.gevent_run ems_app run …`: an app under gevent, patched before import.

gevent must monkey-patch the standard library before Flask, SQLAlchemy or psycopg are
imported; `python -m ems_app` imports the package first, so production starts here instead."""
from gevent import monkey

monkey.patch_all()

import os  # noqa: E402
import runpy  # noqa: E402
import sys  # noqa: E402


def main() -> None:
    if len(sys.argv) < 2 or sys.argv[1] not in ("ems_app", "hospital_app"):
        sys.exit("usage: python -m launcher.gevent_run ems_app|hospital_app run [--host H] [--port P]")
    os.environ["ASYNC_MODE"] = "gevent"
    module = sys.argv[1]
    sys.argv = [module, *sys.argv[2:]]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
