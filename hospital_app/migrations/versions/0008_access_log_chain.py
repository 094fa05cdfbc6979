"""access_log is hash-chained and append-only, like the hub's audit trail

The hospital's access log names the staff member who opened a patient; it is what a privacy
officer reads when a look is questioned, so it gets the hub trail's two protections:

- each entry carries an HMAC hash over the previous entry's hash and its own fields
  (shared/audit.py, hospital_app/access_log.py), so an edited, inserted or deleted entry is
  evident to `python -m hospital_app audit verify`;
- triggers refuse UPDATE, DELETE (and, on PostgreSQL, TRUNCATE) of access_log. The one change
  allowed is the gateway's delivery mark, `reported`, from false to true with every other column
  unchanged: it says the hub has the report, is outside the hash, and never goes back.

Entries written before this revision have no hash (the key lives in the instance directory,
out of the migration's reach); they stay as they are, and verification counts them as written
before the chain began. Once one chained entry exists, an entry without a hash after it breaks
the chain.

Caution for later migrations: a SQLite batch_alter_table on access_log copies the table and drops
these triggers; such a migration must create them again (`create_sqlite_triggers`).

Revision ID: 0008_access_log_chain
Revises: 0007_factors
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_access_log_chain'
down_revision = '0007_factors'
branch_labels = None
depends_on = None

MESSAGE = "access_log is append-only"

# to_jsonb(NEW) - 'reported': every column but the delivery mark, including any added later.
PG_UPGRADE = [
    f"""CREATE OR REPLACE FUNCTION access_log_append_only() RETURNS trigger
        LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND NOT OLD.reported AND NEW.reported
               AND to_jsonb(NEW) - 'reported' = to_jsonb(OLD) - 'reported' THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
        END
        $$""",
    """CREATE TRIGGER access_log_no_update_delete BEFORE UPDATE OR DELETE ON access_log
       FOR EACH ROW EXECUTE FUNCTION access_log_append_only()""",
    """CREATE TRIGGER access_log_no_truncate BEFORE TRUNCATE ON access_log
       FOR EACH STATEMENT EXECUTE FUNCTION access_log_append_only()""",
]
PG_DOWNGRADE = [
    "DROP TRIGGER IF EXISTS access_log_no_truncate ON access_log",
    "DROP TRIGGER IF EXISTS access_log_no_update_delete ON access_log",
    "DROP FUNCTION IF EXISTS access_log_append_only()",
]
SQLITE_TRIGGERS = ("access_log_no_update", "access_log_no_delete")
_UNCHANGED = " AND ".join(f"NEW.{c} IS OLD.{c}" for c in (
    "id", "at", "staff", "role", "incident_id", "action", "previous_hash", "hash"))


def create_sqlite_triggers() -> None:
    op.execute(f"CREATE TRIGGER IF NOT EXISTS access_log_no_update BEFORE UPDATE ON access_log "
               f"WHEN NOT (OLD.reported = 0 AND NEW.reported = 1 AND {_UNCHANGED}) "
               f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")
    op.execute(f"CREATE TRIGGER IF NOT EXISTS access_log_no_delete BEFORE DELETE ON access_log "
               f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END")


def upgrade() -> None:
    op.add_column('access_log', sa.Column('previous_hash', sa.String(length=64), nullable=True))
    op.add_column('access_log', sa.Column('hash', sa.String(length=64), nullable=True))
    op.create_index('ix_access_log_hash', 'access_log', ['hash'], unique=True)
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
    op.drop_index('ix_access_log_hash', table_name='access_log')
    with op.batch_alter_table('access_log', schema=None) as batch_op:
        batch_op.drop_column('hash')
        batch_op.drop_column('previous_hash')
