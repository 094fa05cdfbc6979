"""`python -m launcher.totp SECRET`: the current code of a demo account's authenticator, for
trying the demo without a phone (the launcher prints each demo account's secret)."""
from __future__ import annotations

import sys

import pyotp


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m launcher.totp SECRET", file=sys.stderr)
        return 2
    print(pyotp.TOTP(argv[0].strip().upper()).now())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
