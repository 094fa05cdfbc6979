"""The language each user chose (ja or en): applied at sign-in, so the same person gets it on any
tablet. Empty for a user who never chose: the device's own choice stands.

Revision ID: 0007_user_language
Revises: 0006_share_uses
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_user_language'
down_revision = '0006_share_uses'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('language')
