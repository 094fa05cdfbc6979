"""`python -m load.plot RESULTS_DIR OUT.png`: latency percentiles against update rate, per layout,
from the benchmark's sweep results in one `load/results/<date>-<commit>/` folder (one day, one
machine, one commit: curves from different days would not be comparable), and the bare relay's
floor at the first step."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main(results: Path, out: Path) -> None:
    fig, ax = plt.subplots(figsize=(8, 5))
    floors = []
    for i, path in enumerate(sorted(results.glob("*-sweep.json"))):
        r = json.loads(path.read_text())
        steps = [s for s in r["steps"] if s["update_to_dashboard_ms"].get("n")]
        rates = [s["rate_per_s"] for s in steps]
        for q, style in (("p50", ":"), ("p99", "-")):
            ax.plot(rates, [s["update_to_dashboard_ms"][q] for s in steps], style, marker="o", color=f"C{i}",
                    label=f"{r['layout']} {q}")
        floors.append(r["floor"]["update_to_dashboard_ms"].get("p50", 0))
    if floors:
        ax.axhline(max(floors), color="gray", linestyle="--", linewidth=0.8,
                   label=f"bare relay p50 (≈ {max(floors):.1f} ms)")
    ax.axhline(250, color="red", linewidth=0.8, label="p99 target at 10x peak (250 ms)")
    ax.axhline(50, color="orange", linewidth=0.8, label="p99 target at peak (50 ms)")
    ax.set_xlabel("updates per second (national peak ≈ 67/s)")
    ax.set_ylabel("update → dashboard latency (ms)")
    ax.set_yscale("log")
    ax.set_title(f"sweeps of {results.resolve().name} (measured on that day, at that commit)", fontsize=9)
    ax.legend(fontsize=7)
    ax.grid(True, which="both", alpha=0.3)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.tight_layout()
    fig.savefig(out, dpi=120)
    print(f"wrote {out}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
