"""An accepted patient's grant, kept until the record arrives: a fault between the acceptance
and the record fetch no longer loses the patient.

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('pending_grants',
    sa.Column('incident_id', sa.String(length=32), nullable=False),
    sa.Column('grant', sa.Text(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=True),
    sa.Column('accepted_at', sa.DateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', sa.DateTime(), nullable=False),
    sa.Column('last_error', sa.String(length=64), nullable=True),
    sa.PrimaryKeyConstraint('incident_id')
    )


def downgrade() -> None:
    op.drop_table('pending_grants')
