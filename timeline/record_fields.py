"""The event record's fields, once: the native format's keys in order and the column each comes from.

Both builders of the record iterate this table: services/records.event_record_of (Python, for the API,
revisions and single events) and queries._event_json (SQL json_object / json_build_object, for long
listings and exports). Other copies of the record's shape, kept by hand in step with it:
- the "stances" array (last key) is kept as JSON in event.stances_json by the triggers of
  migrations/versions/0006_event_derived_columns.py (and records.event_record's list);
- timeline/export-v1.schema.json describes the document; schemas.EventIn reads it back, and
  services/events._row_values maps an EventIn to these columns.
"""

from __future__ import annotations

from typing import Union

ACTOR = "<actor slug>"  # not an event column: the slug of the event's actor (joined in SQL)
DAYS = frozenset({"date_earliest", "date_latest"})  # dates, written YYYY-MM-DD
STAMPS = frozenset({"created_at", "updated_at"})  # timestamps, written in UTC as YYYY-MM-DDTHH:MM:SSZ

Fields = tuple[tuple[str, Union[str, "Fields"]], ...]  # (key, column) or (key, nested fields)

EVENT_FIELDS: Fields = (
    ("uid", "uid"),
    ("actor", ACTOR),
    ("kind", "kind"),
    ("title", "title"),
    ("date", "date_edtf"),
    ("date_earliest", "date_earliest"),
    ("date_latest", "date_latest"),
    ("date_display", "date_display"),
    ("date_basis", "date_basis"),
    ("quote", "quote"),
    ("summary", "summary"),
    ("location", "location"),
    ("speaker_role", "speaker_role"),
    (
        "source",
        (
            ("title", "source_title"),
            ("url", "source_url"),
            ("publisher", "source_publisher"),
            ("author", "source_author"),
            ("published", "source_published"),
            ("archive_url", "archive_url"),
        ),
    ),
    ("confidence", "confidence"),
    ("created_at", "created_at"),
    ("updated_at", "updated_at"),
)  # then "stances"
