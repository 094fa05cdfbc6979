"""When someone else (an administrator, the operator) set a user's password: it is temporary until
the user chooses their own, and signs in no more after TEMPORARY_PASSWORD_HOURS (ASVS 2.3.1).
Empty for every existing account: their passwords stay as they are.

Revision ID: 0014_temporary_password
Revises: 0013_availability_outcome
"""
from alembic import op
import sqlalchemy as sa


revision = '0014_temporary_password'
down_revision = '0013_availability_outcome'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('temporary_password_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('temporary_password_at')
