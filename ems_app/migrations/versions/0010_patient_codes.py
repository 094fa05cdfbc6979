"""The patient's one-time codes, the gateways every hub process sees as online, and the counts
of refused grant redemptions.

- patient_codes: a code sent to the contact the patient registered, before "who viewed my data"
  opens (ems_app/services/patient_codes.py). Only the code's scrypt hash is kept; `attempts` is
  reserved by one atomic UPDATE, so parallel guesses in several processes meet one limit.
- gateway_presence: one row per connected gateway socket, refreshed by its hub process's
  heartbeat; a crashed process's rows stop being refreshed and no longer count
  (ems_app/services/presence.py).
- refusal_counts: refused redemptions per hospital and per address in fixed windows; past a few,
  they are only counted, and the trail gets one entry per window with the count
  (ems_app/services/refusal_limit.py).

Revision ID: 0010_patient_codes
Revises: 0009_factors
"""
from alembic import op
import sqlalchemy as sa


revision = '0010_patient_codes'
down_revision = '0009_factors'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'patient_codes',
        sa.Column('id', sa.String(length=32), primary_key=True),
        sa.Column('patient_ref', sa.String(length=64), nullable=False),
        sa.Column('code_hash', sa.String(length=256), nullable=False),
        sa.Column('sent_to', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('used_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_patient_codes_patient_ref', 'patient_codes', ['patient_ref', 'created_at'])
    op.create_table(
        'gateway_presence',
        sa.Column('sid', sa.String(length=64), primary_key=True),
        sa.Column('hospital_id', sa.String(length=64), nullable=False),
        sa.Column('process', sa.String(length=64), nullable=False),
        sa.Column('seen_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_gateway_presence_seen_at', 'gateway_presence', ['seen_at'])
    op.create_table(
        'refusal_counts',
        sa.Column('key', sa.String(length=200), primary_key=True),
        sa.Column('window_start', sa.DateTime(), primary_key=True),
        sa.Column('count', sa.Integer(), nullable=False, server_default='0'),
        sa.Column('reported', sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_index('ix_refusal_counts_reported', 'refusal_counts', ['reported', 'window_start'])


def downgrade() -> None:
    op.drop_table('refusal_counts')
    op.drop_table('gateway_presence')
    op.drop_table('patient_codes')
