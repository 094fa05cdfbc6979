"""The load driver: real HTTP for the crews and the ER staff, real Socket.IO dashboards.

One asyncio process plays every paramedic and every dashboard. Latency is measured from the
vitals' own `taken_at` (set when the paramedic sends) to its arrival at a dashboard client,
so nothing is shared between sender and receiver but the clock of this one machine."""
from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict
from datetime import datetime, timezone

import aiohttp
import socketio


class Recorder:
    def __init__(self):
        self.update_ms: list[float] = []
        # The same latency in two legs, split at the hub's commit (the update's own `at`): from the
        # paramedic to the stored update, and from there through the hospital app to a dashboard.
        self.stored_ms: list[float] = []
        self.onward_ms: list[float] = []
        self.accept_ms: list[float] = []
        self.seqs: dict[tuple[int, str], list[int]] = defaultdict(list)
        self.sent: dict[str, int] = defaultdict(int)
        self.patient_seen: dict[str, asyncio.Event] = defaultdict(asyncio.Event)
        self.inquiries: dict[str, asyncio.Future] = {}
        self.disconnects = 0
        self.rejected = 0  # updates the hub refused (4xx): none expected
        self.failed = 0  # updates with no answer but errors (5xx, connection) after five tries
        self.accept_failed = 0  # new patients not on a dashboard within 60 s
        self.recording = False

    def on_update(self, dashboard: int, data: dict) -> None:
        self.seqs[(dashboard, data["incident_id"])].append(data["seq"])
        taken = data.get("payload", {}).get("vitals", {}).get("taken_at")
        if self.recording and taken:
            now, sent = time.time(), datetime.fromisoformat(taken).timestamp()
            self.update_ms.append((now - sent) * 1000)
            if data.get("at"):
                stored = datetime.fromisoformat(data["at"].replace("Z", "+00:00")).timestamp()
                self.stored_ms.append((stored - sent) * 1000)
                self.onward_ms.append((now - stored) * 1000)

    def integrity(self, incidents_by_hospital: dict[str, list[str]], dashboards: dict[int, str]) -> dict:
        lost = dup = disorder = 0
        for dash, hospital in dashboards.items():
            for iid in incidents_by_hospital.get(hospital, []):
                got = self.seqs.get((dash, iid), [])
                lost += len(set(range(1, self.sent[iid] + 1)) - set(got))
                dup += len(got) - len(set(got))
                disorder += sum(1 for a, b in zip(got, got[1:]) if b < a)
        return {"lost": lost, "duplicated": dup, "out_of_order": disorder}


class GcPauses:
    """The load generator's own collector pauses: a stall here delays every arrival it times, so
    each step reports them beside the system's figures."""

    def __init__(self):
        self.pauses_ms: list[float] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif info.get("generation") == 2:
            self.pauses_ms.append((time.perf_counter() - self._started) * 1000)

    def summary(self) -> dict:
        return {"full_passes": len(self.pauses_ms), "max_ms": round(max(self.pauses_ms, default=0), 1)}


def percentiles(values: list[float]) -> dict:
    if not values:
        return {"n": 0}
    v = sorted(values)
    pick = lambda q: v[min(len(v) - 1, int(q * len(v)))]  # noqa: E731
    return {"n": len(v), "p50": pick(0.50), "p90": pick(0.90), "p99": pick(0.99), "max": v[-1]}


async def login(http: aiohttp.ClientSession, base: str, username: str, password: str) -> str:
    async with http.post(f"{base}/api/auth/login", json={"username": username, "password": password}) as r:
        if r.status != 200:
            raise RuntimeError(f"login {username} at {base}: {r.status} {await r.text()}")
        return r.cookies[next(iter(r.cookies))].value


async def dashboard(index: int, url: str, cookie_name: str, cookie: str, rec: Recorder) -> socketio.AsyncClient:
    sio = socketio.AsyncClient(reconnection=True)
    sio.on("update", lambda d: rec.on_update(index, d), namespace="/dashboard")
    sio.on("patient", lambda d: rec.patient_seen[d["incident_id"]].set(), namespace="/dashboard")

    def inquiry(d):
        fut = rec.inquiries.get(d["incident_id"])
        if fut and not fut.done():
            fut.set_result(d["inquiry_id"])
    sio.on("inquiry", inquiry, namespace="/dashboard")

    async def gone():
        rec.disconnects += 1
    sio.on("disconnect", gone, namespace="/dashboard")
    await sio.connect(url, namespaces=["/dashboard"], transports=["websocket"],
                      headers={"Cookie": f"{cookie_name}={cookie}"}, wait_timeout=30)
    return sio


async def post(http, url, body, attempts=5):
    for i in range(attempts):
        try:
            async with http.post(url, json=body) as r:
                if r.status < 500:
                    return r.status, await r.json()
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.2 * (i + 1))
    raise RuntimeError(f"POST {url} kept failing")


async def open_incident(http, hub: str, card: str, hospital: str, er_url: str, er_http, rec: Recorder) -> str:
    _, inc = await post(http, f"{hub}/api/incidents", {"chief_complaint": "負荷試験 / load test"})
    iid = inc["id"]
    await post(http, f"{hub}/api/incidents/{iid}/card", {"card_id": card, "face_confirmed": True})
    await post(http, f"{hub}/api/incidents/{iid}/basis", {"basis": {"kind": "consent"}})
    await post(http, f"{hub}/api/incidents/{iid}/record", {})
    rec.inquiries[iid] = asyncio.get_running_loop().create_future()
    await post(http, f"{hub}/api/incidents/{iid}/inquiries", {"hospital_ids": [hospital]})
    inquiry_id = await asyncio.wait_for(rec.inquiries[iid], 60)
    started = time.time()
    await post(er_http, f"{er_url}/api/inquiries/{inquiry_id}/answer", {"accept": True})
    await asyncio.wait_for(rec.patient_seen[iid].wait(), 60)
    rec.accept_ms.append((time.time() - started) * 1000)
    return iid


async def stream(http_for, hubs: list[str], iids: list[str], interval: float, duration: float, rec: Recorder,
                 tag: str = "") -> int:
    """Each incident sends vitals every `interval` seconds (random phase) for `duration`, on a
    fixed schedule (a slow answer does not lower the offered rate). `tag` keeps each run's
    client_ids apart, or the hub would rightly treat a later run's updates as resends.
    Returns how many updates were sent."""
    start = time.monotonic()
    stop, sent = start + duration, 0

    async def one(i: int, iid: str):
        nonlocal sent
        hub, due, n = hubs[i % len(hubs)], start + random.random() * interval, 0
        while due < stop:
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            n += 1
            vitals = {"heart_rate": 60 + n % 100, "spo2": 95, "taken_at": datetime.now(timezone.utc).isoformat()}
            try:
                status, _ = await post(http_for(i), f"{hub}/api/incidents/{iid}/updates",
                                       {"kind": "vitals", "vitals": vitals, "client_id": f"{iid}-{tag}{n:06d}"})
            except RuntimeError:  # an overloaded system: counted, and the run goes on
                rec.failed += 1
                status = None
            if status in (200, 201):
                rec.sent[iid] += 1
                sent += 1
            elif status is not None:
                rec.rejected += 1
            due += interval
    await asyncio.gather(*(one(i, iid) for i, iid in enumerate(iids)))
    return sent
