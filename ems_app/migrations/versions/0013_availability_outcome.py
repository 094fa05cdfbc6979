"""Each ER's acceptance status by capability, as its staff last set it, and every version of a
returned outcome (a correction is a new version; `outcomes` holds the current one).

Revision ID: 0013_availability_outcome
Revises: 0012_figures
"""
from alembic import op
import sqlalchemy as sa


revision = '0013_availability_outcome'
down_revision = '0012_figures'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'hospital_availability',
        sa.Column('hospital_id', sa.String(length=64), sa.ForeignKey('hospitals.id'), primary_key=True),
        sa.Column('capability', sa.String(length=16), primary_key=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('set_at', sa.DateTime(), nullable=False),
        sa.Column('set_by', sa.String(length=64), nullable=False),
    )
    op.create_table(
        'outcome_versions',
        sa.Column('incident_id', sa.String(length=32), sa.ForeignKey('incidents.id'), primary_key=True),
        sa.Column('version', sa.Integer(), primary_key=True),
        sa.Column('hospital_id', sa.String(length=64), sa.ForeignKey('hospitals.id'), nullable=False),
        sa.Column('severity', sa.String(length=16), nullable=False),
        sa.Column('diagnosis_system', sa.String(length=16), nullable=False),
        sa.Column('diagnosis_code', sa.String(length=16), nullable=False),
        sa.Column('diagnosis_display', sa.String(length=200), nullable=False),
        sa.Column('disposition', sa.String(length=16), nullable=False),
        sa.Column('recorded_at', sa.DateTime(), nullable=False),
        sa.Column('recorded_by', sa.String(length=128), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('outcome_versions')
    op.drop_table('hospital_availability')
