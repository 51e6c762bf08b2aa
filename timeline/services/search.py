"""Full-text search over titles, quotes, summaries and actor names, in any script."""

from __future__ import annotations

import re
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlmodel import Session

from .. import queries
from ..models import Actor, Event
from .errors import Invalid

MAX_QUERY = 200
MAX_TERMS = 12
# Words are runs of letters, digits and combining marks in any script; everything else is a separator.
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


@dataclass(frozen=True)
class Hit:
    event: Event
    actor: Actor
    title: Markup
    quote: Markup | None
    summary: Markup | None


@dataclass(frozen=True)
class Results:
    query: str
    terms: list[str]
    hits: list[Hit]
    total: int
    page: int
    per_page: int

    @property
    def more(self) -> bool:
        """More matches than are counted and paged (queries.SEARCH_CAP): the best of them are shown."""
        return self.total > queries.SEARCH_CAP

    @property
    def shown(self) -> int:
        return min(self.total, queries.SEARCH_CAP)

    @property
    def pages(self) -> int:
        return max(1, -(-self.shown // self.per_page))


def terms_of(query: str) -> list[str]:
    """The words of a query; operators, quotes, % and _ are separators, never syntax."""
    if len(query) > MAX_QUERY:
        raise Invalid({"q": f"the query is too long (at most {MAX_QUERY} characters)"})
    words = list(dict.fromkeys(w.casefold() for w in _WORD.findall(query)))
    if len(words) > MAX_TERMS:
        raise Invalid({"q": f"use at most {MAX_TERMS} words"})
    return words


def highlight(text: str | None, terms: list[str], limit: int | None = None) -> Markup | None:
    """Escape the text and wrap each word starting with a term in <mark>; optionally trim around a match."""
    if text is None:
        return None
    if not terms:
        return escape(text)
    pattern = re.compile(
        r"(?<![^\W_])(?:" + "|".join(re.escape(t) for t in terms) + r")[^\W_]*", re.IGNORECASE
    )
    if limit is not None and len(text) > limit:
        first = pattern.search(text)
        start = max(0, (first.start() if first else 0) - limit // 3)
        text = ("…" if start else "") + text[start : start + limit] + "…"
    out, last = [], 0
    for match in pattern.finditer(text):
        out.append(escape(text[last : match.start()]))
        out.append(Markup("<mark>") + escape(match.group(0)) + Markup("</mark>"))
        last = match.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def search(session: Session, query: str, page: int = 1, per_page: int = 20) -> Results:
    """Events matching every word of the query, ranked, with the words highlighted."""
    terms = terms_of(query)
    last = max(1, -(-queries.SEARCH_CAP // per_page))
    if page < 1 or page > last:
        raise Invalid({"page": f"must be between 1 and {last} (the best {queries.SEARCH_CAP} matches)"})
    offset = (page - 1) * per_page
    ids, total = queries.search_events(session, terms, min(per_page, queries.SEARCH_CAP - offset), offset)
    events = queries.events_by_ids(session, ids)
    actors = queries.actors_by_ids(session, {e.actor_id for e in events.values()})
    hits = [
        Hit(
            event=events[i],
            actor=actors[events[i].actor_id],
            title=highlight(events[i].title, terms) or Markup(""),
            quote=highlight(events[i].quote, terms, 400),
            summary=highlight(events[i].summary, terms, 300),
        )
        for i in ids
        if i in events
    ]
    return Results(query, terms, hits, total, page, per_page)
