"""Exports for other tools: TimelineJS3 documents and spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from markupsafe import escape

from ..dates import parse_date
from ..models import Actor, Event, Stance, Topic
from .evidence import is_unsourced

# TimelineJS3 renders headline and text as HTML: every value from the data is escaped first.

_URL_UNSAFE = {c: f"%{ord(c):02X}" for c in "\"'<>`\\ {}|^"}


def url_for_markup(url: str) -> str:
    """The URL with every character that could leave an HTML attribute percent-encoded."""
    return "".join(_URL_UNSAFE.get(c, c) for c in url)


def _date_parts(edtf_endpoint: str) -> dict[str, int]:
    """Only the parts the date states: year, then month, then day."""
    core = edtf_endpoint.rstrip("~?%")
    pieces = core.split("-")
    parts = {"year": int(pieces[0])}
    if len(pieces) >= 2 and pieces[1].isdigit() and int(pieces[1]) <= 12:
        parts["month"] = int(pieces[1])
        if len(pieces) >= 3 and pieces[2].isdigit():
            parts["day"] = int(pieces[2])
    return parts


def timelinejs_slide(
    event: Event, actor: Actor, stances: Sequence[tuple[Stance, Topic]], group: str | None
) -> dict[str, Any]:
    """One TimelineJS3 event (a "slide") for one of ours."""
    parsed = parse_date(event.date_edtf)
    start, _, end = event.date_edtf.partition("/")
    text = [
        f"<p><strong>{escape(actor.name)}</strong>"
        + (f", {escape(event.speaker_role)}" if event.speaker_role else "")
        + "</p>"
    ]
    if event.summary:
        text.append(f"<p>{escape(event.summary)}</p>")
    if stances:
        badges = ", ".join(f"{escape(t.name)} {s.score:+d}" for s, t in stances)
        text.append(f"<p>Stance: {badges}</p>")
    source_name = event.source_title or event.source_publisher or event.source_url
    if event.source_url:
        text.append(
            f'<p>Source: <a href="{escape(event.source_url)}" target="_blank" '
            f'rel="noopener noreferrer">{escape(source_name)}</a></p>'
        )
    elif source_name:
        text.append(f"<p>Source: {escape(source_name)}</p>")
    slide: dict[str, Any] = {
        "unique_id": str(event.id),
        "start_date": {**_date_parts(start), "display_date": parsed.display},
        "display_date": parsed.display,
        "text": {"headline": str(escape(event.title)), "text": "".join(text)},
    }
    if end:
        slide["end_date"] = _date_parts(end)
    if group:
        slide["group"] = str(escape(group))  # TimelineJS writes group labels as HTML
    if event.quote:
        # The verbatim quote is the slide's media (TimelineJS's blockquote type), credited to its source.
        slide["media"] = {
            "url": f"<blockquote>{escape(event.quote)}</blockquote>",
            "credit": str(escape(event.source_publisher or event.source_title or "")),
            "caption": str(escape(event.source_title or "")),
        }
        if event.source_url:
            slide["media"]["link"] = url_for_markup(event.source_url)
            slide["media"]["link_target"] = "_blank"
    return slide


def timelinejs_document(
    title: str,
    subtitle: str,
    events: Iterable[Event],
    actors: Mapping[int, Actor],
    stances: Mapping[int, list[tuple[Stance, Topic]]],
    group_by: str,
) -> dict[str, Any]:
    """A TimelineJS3 JSON document; slides grouped by topic ("topic") or by actor ("actor")."""
    slides = []
    for event in events:
        assert event.id is not None
        rows = stances.get(event.id, [])
        if group_by == "actor":
            group: str | None = actors[event.actor_id].name
        else:
            group = rows[0][1].name if rows else "No stance"
        slides.append(timelinejs_slide(event, actors[event.actor_id], rows, group))
    return {
        "title": {"text": {"headline": str(escape(title)), "text": f"<p>{escape(subtitle)}</p>"}},
        "events": slides,
    }


CSV_COLUMNS = [
    "event_id",
    "uid",
    "actor",
    "actor_name",
    "date",
    "date_earliest",
    "date_latest",
    "date_display",
    "kind",
    "title",
    "quote",
    "summary",
    "speaker_role",
    "location",
    "confidence",
    "source_title",
    "source_url",
    "source_publisher",
    "topic",
    "topic_name",
    "score",
    "rationale",
    "unsourced",  # true: no source, or a statement without a quote (services/evidence.py)
]
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


def csv_rows(
    events: Iterable[Event],
    actors: Mapping[int, Actor],
    stances: Mapping[int, list[tuple[Stance, Topic]]],
    topic_id: int | None = None,
) -> Iterator[list[Any]]:
    """One row per event and stance (an event without stances still gets one row); with `topic_id`,
    only the rows of that topic (an event's stances on other topics are left out)."""
    for event in events:
        actor = actors[event.actor_id]
        base = [
            event.id,
            event.uid,
            actor.slug,
            actor.name,
            event.date_edtf,
            event.date_earliest.isoformat(),
            event.date_latest.isoformat(),
            parse_date(event.date_edtf).display,
            event.kind,
            event.title,
            event.quote,
            event.summary,
            event.speaker_role,
            event.location,
            event.confidence,
            event.source_title,
            event.source_url,
            event.source_publisher,
        ]
        tails: list[list[Any]] = [
            [topic.slug, topic.name, stance.score, stance.rationale]
            for stance, topic in stances.get(event.id or 0, [])
            if topic_id is None or topic.id == topic_id
        ]
        unsourced = "true" if is_unsourced(event) else "false"
        for tail in tails or [[None] * 4]:
            yield [neutralise(v) for v in (*base, *tail, unsourced)]


def csv_text(rows: Iterable[list[Any]], *, header: bool = True) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if header:
        writer.writerow(CSV_COLUMNS)
    writer.writerows(rows)
    return buffer.getvalue()
