"""Idempotency keys on incidents: the tablet's key for opening one, unique within the crew.

The crew is the team and organisation of whoever opened the incident; existing incidents take
their opener's team, and have no key.

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
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('team', sa.String(length=64), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('client_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_incidents_client_id', ['organisation', 'team', 'client_id'])
    op.execute("UPDATE incidents SET team = COALESCE("
               "(SELECT users.team FROM users WHERE users.id = incidents.created_by), '')")


def downgrade() -> None:
    with op.batch_alter_table('incidents', schema=None) as batch_op:
        batch_op.drop_constraint('uq_incidents_client_id', type_='unique')
        batch_op.drop_column('client_id')
        batch_op.drop_column('team')
