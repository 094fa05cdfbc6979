"""The whole system wired together: hub process(es), enrolled hospitals, demo accounts.

Used by `./prearrival start`, the end-to-end tests and the benchmarks, so all three run the
same real processes the same way."""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ems_app.services.enrolment import enroll_hospital, seed_demo_crew
from launcher.processes import Server
from launcher.seed import open_hub, seed_hospital

DEMO_HOSPITALS = [("tokyo-er", "東京中央救命救急センター / Tokyo Central ER", "東京都千代田区"),
                  ("minato-hp", "港総合病院 / Minato General Hospital", "東京都港区"),
                  ("shinjuku-hp", "新宿記念病院 / Shinjuku Memorial Hospital", "東京都新宿区")]
# Where each demo hospital is, so the crew's list shows distances.
DEMO_PLACES = {"tokyo-er": (35.6940, 139.7536), "minato-hp": (35.6581, 139.7516), "shinjuku-hp": (35.6938, 139.7034)}


@dataclass
class System:
    root: Path
    db_env: dict = field(default_factory=dict)      # per-app DATABASE_URL/SCHEMA, keyed by app name
    hub_port: int | None = None
    hospital_ports: list[int] = field(default_factory=list)
    extra_env: dict = field(default_factory=dict)
    hub_env_extra: dict = field(default_factory=dict)  # the hubs' only (each hospital app is one process)
    hub_processes: int = 1                           # >1 needs SOCKETIO_MESSAGE_QUEUE in extra_env or hub_env_extra
    # Where a hospital's gateway finds the hub: (hospital id, hub urls) -> url; a test may put a proxy there.
    gateway_route: Callable[[str, list[str]], str] = lambda _hid, urls: urls[-1]
    hubs: list[Server] = field(default_factory=list)
    hospitals: dict[str, Server] = field(default_factory=dict)
    crew: dict[str, str] = field(default_factory=dict)
    staff: dict[str, dict[str, str]] = field(default_factory=dict)

    @property
    def hub(self) -> Server | None:
        return self.hubs[0] if self.hubs else None

    def hub_env(self) -> dict:
        return {"EMS_INSTANCE": str(self.root / "ems"), **self.db_env.get("ems", {}), **self.extra_env,
                **self.hub_env_extra}

    def hospital_env(self, hospital_id: str, name: str) -> dict:
        hub_url = self.gateway_route(hospital_id, [h.url for h in self.hubs]) if self.hubs else ""
        return {"HOSPITAL_INSTANCE": str(self.root / hospital_id), "HOSPITAL_ID": hospital_id,
                "HOSPITAL_NAME": name, "HUB_URL": hub_url, **self.db_env.get(hospital_id, {}), **self.extra_env}

    def start(self, hospitals=DEMO_HOSPITALS, password: str | None = None) -> "System":
        hub = open_hub(self.hub_env())
        try:
            self.crew = seed_demo_crew(hub, password)
            for hid, name, address in hospitals:
                public_key, self.staff[hid] = seed_hospital(self.hospital_env(hid, name), password)
                latitude, longitude = DEMO_PLACES.get(hid, (None, None))
                enroll_hospital(hub, hid, name, address, public_key, latitude=latitude, longitude=longitude)
        finally:
            hub.db.dispose()
        # The hubs first, so each gateway finds one at its first try; then the hospital apps
        # side by side.
        for i in range(self.hub_processes):
            self.hubs.append(Server("ems_app", self.hub_env(), self.hub_port + i if self.hub_port else None).launch())
        for server in self.hubs:
            server.wait_ready()
        for i, (hid, name, _address) in enumerate(hospitals):
            port = self.hospital_ports[i] if i < len(self.hospital_ports) else None
            self.hospitals[hid] = Server("hospital_app", self.hospital_env(hid, name), port).launch()
        for server in self.hospitals.values():
            server.wait_ready()
        return self

    def stop(self) -> None:
        for server in [*self.hospitals.values(), *self.hubs]:
            server.stop()


def describe(system: System) -> str:
    hub = system.hub.url
    lines = ["", "PreArrival is running (SQLite, one process each). Open:",
             f"  救急隊タブレット / crew tablet:        {hub}/",
             f"  事後確認 / privacy review queue:       {hub}/review",
             f"  地域の救急統計 / the region's figures:  {hub}/figures   (analyst-fire, mc-doctor)",
             f"  事後検証 / case review:                {hub}/cases     (mc-doctor)",
             f"  閲覧履歴 / patient's 'who viewed':     {hub}/my-data   (card SIM-000001 … SIM-000600)",
             f"      確認コード / the patient's codes arrive in {system.root / 'ems' / 'outbox' / 'messages.jsonl'}"]
    lines += [f"      {u} / {p}" for u, p in system.crew.items()]
    for hid, server in system.hospitals.items():
        lines.append(f"  ER dashboard {hid}:  {server.url}/")
        lines += [f"      {u} / {p}" for u, p in system.staff[hid].items()]
    lines += ["", "Passwords were generated for this demo and are shown only here. Ctrl-C stops everything."]
    return "\n".join(lines)
