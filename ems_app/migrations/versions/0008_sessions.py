"""Server-side sessions, the sign-in attempt counts every process shares, and disabled accounts.

A session row is found by the SHA-256 of the random id in the cookie (never the id itself); it
ends (ended_at, end_reason) on sign-out, revoke, a password or factor change, a disabled account,
or its role's idle or absolute timeout. shared/sessions.py describes the rules.

Revision ID: 0008_sessions
Revises: 0007_user_language
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_sessions'
down_revision = '0007_user_language'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'sessions',
        sa.Column('id', sa.String(length=64), primary_key=True),
        sa.Column('user_id', sa.Integer(), sa.ForeignKey('users.id'), nullable=False),
        sa.Column('role', sa.String(length=32), nullable=False),
        sa.Column('stage', sa.String(length=16), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('last_seen_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('ended_at', sa.DateTime(), nullable=True),
        sa.Column('end_reason', sa.String(length=32), nullable=True),
    )
    op.create_index('ix_sessions_user_id', 'sessions', ['user_id'])
    op.create_table(
        'sign_in_attempts',
        sa.Column('id', sa.Integer(), primary_key=True, autoincrement=True),
        sa.Column('key', sa.String(length=200), nullable=False),
        sa.Column('at', sa.Float(), nullable=False),
    )
    op.create_index('ix_sign_in_attempts_key', 'sign_in_attempts', ['key', 'at'])
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('disabled_at')
    op.drop_table('sign_in_attempts')
    op.drop_table('sessions')
