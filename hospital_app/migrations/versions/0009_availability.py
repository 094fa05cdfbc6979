"""This ER's acceptance status by capability (sent to the hub, shown on the crews' tablets), and
the outcomes it returned, each version as sent (the hospital's own record of what it reported).

Revision ID: 0009_availability
Revises: 0008_access_log_chain
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_availability'
down_revision = '0008_access_log_chain'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'availability',
        sa.Column('capability', sa.String(length=16), primary_key=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        sa.Column('set_by', sa.String(length=64), nullable=False),
    )
    op.create_table(
        'outcome_reports',
        sa.Column('incident_id', sa.String(length=32), primary_key=True),
        sa.Column('version', sa.Integer(), primary_key=True),
        sa.Column('severity', sa.String(length=16), nullable=False),
        sa.Column('diagnosis_code', sa.String(length=16), nullable=False),
        sa.Column('diagnosis_display', sa.String(length=200), nullable=False),
        sa.Column('disposition', sa.String(length=16), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by', sa.String(length=64), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('outcome_reports')
    op.drop_table('availability')
