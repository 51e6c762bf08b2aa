"""Accepting several extracted candidates at once: each validated, all stored or none, with the source's
text and each quote's anchor."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from ... import source_queries
from ...models import Event
from ...schemas import EventIn, check_http_url
from .. import events, sources
from ..errors import Invalid
from ..validation import validate
from .model import Candidate, Extraction


def candidate_event(result: Extraction, c: Candidate) -> dict[str, Any]:
    """The event a candidate proposes, as schema input (what the add-event form would be prefilled with)."""
    quote = c.quote
    title = f"{c.speaker.name}: {quote}"
    if len(title) > 120:
        title = title[:119].rstrip() + "…"
    src = result.source
    return {
        "actor": c.speaker.actor or "",
        "kind": "statement",
        "title": title,
        "date": c.date,
        "date_basis": c.date_basis,
        "quote": quote,
        "speaker_role": c.speaker_role,
        "source": {
            "title": src.get("title"),
            "url": src.get("url"),
            "publisher": src.get("publisher"),
            "author": src.get("author"),
            "published": result.published.edtf,
        },
        "confidence": "medium",
        "stances": [
            {"topic": s.topic, "score": s.score, "rationale": s.reason[:2000]}
            for s in c.stances
            if s.score is not None
        ],
    }


def _check(result: Extraction, n: int) -> tuple[EventIn | None, dict[str, str]]:
    """The candidate's event validated, or its errors under candidates.N.field."""
    where = f"candidates.{n}"
    if not 0 <= n < len(result.candidates):
        return None, {where: "no such candidate in this article"}
    c = result.candidates[n]
    if result.text[c.start : c.end] != c.quote:  # the verbatim guard, once more before storing
        return None, {f"{where}.quote": "not found verbatim in the source text"}
    if c.recorded_event:
        return None, {where: f"already recorded as event “{c.recorded_event}”"}
    if not c.speaker.actor:
        return None, {
            f"{where}.actor": f"“{c.speaker.name}” is not a known actor: accept it alone, "
            "in the add-event form, to create the actor"
        }
    try:
        return validate(EventIn, candidate_event(result, c)), {}
    except Invalid as exc:
        return None, {f"{where}.{k}": v for k, v in exc.fields.items()}


def accept_candidates(
    session: Session, result: Extraction, selected: list[int], user_id: int | None = None
) -> list[events.CreatedEvent]:
    """Create the selected candidates' events as the editor's submissions, all or none.

    Invalid names each candidate at fault (candidates.N.field); the caller's transaction must roll back
    on it, so that nothing is half-stored.
    """
    if not selected:
        raise Invalid({"selected": "choose at least one candidate"}, "No candidate selected.")
    errors: dict[str, str] = {}
    valid: list[tuple[int, EventIn]] = []
    for n in dict.fromkeys(selected):
        data, problems = _check(result, n)
        errors.update(problems)
        if data is not None:
            valid.append((n, data))
    if errors:
        raise Invalid(errors, "Nothing was saved: correct or leave out the candidates named.")
    fields = sources.SourceFields(
        url=result.source.get("url"),
        title=result.source.get("title"),
        publisher=result.source.get("publisher"),
        author=result.source.get("author"),
        published=result.published.edtf,
    )
    source = sources.keep_source(session, fields, text=result.text)
    created = []
    for n, data in valid:
        c = result.candidates[n]
        try:
            event = events.create_event(session, data, user_id)
        except Invalid as exc:
            errors.update({f"candidates.{n}.{k}": v for k, v in exc.fields.items()})
            continue
        anchor = sources.anchor_at(result.text, c.start, c.end)
        sources.link_event(session, event.id, source=source, anchor=anchor)
        created.append(event)
    if errors:
        raise Invalid(errors, "Nothing was saved: correct or leave out the candidates named.")
    return created


def errors_by_candidate(fields: dict[str, str]) -> dict[int, list[str]]:
    """The messages of accept_candidates' Invalid, per candidate number (for the review page)."""
    out: dict[int, list[str]] = {}
    for path, message in fields.items():
        parts = path.split(".")
        if parts[0] == "candidates" and len(parts) > 1 and parts[1].isdigit():
            field = ".".join(parts[2:])
            out.setdefault(int(parts[1]), []).append(f"{field}: {message}" if field else message)
    return out


def keep_article_source(
    session: Session,
    *,
    text: str,
    url: str | None,
    title: str | None,
    publisher: str | None,
    author: str | None,
    published: str | None,
) -> None:
    """Keep an extracted article's source with its text, before an editor completes the event in the
    add-event form (pasted text with neither URL nor title: keyed by the text's SHA-256, as Accept
    selected keeps it); Invalid when the citation's URL is not an http(s) one."""
    if not text:
        return
    try:
        check_http_url(url)
    except ValueError as exc:
        raise Invalid({"source.url": str(exc)}) from exc
    fields = sources.SourceFields(url, title, publisher, author, published)
    sources.keep_source(session, fields, text=text)


def anchor_accepted(
    session: Session,
    event_id: int,
    *,
    start: int | None,
    end: int | None,
    text_sha256: str | None,
) -> None:
    """Anchor a singly accepted candidate's quote at the offsets the extractor found it at, in the text
    its source keeps (the anonymous source of that text's SHA-256 when the citation names none).

    Without offsets or a text (a plain form post), the create already anchored the quote in its source's
    text: nothing to do."""
    if start is None and end is None and text_sha256 is None:
        return
    event = session.get(Event, event_id)
    if event is None or not event.quote:
        return
    source = source_queries.source_by_id(session, event.source_id) if event.source_id else None
    if source is None and text_sha256:
        source = source_queries.source_by_sha256(session, text_sha256, anonymous=True)
    if source is None or source.text is None:
        return
    text = source.text
    anchor = None
    held = start is not None and end is not None and 0 <= start <= end <= len(text)
    if held and text[start:end] == event.quote:
        assert start is not None and end is not None
        anchor = sources.anchor_at(text, start, end)
    if anchor is None:
        # Offsets that do not hold the quote (edited in the form, or another text kept for this source):
        # only then the first exact occurrence, which may be another of the quote's occurrences.
        anchor = sources.find_anchor(text, event.quote)
    sources.link_event(session, event_id, source=source, anchor=anchor)
