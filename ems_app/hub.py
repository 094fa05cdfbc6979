"""What every hub service needs, gathered once at start-up: database, keys, record source."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from ems_app.notifier import Notifier
from shared.sources import RecordSource
from shared.sources.simulator import OqcSimulator
from shared.storage import Database
from shared.tokens import KeyRing

MIGRATIONS = Path(__file__).parent / "migrations"


@dataclass
class Hub:
    db: Database
    keys: KeyRing
    source: RecordSource
    audit_key: bytes
    issuer: str
    settings: dict
    # Pushes to gateways and tablets; create_app gives it the app's Socket.IO server. Without one
    # (CLI commands, in-process use) pushes are dropped and the services work the same.
    notifier: Notifier = field(default_factory=Notifier)

    @classmethod
    def from_config(cls, cfg: dict) -> "Hub":
        db = Database(cfg["DATABASE_URL"], cfg["DATABASE_SCHEMA"], MIGRATIONS, cfg["DATABASE_POOL_SIZE"])
        db.migrate()
        if cfg.get("RECORD_SOURCE", "simulator") == "simulator":
            source = OqcSimulator(seed=cfg["OQC_SEED"])
            source.set_condition(cfg["OQC_CONDITION"])
        elif cfg["RECORD_SOURCE"] == "fhir":  # a JP-CLINS FHIR endpoint (docs/fhir.md)
            from shared.sources.fhir import FhirSource
            source = FhirSource.from_config(cfg)
        else:  # never demo data by a typo
            raise ValueError(f"RECORD_SOURCE must be simulator or fhir, not {cfg['RECORD_SOURCE']!r}")
        keys = KeyRing(Path(cfg["INSTANCE"]) / "keys", retire_after_s=cfg["GRANT_HARD_CAP_S"] + 3600)
        return cls(db=db, keys=keys, source=source, audit_key=cfg["AUDIT_KEY"], issuer=cfg["ISSUER"],
                   settings=cfg)
