"""Extraction against the database: known actors and topics, latest scores, quotes already recorded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from typing import Any

from sqlmodel import Session

from ... import queries
from ...dates import InvalidDate, parse_date
from ..errors import Invalid
from ..sources import SourceFields, recorded_quotes
from .extractor import extract
from .model import Extraction, KnownActor, KnownTopic, Published
from .sources import MAX_TEXT_CHARS, Article


def published_date(text: str | None, field: str = "published") -> Published:
    """The publication date as EDTF (a day, or an interval when only a window is known)."""
    if not text or not text.strip():
        raise Invalid(
            {field: "required: the publication date (EDTF day or interval)"}, "Publication date missing."
        )
    try:
        parsed = parse_date(text.strip())
    except InvalidDate as exc:
        raise Invalid({field: str(exc)}, "Invalid publication date.") from None
    if parsed.precision == "open":  # dates are read against both ends of the window: both must be known
        raise Invalid(
            {field: "give both ends of the publication window (2020-12-20/2021-01-20), not an open one"},
            "Invalid publication date.",
        )
    return Published(parsed.earliest, parsed.latest, parsed.edtf)


def _latest_scores(session: Session) -> Callable[[str, str], tuple[int, str] | None]:
    memo: dict[tuple[str, str], tuple[int, str] | None] = {}

    def latest(actor: str, topic: str) -> tuple[int, str] | None:
        if (actor, topic) not in memo:
            memo[(actor, topic)] = queries.latest_stance_score(session, actor, topic)
        return memo[(actor, topic)]

    return latest


def _norm(text: str) -> str:
    return " ".join(text.split()).strip(" .,;:…").lower()


def extract_article(session: Session, article: Article, published: Published) -> Extraction:
    """Candidates for an article, each marked when an event of the same source already holds its quote."""
    if not article.text.strip():
        raise Invalid({"text": "required: the article's text"}, "No text to read.")
    if len(article.text) > MAX_TEXT_CHARS:
        raise Invalid({"text": f"at most {MAX_TEXT_CHARS} characters"}, "The text is too long.")
    actors = [
        KnownActor(a.slug, a.name, a.kind, a.role, a.country, tuple(a.aliases or ()))
        for a in queries.all_actors(session)
    ]
    topics = [KnownTopic(t.slug, t.name, t.description) for t in queries.all_topics(session)]
    result = extract(article.text, published, actors, topics, _latest_scores(session))
    result.source = {
        "url": article.url,
        "title": article.title,
        "publisher": article.publisher,
        "author": article.author,
        "published": published.edtf,
    }
    recorded = queries.quotes_from_source(session, article.url) if article.url else []
    fields = SourceFields(article.url, article.title, article.publisher, article.author)
    recorded += recorded_quotes(session, fields, article.text)
    if recorded:
        for candidate in result.candidates:
            words = _norm(candidate.quote)
            for event_id, uid, quote in recorded:
                if words and words in _norm(quote):
                    candidate.recorded_event, candidate.recorded_id = uid, event_id
                    break
    return result


def as_json(result: Extraction, include_text: bool) -> dict[str, Any]:
    """The API's answer: {"source", "candidates"} (and "text" when the service extracted it)."""
    candidates = []
    for c in result.candidates:
        candidates.append(
            {
                "quote": c.quote,
                "start": c.start,
                "end": c.end,
                "speaker": {"name": c.speaker.name, "actor": c.speaker.actor, "evidence": c.speaker.evidence},
                "speaker_role": c.speaker_role,
                "date": c.date,
                "date_basis": c.date_basis,
                "stances": [asdict(s) for s in c.stances],
                "recorded": c.recorded_event,
            }
        )
    body: dict[str, Any] = {"source": result.source, "candidates": candidates}
    if include_text:
        body["text"] = result.text
    return body
