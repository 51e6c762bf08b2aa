"""actors topics events stances

Revision ID: 0001
Revises:
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "actor",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("role", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("country", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column("parent_id", sa.Integer(), nullable=True),
        sa.Column("aliases", sa.JSON(), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["parent_id"], ["actor.id"], name=op.f("fk_actor_parent_id_actor"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_actor")),
        sa.UniqueConstraint("slug", name=op.f("uq_actor_slug")),
    )
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_actor_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("slug", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column("description", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic")),
        sa.UniqueConstraint("slug", name=op.f("uq_topic_slug")),
    )
    op.create_table(
        "event",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("uid", sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=False),
        sa.Column("kind", sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
        sa.Column("date_edtf", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("date_earliest", sa.Date(), nullable=False),
        sa.Column("date_latest", sa.Date(), nullable=False),
        sa.Column("date_basis", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("quote", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=10000), nullable=True),
        sa.Column("location", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("speaker_role", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("source_title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("source_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("source_publisher", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("source_author", sqlmodel.sql.sqltypes.AutoString(length=200), nullable=True),
        sa.Column("source_published", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("confidence", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["actor.id"], name=op.f("fk_event_actor_id_actor"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event")),
        sa.UniqueConstraint("uid", name=op.f("uq_event_uid")),
    )
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.create_index(
            "ix_event_actor_order", ["actor_id", "date_earliest", "date_latest", "id"], unique=False
        )
        batch_op.create_index("ix_event_order", ["date_earliest", "date_latest", "id"], unique=False)

    op.create_table(
        "stance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("rationale", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.CheckConstraint("score >= -2 AND score <= 2", name=op.f("ck_stance_score_range")),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_stance_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"], ["topic.id"], name=op.f("fk_stance_topic_id_topic"), ondelete="RESTRICT"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stance")),
        sa.UniqueConstraint("event_id", "topic_id", name="uq_stance_event_topic"),
    )
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.create_index("ix_stance_topic_event", ["topic_id", "event_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stance", schema=None) as batch_op:
        batch_op.drop_index("ix_stance_topic_event")

    op.drop_table("stance")
    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_index("ix_event_order")
        batch_op.drop_index("ix_event_actor_order")

    op.drop_table("event")
    op.drop_table("topic")
    with op.batch_alter_table("actor", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_actor_parent_id"))

    op.drop_table("actor")
