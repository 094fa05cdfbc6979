"""QR shares: an optional use limit, the uses counted; an emergency-exception opening reviewed by
the sharing crew's organisation.

Existing shares get no use limit (their expiry and the wrong-passcode limit still end them).
Review items queued under "share:<recipient>", which no privacy officer belongs to, move to the
organisation of the crew member who made the share, one item per share.

Revision ID: 0006_share_uses
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa


revision = '0006_share_uses'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.add_column(sa.Column('max_uses', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('uses', sa.Integer(), nullable=False, server_default='0'))
    conn = op.get_bind()
    items = conn.execute(sa.text("SELECT id, organisation, incident_id FROM review_items "
                                 "WHERE organisation LIKE 'share:%'")).all()
    for item_id, organisation, incident_id in items:
        recipient = organisation[len("share:"):]
        row = conn.execute(sa.text(
            "SELECT shares.id, users.organisation FROM shares JOIN users ON users.id = shares.created_by "
            "WHERE shares.incident_id = :incident AND substr(shares.recipient, 1, :n) = :recipient "
            "ORDER BY shares.opened_at IS NULL, shares.created_at LIMIT 1"),
            {"incident": incident_id, "n": len(recipient), "recipient": recipient}).first()
        if row is None or not row[1]:
            continue  # no share or no organisation to send it to: left where it is, still on record
        conn.execute(sa.text("UPDATE review_items SET organisation = :org, kind = :kind, "
                             "summary = :summary WHERE id = :id"),
                     {"org": row[1][:64], "kind": f"share_opened:{row[0]}"[:32],
                      "summary": f"share_opened_under_emergency_exception:{recipient}"[:500], "id": item_id})


def downgrade() -> None:
    with op.batch_alter_table('shares', schema=None) as batch_op:
        batch_op.drop_column('uses')
        batch_op.drop_column('max_uses')
