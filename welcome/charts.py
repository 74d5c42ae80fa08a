"""Charts as SVG drawn on the server: no script, no external host, the same in the page and PDF.

Charts are drawn from the cells of a monitoring table, so they show exactly what the table
shows: a count hidden as "< 5" is a hatched band up to 5 (never a bar of its true length), a
count hidden as "x" has no bar at all. Colours and text are SVG attributes, so the drawing
needs no stylesheet.
"""

import math
from collections.abc import Iterable

from flask_babel import format_decimal
from markupsafe import Markup, escape

from welcome.services.disclosure import THRESHOLD
from welcome.services.monitoring_report import Cell, Chart

WIDTH = 640
LABEL_WIDTH = 210
VALUE_WIDTH = 46
BAR = 11
GAP = 2
GROUP_GAP = 9
LEGEND = 22
FONT = 'font-size="11" fill="#1f2933"'
MAX_LABEL = 34


def render(chart: Chart, chart_id: str) -> Markup:
    """The chart as an inline ``<svg>`` element."""
    if chart.kind == "line":
        return line_chart(chart, chart_id)
    return bar_chart(chart, chart_id)


def axis_step(value: float, ticks: int = 5) -> float:
    """A round whole step (1, 2, 5, 10, 20, 25, 50 …) so that ``ticks`` steps reach ``value``."""
    rough = max(value, THRESHOLD) / ticks
    magnitude = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5):
        step = factor * magnitude
        if step >= rough and step == int(step):
            return step
    return 10 * magnitude


def nice_maximum(value: float, ticks: int = 5) -> float:
    """A round number at or above ``value`` for the end of an axis (at least 5)."""
    step = axis_step(value, ticks)
    return step * math.ceil(max(value, THRESHOLD) / step)


def _scale(cells: Iterable[Cell]) -> float:
    cells = list(cells)
    shown = [cell.number for cell in cells if cell.state == "shown" and cell.number]
    # A "< 5" band takes at most half the width, so it never looks like a large figure.
    floor = 2 * THRESHOLD if any(cell.state == "small" for cell in cells) else 1
    return nice_maximum(max([*shown, floor]))


def _short(label: str) -> str:
    return label if len(label) <= MAX_LABEL else label[:MAX_LABEL - 1].rstrip() + "…"


def _patterns(chart_id: str, colours: Iterable[str]) -> str:
    """Hatching in each series' colour, for counts shown as "< 5"."""
    return "".join(
        f'<pattern id="{chart_id}-hatch{n}" width="5" height="5" patternUnits="userSpaceOnUse"'
        f' patternTransform="rotate(45)"><rect width="5" height="5" fill="#ffffff"/>'
        f'<line x1="0" y1="0" x2="0" y2="5" stroke="{colour}" stroke-width="2"/></pattern>'
        for n, colour in enumerate(colours))


def _legend(chart: Chart, x: float = 0) -> str:
    if len(chart.series) < 2:
        return ""
    parts = []
    for series in chart.series:
        parts.append(f'<rect x="{x:.1f}" y="4" width="12" height="10" fill="{series.colour}"/>'
                     f'<text x="{x + 16:.1f}" y="13" {FONT}>{escape(series.label)}</text>')
        x += 26 + 6.5 * len(series.label)
    return "".join(parts)


def _open(chart: Chart, chart_id: str, height: float, colours: Iterable[str]) -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
            f'viewBox="0 0 {WIDTH} {height:.0f}" width="100%" '
            f'aria-labelledby="{chart_id}-title" aria-describedby="{chart_id}-desc">'
            f'<title id="{chart_id}-title">{escape(chart.title)}</title>'
            f'<desc id="{chart_id}-desc">{escape(_describe(chart))}</desc>'
            f'<defs>{_patterns(chart_id, colours)}</defs>')


def _describe(chart: Chart) -> str:
    return "; ".join(
        f"{category}: " + ", ".join(f"{series.label} {series.cells[i].text}"
                                    for series in chart.series)
        for i, category in enumerate(chart.categories))


