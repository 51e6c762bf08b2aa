"""Stance changes as readers follow them: each shift or reversal the history service computes, with
both statements' quotes, dates and sources, and their Atom feed (per actor, per topic, site-wide).

The changes are exactly the steps of services/history.py (same speaker, ordered dates) that are not
"unchanged"; nothing here decides what a change is.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from markupsafe import Markup
from sqlmodel import Session

from .. import queries
from .comparison import Comparison
from .history import UNCHANGED, StancePoint, TopicHistory, build_histories, stances_of

FEED_SIZE = 100
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class StanceChange:
    """One shift or reversal: a speaker's statement `before`, then `after`, on one topic."""

    topic_slug: str
    topic_name: str
    speaker_slug: str
    speaker_name: str
    change: str  # shift or reversal
    from_score: int
    to_score: int
    before: StancePoint
    after: StancePoint

    @property
    def key(self) -> tuple[str, str, str]:
        """A statement has at most one change arriving at it: (topic, speaker, later statement's uid)."""
        return (self.topic_slug, self.speaker_slug, self.after.event_uid)


def changes_of(histories: Iterable[TopicHistory]) -> list[StanceChange]:
    """Every shift and reversal of these histories, as the history service computed them."""
    found = []
    for history in histories:
        for series in history.series:
            by_id = {p.event_id: p for p in series.points}
            for step in series.steps:
                if step.change == UNCHANGED:
                    continue
                found.append(
                    StanceChange(
                        history.topic_slug,
                        history.topic_name,
                        series.speaker_slug,
                        series.speaker_name,
                        step.change,
                        step.from_score,
                        step.to_score,
                        by_id[step.from_event_id],
                        by_id[step.to_event_id],
                    )  # fmt: skip
                )
    return found


def site_histories(session: Session) -> list[TopicHistory]:
    """Every speaker's history on every topic (the whole dataset, from one read)."""
    actors = {a.id: a for a in queries.all_actors(session) if a.id is not None}
    events = queries.events_for_actors(session, list(actors), shape=queries.HISTORY)
    return build_histories(events, stances_of(events, queries.all_topics(session)), actors)


@dataclass(frozen=True)
class ChangeFeed:
    """What a stance-change feed says: its title, its changes (newest first) and their statements."""

    title: str
    subtitle: str
    changes: list[StanceChange]
    events: dict[int, Any]  # event rows (every column) by id


def _feed(session: Session, title: str, subtitle: str, histories: Iterable[TopicHistory]) -> ChangeFeed:
    found = changes_of(histories)
    times = queries.event_times(session, {i for c in found for i in (c.before.event_id, c.after.event_id)})

    def recency(c: StanceChange) -> tuple[Any, Any, int, int]:
        # Newest first: a statement added today about 2019 is news to a reader today.
        (a_updated, a_created), (b_updated, _b) = times[c.after.event_id], times[c.before.event_id]
        return (max(a_updated, b_updated), a_created, c.after.event_id, c.before.event_id)

    chosen = sorted(found, key=recency, reverse=True)[:FEED_SIZE]
    ids = {i for c in chosen for i in (c.before.event_id, c.after.event_id)}
    events = {row.id: row for row in queries.event_rows(session, sorted(ids))}
    return ChangeFeed(title, subtitle, chosen, events)


def actor_change_feed(session: Session, actor_name: str, histories: Sequence[TopicHistory]) -> ChangeFeed:
    """The changes of an actor's speakers (its own and its officials'), with the page's filters."""
    return _feed(session, f"Stance changes: {actor_name}", f"Shifts and reversals of {actor_name}", histories)


def topic_change_feed(session: Session, comparison: Comparison) -> ChangeFeed:
    """The changes on a topic, of exactly the lanes and filters of its comparison page."""
    name = comparison.topic.name
    histories = [h for _actor, h in comparison.lanes]
    return _feed(session, f"Stance changes on {name}", f"Shifts and reversals on {name}", histories)


def site_change_feed(session: Session) -> ChangeFeed:
    """Every speaker's changes on every topic: the newest FEED_SIZE of them."""
    title, subtitle = "Stance changes", "Shifts and reversals of every speaker"
    window = 2 * FEED_SIZE
    while True:
        recent = queries.recently_changed_events(session, window + 1)
        if len(recent) <= window:  # a small dataset: every history
            return _feed(session, title, subtitle, site_histories(session))
        # Only the series of the `window` newest statements: a change elsewhere has both statements
        # changed at or before `threshold`, so once FEED_SIZE changes are newer, the feed is exact.
        threshold = recent[window].updated_at
        keys = {
            (r.actor_id, s["topic"]) for r in recent[:window] for s in orjson.loads(r.stances_json or "[]")
        }
        histories = _series_histories(session, keys)
        found = changes_of(histories)
        times = queries.event_times(
            session, {i for c in found for i in (c.before.event_id, c.after.event_id)}
        )
        newer = sum(
            1 for c in found if max(times[c.before.event_id][0], times[c.after.event_id][0]) > threshold
        )
        if newer >= FEED_SIZE:
            return _feed(session, title, subtitle, histories)
        if newer == 0:  # one bulk load's equal times: no window helps
            return _feed(session, title, subtitle, site_histories(session))
        window *= 4


