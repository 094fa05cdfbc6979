"""Each filing of a patient's pre-arrival record into the hospital's EMR: who, when, and what the
EMR answered (hospital_app/emr_filing.py).

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('emr_filings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.Column('incident_id', sa.String(length=32), nullable=False),
    sa.Column('staff', sa.String(length=64), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('emr_status', sa.Integer(), nullable=True),
    sa.Column('created', sa.JSON(), nullable=False),
    sa.Column('existing', sa.JSON(), nullable=False),
    sa.Column('said', sa.String(length=500), nullable=True),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('emr_filings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_emr_filings_incident_id'), ['incident_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('emr_filings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_emr_filings_incident_id'))
    op.drop_table('emr_filings')
