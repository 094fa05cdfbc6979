"""`python -m load.report RESULTS…`: the benchmark's JSON results as Markdown tables, so
docs/performance.md quotes measured figures rather than retyped ones. Each argument is a result
file or a folder of them (`load/results/<date>-<commit>/`)."""
from __future__ import annotations

import json
import sys
from pathlib import Path


def ms(p: dict, *keys: str, digits: int = 0) -> str:
    return " / ".join(f"{p[k]:,.{digits}f}" for k in keys) if p.get("n") else "–"


def pause(step: dict) -> str:
    gc = step.get("generator_gc")
    return f", longest GC {gc['max_ms']:.0f} ms" if gc and gc["full_passes"] else ""


def rows(path: Path) -> list[str]:
    r = json.loads(path.read_text())
    out = []
    for s in r["steps"]:
        res = s["resources"]
        hub = max((v for k, v in res.items() if k.startswith("hub")), key=lambda v: v["cpu_avg_pct"])
        hubs = sum(1 for k in res if k.startswith("hub"))
        ok = s["update_to_dashboard_ms"].get("p99", 1e9) <= 250 and not s["lost"] and not s.get("rejected") \
            and not s.get("failed")
        out.append(
            f"| {r['layout']} | {s['rate_per_s']:g} | {ms(s['update_to_dashboard_ms'], 'p50', 'p90', 'p99', 'max')} "
            f"| {ms(s.get('update_to_stored_ms', {}), 'p50', 'p99')} | {ms(s.get('stored_to_dashboard_ms', {}), 'p50', 'p99')} "
            f"| {s['lost']} / {s['duplicated']} / {s['out_of_order']} "
            f"| {hubs}× {hub['cpu_avg_pct']:.0f}% (max {hub['cpu_max_pct']:.0f}%), {hub['rss_max_mib']:.0f} MiB "
            f"| {res.get('load generator', {}).get('cpu_avg_pct', 0):.0f}%{pause(s)} "
            f"| {str(round(res['machine']['cpu_avg_pct'])) + '%' if 'machine' in res else '–'} | {'yes' if ok else 'no'} |")
    return out


def results(args: list[str]) -> list[Path]:
    return [f for a in map(Path, args) for f in (sorted(a.glob("*.json")) if a.is_dir() else [a])]


def main(paths: list[Path]) -> None:
    print("| layout | offered updates/s | update → dashboard p50 / p90 / p99 / max (ms) | → stored p50 / p99 "
          "| stored → dashboard p50 / p99 | lost / dup / disorder | busiest hub process CPU, RSS "
          "| load generator CPU (its own GC pause) | whole machine CPU (of 200%) | p99 ≤ 250 ms |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for path in paths:
        for row in rows(path):
            print(row)
    print()
    print("| layout, profile | accept → record p50 / p99 (ms, n) | bare relay p50 / p99 (ms) at the first step "
          "| median ratio |")
    print("|---|---|---|---|")
    for path in paths:
        r = json.loads(path.read_text())
        a, f, first = r["accept_to_record_ms"], r["floor"]["update_to_dashboard_ms"], r["steps"][0]
        ratio = first["update_to_dashboard_ms"].get("p50", 0) / max(f.get("p50", 1e-9), 1e-9)
        print(f"| {r['layout']}, {r['profile']} | {ms(a, 'p50', 'p99')} (n={a.get('n', 0)}) "
              f"| {ms(f, 'p50', 'p99', digits=1)} | {ratio:.1f}× at {first['rate_per_s']:g}/s |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m load.report load/results/<date>-<commit>[/FILE.json] …")
    main(results(sys.argv[1:]))
