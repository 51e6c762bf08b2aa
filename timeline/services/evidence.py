"""Evidence first: a statement without a source or a quote is saved only when an editor confirms it."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlmodel import Session

from .. import queries
from ..models import Event
from . import events
from .errors import Invalid

# Kinds whose evidence is the speaker's words: they need a quote as well as a source.
SPOKEN = frozenset({"statement", "interview"})


class EvidenceMissing(Invalid):
    """The event has no source or no quote and the editor has not confirmed saving it so."""

    def __init__(self, missing: list[str]) -> None:
        fields = {}
        if "source" in missing:
            fields["source.url"] = "no source: give its URL or title, or confirm saving without evidence"
        if "quote" in missing:
            fields["quote"] = "no quote: give the words as published, or confirm saving without evidence"
        super().__init__(fields, confirm_question(missing))
        self.missing = missing


def missing_evidence(kind: Any, quote: Any, source_url: Any, source_title: Any) -> list[str]:
    """What evidence an event lacks: "source" (neither URL nor title), "quote" (statements only)."""
    missing = []
    if not (str(source_url or "").strip() or str(source_title or "").strip()):
        missing.append("source")
    if str(kind or "") in SPOKEN and not str(quote or "").strip():
        missing.append("quote")
    return missing


def missing_in_record(record: Mapping[str, Any]) -> list[str]:
    """missing_evidence of an event record or form payload ({"source": {...}, "quote": ...})."""
    source = record.get("source") or {}
    return missing_evidence(record.get("kind"), record.get("quote"), source.get("url"), source.get("title"))


def missing_in_event(event: Any) -> list[str]:
    """missing_evidence of an Event (an ORM object or a listing row with its columns)."""
    return missing_evidence(
        getattr(event, "kind", None),
        getattr(event, "quote", None),
        getattr(event, "source_url", None),
        getattr(event, "source_title", None),
    )


def is_unsourced(event: Any) -> bool:
    """Whether an event is shown as "unsourced": it lacks a source, or is a statement without a quote."""
    return bool(missing_in_event(event))


def confirm_question(missing: list[str]) -> str:
    """The question the form asks before saving without evidence."""
    what = " or ".join({"source": "source", "quote": "quote"}[m] for m in missing)
    return f"This statement has no {what}. Save without evidence?"


def require_evidence(
    payload: Mapping[str, Any], *, confirmed: bool, before: Mapping[str, Any] | None = None
) -> None:
    """Raise EvidenceMissing unless the payload has its evidence, the editor confirmed, or (on an edit)
    the event already lacked that evidence before: an old unsourced event is not asked about again."""
    missing = missing_in_record(payload)
    if before is not None:
        already = set(missing_in_record(before))
        missing = [m for m in missing if m not in already]
    if missing and not confirmed:
        raise EvidenceMissing(missing)


def submit_event(
    session: Session,
    payload: Mapping[str, Any],
    new_actor: Mapping[str, Any] | None,
    user_id: int | None,
    *,
    confirmed: bool,
) -> events.CreatedEvent:
    """Validate and store a new event, refusing one without evidence unless confirmed.

    Field errors come first (the caller's transaction is rolled back when the evidence check fails).
    """
    created = events.submit_event(session, payload, new_actor, user_id)
    require_evidence(payload, confirmed=confirmed)
    return created


def update_event(
    session: Session,
    event_id: int,
    payload: Mapping[str, Any],
    *,
    expected_version: int | None,
    user_id: int | None,
    confirmed: bool,
) -> Event:
    """Save an edit; removing evidence the event had asks for confirmation, as a new event would."""
    current = queries.event_by_id(session, event_id)
    before = events.event_snapshot(session, current) if current is not None else None
    event = events.update_event(
        session, event_id, payload, expected_version=expected_version, user_id=user_id
    )
    require_evidence(payload, confirmed=confirmed, before=before)
    return event