def bar_chart(chart: Chart, chart_id: str) -> Markup:
    """Horizontal bars, one group per category and one bar per series."""
    series_count = len(chart.series)
    group = series_count * (BAR + GAP) + GROUP_GAP
    top = LEGEND if series_count > 1 else 4
    height = top + group * len(chart.categories) + 4
    area = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    maximum = _scale(cell for series in chart.series for cell in series.cells)
    parts = [_open(chart, chart_id, height, (s.colour for s in chart.series)),
             _legend(chart, LABEL_WIDTH)]
    for index, category in enumerate(chart.categories):
        y0 = top + index * group
        middle = y0 + series_count * (BAR + GAP) / 2 + 3
        parts.append(f'<text x="{LABEL_WIDTH - 6}" y="{middle:.1f}" text-anchor="end" {FONT}>'
                     f'<title>{escape(category)}</title>{escape(_short(category))}</text>')
        for number, series in enumerate(chart.series):
            cell = series.cells[index]
            y = y0 + number * (BAR + GAP)
            width = 0.0
            if cell.state == "shown" and cell.number:
                width = max(1.0, area * cell.number / maximum)
                parts.append(f'<rect x="{LABEL_WIDTH}" y="{y:.1f}" width="{width:.1f}" '
                             f'height="{BAR}" fill="{series.colour}"/>')
            elif cell.state == "small":
                width = max(4.0, area * THRESHOLD / maximum)
                parts.append(f'<rect x="{LABEL_WIDTH}" y="{y:.1f}" width="{width:.1f}" '
                             f'height="{BAR}" fill="url(#{chart_id}-hatch{number})" '
                             f'stroke="{series.colour}" stroke-width="0.8"/>')
            if cell.state != "empty":
                parts.append(f'<text x="{LABEL_WIDTH + width + 4:.1f}" y="{y + BAR - 2:.1f}" '
                             f'{FONT}>{escape(cell.text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(chart: Chart, chart_id: str) -> Markup:
    """One line per series over the months; "< 5" points sit hollow in a band from 0 to 5."""
    left, right, top, bottom, height = 40, 12, LEGEND + 6, 30, 250
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    cells = [cell for series in chart.series for cell in series.cells]
    maximum = _scale(cells)
    count = len(chart.categories)

    def x_at(i: int) -> float:
        return left + (plot_w * (i + 0.5) / count)

    def y_at(value: float) -> float:
        return top + plot_h - plot_h * value / maximum

    parts = [_open(chart, chart_id, height, ()), _legend(chart, left)]
    step = axis_step(maximum)
    for tick in range(round(maximum / step) + 1):
        value = tick * step
        y = y_at(value)
        parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#d9dee3" stroke-width="1"/>'
                     f'<text x="{left - 5}" y="{y + 4:.1f}" text-anchor="end" {FONT}>'
                     f'{escape(_tick(value))}</text>')
    if any(cell.state == "small" for cell in cells):
        band = y_at(THRESHOLD)
        parts.append(f'<rect x="{left}" y="{band:.1f}" width="{plot_w}" '
                     f'height="{y_at(0) - band:.1f}" fill="#eef1f4"/>'
                     f'<text x="{left + 4}" y="{band - 3:.1f}" {FONT}>&lt; 5</text>')
    every = max(1, math.ceil(count / 12))
    for i, label in enumerate(chart.categories):
        if i % every == 0:
            parts.append(f'<text x="{x_at(i):.1f}" y="{height - bottom + 16}" '
                         f'text-anchor="middle" {FONT}>{escape(label)}</text>')
    for number, series in enumerate(chart.series):
        # Each series' "< 5" points at their own height in the band, so none hides another.
        small_at = y_at(THRESHOLD * (number + 1) / (len(chart.series) + 1))
        points: list[tuple[float, float] | None] = []
        for i, cell in enumerate(series.cells):
            if cell.state == "shown" and cell.number is not None:
                points.append((x_at(i), y_at(cell.number)))
            else:
                points.append(None)
                if cell.state == "small":
                    parts.append(f'<circle cx="{x_at(i):.1f}" cy="{small_at:.1f}" '
                                 f'r="3.2" fill="#ffffff" stroke="{series.colour}" '
                                 f'stroke-width="1.5"/>')
        for run in _runs(points):
            if len(run) > 1:
                path = " ".join(f"{x:.1f},{y:.1f}" for x, y in run)
                parts.append(f'<polyline points="{path}" fill="none" stroke="{series.colour}" '
                             f'stroke-width="2"/>')
            parts += [f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{series.colour}"/>'
                      for x, y in run]
    parts.append("</svg>")
    return Markup("".join(parts))


def _tick(value: float) -> str:
    return format_decimal(value, "#,##0.#")


def _runs(points: list[tuple[float, float] | None]) -> list[list[tuple[float, float]]]:
    """Consecutive shown points; a hidden point breaks the line."""
    runs: list[list[tuple[float, float]]] = [[]]
    for point in points:
        if point is None:
            runs.append([])
        else:
            runs[-1].append(point)
    return [run for run in runs if run]
