"""The charts of the portfolio: every partner's latest round, and the analysis across rounds.

:func:`portfolio_scatter` places each partner by both levels, so the dashed lines at the
workspace's level threshold cut the plane into the verdict's quadrants.
:func:`response_surface` draws in 3D the surface that :mod:`fitcheck.portfolio` fitted,
with the observed rounds and its lines of congruence and incongruence, from the grid and
lines that module computed: nothing is fitted here.
"""

from __future__ import annotations

import html
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeAlias

import plotly.graph_objects as go

from fitcheck.charts.text import display_columns, hover_text, plain_text, wrap_label
from fitcheck.charts.theme import (
    CLIENT_COLOUR,
    FONT_SIZE,
    GRID_COLOUR,
    MUTED_COLOUR,
    TEXT_COLOUR,
    font_family,
    legend_below,
)

__all__ = [
    "NAMED_DOTS",
    "PortfolioPoint",
    "PortfolioText",
    "SurfaceLine",
    "SurfacePoint",
    "SurfaceText",
    "named_dots",
    "portfolio_scatter",
    "response_surface",
]


@dataclass(frozen=True, slots=True)
class PortfolioPoint:
    """One partner's latest round: both levels (0..1), its mirror score, its answers."""

    partner: str
    level_us: float
    level_them: float
    similarity: float | None
    respondents: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PortfolioText:
    x_axis: str
    y_axis: str
    score: str
    respondents: str


#: How many of the largest dots (the most answers) carry their partner's name.
NAMED_DOTS = 5
# A name beside a dot: one line of at most this many columns (a kanji counts 2), then "…".
_NAME_COLUMNS = 18


def named_dots(points: Sequence[PortfolioPoint], count: int = NAMED_DOTS) -> list[int]:
    """The indices of the ``count`` largest dots (the most answers), largest first; among
    equal ones, those listed first."""
    # sorted() is stable: equal counts keep the order of ``points``.
    return sorted(range(len(points)), key=lambda i: -points[i].respondents)[:count]


# Where names go is decided for a phone's plot, the smallest (px): a name that clears its
# neighbours and the plot's edges there clears them on a wider screen too. A column of a
# 12 px name is about 6.5 px wide, a line 15 px high.
_PHONE_PLOT = (282.0, 373.0)  # measured at 390 px wide, the colour bar below
_NAME_COLUMN_PX, _NAME_LINE_PX = 6.5, 15.0
# plotly.js's textposition values, in the order a name tries them: beside the dot, then
# above or below it on the same side, then centred above or below it.
_POSITIONS = (
    "middle right",
    "middle left",
    "top right",
    "top left",
    "bottom right",
    "bottom left",
    "top center",
    "bottom center",
)


#: A name's box on the phone's plot: left, right, bottom, top (px, upwards).
_Box: TypeAlias = tuple[float, float, float, float]


def _name_box(position: str, point: PortfolioPoint, name: str) -> _Box:
    """The box (left, right, bottom, top; px, upwards) a name takes at ``position`` on a
    phone's plot, as plotly.js places it (``Drawing.textPointPosition``): beside the
    marker by its radius/0.8 + 1 px, vertically centred, or above or below it by as much."""
    width, height = _PHONE_PLOT
    x, y = point.level_us * width, point.level_them * height
    gap = (8 + 2 * math.sqrt(point.respondents)) / 2 / 0.8 + 1
    wide, high = display_columns(name) * _NAME_COLUMN_PX, _NAME_LINE_PX
    vertical, _, horizontal = position.partition(" ")
    left = {"right": x + gap, "left": x - gap - wide, "center": x - wide / 2}[horizontal]
    bottom = {"middle": y - high / 2, "top": y + gap, "bottom": y - gap - high}[vertical]
    return left, left + wide, bottom, bottom + high


