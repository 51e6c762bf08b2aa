"""stance.changed webhooks: stance_watch (the changes last computed), webhook_delivery.item

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stance_watch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("n", sa.Integer(), nullable=False),
        sa.Column("changes", sa.Text(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stance_watch")),
    )
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.add_column(sa.Column("item", sa.Integer(), server_default="0", nullable=False))
        batch_op.drop_constraint("uq_webhook_delivery_change", type_="unique")
        batch_op.create_unique_constraint(
            "uq_webhook_delivery_change", ["webhook_id", "change_seq", "change_n", "event_type", "item"]
        )


def downgrade() -> None:
    op.execute("DELETE FROM webhook_delivery WHERE event_type = 'stance.changed'")
    with op.batch_alter_table("webhook_delivery", schema=None) as batch_op:
        batch_op.drop_constraint("uq_webhook_delivery_change", type_="unique")
        batch_op.create_unique_constraint(
            "uq_webhook_delivery_change", ["webhook_id", "change_seq", "change_n"]
        )
        batch_op.drop_column("item")
    op.drop_table("stance_watch")
