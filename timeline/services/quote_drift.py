"""The quote-drift watch: re-fetch each source, look for each anchored quote exactly, then fuzzily, and
record "quote changed" (with a diff) or "quote gone since D". The event's quote and anchor never change.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session

from .. import source_queries
from ..models import QuoteCheck, utcnow
from .errors import Invalid

DEFAULT_THRESHOLD = 85.0  # rapidfuzz's 0-100 similarity of the closest span: below it, the quote is gone


@dataclass(frozen=True)
class QuoteTarget:
    event_id: int
    url: str
    quote: str


@dataclass(frozen=True)
class Page:
    """A re-fetched source: its main text, or why it could not be read."""

    url: str
    text: str | None
    error: str | None = None


@dataclass(frozen=True)
class Finding:
    event_id: int
    status: str  # found, changed, gone, unreachable
    score: float | None = None
    found_text: str | None = None
    diff: str | None = None
    error: str | None = None


def targets(session: Session) -> list[QuoteTarget]:
    """Live events with a quote and a source URL (read before any network I/O)."""
    return [QuoteTarget(*row) for row in source_queries.quoted_events(session)]


def _spaced(text: str) -> str:
    return " ".join(text.split())


def word_diff(recorded: str, now: str) -> str:
    """A unified diff, one word a line, from the recorded quote to the text found now."""
    lines = difflib.unified_diff(recorded.split(), now.split(), "recorded", "now", lineterm="", n=2)
    return "\n".join(lines)


def compare(target: QuoteTarget, text: str, threshold: float = DEFAULT_THRESHOLD) -> Finding:
    """Exactly (spacing aside), else the closest span at or above the threshold, else gone."""
    quote, page = _spaced(target.quote), _spaced(text)
    if quote and quote in page:
        return Finding(target.event_id, "found", 100.0)
    from rapidfuzz import fuzz  # on first use: web workers import this module but never compare

    best = fuzz.partial_ratio_alignment(quote, page, score_cutoff=threshold)
    if best is None or not quote:
        return Finding(target.event_id, "gone")
    found = page[best.dest_start : best.dest_end]
    return Finding(target.event_id, "changed", round(best.score, 1), found, word_diff(quote, found))


def fetch_pages(
    urls: Sequence[str],
    fetch: Callable[[str], str],
    *,
    concurrency: int = 2,
) -> dict[str, Page]:
    """Each page's main text, a few at a time; no database access (no transaction stays open meanwhile)."""

    def one(url: str) -> Page:
        try:
            return Page(url, fetch(url))
        except Invalid as exc:
            return Page(url, None, "; ".join(exc.fields.values()) or exc.message)
        except Exception as exc:  # a page that fails must not end the watch for the others
            return Page(url, None, f"{type(exc).__name__}: {exc}"[:500])

    with ThreadPoolExecutor(max_workers=max(1, concurrency)) as pool:
        return {page.url: page for page in pool.map(one, dict.fromkeys(urls))}


def findings(
    targets_: Sequence[QuoteTarget], pages: dict[str, Page], threshold: float = DEFAULT_THRESHOLD
) -> list[Finding]:
    """Every target compared with its page's text (no database access)."""
    out = []
    for target in targets_:
        page = pages.get(target.url)
        if page is None or page.text is None:
            out.append(Finding(target.event_id, "unreachable", error=page.error if page else "not fetched"))
        else:
            out.append(compare(target, page.text, threshold))
    return out


def record(session: Session, results: Sequence[Finding], now: datetime | None = None) -> dict[str, int]:
    """Record each finding (a short write); "since" keeps the first check that saw the same drift.

    An unreachable page keeps what the last check that read it found: only the error and time change.
    """
    now = now or utcnow()
    rows = source_queries.quote_checks(session, [r.event_id for r in results])
    counts = {"found": 0, "changed": 0, "gone": 0, "unreachable": 0}
    for result in results:
        counts[result.status] += 1
        row = rows.get(result.event_id)
        if row is None:
            row = QuoteCheck(event_id=result.event_id, status=result.status)
        elif result.status == "unreachable" and row.status != "unreachable":
            row.error, row.checked_at = result.error, now
            session.add(row)
            continue
        drifted = result.status in ("changed", "gone")
        row.since = (row.since if row.status == result.status and row.since else now) if drifted else None
        row.status, row.score, row.found_text = result.status, result.score, result.found_text
        row.diff, row.error, row.checked_at = result.diff, result.error, now
        session.add(row)
    session.flush()
    return counts


def drifted(session: Session) -> list[source_queries.DriftRow]:
    """Quotes changed or gone in their sources, newest drift first (the editors' list)."""
    return source_queries.drifted_quotes(session)
