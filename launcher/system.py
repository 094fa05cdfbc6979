"""The whole system wired together: a hub, enrolled hospitals, demo accounts."""
from __future__ import annotations


from dataclasses import dataclass, field
from pathlib import Path

from launcher.processes import Server, run_cli

DEMO_HOSPITALS = [("tokyo-er", "東京中央救命救急センター / Tokyo Central ER", "東京都千代田区"),
                  ("minato-hp", "港総合病院 / Minato General Hospital", "東京都港区"),
                  ("shinjuku-hp", "新宿記念病院 / Shinjuku Memorial Hospital", "東京都新宿区")]


@dataclass
class System:
    root: Path
    db_env: dict = field(default_factory=dict)      # per-app DATABASE_URL/SCHEMA, keyed by app name
    hub_port: int | None = None
    hospital_ports: list[int] = field(default_factory=list)
    extra_env: dict = field(default_factory=dict)
    hub: Server | None = None
    hospitals: dict[str, Server] = field(default_factory=dict)
    crew: dict[str, str] = field(default_factory=dict)
    staff: dict[str, dict[str, str]] = field(default_factory=dict)

    def hub_env(self) -> dict:
        return {"EMS_INSTANCE": str(self.root / "ems"), **self.db_env.get("ems", {}), **self.extra_env}

    def hospital_env(self, hospital_id: str, name: str) -> dict:
        return {"HOSPITAL_INSTANCE": str(self.root / hospital_id), "HOSPITAL_ID": hospital_id,
                "HOSPITAL_NAME": name, "HUB_URL": self.hub.url if self.hub else "",
                **self.db_env.get(hospital_id, {}), **self.extra_env}

    def start(self, hospitals=DEMO_HOSPITALS, password: str | None = None) -> "System":
        self.hub = Server("ems_app", self.hub_env(), self.hub_port)
        self.crew = _pairs(run_cli("ems_app", ["seed-demo", *(["--password", password] if password else [])],
                                   self.hub_env()))
        for i, (hid, name, address) in enumerate(hospitals):
            env = self.hospital_env(hid, name)
            jwk_file = self.root / hid / "public.jwk"
            jwk_file.parent.mkdir(parents=True, exist_ok=True)
            jwk_file.write_text(run_cli("hospital_app", ["export-jwk"], env))
            run_cli("ems_app", ["enroll-hospital", "--id", hid, "--name", name, "--address", address,
                                "--jwk-file", str(jwk_file)], self.hub_env())
            self.staff[hid] = _pairs(run_cli("hospital_app", ["seed-demo", *(["--password", password] if password else [])], env))
        self.hub.start()
        for i, (hid, name, _address) in enumerate(hospitals):
            port = self.hospital_ports[i] if i < len(self.hospital_ports) else None
            self.hospitals[hid] = Server("hospital_app", self.hospital_env(hid, name), port).start()
        return self

    def stop(self) -> None:
        for server in self.hospitals.values():
            server.stop()
        if self.hub:
            self.hub.stop()


def _pairs(output: str) -> dict[str, str]:
    return dict(line.split("\t", 1) for line in output.strip().splitlines() if "\t" in line)


def describe(system: System) -> str:
    lines = ["", "PreArrival is running (SQLite, one process each). Open:",
             f"  救急隊タブレット / crew tablet:  {system.hub.url}/"]
    lines += [f"      {u} / {p}" for u, p in system.crew.items()]
    for hid, server in system.hospitals.items():
        lines.append(f"  ER dashboard {hid}:  {server.url}/")
        lines += [f"      {u} / {p}" for u, p in system.staff[hid].items()]
    lines += ["", "Passwords were generated for this demo and are shown only here. Ctrl-C stops everything."]
    return "\n".join(lines)



