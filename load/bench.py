"""`python -m load.bench`: start the system itself, drive a profile, print the figures.

Layouts: `sqlite-1` (the embedded default: one hub process, threading, SQLite) and `pg-N`
(N hub processes under gevent on PostgreSQL, joined by Redis when N > 1). In the same run the same
messages go through a bare python-socketio relay (the floor). With `--sweep` the update rate
rises step by step until p99 passes 250 ms or an update is lost: the highest passing rate
is the layout's capacity. Results are printed and written as JSON in a folder named by the day
and the commit measured, `load/results/<date>-<commit>/`, so every figure quoted in
docs/performance.md says when and on which code it was measured."""
from __future__ import annotations

import argparse
import asyncio
import gc
import json
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

import aiohttp
import psutil

from launcher.processes import free_port
from launcher.system import DEMO_HOSPITALS, System
from load import driver
from load.monitor import Monitor
from load.profiles import MINUTES_PER_CASE, PEAK_INCIDENTS, PROFILES, Profile

PASSWORD = "bench password 2026"
PG_URL = "postgresql://postgres@127.0.0.1:5432/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "load" / "results"
# What a run measures: a change elsewhere (docs, tests) does not make it unreproducible.
MEASURED_CODE = ("ems_app", "hospital_app", "shared", "web", "launcher", "load", ":!load/results")


def _git(*args: str) -> str:
    try:
        return subprocess.run(["git", *args], cwd=REPO, capture_output=True, text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):  # not a git checkout (e.g. an unpacked release)
        return ""


def measured_commit() -> str:
    """The commit the system runs from, "-dirty" when its code has uncommitted changes: such a run
    cannot be reproduced from the commit alone, and its folder says so."""
    commit = _git("rev-parse", "--short=7", "HEAD") or "unknown"
    dirty = _git("status", "--porcelain", "--untracked-files=no", "--", *MEASURED_CODE)
    return f"{commit}-dirty" if dirty else commit


def run_folder(root: Path = RESULTS) -> Path:
    """load/results/<date>-<commit>: results are compared by the day and the code they measured
    (machines differ between days), never by a name that only means something to whoever ran them."""
    return root / f"{time.strftime('%Y-%m-%d')}-{measured_commit()}"


def free_name(folder: Path, name: str) -> Path:
    """A repeated run on the same day and commit (before/after runs alternate) keeps the earlier
    one: the second is `…-2.json`, and so on."""
    path, n = folder / name, 1
    while path.exists():
        n += 1
        path = folder / f"{Path(name).stem}-{n}{Path(name).suffix}"
    return path


def machine() -> dict:
    """The machine the run measured, as far as the run can tell: what else shared its cores
    (tests, other work) is for whoever quotes the figures to say."""
    cpuinfo = Path("/proc/cpuinfo")
    models = [line.split(":", 1)[1].strip() for line in cpuinfo.read_text().splitlines()
              if line.startswith("model name")] if cpuinfo.exists() else []
    return {"cores": psutil.cpu_count(), "cpu": models[0] if models else platform.processor(),
            "memory_gib": round(psutil.virtual_memory().total / 2**30), "os": platform.platform(),
            "python": platform.python_version()}


