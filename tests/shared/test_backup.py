"""A backup restored over a changed store brings back exactly what was backed up, audit chain
intact, on SQLite and on PostgreSQL."""
from sqlalchemy import func, select

from ems_app import create_app
from ems_app.models import AuditEntry, Incident
from ems_app.services.audit import first_broken
from shared.backup import backup, restore
from tests.ems_app.conftest import open_identified, signed_in


def test_backup_then_restore_round_trip(database, tmp_path):
    db = database("ems")
    app = create_app({"EMS_INSTANCE": tmp_path / "ems", "EXPIRY_SWEEP_S": 0, **db})
    hub = app.extensions["hub"]
    crew = signed_in(app, "kyukyu1")
    kept = open_identified(crew, "SIM-000001")
    with hub.db.read() as s:
        entries = s.scalar(select(func.count()).select_from(AuditEntry))
    backup(db["DATABASE_URL"], db.get("DATABASE_SCHEMA"), tmp_path / "ems.backup")

    lost = open_identified(crew, "SIM-000002")  # written after the backup
    hub.db.dispose()
    restore(db["DATABASE_URL"], db.get("DATABASE_SCHEMA"), tmp_path / "ems.backup")

    app = create_app({"EMS_INSTANCE": tmp_path / "ems", "EXPIRY_SWEEP_S": 0, **db})
    hub = app.extensions["hub"]
    with hub.db.read() as s:
        ids = set(s.scalars(select(Incident.id)))
        assert kept in ids and lost not in ids
        assert s.scalar(select(func.count()).select_from(AuditEntry)) == entries
        assert first_broken(s, hub.audit_key) is None
    hub.db.dispose()
