"""CPU and memory of the server processes, of the load generator itself (it shares the machine),
and of the whole machine (PostgreSQL and Redis included), in % of one core."""
from __future__ import annotations

import threading

import psutil


class Monitor:
    def __init__(self, pids: dict[str, int], every_s: float = 1.0):
        self.procs = {name: psutil.Process(pid) for name, pid in pids.items()}
        self.me = psutil.Process()
        self.every_s = every_s
        self.samples: dict[str, list[tuple[float, float]]] = {n: [] for n in [*self.procs, "load generator"]}
        self._stop = threading.Event()

    def __enter__(self) -> "Monitor":
        for p in [*self.procs.values(), self.me]:
            p.cpu_percent(None)
        psutil.cpu_percent(None)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.every_s):
            for name, p in [*self.procs.items(), ("load generator", self.me)]:
                try:
                    self.samples[name].append((p.cpu_percent(None), p.memory_info().rss / 2**20))
                except psutil.NoSuchProcess:
                    pass
            cores = psutil.cpu_count() or 1
            self.samples.setdefault("machine", []).append((psutil.cpu_percent(None) * cores,
                                                           psutil.virtual_memory().used / 2**20))

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()

    def summary(self) -> dict:
        out = {}
        for name, s in self.samples.items():
            if s:
                out[name] = {"cpu_avg_pct": round(sum(c for c, _ in s) / len(s), 1),
                             "cpu_max_pct": round(max(c for c, _ in s), 1),
                             "rss_max_mib": round(max(m for _, m in s), 1)}
        return out
