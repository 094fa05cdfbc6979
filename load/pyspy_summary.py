"""`python -m load.pyspy_summary DIR`: where each profiled process spent its samples.

Reads py-spy's raw (collapsed) stacks and prints, per process, the share of samples whose
stack passes through each of our functions and the top leaf frames: enough to name a
bottleneck in docs/performance.md without opening a flame graph."""
from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

IDLE = ("select", "wait", "poll", "sleep", "accept", "recv", "readinto", "_wait_for_tstate_lock")


def summarise(path: Path, top: int = 12) -> str:
    own, leaf, total, busy = Counter(), Counter(), 0, 0
    for line in path.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        n, frames = int(count), stack.split(";")
        total += n
        if any(word in frames[-1].split(" ")[0].lower() for word in IDLE):
            continue
        busy += n
        leaf[frames[-1]] += n
        for f in set(frames):
            if "/work/" in f or "prearrival" in f or f.split(" ")[-1].startswith(("(ems_app", "(hospital_app", "(shared", "(web")):
                own[f] += n
    lines = [f"## {path.stem}: {busy} busy of {total} samples ({100 * busy / max(total, 1):.0f}% busy)"]
    lines += [f"  {100 * n / max(busy, 1):5.1f}%  {f}" for f, n in own.most_common(top)]
    lines += ["  top leaf frames:"] + [f"  {100 * n / max(busy, 1):5.1f}%  {f}" for f, n in leaf.most_common(6)]
    return "\n".join(lines)


if __name__ == "__main__":
    for raw in sorted(Path(sys.argv[1]).rglob("*.raw")):
        print(summarise(raw))
