"""scheduler jobs snapshots links feeds

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""

from __future__ import annotations

import sqlalchemy as sa
import sqlmodel.sql.sqltypes
from alembic import op

from timeline.migrate import search_triggers_lifted

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scheduled_job",
        sa.Column("id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("interval_seconds", sa.Integer(), nullable=False),
        sa.Column("next_run_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("updated_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_scheduled_job")),
    )
    op.create_table(
        "snapshot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
        sa.Column("sha256", sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_snapshot")),
        sa.UniqueConstraint("name", name=op.f("uq_snapshot_name")),
    )
    op.create_table(
        "source_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("status", sa.Integer(), nullable=True),
        sa.Column("final_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("redirects", sa.JSON(), nullable=False),
        sa.Column("error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("checked_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("broken_since", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_source_link")),
        sa.UniqueConstraint("url", name=op.f("uq_source_link_url")),
    )
    op.create_table(
        "feed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("added_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.Column("last_fetched_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("last_error", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
        sa.Column("failures", sa.Integer(), server_default="0", nullable=False),
        sa.ForeignKeyConstraint(
            ["added_by"], ["user.id"], name=op.f("fk_feed_added_by_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_feed")),
        sa.UniqueConstraint("url", name=op.f("uq_feed_url")),
    )
    op.create_table(
        "job_run",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("job_id", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
        sa.Column("outcome", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("message", sqlmodel.sql.sqltypes.AutoString(length=4000), nullable=True),
        sa.Column("requested_by", sa.Integer(), nullable=True),
        sa.Column("queued_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("started_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.Column("finished_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["requested_by"], ["user.id"], name=op.f("fk_job_run_requested_by_user"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_job_run")),
    )
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.create_index("ix_job_run_job", ["job_id", "id"], unique=False)

    op.create_table(
        "candidate",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("feed_id", sa.Integer(), nullable=False),
        sa.Column("guid", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("link", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True),
        sa.Column("title", sqlmodel.sql.sqltypes.AutoString(length=500), nullable=False),
        sa.Column("summary", sqlmodel.sql.sqltypes.AutoString(length=5000), nullable=True),
        sa.Column("published", sqlmodel.sql.sqltypes.AutoString(length=40), nullable=True),
        sa.Column("publisher", sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
        sa.Column("status", sqlmodel.sql.sqltypes.AutoString(length=10), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_candidate_event_id_event"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["feed_id"], ["feed.id"], name=op.f("fk_candidate_feed_id_feed"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_candidate")),
    )
    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_candidate_feed_id"), ["feed_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidate_guid"), ["guid"], unique=False)
        batch_op.create_index(batch_op.f("ix_candidate_link"), ["link"], unique=False)
        batch_op.create_index("ix_candidate_status", ["status", "id"], unique=False)

    with op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("archive_url", sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=True)
        )


def downgrade() -> None:
    with search_triggers_lifted(op), op.batch_alter_table("event", schema=None) as batch_op:
        batch_op.drop_column("archive_url")

    with op.batch_alter_table("candidate", schema=None) as batch_op:
        batch_op.drop_index("ix_candidate_status")
        batch_op.drop_index(batch_op.f("ix_candidate_link"))
        batch_op.drop_index(batch_op.f("ix_candidate_guid"))
        batch_op.drop_index(batch_op.f("ix_candidate_feed_id"))

    op.drop_table("candidate")
    with op.batch_alter_table("job_run", schema=None) as batch_op:
        batch_op.drop_index("ix_job_run_job")

    op.drop_table("job_run")
    op.drop_table("feed")
    op.drop_table("source_link")
    op.drop_table("snapshot")
    op.drop_table("scheduled_job")