def _series_histories(session: Session, keys: set[tuple[int, str]]) -> list[TopicHistory]:
    """The whole histories of these (speaker id, topic slug) series, and no other series."""
    actors = queries.actors_by_ids(session, {actor_id for actor_id, _topic in keys})
    events = queries.events_for_actors(session, list(actors), shape=queries.HISTORY)
    histories = build_histories(events, stances_of(events, queries.all_topics(session)), actors)
    wanted = {(actors[a].slug, topic) for a, topic in keys}
    kept = [
        TopicHistory(
            h.topic_slug, h.topic_name, [s for s in h.series if (s.speaker_slug, h.topic_slug) in wanted]
        )
        for h in histories
    ]
    return [h for h in kept if h.series]


def _utc(value: datetime) -> datetime:
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _signed(score: int) -> str:
    return f"{score:+d}" if score else "0"


def title_of(c: StanceChange) -> str:
    """One line: who moved, on what, from which score to which, by when."""
    return (
        f"{c.speaker_name} on {c.topic_name}: {c.change} from {_signed(c.from_score)} "
        f"to {_signed(c.to_score)} ({c.before.display} → {c.after.display})"
    )


def _statement(label: str, point: StancePoint, row: Any, score: int, url: str) -> Markup:
    parts = [
        Markup('<h3>{}: <a href="{}">{}</a></h3>').format(label, url, point.title),
        Markup("<p>{} · {}{} · stance {}</p>").format(
            point.display,
            point.actor_name,
            Markup(" (as {})").format(point.speaker_role) if point.speaker_role else "",
            _signed(score),
        ),
    ]
    if row.quote:
        parts.append(Markup("<blockquote>{}</blockquote>").format(row.quote))
    if row.source_url:
        parts.append(
            Markup('<p>Source: <a href="{}">{}</a></p>').format(
                row.source_url, row.source_title or row.source_url
            )
        )
    return Markup("").join(parts)


def atom(feed_data: ChangeFeed, feed_url: str, page_url: str, event_url: Callable[[int], str]) -> bytes:
    """The feed as Atom XML; an entry's id is the later statement's URL with the change's fragment."""
    from feedgen.feed import FeedGenerator  # lxml: loaded by the feeds' first request

    feed = FeedGenerator()
    feed.id(feed_url)
    feed.title(feed_data.title)
    feed.subtitle(feed_data.subtitle)
    feed.author({"name": "Stance Timeline"})
    feed.link(href=page_url, rel="alternate", type="text/html")
    feed.link(href=feed_url, rel="self", type="application/atom+xml")
    feed.generator("Stance Timeline")
    rows = feed_data.events
    updated = [max(_utc(rows[c.after.event_id].updated_at), _utc(rows[c.before.event_id].updated_at))
               for c in feed_data.changes]  # fmt: skip
    feed.updated(max(updated, default=_EPOCH))  # the same data gives the same bytes (and ETag)
    for change, when in reversed(list(zip(feed_data.changes, updated, strict=True))):
        before, after = rows[change.before.event_id], rows[change.after.event_id]
        url = event_url(after.id)
        entry = feed.add_entry()  # feedgen puts each new entry first
        entry.id(f"{url}#change-{change.topic_slug}-{change.speaker_slug}-from-{before.id}")
        entry.title(title_of(change))
        entry.link(href=url, rel="alternate", type="text/html")
        entry.author({"name": change.speaker_name})
        entry.published(max(_utc(after.created_at), _utc(before.created_at)))
        entry.updated(when)
        entry.summary(title_of(change))
        content = Markup("").join(
            [
                Markup("<p>{} on {}: {} from {} to {}.</p>").format(
                    change.speaker_name,
                    change.topic_name,
                    change.change,
                    _signed(change.from_score),
                    _signed(change.to_score),
                ),  # fmt: skip
                _statement("Before", change.before, before, change.from_score, event_url(before.id)),
                _statement("After", change.after, after, change.to_score, url),
            ]
        )
        entry.content(str(content), type="html")
        entry.category(term=change.topic_slug, label=change.topic_name)
        entry.category(term=change.change, label=change.change)
    return feed.atom_str(pretty=False)