def _name_positions(points: Sequence[PortfolioPoint], names: Sequence[str]) -> list[str]:
    """Where each named dot's name goes (the largest first), so that it stays inside the
    plot (never over the colour bar, never clipped) and off the names placed before it:
    of the positions inside the plot, the first that overlaps no name placed before it,
    else the one that overlaps them least."""
    width, height = _PHONE_PLOT
    placed: list[_Box] = []
    positions = ["middle right"] * len(points)
    for i in named_dots(points):
        boxes = {position: _name_box(position, points[i], names[i]) for position in _POSITIONS}
        inside = [
            position
            for position, (left, right, bottom, top) in boxes.items()
            if left >= 0 and right <= width and bottom >= 0 and top <= height
        ] or ["middle left" if points[i].level_us > 0.5 else "middle right"]
        positions[i] = min(
            inside, key=lambda position: sum(_overlap(boxes[position], box) for box in placed)
        )
        placed.append(boxes[positions[i]])
    return positions


def _overlap(a: _Box, b: _Box) -> float:
    """The area two boxes share (px²)."""
    across = min(a[1], b[1]) - max(a[0], b[0])
    up = min(a[3], b[3]) - max(a[2], b[2])
    return max(0.0, across) * max(0.0, up)


def portfolio_scatter(
    points: Sequence[PortfolioPoint], *, level: float, text: PortfolioText, locale: str = "en"
) -> go.Figure:
    """Every partner as a point: x how the client sees us, y how we see the client (both as
    levels, %), colour the mirror score, size the number of answers; the dashed lines at
    the level threshold cut the plane into the verdict's quadrants.

    Every dot names its partner on hover; the :data:`NAMED_DOTS` largest also beside the
    dot (:func:`named_dots`), shortened to one line, where the plot has room for it and
    no other name is (:func:`_name_positions`), so a name never runs off the plot or into
    the colour bar.
    """
    names = [hover_text(point.partner) for point in points]
    named = set(named_dots(points))
    shown = [
        wrap_label(point.partner, _NAME_COLUMNS, max_lines=1) if i in named else ""
        for i, point in enumerate(points)
    ]
    figure = go.Figure(
        go.Scatter(
            x=[point.level_us * 100 for point in points],
            y=[point.level_them * 100 for point in points],
            mode="markers+text",
            text=shown,
            textposition=_name_positions(points, shown),
            # A halo of the background's colour keeps a name legible over a dot or a line.
            textfont={"size": FONT_SIZE, "color": TEXT_COLOUR, "shadow": "auto"},
            customdata=[
                [name, "—" if p.similarity is None else f"{p.similarity:.1f}", p.respondents]
                for name, p in zip(names, points, strict=True)
            ],
            marker={
                "size": [8 + 2 * math.sqrt(point.respondents) for point in points],
                "color": [point.similarity for point in points],
                "cmin": 0,
                "cmax": 100,
                "colorscale": "Viridis",
                # Under the plot, not beside it: on a phone a bar at the side would take
                # a third of the width the dots need.
                "colorbar": {
                    "title": {"text": html.escape(text.score), "side": "top"},
                    "orientation": "h",
                    "thickness": 10,
                    "len": 0.7,
                    "x": 0.5,
                    "xanchor": "center",
                    "y": -0.2,
                    "yanchor": "top",
                },
                "line": {"width": 1, "color": TEXT_COLOUR},
            },
            hovertemplate=(
                "<b>%{customdata[0]}</b><br>"
                + html.escape(text.score)
                + ": %{customdata[1]}<br>"
                + html.escape(text.respondents)
                + ": %{customdata[2]}<extra></extra>"
            ),
            showlegend=False,
        )
    )
    threshold = level * 100
    for axis in ("x", "y"):
        figure.add_shape(
            type="line",
            line={"dash": "dash", "color": MUTED_COLOUR, "width": 1},
            **(
                {"x0": threshold, "x1": threshold, "y0": 0, "y1": 100}
                if axis == "x"
                else {"x0": 0, "x1": 100, "y0": threshold, "y1": threshold}
            ),
        )
    figure.update_layout(
        font={"family": font_family(locale), "size": FONT_SIZE, "color": TEXT_COLOUR},
        height=540,
        margin={"l": 56, "r": 16, "t": 16, "b": 136},
        xaxis={"range": [0, 100], "title": {"text": html.escape(text.x_axis)}, "fixedrange": True},
        yaxis={"range": [0, 100], "title": {"text": html.escape(text.y_axis)}, "fixedrange": True},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    return figure


@dataclass(frozen=True, slots=True)
class SurfacePoint:
    """One round of the portfolio analysis: its coordinates, outcome and a label."""

    x: float
    y: float
    z: float
    label: str


#: A line on the surface: its xs, ys and heights.
SurfaceLine: TypeAlias = tuple[Sequence[float], Sequence[float], Sequence[float]]


@dataclass(frozen=True, slots=True, kw_only=True)
class SurfaceText:
    x_axis: str
    y_axis: str
    z_axis: str
    surface: str
    observed: str
    congruence: str
    incongruence: str


def response_surface(
    grid: tuple[Sequence[float], Sequence[float], Sequence[Sequence[float]]],
    lines: tuple[SurfaceLine, SurfaceLine],
    points: Sequence[SurfacePoint],
    *,
    text: SurfaceText,
    locale: str = "en",
) -> go.Figure:
    """The fitted response surface of §"Portfolio" in 3D: the surface over ``grid`` (xs, ys,
    zs from :func:`fitcheck.portfolio.surface_grid`), the observed rounds as points, and on
    the surface the line of congruence X = Y (dark) and of incongruence X = −Y (the
    client's colour), ``lines`` from :func:`fitcheck.portfolio.surface_lines`."""
    xs, ys, zs = grid
    x_name, y_name, z_name = (plain_text(t) for t in (text.x_axis, text.y_axis, text.z_axis))
    hover = f"{x_name}: %{{x:.2f}}<br>{y_name}: %{{y:.2f}}<br>{z_name}: %{{z:.2f}}"
    figure = go.Figure(
        go.Surface(
            x=list(xs),
            y=list(ys),
            z=[list(row) for row in zs],
            name=plain_text(text.surface),
            colorscale="Viridis",
            opacity=0.8,
            showscale=False,
            hovertemplate=hover + "<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter3d(
            x=[p.x for p in points],
            y=[p.y for p in points],
            z=[p.z for p in points],
            name=plain_text(text.observed),
            mode="markers",
            marker={"size": 3, "color": TEXT_COLOUR, "opacity": 0.7},
            customdata=[plain_text(p.label) for p in points],
            hovertemplate="<b>%{customdata}</b><br>" + hover + "<extra></extra>",
        )
    )
    for name, (line_x, line_y, line_z), colour in (
        (text.congruence, lines[0], TEXT_COLOUR),
        (text.incongruence, lines[1], CLIENT_COLOUR),
    ):
        figure.add_trace(
            go.Scatter3d(
                x=line_x,
                y=line_y,
                z=line_z,
                name=plain_text(name),
                mode="lines",
                line={"color": colour, "width": 6},
                hovertemplate=plain_text(name) + "<br>" + hover + "<extra></extra>",
            )
        )
    axis = {"showbackground": True, "backgroundcolor": "#f8f9fa", "gridcolor": GRID_COLOUR}
    heights: dict[str, Any] = {"title": {"text": z_name}}
    if points:  # the outcomes' own range: far below it the surface says nothing
        low, high = min(p.z for p in points), max(p.z for p in points)
        pad = max((high - low) * 0.15, 0.5)
        heights["range"] = [low - pad, high + pad]
    figure.update_layout(
        font={"family": font_family(locale), "size": FONT_SIZE, "color": TEXT_COLOUR},
        height=560,
        margin={"l": 0, "r": 0, "t": 0, "b": 0},
        scene={
            "xaxis": axis | {"title": {"text": x_name}},
            "yaxis": axis | {"title": {"text": y_name}},
            "zaxis": axis | heights,
            # Seen from the front corner, slightly from above, looking a little below the
            # centre so that the axis titles at the foot of the box stay inside the chart.
            "camera": {
                "eye": {"x": -1.3, "y": -1.5, "z": 0.75},
                "center": {"x": 0, "y": 0, "z": -0.2},
            },
            "aspectmode": "cube",
        },
        legend=legend_below(),
        paper_bgcolor="white",
    )
    return figure
