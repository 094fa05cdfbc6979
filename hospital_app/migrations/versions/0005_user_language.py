"""The language each member of staff chose (ja or en): applied at sign-in, so the same person gets
it on any dashboard. Empty for someone who never chose: the device's own choice stands.

Revision ID: 0005_user_language
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_user_language'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('language')
