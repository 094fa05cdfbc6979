"""`python -m launcher [--dir instance]`: the whole system with demo data, on SQLite."""
from __future__ import annotations

import argparse
import signal
import sys
import time
from pathlib import Path

from launcher.system import System, describe


def demo_factors(system: System) -> str:
    """The second factor of the demo accounts that need one (docs/security.md, Second factor)."""
    from launcher.seed import seed_demo_factors
    lines = ["Second factor (physicians, privacy officers, analysts, medical control, admins): each has an",
             "authenticator-app secret for this demo. Add it to an authenticator app, or print the current code with",
             "  .venv/bin/python -m launcher.totp SECRET",
             "Passkeys work at http://localhost:<port> (a passkey is bound to a domain, not to 127.0.0.1)."]
    return "\n".join(lines + [f"  {line}" for line in seed_demo_factors(system)])


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m launcher")
    parser.add_argument("--dir", default="instance", help="where databases and keys live")
    parser.add_argument("--hub-port", type=int, default=5000)
    parser.add_argument("--hospital-ports", type=int, nargs="*", default=[5101, 5102])
    args = parser.parse_args()
    system = System(root=Path(args.dir).resolve(), hub_port=args.hub_port, hospital_ports=args.hospital_ports)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    try:
        system.start()
        print(describe(system), flush=True)
        print(demo_factors(system), flush=True)
        from launcher.seed import seed_demo_past_cases
        seed_demo_past_cases(system)  # the figures and case review have a year to show
        while all(s.proc.poll() is None for s in [system.hub, *system.hospitals.values()]):
            time.sleep(1)
        print("a server stopped; see the logs in", args.dir, file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        system.stop()


if __name__ == "__main__":
    sys.exit(main())
