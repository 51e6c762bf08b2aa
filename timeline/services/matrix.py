"""The as-of matrix: where each speaker stood on each topic on a given day, and what changed since another.

A statement counts "as of" a day when its latest possible day is on or before it (it was surely made
by then). A cell holds the speaker's latest ordered score among those (history.build_series); when the
latest statements overlap and disagree, the cell says "order unknown" and names them.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlmodel import Session

from .. import queries
from ..dates import InvalidDate, parse_bound
from ..models import Actor, Topic
from .comparison import top_ancestors
from .errors import Invalid
from .history import StancePoint, build_histories, build_series, classify, stances_of
from .tabular import neutralise

STANCE, UNORDERED, NONE = "stance", "order unknown (dates overlap)", "no statement"


@dataclass(frozen=True)
class Cell:
    """A speaker's standing on a topic as of a day."""

    state: str  # STANCE, UNORDERED or NONE
    score: int | None = None
    statement: StancePoint | None = None  # the latest ordered statement (STANCE)
    candidates: tuple[StancePoint, ...] = ()  # the overlapping latest statements (UNORDERED)

    def as_dict(self) -> dict[str, Any]:
        return {
            "state": self.state,
            "score": self.score,
            "event_uid": self.statement.event_uid if self.statement else None,
            "date": self.statement.edtf if self.statement else None,
            "candidates": [
                {"event_uid": p.event_uid, "score": p.score, "date": p.edtf} for p in self.candidates
            ],
        }


@dataclass(frozen=True)
class MatrixCell:
    """The cell as of the day, as of the compared day, and the change between them."""

    now: Cell
    then: Cell | None
    change: str | None  # unchanged/shift/reversal, "new", "unknown", or None when not compared

    def as_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = {"as_of": self.now.as_dict()}
        if self.then is not None:
            result["compare"] = self.then.as_dict()
            result["change"] = self.change
        return result


@dataclass(frozen=True)
class MatrixRow:
    speaker: Actor
    government: Actor  # its top-level actor (itself when it has none)
    cells: tuple[MatrixCell, ...]  # one per topic, in the matrix's topic order


@dataclass(frozen=True)
class Matrix:
    """Speakers by topics as of one day, optionally compared with another."""

    as_of: date
    compare: date | None
    topics: list[Topic]
    rows: list[MatrixRow]

    def as_dict(self) -> dict[str, Any]:
        return {
            "as_of": self.as_of.isoformat(),
            "compare": self.compare.isoformat() if self.compare else None,
            "rule": "A statement counts when its latest possible day is on or before the day; a cell "
            "holds the speaker's latest ordered score.",
            "topics": [{"slug": t.slug, "name": t.name} for t in self.topics],
            "rows": [
                {
                    "speaker": r.speaker.slug,
                    "speaker_name": r.speaker.name,
                    "government": r.government.slug,
                    "cells": {t.slug: c.as_dict() for t, c in zip(self.topics, r.cells, strict=True)},
                }
                for r in self.rows
            ],
        }

    def csv(self) -> str:
        """One line per speaker and topic with a statement by either day."""
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(["speaker", "government", "topic", "as_of", "state", "score", "event_uid",
                         "compare", "compare_state", "compare_score", "change"])  # fmt: skip
        for row in self.rows:
            for topic, cell in zip(self.topics, row.cells, strict=True):
                if cell.now.state == NONE and (cell.then is None or cell.then.state == NONE):
                    continue
                then, uid = cell.then, cell.now.statement.event_uid if cell.now.statement else ""
                writer.writerow([neutralise(v) for v in (
                    row.speaker.slug, row.government.slug, topic.slug, self.as_of.isoformat(),
                    cell.now.state, cell.now.score, uid,
                    self.compare.isoformat() if self.compare else "", then.state if then else "",
                    then.score if then else "", cell.change or "",
                )])  # fmt: skip
        return buffer.getvalue()


def parse_day(name: str, text: str | None, default: date | None) -> date | None:
    """A day from `?as_of=` or `?compare=` (ISO or EDTF; a month or a year means its last day)."""
    text = (text or "").strip()
    if not text:
        return default
    try:
        return parse_bound(text, upper=True)
    except InvalidDate as exc:
        raise Invalid({name: str(exc)}) from exc


def _cell(points: list[StancePoint], day: date) -> Cell:
    known = [p for p in points if p.latest <= day]
    if not known:
        return Cell(NONE)
    series = build_series(known[0].actor_slug, known[0].actor_name, known)
    score = series.latest_score
    if score is None:
        return Cell(UNORDERED, candidates=tuple(series.latest_points))
    latest = max(series.latest_points, key=lambda p: (p.latest, p.earliest, p.event_id))
    return Cell(STANCE, score, latest)


def _change(now: Cell, then: Cell) -> str:
    if now.state == STANCE and then.state == STANCE:
        assert now.score is not None and then.score is not None
        return classify(then.score, now.score)
    if now.state == STANCE and then.state == NONE:
        return "new"
    if now.state == NONE and then.state == NONE:
        return "none"
    return "unknown"


def as_of_matrix(session: Session, as_of: date, compare: date | None = None) -> Matrix:
    """Every speaker's latest ordered score on every topic as of `as_of` (and `compare`)."""
    last = max(as_of, compare) if compare else as_of
    actors = {a.id: a for a in queries.all_actors(session) if a.id is not None}
    events = queries.history_rows_for_actors(session, list(actors), queries.EventFilters(date_to=last))
    topics = queries.all_topics(session)
    histories = build_histories(events, stances_of(events, topics), actors)
    governments = top_ancestors(session, actors)
    by_slug = {a.slug: a for a in actors.values()}
    speakers = sorted(
        {s.speaker_slug for h in histories for s in h.series},
        key=lambda slug: (
            governments[by_slug[slug].id or 0].name.casefold(),
            by_slug[slug].parent_id is not None,
            by_slug[slug].name.casefold(),
        ),
    )
    points = {(h.topic_slug, s.speaker_slug): s.points for h in histories for s in h.series}
    with_data = {h.topic_slug for h in histories}
    matrix_topics = [t for t in sorted(topics, key=lambda t: t.name.casefold()) if t.slug in with_data]
    rows = []
    for slug in speakers:
        speaker = by_slug[slug]
        cells = []
        for topic in matrix_topics:
            mine = points.get((topic.slug, slug), [])
            now = _cell(mine, as_of) if mine else Cell(NONE)
            then = (_cell(mine, compare) if mine else Cell(NONE)) if compare else None
            cells.append(MatrixCell(now, then, _change(now, then) if then is not None else None))
        if any(c.now.state != NONE or (c.then and c.then.state != NONE) for c in cells):
            rows.append(MatrixRow(speaker, governments[speaker.id or 0], tuple(cells)))
    return Matrix(as_of, compare, matrix_topics, rows)
