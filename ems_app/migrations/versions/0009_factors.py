"""Second factors of the hub's staff (passkeys, TOTP, recovery codes) and the ceremonies under way.

shared/factor_tables.py describes the columns; shared/factors.py the rules.

Revision ID: 0009_factors
Revises: 0008_sessions
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_factors'
down_revision = '0008_sessions'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_factor_tables()


def downgrade() -> None:
    op.drop_table('factor_challenges')
    op.drop_table('factors')


def create_factor_tables() -> None:
    op.create_table(
        'factors',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('label', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('credential_id', sa.String(length=512), nullable=True, unique=True),
        sa.Column('public_key', sa.Text(), nullable=True),
        sa.Column('sign_count', sa.Integer(), nullable=False),
        sa.Column('secret', sa.Text(), nullable=True),
        sa.Column('last_step', sa.Integer(), nullable=True),
        sa.Column('code_hash', sa.String(length=256), nullable=True),
        sa.Column('used_at', sa.DateTime(), nullable=True),
    )
    op.create_index('ix_factors_user_id', 'factors', ['user_id'])
    op.create_table(
        'factor_challenges',
        sa.Column('id', sa.String(length=64), primary_key=True),
        sa.Column('session_ref', sa.String(length=128), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('purpose', sa.String(length=16), nullable=False),
        sa.Column('challenge', sa.Text(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
    )
    op.create_index('ix_factor_challenges_session_ref', 'factor_challenges', ['session_ref'])
