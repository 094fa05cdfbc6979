"""Delivery states on grants (delivered, seen, acknowledged) and idempotency keys on updates.

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
    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.add_column(sa.Column('delivered_seq', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('seen_seq', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('acknowledged_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('incident_events', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_incident_events_client_id', ['incident_id', 'client_id'])



def downgrade() -> None:
    with op.batch_alter_table('incident_events', schema=None) as batch_op:
        batch_op.drop_constraint('uq_incident_events_client_id', type_='unique')
        batch_op.drop_column('client_id')

    with op.batch_alter_table('grants', schema=None) as batch_op:
        batch_op.drop_column('acknowledged_at')
        batch_op.drop_column('seen_seq')
        batch_op.drop_column('delivered_seq')

