"""audit_entries is append-only

The hash chain (shared/audit.py) makes an edit *evident*; these triggers make the ordinary
edit *impossible*: an UPDATE, DELETE (or, on PostgreSQL, TRUNCATE) of audit_entries raises
"audit_entries is append-only", so a bug, a careless admin query or a compromised app role
cannot rewrite who looked at a record and on what basis.

Both databases get triggers. SQLite has triggers too, and RAISE(ABORT, ...) in a BEFORE
trigger refuses the statement; SQLite has no TRUNCATE, and a DELETE without WHERE still fires
the DELETE trigger (the truncate optimisation is off when a table has one). PostgreSQL uses a
row-level trigger for UPDATE/DELETE and a statement-level one for TRUNCATE.

Someone who owns the database can still drop or disable a trigger (ALTER TABLE ... DISABLE
TRIGGER, session_replication_role = replica, DROP TRIGGER); that is why `python -m ems_app
verify-audit` checks the HMAC chain independently of these triggers.

Caution for later migrations: a SQLite batch_alter_table on audit_entries copies the table
and drops the original, which drops these triggers; such a migration must create them again
(call `create_sqlite_triggers`).

Revision ID: 0002
Revises: 0001
"""
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

MESSAGE = "audit_entries is append-only"

# Unqualified names: the connection's search_path (DATABASE_SCHEMA) decides the schema, as for
# the tables of 0001.
PG_UPGRADE = [
    f"""CREATE OR REPLACE FUNCTION audit_entries_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END
        $$""",
    """CREATE TRIGGER audit_entries_no_update_delete BEFORE UPDATE OR DELETE ON audit_entries
       FOR EACH ROW EXECUTE FUNCTION audit_entries_append_only()""",
    """CREATE TRIGGER audit_entries_no_truncate BEFORE TRUNCATE ON audit_entries
       FOR EACH STATEMENT EXECUTE FUNCTION audit_entries_append_only()""",
]
PG_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS audit_entries_no_truncate ON audit_entries",
    "DROP TRIGGER IF EXISTS audit_entries_no_update_delete ON audit_entries",
    "DROP FUNCTION IF EXISTS audit_entries_append_only()",
]
SQLITE_TRIGGERS = ("audit_entries_no_update", "audit_entries_no_delete")


def create_sqlite_triggers() -> None:
    for name, event in zip(SQLITE_TRIGGERS, ("UPDATE", "DELETE")):
        op.execute(f"CREATE TRIGGER IF NOT EXISTS {name} BEFORE {event} ON audit_entries "
                   f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in PG_UPGRADE:
            op.execute(statement)
    elif dialect == "sqlite":
        create_sqlite_triggers()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        for statement in PG_DOWNGRADE:
            op.execute(statement)
    elif dialect == "sqlite":
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
