"""Step-chart geometry for stance histories: server-side SVG, no JavaScript."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date

from .history import StancePoint, TopicHistory

WIDTH = 720
LANE_HEIGHT = 104
LEFT, RIGHT, TOP, BOTTOM = 34, 12, 18, 22
SCORES = (2, 1, 0, -1, -2)
# Beyond this many statements, a lane among others is drawn as its step line only (no marker, link or
# table row per statement): a page of many large histories stays small; each opens alone in detail.
DETAIL_POINTS = 40


@dataclass(frozen=True)
class ChartPoint:
    """One statement placed on the chart; a range when its date is uncertain."""

    point: StancePoint
    x1: float
    x2: float
    cx: float
    cy: float
    change: str | None  # the change arriving at this point

    @property
    def is_range(self) -> bool:
        return self.x2 - self.x1 >= 3


@dataclass(frozen=True)
class Lane:
    """One history drawn in one horizontal band."""

    label: str
    slug: str
    y0: float
    history: TopicHistory
    points: list[ChartPoint]
    path: str
    detailed: bool = True  # a marker, a link and a table row per statement

    def y(self, score: int) -> float:
        return _y(self.y0, score)


def _y(y0: float, score: int) -> float:
    return round(y0 + TOP + (2 - score) / 4 * (LANE_HEIGHT - TOP - BOTTOM), 1)


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class Chart:
    """A shared time axis with one or more lanes."""

    width: int
    height: int
    lanes: list[Lane]
    ticks: list[Tick]
    radius: float
    left: int = LEFT
    right_edge: int = WIDTH - RIGHT


def _domain(histories: Sequence[TopicHistory]) -> tuple[int, int]:
    """The time axis in day numbers (date.toordinal): its ends may lie outside years 1-9999."""
    points = [p for h in histories for p in h.points]
    start = min(p.earliest for p in points).toordinal()
    end = max(p.latest for p in points).toordinal() + 1
    if end - start < 60:  # keep a lone day from filling the whole width
        start, end = start - 30, end + 30
    return start, end


def _ticks(start: int, end: int, x: Callable[[int], float]) -> list[Tick]:
    first, last = date.fromordinal(max(start, 1)), date.fromordinal(min(end, date.max.toordinal()))
    years = last.year - first.year
    step_months = 12 * max(1, years // 8) if years >= 3 else (3 if years >= 1 else 1)
    ticks: list[Tick] = []
    year, month = first.year, first.month
    while True:
        # Advance to the next boundary that is a multiple of the step.
        month += 1
        if month > 12:
            year, month = year + 1, 1
        if year > date.max.year:
            break
        day = date(year, month, 1)
        if day.toordinal() >= end:
            break
        if (year * 12 + month - 1) % step_months:
            continue
        label = str(year) if month == 1 else day.strftime("%b %Y")
        ticks.append(Tick(x(day.toordinal()), label))
    return ticks


def build_chart(lanes: Sequence[tuple[str, str, TopicHistory]], detail: int | None = None) -> Chart | None:
    """A chart with one lane per (label, slug, history), all on one time axis; lanes of more than
    `detail` statements are drawn as a line only (None: every lane in detail)."""
    histories = [h for _label, _slug, h in lanes if h.points]
    if not histories:
        return None
    start, end = _domain(histories)
    span = end - start
    plot = WIDTH - LEFT - RIGHT

    def x(day: int) -> float:
        return round(LEFT + (day - start) / span * plot, 1)

    most = max(len(h.points) for h in histories)
    radius = 5.0 if most <= 40 else (3.5 if most <= 150 else 2.0)
    built: list[Lane] = []
    for index, (label, slug, history) in enumerate(lanes):
        y0 = index * LANE_HEIGHT
        changes = {s.to_event_id: s.change for s in history.steps}
        points = []
        for p in history.points:
            x1, x2 = x(p.earliest.toordinal()), x(p.latest.toordinal() + 1)
            points.append(
                ChartPoint(p, x1, x2, round((x1 + x2) / 2, 1), _y(y0, p.score), changes.get(p.event_id))
            )
        path = ""
        if points:
            path = f"M{points[0].cx},{points[0].cy}" + "".join(f" H{b.cx} V{b.cy}" for b in points[1:])
        detailed = detail is None or len(points) <= detail
        built.append(Lane(label, slug, y0, history, points, path, detailed))
    height = LANE_HEIGHT * len(built)
    return Chart(WIDTH, height, built, _ticks(start, end, x), radius)
