"""Event dates re-read by the current parser: seasons 21-41, unknown months, the calendar's ends

Before, `2020-25` read "March 2020", `2019-XX-15` read "15 January 2019", a winter (`2020-24`) ended
on 31 December, and `9999-12~` was stored with its earliest day after its latest. Each distinct
date text is parsed again and only rows whose bounds or text differ are updated (the text the editor
wrote, `date_edtf`, never changes; a text the parser now refuses keeps its stored values).

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-30
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from timeline.dates import InvalidDate, parse_date

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    stored = bind.execute(
        sa.text("SELECT DISTINCT date_edtf, date_earliest, date_latest, date_display FROM event")
    ).all()
    changes = []
    for edtf, earliest, latest, display in stored:
        try:
            parsed = parse_date(edtf)
        except InvalidDate:
            continue
        # SQLite hands dates back as text.
        if (str(earliest), str(latest), display) != (
            str(parsed.earliest),
            str(parsed.latest),
            parsed.display,
        ):
            changes.append(
                {
                    "edtf": edtf,
                    "earliest": parsed.earliest,
                    "latest": parsed.latest,
                    "display": parsed.display,
                }
            )
    if not changes:
        return
    bind.execute(
        sa.text(
            "UPDATE event SET date_earliest = :earliest, date_latest = :latest, date_display = :display "
            "WHERE date_edtf = :edtf"
        ),
        changes,
    )
    bind.execute(sa.text("UPDATE data_version SET version = version + 1 WHERE id = 1"))  # cached pages
    bind.execute(  # and the scope every cached page depends on (timeline/scopes.py)
        sa.text(
            "INSERT INTO data_scope (scope, version) VALUES ('*', 1) "
            "ON CONFLICT (scope) DO UPDATE SET version = data_scope.version + 1"
        )
    )


def downgrade() -> None:
    """Nothing to undo: the values written are the ones the parser gives for the stored text."""
