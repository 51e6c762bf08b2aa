"""stance.changed computed incrementally: stance_watch_change (one row per change the webhooks job last
computed) replaces the JSON document in stance_watch.changes

Revision ID: 0014
Revises: 0011
Create Date: 2026-12-01
"""

from __future__ import annotations

import json

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

_COLUMNS = ("topic", "speaker", "after_uid", "before_uid", "from_score", "to_score", "change")


def upgrade() -> None:
    table = op.create_table(
        "stance_watch_change",
        sa.Column("topic", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("speaker", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("after_uid", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("before_uid", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("from_score", sa.Integer(), nullable=False),
        sa.Column("to_score", sa.Integer(), nullable=False),
        sa.Column("change", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.PrimaryKeyConstraint("topic", "speaker", "after_uid", name=op.f("pk_stance_watch_change")),
    )
    # The watch's changes so far become rows: the next run compares with them as before.
    state = op.get_bind().execute(sa.text("SELECT changes FROM stance_watch WHERE id = 1")).scalar()
    rows = [dict(zip(_COLUMNS, item, strict=True)) for item in json.loads(state or "[]")]
    if rows:
        op.bulk_insert(table, rows)
    with op.batch_alter_table("stance_watch", schema=None) as batch_op:
        batch_op.drop_column("changes")


def downgrade() -> None:
    with op.batch_alter_table("stance_watch", schema=None) as batch_op:
        batch_op.add_column(sa.Column("changes", sa.Text(), server_default="[]", nullable=False))
    bind = op.get_bind()
    found = bind.execute(sa.text(f"SELECT {', '.join(_COLUMNS)} FROM stance_watch_change")).all()
    state = json.dumps(sorted([list(row) for row in found]), ensure_ascii=False, separators=(",", ":"))
    bind.execute(sa.text("UPDATE stance_watch SET changes = :state WHERE id = 1"), {"state": state})
    op.drop_table("stance_watch_change")
