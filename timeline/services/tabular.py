"""Exports for other tools: TimelineJS3 documents and spreadsheet-safe CSV."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

from markupsafe import escape

from ..dates import parse_date
from ..models import Actor, Event, Stance, Topic
from .charts import score_word
from .evidence import is_unsourced, missing_in_event

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


def stance_badge(topic_name: str, score: int) -> str:
    """A coloured badge (embed.css: .tl-badge.score-pos/-neg/-zero), its meaning in words as well."""
    kind = "score-pos" if score > 0 else ("score-neg" if score < 0 else "score-zero")
    signed = f"{score:+d}" if score else "0"
    return f'<span class="tl-badge {kind}">{escape(topic_name)}: {score_word(score)} ({signed})</span>'


def timelinejs_slide(
    event: Event,
    actor: Actor,
    stances: Sequence[tuple[Stance, Topic]],
    group: str | None,
    filed_under: Topic | None = None,
) -> dict[str, Any]:
    """One TimelineJS3 event (a "slide") for one of ours; `filed_under`: a copy filed under another topic."""
    parsed = parse_date(event.date_edtf)
    start, _, end = event.date_edtf.partition("/")
    text = [
        f"<p><strong>{escape(actor.name)}</strong>"
        + (f", {escape(event.speaker_role)}" if event.speaker_role else "")
        + "</p>"
    ]
    missing = missing_in_event(event)
    if missing:
        # Evidence first: a reader of the story sees that this one has none, as the event page says.
        text.append(
            '<p class="tl-unsourced"><span class="tl-badge tl-badge-unsourced">unsourced</span> '
            f"saved without a {' and without a '.join(missing)}: treat it with care.</p>"
        )
    if event.summary:
        text.append(f"<p>{escape(event.summary)}</p>")
    if filed_under is not None:
        text.append(
            f'<p class="tl-filed">The same statement as under {escape(stances[0][1].name)}: '
            f"filed here under {escape(filed_under.name)} too.</p>"
        )
    if stances:
        text.append(
            f'<p class="tl-stances">Stance: {" ".join(stance_badge(t.name, s.score) for s, t in stances)}</p>'
        )
    source_name = event.source_title or event.source_publisher or event.source_url
    if event.source_url:
        text.append(
            f'<p>Source: <a href="{escape(event.source_url)}" target="_blank" '
            f'rel="noopener noreferrer">{escape(source_name)}</a></p>'
        )
    elif source_name:
        text.append(f"<p>Source: {escape(source_name)}</p>")
    slide: dict[str, Any] = {
        "unique_id": str(event.id) if filed_under is None else f"{event.id}-{filed_under.slug}",
        "start_date": {**_date_parts(start), "display_date": parsed.display},
        "display_date": parsed.display,
        "text": {"headline": str(escape(event.title)), "text": "".join(text)},
        # The text holds its links already; TimelineJS's autolink would wrap each URL it sees (a source
        # shown by its address) in <a onclick='void(0)'>, an inline handler the embed's CSP refuses.
        "autolink": False,
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
    topic_id: int | None = None,
) -> dict[str, Any]:
    """A TimelineJS3 JSON document; slides grouped by topic ("topic") or by actor ("actor").

    TimelineJS files a slide under one group. Grouped by topic, a statement on several topics gets one
    slide per topic, so it appears in every topic's row: the first (its id as `unique_id`, the #event-<id>
    bookmark) under its first topic by name, each copy (`<id>-<topic slug>`) says it is the same statement.
    With `topic_id` (a view filtered to one topic), each statement is filed under that topic only.
    """
    slides = []
    for event in events:
        assert event.id is not None
        rows = stances.get(event.id, [])
        actor = actors[event.actor_id]
        if group_by == "actor":
            slides.append(timelinejs_slide(event, actor, rows, actor.name))
            continue
        if topic_id is not None:
            filed = [t.name for _s, t in rows if t.id == topic_id] or ["No stance"]
            slides.append(timelinejs_slide(event, actor, rows, filed[0]))
            continue
        slides.append(timelinejs_slide(event, actor, rows, rows[0][1].name if rows else "No stance"))
        for _stance, topic in rows[1:]:
            slides.append(timelinejs_slide(event, actor, rows, topic.name, filed_under=topic))
    return {
        "title": {
            "text": {"headline": str(escape(title)), "text": f"<p>{escape(subtitle)}</p>"},
            "autolink": False,
        },
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
