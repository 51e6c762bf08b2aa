"""Step-chart geometry for stance histories: server-side SVG, no JavaScript needed.

The SVG has no viewBox: x positions are percentages of its width and y positions CSS pixels, so the
text keeps its CSS size on a phone and the chart never overflows. One TimeAxis is shared by every
chart of a page. Lines join only the steps of the history (statements of one speaker in a known
order): the chart draws exactly what the summary counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..dates import FIRST_DAY, LAST_DAY
from .history import REVERSAL, SHIFT, StancePoint, TopicHistory

LANE_HEIGHT = 132
TOP, BOTTOM = 22, 12  # room for the lane label; room under "strongly against"
AXIS_HEIGHT = 24  # the date labels under the lanes
X0, X1 = 3.0, 97.0  # the plot, in percent of the chart's width
SCORES = (2, 1, 0, -1, -2)
SCORE_WORDS = {2: "strongly for", 1: "for", 0: "neutral", -1: "against", -2: "strongly against"}
SERIES_STYLES = 6  # colour and dash patterns, cycled (the legend names each series)
# Beyond this many statements, a lane among others is drawn as its step lines only (no marker, link or
# table row per statement): a page of many large histories stays small; each opens alone in detail.
DETAIL_POINTS = 40
MAX_TICKS = 5


def score_word(score: int) -> str:
    return SCORE_WORDS[score]


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class TimeAxis:
    """Days start..end mapped onto the plot; points outside are pinned to an edge and said so."""

    start: int  # day numbers (date.toordinal): the ends may lie outside years 1-9999
    end: int
    whole: bool  # True when the axis covers every statement
    clipped: int  # statements outside the axis (0 when whole)
    ticks: tuple[Tick, ...]

    def x(self, day: int) -> float:
        ratio = min(1.0, max(0.0, (day - self.start) / max(1, self.end - self.start)))
        return round(X0 + ratio * (X1 - X0), 2)

    def side(self, point: StancePoint) -> str | None:
        """Whether the statement lies "before" or "after" the axis (None when on it)."""
        if point.latest.toordinal() < self.start:
            return "before"
        if point.earliest.toordinal() >= self.end:
            return "after"
        return None


def _focus(points: list[StancePoint]) -> list[StancePoint]:
    """Drop lone statements at either end separated from the rest by more than the rest's span (and a
    year): one statement from 2001 must not squeeze 2019-2021 into a few pixels."""
    ordered = sorted(points, key=lambda p: (p.earliest, p.latest))
    while len(ordered) > 2:
        rest = ordered[1:]
        span = (max(p.latest for p in rest) - rest[0].earliest).days
        if (rest[0].earliest - ordered[0].latest).days > max(365, span):
            ordered = rest
            continue
        break
    while len(ordered) > 2:
        rest = ordered[:-1]
        end = max(p.latest for p in rest)
        span = (end - rest[0].earliest).days
        if (ordered[-1].earliest - end).days > max(365, span):
            ordered = rest
            continue
        break
    return ordered


def _ticks(start: int, end: int, axis_x: Any) -> tuple[Tick, ...]:
    first, last = date.fromordinal(max(start, 1)), date.fromordinal(min(end, date.max.toordinal()))
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    steps = (1, 2, 3, 6, 12, 24, 60, 120, 240, 600, 1200, 2400)
    step = next((s for s in steps if months / s <= MAX_TICKS), 12000)
    ticks: list[Tick] = []
    year, month = first.year, first.month
    while True:
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if year > date.max.year:
            break
        day = date(year, month, 1)
        if day.toordinal() >= end:
            break
        if (year * 12 + month - 1) % step:
            continue
        ticks.append(Tick(axis_x(day.toordinal()), str(year) if month == 1 else day.strftime("%b %Y")))
    return tuple(ticks)


def time_axis(histories: Sequence[TopicHistory], whole: bool = False) -> TimeAxis | None:
    """One axis for these histories: the period with data, or every statement when `whole`."""
    points = [p for h in histories for p in h.points]
    if not points:
        return None
    shown = points if whole else _focus(points)
    # An open end (../D, D/..) is the calendar's edge, not evidence: the axis spans the known ends.
    start = min(p.latest if p.earliest == FIRST_DAY else p.earliest for p in shown).toordinal()
    end = max(p.earliest if p.latest == LAST_DAY else p.latest for p in shown).toordinal() + 1
    if end - start < 60:  # keep a lone day from filling the whole width
        start, end = start - 30, end + 30
    probe = TimeAxis(start, end, True, 0, ())
    clipped = sum(1 for p in points if probe.side(p))
    return TimeAxis(start, end, clipped == 0, clipped, _ticks(start, end, probe.x))


@dataclass(frozen=True)
class ChartPoint:
    """One statement placed on the chart; a range when its date is uncertain."""

    point: StancePoint
    x1: float
    x2: float
    cx: float
    cy: float
    change: str | None  # the change arriving at this point
    order_unknown: bool  # its dates overlap another statement of the same speaker
    outside: str | None  # "before"/"after" the axis

    @property
    def is_range(self) -> bool:
        return self.x2 - self.x1 >= 0.6

    @property
    def shape(self) -> str:
        """for: a triangle up; against: a triangle down; neutral: a circle."""
        score = self.point.score
        return "m-for" if score > 0 else ("m-against" if score < 0 else "m-neutral")


@dataclass(frozen=True)
class Segment:
    """One step drawn: across at the earlier score, then up or down to the later one."""

    x1: float
    x2: float
    y1: float
    y2: float
    change: str


@dataclass(frozen=True)
class SeriesLine:
    label: str
    slug: str
    style: int
    points: list[ChartPoint]
    segments: list[Segment]


@dataclass(frozen=True)
class Lane:
    """One history drawn in one horizontal band, one line per speaker."""

    label: str
    slug: str
    y0: float
    history: TopicHistory
    series: list[SeriesLine]
    detailed: bool = True  # a marker, a link and a table row per statement

    def y(self, score: int) -> float:
        return _y(self.y0, score)

    @property
    def points(self) -> list[ChartPoint]:
        return sorted((p for s in self.series for p in s.points), key=lambda c: (c.x1, c.x2))


def _y(y0: float, score: int) -> float:
    return round(y0 + TOP + (2 - score) / 4 * (LANE_HEIGHT - TOP - BOTTOM), 1)


@dataclass(frozen=True)
class Chart:
    """A shared time axis with one or more lanes."""

    height: int
    lanes: list[Lane]
    axis: TimeAxis

    @property
    def ticks(self) -> tuple[Tick, ...]:
        return self.axis.ticks

    @property
    def plot_height(self) -> int:
        return self.height - AXIS_HEIGHT


def _series_line(series: Any, style: int, y0: float, axis: TimeAxis) -> SeriesLine:
    changes = {s.to_event_id: s.change for s in series.steps}
    placed: dict[int, ChartPoint] = {}
    for p in series.points:
        x1, x2 = axis.x(p.earliest.toordinal()), axis.x(p.latest.toordinal() + 1)
        placed[p.event_id] = ChartPoint(
            p, x1, x2, round((x1 + x2) / 2, 2), _y(y0, p.score), changes.get(p.event_id),
            p.event_id in series.unordered_ids, axis.side(p),
        )  # fmt: skip
    segments = []
    for step in series.steps:
        a, b = placed[step.from_event_id], placed[step.to_event_id]
        segments.append(Segment(a.cx, b.cx, a.cy, b.cy, step.change))
    return SeriesLine(series.speaker_name, series.speaker_slug, style, list(placed.values()), segments)


def build_chart(
    lanes: Sequence[tuple[str, str, TopicHistory]],
    detail: int | None = None,
    axis: TimeAxis | None = None,
    styles: dict[str, int] | None = None,
) -> Chart | None:
    """A chart with one lane per (label, slug, history) on `axis` (by default, one made for these
    lanes); lanes of more than `detail` statements are drawn as lines only (None: all in detail).
    `styles` (speaker slug -> line style) is shared by the charts of a page and filled as needed."""
    histories = [h for _label, _slug, h in lanes if h.points]
    axis = axis or time_axis(histories)
    if not histories or axis is None:
        return None
    built: list[Lane] = []
    styles = {} if styles is None else styles  # one style per speaker across the page
    for index, (label, slug, history) in enumerate(lanes):
        y0 = index * LANE_HEIGHT
        lines = [
            _series_line(s, styles.setdefault(s.speaker_slug, len(styles) % SERIES_STYLES), y0, axis)
            for s in history.series
        ]
        detailed = detail is None or len(history.points) <= detail
        built.append(Lane(label, slug, y0, history, lines, detailed))
    return Chart(LANE_HEIGHT * len(built) + AXIS_HEIGHT, built, axis)


def counts_drawn(chart: Chart) -> dict[str, int]:
    """What the chart draws, counted like a summary (the tests hold the two equal)."""
    segments = [seg for lane in chart.lanes for s in lane.series for seg in s.segments]
    return {
        "shifts": sum(1 for s in segments if s.change == SHIFT),
        "reversals": sum(1 for s in segments if s.change == REVERSAL),
        "steps": len(segments),
    }


@dataclass(frozen=True)
class PageCharts:
    """The charts of one page on one shared axis, with the legend's series (label, style)."""

    charts: dict[str, Chart]  # by key (a topic slug on an actor page)
    axis: TimeAxis | None
    legend: list[tuple[str, int]]


def charts_on_one_axis(
    histories: Sequence[tuple[str, Sequence[tuple[str, str, TopicHistory]]]],
    detail: int | None,
    whole: bool = False,
) -> PageCharts:
    """One chart per (key, lanes), all on one time axis; a history of one statement gets no chart."""
    charted = [(key, lanes) for key, lanes in histories if sum(len(h.points) for _l, _s, h in lanes) > 1]
    axis = time_axis([h for _key, lanes in charted for _l, _s, h in lanes], whole)
    styles: dict[str, int] = {}
    names: dict[str, str] = {}
    charts: dict[str, Chart] = {}
    for key, lanes in charted:
        chart = build_chart(lanes, detail, axis, styles)
        if chart is not None:
            charts[key] = chart
            names.update((s.slug, s.label) for lane in chart.lanes for s in lane.series)
    return PageCharts(charts, axis, [(names[slug], style) for slug, style in styles.items()])
