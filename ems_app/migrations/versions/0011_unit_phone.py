"""Ambulance units and their registered callback numbers.

The hospital deciding on an inquiry calls the crew back on the unit's own phone, registered with
the unit (by the fire HQ, `python -m ems_app register-unit`), never typed on a tablet mid-call.

Revision ID: 0011_unit_phone
Revises: 0010_patient_codes
"""
from alembic import op
import sqlalchemy as sa


revision = '0011_unit_phone'
down_revision = '0010_patient_codes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'units',
        sa.Column('organisation', sa.String(length=64), primary_key=True),
        sa.Column('team', sa.String(length=64), primary_key=True),
        sa.Column('callback_phone', sa.String(length=32), nullable=True),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
    )


def downgrade() -> None:
    op.drop_table('units')
