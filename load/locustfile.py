"""Locust users for PreArrival: paramedics over HTTP, ER dashboards over Socket.IO.

Profiles (see load/profiles.py for their derivation from national figures):

- average: about 650 incidents under way (7.6 M dispatches/year × 45 min), one vitals update
  each per 30 s (≈ 22 updates/s);
- peak: 2,000 incidents, one update each per 30 s (≈ 67 updates/s);
- peak10x: the same 2,000 incidents at ten times the update rate (≈ 667 updates/s).

Each paramedic user is one incident: it opens it, reads the card, records consent, fetches the
summary, asks a hospital, waits for the acceptance, then sends vitals every interval and hands
over after `PREARRIVAL_HANDOVER_AFTER` updates. Each dashboard user is a real Socket.IO client on
a hospital's dashboard: it accepts inquiries, measures update latency (vitals `taken_at` to
arrival) and opens each new patient's record.

One command starts the system (SQLite, one process each), runs a profile headless and
writes Locust's CSV files (see docs/performance.md):

    .venv/bin/python -m load.headless --profile average --run-time 2m   # → load/results/<date>-<commit>/locust-average_*.csv

Environment: PREARRIVAL_PROFILE, PREARRIVAL_PASSWORD (the demo password given to
`seed-demo --password`), PREARRIVAL_HOSPITALS (id=url,… of the ER dashboards)."""
from __future__ import annotations

import itertools
import os
import threading
import time
from datetime import datetime, timezone

import socketio
from locust import HttpUser, LoadTestShape, User, between, constant, events, task

from load.profiles import PROFILES

PROFILE = PROFILES[os.environ.get("PREARRIVAL_PROFILE", "smoke")]
PASSWORD = os.environ.get("PREARRIVAL_PASSWORD", "")
HOSPITALS = dict(pair.split("=", 1) for pair in
                 os.environ.get("PREARRIVAL_HOSPITALS", "tokyo-er=http://127.0.0.1:5101,"
                                "minato-hp=http://127.0.0.1:5102").split(","))
HANDOVER_AFTER = int(os.environ.get("PREARRIVAL_HANDOVER_AFTER", "60"))
_cards = itertools.count()
_hospital_cycle = itertools.cycle(HOSPITALS)
_dashboard_cycle = itertools.cycle(HOSPITALS.items())
# One sign-in per Locust process and app, its cookies shared by every user of that app: a crew
# signs in once a shift, not once per incident, and the apps throttle a burst of sign-ins to one
# account (web/login.py counts each attempt before checking it, so parallel guesses cannot slip in).
_signed_in: dict[str, dict] = {}
_sign_in_lock = threading.Lock()


def sign_in(session, base_url: str, username: str) -> None:
    with _sign_in_lock:
        if base_url not in _signed_in:
            resp = session.post(f"{base_url}/api/auth/login", json={"username": username, "password": PASSWORD})
            resp.raise_for_status()
            _signed_in[base_url] = session.cookies.get_dict()
            return
    for name, value in _signed_in[base_url].items():
        session.cookies.set(name, value)


class Paramedic(HttpUser):
    """One incident, start to handover."""
    wait_time = constant(PROFILE.update_interval_s)
    weight = PROFILE.incidents

    def on_start(self):
        sign_in(self.client, self.host.rstrip("/"), "kyukyu1")
        n = next(_cards)
        incident = self.client.post("/api/incidents", json={"chief_complaint": "負荷試験"}).json()
        self.iid = incident["id"]
        self.client.post(f"/api/incidents/{self.iid}/card", json={"card_id": f"SIM-{n % 600 + 1:06d}",
                                                                  "face_confirmed": True}, name="/card")
        self.client.post(f"/api/incidents/{self.iid}/basis", json={"basis": {"kind": "consent"}}, name="/basis")
        self.client.post(f"/api/incidents/{self.iid}/record", json={}, name="/record")
        self.client.post(f"/api/incidents/{self.iid}/inquiries", json={"hospital_ids": [next(_hospital_cycle)]},
                         name="/inquiries")
        self.sent = 0

    @task
    def send_vitals(self):
        self.sent += 1
        vitals = {"heart_rate": 60 + self.sent % 100, "spo2": 95, "taken_at": datetime.now(timezone.utc).isoformat()}
        self.client.post(f"/api/incidents/{self.iid}/updates", name="/updates",
                         json={"kind": "vitals", "vitals": vitals, "client_id": f"{self.iid}-{self.sent:06d}"})
        if self.sent == HANDOVER_AFTER:
            self.client.post(f"/api/incidents/{self.iid}/handover", json={}, name="/handover")
            self.client.post(f"/api/incidents/{self.iid}/close", json={}, name="/close")
            self.on_start()


class ErDashboard(User):
    """A dashboard at one hospital: a real Socket.IO connection, accepting and watching."""
    wait_time = between(5, 10)
    weight = PROFILE.hospitals * PROFILE.dashboards_per_hospital

    def on_start(self):
        import requests
        self.hospital, self.url = next(_dashboard_cycle)
        self.http = requests.Session()
        sign_in(self.http, self.url, "er-doctor")
        self.sio = socketio.Client(reconnection=True)
        self.sio.on("update", self._update, namespace="/dashboard")
        self.sio.on("inquiry", self._inquiry, namespace="/dashboard")
        self.sio.on("patient", self._patient, namespace="/dashboard")
        self.sio.connect(self.url, namespaces=["/dashboard"], transports=["websocket"],
                         headers={"Cookie": f"er_session={self.http.cookies.get('er_session')}"})
        self.accepted_at: dict[str, float] = {}

    def on_stop(self):
        self.sio.disconnect()

    def _fire(self, name: str, ms: float, exc=None):
        events.request.fire(request_type="socketio", name=name, response_time=ms, response_length=0,
                            exception=exc, context={})

    def _update(self, data):
        taken = data.get("payload", {}).get("vitals", {}).get("taken_at")
        if taken:
            self._fire("update→dashboard", (time.time() - datetime.fromisoformat(taken).timestamp()) * 1000)

    def _inquiry(self, data):
        self.accepted_at[data["incident_id"]] = time.time()
        resp = self.http.post(f"{self.url}/api/inquiries/{data['inquiry_id']}/answer", json={"accept": True})
        if resp.status_code not in (200, 409):  # 409: another dashboard of the ER answered first
            self._fire("accept", 0, RuntimeError(resp.text))

    def _patient(self, data):
        started = self.accepted_at.pop(data["incident_id"], None)
        if started:
            self._fire("accept→record", (time.time() - started) * 1000)

    @task
    def open_a_record(self):
        patients = self.http.get(f"{self.url}/api/patients").json()
        if patients:
            self.http.get(f"{self.url}/api/patients/{patients[-1]['incident_id']}")


class ProfileShape(LoadTestShape):
    """Ramp to the profile's users and hold until --run-time (which a shape must honour itself)."""

    def tick(self):
        limit = getattr(self.runner.environment.parsed_options, "run_time", None)
        if limit and self.get_run_time() > limit:
            return None
        users = PROFILE.incidents + PROFILE.hospitals * PROFILE.dashboards_per_hospital
        return users, max(10, users / 30)
