"""Chart images for sharing: a stance chart as a standalone SVG (fixed size, styles inline, legend
included) and as PNG, rasterised by cairosvg without a browser."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .charts import X0, X1, Chart, build_chart, time_axis
from .history import TopicHistory

WIDTH = 960  # px: the page's percentages become pixels of this width
TITLE_HEIGHT = 34
LEGEND_ROW = 22
# The page's series styles (static/site.css .s0-.s5): colour and dash pattern.
SERIES_STYLES = (
    ("#6f8aa6", ""),
    ("#b35c00", "6 3"),
    ("#6a3d9a", "2 3"),
    ("#1b7f79", "8 3 2 3"),
    ("#8c564b", "10 4"),
    ("#444444", "1 2"),
)
SCORE_COLOURS = {1: "#1e7b46", 0: "#6b7280", -1: "#b3261e"}  # for, neutral, against


@dataclass(frozen=True)
class ChartImage:
    """What the image draws: a title, the chart, its legend's series (label, style) and the size."""

    title: str
    chart: Chart
    legend: list[tuple[str, int]]

    @property
    def legend_top(self) -> int:
        return TITLE_HEIGHT + self.chart.height + 14

    @property
    def height(self) -> int:
        return self.legend_top + LEGEND_ROW * (2 + len(self.legend)) + 8


def chart_image(
    title: str, lanes: Sequence[tuple[str, str, TopicHistory]], whole: bool = False
) -> ChartImage | None:
    """One chart of these lanes (label, slug, history), every statement marked; None without data.
    `whole`: the axis covers every statement (the pages' ?axis=all), else the period with data."""
    styles: dict[str, int] = {}
    axis = time_axis([h for _label, _slug, h in lanes if h.points], whole)
    chart = build_chart(lanes, None, axis, styles)
    if chart is None:
        return None
    names = {s.slug: s.label for lane in chart.lanes for s in lane.series}
    return ChartImage(title, chart, [(names[slug], style) for slug, style in styles.items()])


def px(percent: float) -> float:
    """A chart x (percent of the width) in the image's pixels."""
    return round(percent * WIDTH / 100, 1)


def series_style(style: int) -> tuple[str, str]:
    return SERIES_STYLES[style % len(SERIES_STYLES)]


def score_colour(score: int) -> str:
    return SCORE_COLOURS[(score > 0) - (score < 0)]


PLOT_LEFT, PLOT_RIGHT = px(X0), px(X1)


class RendererMissing(Exception):
    """cairosvg cannot load the system's cairo library (Debian: libcairo2)."""


def png(svg: str) -> bytes:
    """The SVG rasterised (at twice its size, for sharp previews)."""
    try:
        import cairosvg  # imported here: without libcairo2 the site still starts, only PNGs are missing
    except OSError as exc:
        raise RendererMissing(f"PNG charts need the cairo library (Debian: libcairo2): {exc}") from exc
    result = cairosvg.svg2png(bytestring=svg.encode("utf-8"), scale=2)
    assert isinstance(result, bytes)
    return result
