"""`python -m load.simulator_bench`: how long the OQC simulator takes to make its population and to
answer a fetch, in this process.

Why: every hub and every test app starts a simulator, so making 600 patients must stay well under
half a second (the profiles only; dated histories are built on each fetch), and a fetch must stay
far below what the real OQC takes. The figures are printed, not asserted: a test run on a loaded
machine is no measure of speed."""
from __future__ import annotations

import argparse
import statistics
import time

from shared.sources.simulator import OqcSimulator, _population


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--patients", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=5, help="constructions timed, each from cold")
    args = parser.parse_args()

    made = []
    for seed in range(args.repeat):
        _population.cache_clear()  # each construction from cold, as a new process makes it
        started = time.perf_counter()
        sim = OqcSimulator(seed=seed, patients=args.patients)
        made.append(time.perf_counter() - started)
    fetches = []
    for card_id in [c for c in sim.cards() if c != "SIM-EXPIRED"]:
        started = time.perf_counter()
        sim.fetch(card_id)
        fetches.append(time.perf_counter() - started)
    fetches.sort()
    print(f"{args.patients} patients made in {statistics.median(made) * 1000:.0f} ms "
          f"(median of {args.repeat}; target under 500 ms)")
    print(f"fetch of each of {len(fetches)} records: median {statistics.median(fetches) * 1000:.1f} ms, "
          f"p99 {fetches[int(len(fetches) * 0.99)] * 1000:.1f} ms")


if __name__ == "__main__":
    main()