def start_system(layout: str, root: Path, hospitals: int) -> System:
    kind, procs = layout.split("-")
    if kind == "sqlite":
        db = lambda name: {"DATABASE_URL": f"sqlite:///{root / name}.db"}  # noqa: E731
        extra, hub_only = {"ASYNC_MODE": "threading"}, {}
    else:
        tag = uuid.uuid4().hex[:8]
        db = lambda name: {"DATABASE_URL": PG_URL, "DATABASE_SCHEMA": f"bench_{name.replace('-', '_')}_{tag}"}  # noqa: E731
        # Redis joins several hub processes (one alone has nobody to tell); a hospital app runs as
        # one process at its hospital.
        extra = {"ASYNC_MODE": "gevent"}
        hub_only = {"SOCKETIO_MESSAGE_QUEUE": REDIS_URL, "SOCKETIO_CHANNEL": f"bench-{tag}"} if int(procs) > 1 else {}
        # Every process shares the one PostgreSQL (max_connections 100): the hubs together keep
        # 40 connections at most, each hospital app 20.
        hub_only["DATABASE_POOL_SIZE"] = str(max(5, 20 // int(procs)))
    chosen = DEMO_HOSPITALS[:hospitals]
    order = {hid: i for i, (hid, _, _) in enumerate(chosen)}
    system = System(root=root, db_env={"ems": db("ems"), **{h: db(h) for h, _, _ in chosen}},
                    extra_env={**extra, "EXPIRY_SWEEP_S": "30"}, hub_env_extra=hub_only, hub_processes=int(procs),
                    gateway_route=lambda hid, urls: urls[order[hid] % len(urls)])
    return system.start(hospitals=chosen, password=PASSWORD)


async def setup(system: System, profile: Profile, rec: driver.Recorder):
    jar = lambda: aiohttp.CookieJar(unsafe=True)  # noqa: E731  (cookies on 127.0.0.1)
    crews = [aiohttp.ClientSession(cookie_jar=jar()) for _ in range(8)]
    for http in crews:
        await driver.login(http, system.hub.url, "kyukyu1", PASSWORD)
    er = {}
    dashboards, index = {}, 0
    for hid, server in system.hospitals.items():
        http = aiohttp.ClientSession(cookie_jar=jar())
        cookie = await driver.login(http, server.url, "er-doctor", PASSWORD)
        er[hid] = (server.url, http)
        for _ in range(profile.dashboards_per_hospital):
            dashboards[index] = (hid, await driver.dashboard(index, server.url, "er_session", cookie, rec))
            index += 1
    hospitals = list(system.hospitals)
    by_hospital: dict[str, list[str]] = {h: [] for h in hospitals}
    gate = asyncio.Semaphore(16)

    async def one(i: int):
        hid = hospitals[i % len(hospitals)]
        async with gate:
            iid = await driver.open_incident(crews[i % len(crews)], system.hubs[i % len(system.hubs)].url,
                                             f"SIM-{i % 600 + 1:06d}", hid, er[hid][0], er[hid][1], rec)
        by_hospital[hid].append(iid)
    started = time.time()
    await asyncio.gather(*(one(i) for i in range(profile.incidents)))
    rec.setup_accept_ms, rec.accept_ms = rec.accept_ms, []  # bulk setup, 16 at a time: not the target figure
    return crews, er, dashboards, by_hospital, time.time() - started


async def new_patients(system: System, crews, er, rec: driver.Recorder, duration: float):
    """New acceptances at the national peak's rate while the stream runs (2,000 cases under way,
    45 minutes each: about 0.74 a second), each on its own schedule so a slow one does not delay
    the next: the acceptance-to-record latency is measured on these."""
    every_s = MINUTES_PER_CASE * 60 / PEAK_INCIDENTS
    hospitals, start, tasks = list(system.hospitals), time.monotonic(), []
    for i in range(max(1, int(duration / every_s))):
        await asyncio.sleep(max(0.0, start + i * every_s - time.monotonic()))
        hid = hospitals[i % len(hospitals)]
        tasks.append(asyncio.create_task(driver.open_incident(
            crews[i % len(crews)], system.hubs[i % len(system.hubs)].url, f"SIM-{(i * 7) % 600 + 1:06d}",
            hid, er[hid][0], er[hid][1], rec)))
    for outcome in await asyncio.gather(*tasks, return_exceptions=True):
        if isinstance(outcome, Exception):  # e.g. no record on the dashboard within 60 s, when overloaded
            rec.accept_failed += 1


async def drain(rec: driver.Recorder, quiet_s: float = 3, longest_s: float = 120) -> None:
    """Wait until the dashboards stop receiving (an overloaded system is still delivering)."""
    seen, quiet, waited = -1, 0.0, 0.0
    while quiet < quiet_s and waited < longest_s:
        await asyncio.sleep(1)
        waited += 1
        quiet = quiet + 1 if len(rec.update_ms) == seen else 0
        seen = len(rec.update_ms)


def pyspy(pids: dict, seconds: float, folder: Path | None) -> list[subprocess.Popen]:
    """Sample each server process with py-spy (non-blocking) while a step runs."""
    if folder is None:
        return []
    folder.mkdir(parents=True, exist_ok=True)
    return [subprocess.Popen([str(Path(sys.executable).parent / "py-spy"), "record", "--nonblocking", "--idle",
                              "-r", "50", "-d", str(int(seconds)), "-f", "raw", "-o", str(folder / f"{name}.raw"),
                              "-p", str(pid)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            for name, pid in pids.items()]


async def measure(system: System, profile: Profile, intervals: list[float], monitor_pids: dict,
                  profile_dir: Path | None = None, sweep: bool = False) -> dict:
    rec = driver.Recorder()
    crews, er, dashboards, by_hospital, setup_s = await setup(system, profile, rec)
    iids = [i for ids in by_hospital.values() for i in ids]
    gc.collect()
    gc.freeze()  # the set-up's objects stay; the generator's full collections should not walk them
    pauses = driver.GcPauses()
    gc.callbacks.append(pauses)
    steps = []
    for interval in intervals:
        pauses.pauses_ms = []
        rec.update_ms, rec.stored_ms, rec.onward_ms, rec.recording = [], [], [], True
        rec.rejected = rec.failed = rec.accept_failed = 0
        accepted_before = len(rec.accept_ms)
        before = rec.disconnects
        spies = pyspy(monitor_pids, profile.duration_s, profile_dir / f"{len(steps)}" if profile_dir else None)
        with Monitor(monitor_pids) as mon:
            sent, _ = await asyncio.gather(
                driver.stream(lambda i: crews[i % len(crews)], [h.url for h in system.hubs], iids, interval,
                              profile.duration_s, rec, tag=f"s{len(steps)}-"),
                new_patients(system, crews, er, rec, profile.duration_s))
            await drain(rec)
        rec.recording = False
        for spy in spies:
            spy.wait(30)
        step = {"incidents": len(iids), "interval_s": interval, "rate_per_s": round(len(iids) / interval, 1),
                "sent": sent, "sent_per_s": round(sent / profile.duration_s, 1), "rejected": rec.rejected,
                "failed": rec.failed,
                "new_patients_failed": rec.accept_failed,
                "accept_to_record_ms": driver.percentiles(rec.accept_ms[accepted_before:]),
                "update_to_dashboard_ms": driver.percentiles(rec.update_ms),
                "update_to_stored_ms": driver.percentiles(rec.stored_ms),
                "stored_to_dashboard_ms": driver.percentiles(rec.onward_ms),
                **rec.integrity(by_hospital, {i: h for i, (h, _) in dashboards.items()}),
                "dashboard_disconnects": rec.disconnects - before, "resources": mon.summary(),
                "generator_gc": pauses.summary()}
        steps.append(step)
        print(json.dumps(step), flush=True)
        p99 = step["update_to_dashboard_ms"].get("p99", 1e9)
        if sweep and (p99 > 250 or step["lost"] or step["rejected"] or step["failed"]):
            break
    for _, sio in dashboards.values():
        await sio.disconnect()
    for http in [*crews, *(h for _, h in er.values())]:
        await http.close()
    gc.callbacks.remove(pauses)
    gc.unfreeze()
    return {"setup_s": round(setup_s, 1), "accept_to_record_ms": driver.percentiles(rec.accept_ms),
            "setup_accept_to_record_ms": driver.percentiles(rec.setup_accept_ms),
            "dashboards": len(dashboards), "steps": steps}


async def floor(async_mode: str, dashboards: int, rate: float, duration: float) -> dict:
    """The same number of dashboards and messages through a bare relay."""
    import socketio
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "load.relay", "--port", str(port), "--async-mode", async_mode],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                async with aiohttp.ClientSession() as h, h.get(f"http://127.0.0.1:{port}/healthz") as r:
                    if r.status == 200:
                        break
            except aiohttp.ClientError:
                await asyncio.sleep(0.1)
        rec = driver.Recorder()
        clients = []
        for i in range(dashboards):
            c = socketio.AsyncClient()
            c.on("update", (lambda k: lambda d: rec.on_update(k, d))(i), namespace="/dashboard")
            await c.connect(f"http://127.0.0.1:{port}", namespaces=["/dashboard"], transports=["websocket"])
            clients.append(c)
        sender = socketio.AsyncClient()
        await sender.connect(f"http://127.0.0.1:{port}", namespaces=["/sender"], transports=["websocket"])
        rec.recording = True
        with Monitor({"relay": proc.pid}) as mon:
            n, start = 0, time.monotonic()
            while time.monotonic() - start < duration:
                n += 1
                await sender.emit("relay", {"incident_id": "floor", "seq": n, "kind": "vitals", "payload": {"vitals": {
                    "heart_rate": 80, "spo2": 95, "taken_at": datetime.now(timezone.utc).isoformat()}}},
                                  namespace="/sender")
                await asyncio.sleep(max(0.0, start + n / rate - time.monotonic()))
            await asyncio.sleep(3)
        rec.sent["floor"] = n
        result = {"rate_per_s": rate, "update_to_dashboard_ms": driver.percentiles(rec.update_ms),
                  **rec.integrity({"x": ["floor"]}, {i: "x" for i in range(dashboards)}), "resources": mon.summary()}
        for c in [*clients, sender]:
            await c.disconnect()
        return result
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m load.bench")
    parser.add_argument("--layouts", default="sqlite-1", help="comma list: sqlite-1,pg-1,pg-2,pg-4")
    parser.add_argument("--profile", default="peak", choices=sorted(PROFILES))
    parser.add_argument("--duration", type=float, help="seconds per measured step")
    parser.add_argument("--sweep", action="store_true", help="raise the rate until p99 > 250 ms or loss")
    parser.add_argument("--rates", help="comma list of update rates per second, each a step on the same set-up "
                                        "(e.g. the peak and ten times it: 66.7,666.7)")
    parser.add_argument("--out", type=Path, help="folder for the results (default: load/results/<date>-<commit>)")
    parser.add_argument("--py-spy", action="store_true", help="profile the servers during each step")
    args = parser.parse_args()
    profile = PROFILES[args.profile]
    if args.duration:
        profile = Profile(**{**profile.__dict__, "duration_s": args.duration})
    intervals = [profile.update_interval_s]
    if args.sweep:
        intervals = [profile.incidents / r for r in (25, 50, 67, 85, 100, 125, 150, 200, 250, 300, 400, 500, 667, 800)]
    elif args.rates:
        intervals = [profile.incidents / float(r) for r in args.rates.split(",")]
    out = args.out or run_folder()
    out.mkdir(parents=True, exist_ok=True)
    commit = measured_commit()
    for layout in args.layouts.split(","):
        with tempfile.TemporaryDirectory(prefix=f"bench-{layout}-") as tmp:
            system = start_system(layout, Path(tmp), profile.hospitals)
            try:
                pids = {f"hub-{i + 1}": h.proc.pid for i, h in enumerate(system.hubs)}
                pids.update({hid: s.proc.pid for hid, s in system.hospitals.items()})
                print(f"== {layout}: profile {profile.name}, {profile.incidents} incidents, "
                      f"{profile.hospitals} hospitals × {profile.dashboards_per_hospital} dashboards", flush=True)
                spy_dir = out / "raw" / f"py-spy-{layout}-{profile.name}" if args.py_spy else None  # git ignores raw/
                result = asyncio.run(measure(system, profile, intervals, pids, spy_dir, args.sweep))
            finally:
                system.stop()
        mode = "threading" if layout.startswith("sqlite") else "gevent"
        result["floor"] = asyncio.run(floor(mode, result["dashboards"] // profile.hospitals,
                                            result["steps"][0]["rate_per_s"] / profile.hospitals, profile.duration_s))
        result.update(layout=layout, profile=profile.name, sweep=args.sweep,
                      measured_at=time.strftime("%Y-%m-%d %H:%M:%S"), commit=commit, machine=machine())
        name = f"{layout}-{profile.name}{'-sweep' if args.sweep else '-rates' if args.rates else ''}.json"
        path = free_name(out, name)
        path.write_text(json.dumps(result, indent=1, ensure_ascii=False))
        print(summary(result), flush=True)
        print(f"   written to {path}", flush=True)


def summary(r: dict) -> str:
    first = r["steps"][0]
    lat, fl = first["update_to_dashboard_ms"], r["floor"]["update_to_dashboard_ms"]
    lines = [f"-- {r['layout']} {r['profile']}: setup {r['setup_s']} s; accept→record {fmt(r['accept_to_record_ms'])}",
             f"   update→dashboard at {first['rate_per_s']}/s: {fmt(lat)}; lost {first['lost']}, "
             f"dup {first['duplicated']}, disorder {first['out_of_order']}",
             f"   floor (bare relay, same per-hospital fan-out): {fmt(fl)}; median ratio "
             f"{lat.get('p50', 0) / max(fl.get('p50', 1e-9), 1e-9):.1f}x"]
    if r["sweep"]:
        ok = [s for s in r["steps"] if s["update_to_dashboard_ms"].get("p99", 1e9) <= 250 and not s["lost"]]
        lines.append(f"   highest rate with p99 <= 250 ms and nothing lost: {ok[-1]['rate_per_s'] if ok else 'none'}/s")
    return "\n".join(lines)


def fmt(p: dict) -> str:
    return "no samples" if not p.get("n") else f"p50 {p['p50']:.1f} / p90 {p['p90']:.1f} / p99 {p['p99']:.1f} / max {p['max']:.1f} ms (n={p['n']})"


if __name__ == "__main__":
    main()
