"""Loading the bundled seed: add the records that are missing, never change or delete existing ones."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sqlmodel import Session

from .. import queries
from .errors import Invalid
from .importing import import_document

KINDS = ("events", "actors", "topics")


@dataclass
class SeedReport:
    """Per record type: how many of the seed's records were already there, and how many were added."""

    present: Counter[str] = field(default_factory=Counter)
    added: Counter[str] = field(default_factory=Counter)

    def summary(self) -> str:
        return "; ".join(f"{self.present[k]} {k} present, {self.added[k]} added" for k in KINDS)


def _exists(session: Session, kind: str, record: Any) -> bool:
    if not isinstance(record, dict):
        return False  # left in: the import names the bad record
    if kind == "actors":
        return queries.actor_by_slug(session, str(record.get("slug") or "")) is not None
    if kind == "topics":
        return queries.topic_by_slug(session, str(record.get("slug") or "")) is not None
    # A deleted event exists too (it can be restored): an editor's deletion is kept.
    return queries.event_by_uid(session, str(record.get("uid") or "")) is not None


def load_seed(session: Session, doc: Any) -> SeedReport:
    """Import the seed's records that are not in the database yet; raises Invalid naming a bad record.

    Records already present (by slug or uid, deleted events included) are left exactly as editors made
    them: a second start after a correction changes nothing.
    """
    if not isinstance(doc, dict):
        raise Invalid({"document": "must be a JSON object"}, "The document must be a JSON object.")
    report = SeedReport()
    missing: dict[str, Any] = dict(doc)
    for kind in KINDS:
        records = doc.get(kind, [])
        if not isinstance(records, list):
            continue  # the import refuses it with its own message
        keep = [r for r in records if not _exists(session, kind, r)]
        report.present[kind] = len(records) - len(keep)
        missing[kind] = keep
    imported = import_document(session, missing)
    for kind in KINDS:
        report.added[kind] = imported.created[kind]
    return report
