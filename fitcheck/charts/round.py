"""The charts of one round, and of a partner's rounds over time.

:func:`mirror_radar` and :func:`gap_bars`, on the results page and its printed report, draw
a round's :class:`fitcheck.fit.FitResult` as it is: nothing is recomputed here, so the charts
show the same numbers as the table, the export and the API. Withheld values arrive as
``None`` and are drawn as gaps, never as numbers. The caller passes every word already
translated: ``labels`` and ``questions`` per trait, and a :class:`ChartText` for the rest.

:func:`trend_lines` draws a partner's revealed rounds on a time axis, for the partner's
timeline: the mirror score and both levels, round after round.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import plotly.graph_objects as go

from fitcheck.charts.text import hover_text, legend_text, radar_ticktext, tick_label, wrap_label
from fitcheck.charts.theme import (
    CLIENT_COLOUR,
    COMPANY_COLOUR,
    FONT_SIZE,
    GRID_COLOUR,
    MUTED_COLOUR,
    TEXT_COLOUR,
    TICK_FONT_SIZE,
    base_layout,
    font_family,
    format_number,
    legend_below,
    no_data_annotation,
    rgba,
)
from fitcheck.fit import RWG_DISAGREES_BELOW, Band, FitResult, SideTrait, Stats, TraitResult

__all__ = [
    "ChartText",
    "TrendPoint",
    "TrendText",
    "gap_bars",
    "mirror_radar",
    "trend_lines",
]


@dataclass(frozen=True, slots=True, kw_only=True)
class ChartText:
    """The words a chart shows besides the trait labels, translated by the caller.

    Legend entries (also the names in hover boxes):

    - ``them``: "Client as seen by the company"; ``us``: "Company as seen by the client";
    - ``them_self``: "Client's self-view"; ``us_self``: "Company's self-view";
    - ``previous_them``, ``previous_us``: the same two views in the previous round.

    Gap bars: ``gap_axis`` titles the x axis ("Mirror gap: them − us");
    ``them_higher`` and ``us_higher`` label its two ends ("Client seen higher" for a
    positive gap, "Company seen higher" for a negative one); ``aligned``, ``notable``,
    ``major`` name the bands written on the bars.

    Both charts: ``n`` names the number of answers in hover boxes ("n", "回答数");
    ``no_data`` marks a trait (or a whole chart) with nothing to draw.

    Radar, where a side's respondents disagree (rwg < 0.5) and its spread is drawn:
    ``company_disagrees`` ("company disagrees within", on the ``them`` profile, which the
    company's ratings make) and ``client_disagrees`` (on ``us``) head the spread's hover
    box.
    """

    them: str
    us: str
    them_self: str
    us_self: str
    previous_them: str
    previous_us: str
    gap_axis: str
    them_higher: str
    us_higher: str
    aligned: str
    notable: str
    major: str
    n: str
    no_data: str
    company_disagrees: str
    client_disagrees: str

    def band(self, band: Band) -> str:
        """The translated name of a gap band."""
        return {Band.ALIGNED: self.aligned, Band.NOTABLE: self.notable, Band.MAJOR: self.major}[
            band
        ]


# --------------------------------------------------------------------------------------------
# Mirror radar
# --------------------------------------------------------------------------------------------

# The radar's diameter: its circle fills the width between its side labels, from a
# phone's (the smallest) to the largest, which a desktop and the printed report reach.
# The server never knows the width: the figure draws the largest, and static/charts.js
# fits the height to the width it is drawn at (layout.meta.fc_radar, in mirror_radar).
_RADAR_MIN_PX = 180
_RADAR_MAX_PX = 400
# Angular tick labels stand this far outside the ring (an invisible tick as padding), so
# they never touch a marker on the outer ring, whatever the value there.
_RADAR_TICKLEN = 10
# The markers on the outer ring reach past it by half their size; a label is further.
_RADAR_STANDOFF = _RADAR_TICKLEN + 0.2 * TICK_FONT_SIZE + 0.5  # plotly.js makeLabelFns


@dataclass(frozen=True, slots=True)
class _Series:
    """One profile on the radar: how to read it from a trait row and how to draw it."""

    name: str
    value: Callable[[TraitResult], float | None]
    stats: Callable[[TraitResult], Stats]
    colour: str
    dash: str
    symbol: str
    fill: bool
    width: float
    rank: int
    marker_size: int = 7
    opacity: float = 1.0
    # The side whose other-ratings make this profile, what its spread's hover says, and
    # how far (degrees) from the axis its spread stands, so that two sides' do not overlap.
    raters: Callable[[TraitResult], SideTrait] | None = None
    disagrees: str = ""
    spread_at: float = 0.0


def _radar_series(text: ChartText) -> tuple[_Series, ...]:
    # Each side keeps its colour and its marker (client: circle, company: square); the views
    # of the other side are solid and filled, the self-views broken lines (client dashed,
    # company dotted) with open markers. Any two traces thus differ by more than colour.
    return (
        _Series(
            name=text.them,
            value=lambda row: row.them,
            stats=lambda row: row.company.other,
            colour=CLIENT_COLOUR,
            symbol="circle",
            rank=1,
            dash="solid",
            fill=True,
            width=2.5,
            raters=lambda row: row.company,
            disagrees=text.company_disagrees,
            spread_at=-1.5,
        ),
        _Series(
            name=text.us,
            value=lambda row: row.us,
            stats=lambda row: row.client.other,
            colour=COMPANY_COLOUR,
            symbol="square",
            rank=2,
            dash="solid",
            fill=True,
            width=2.5,
            raters=lambda row: row.client,
            disagrees=text.client_disagrees,
            spread_at=1.5,
        ),
        _Series(
            name=text.them_self,
            value=lambda row: row.them_self,
            stats=lambda row: row.client.self_,
            colour=CLIENT_COLOUR,
            symbol="circle-open",
            dash="dash",
            rank=3,
            fill=False,
            width=2.0,
        ),
        _Series(
            name=text.us_self,
            value=lambda row: row.us_self,
            stats=lambda row: row.company.self_,
            colour=COMPANY_COLOUR,
            symbol="square-open",
            dash="dot",
            rank=4,
            fill=False,
            width=2.0,
        ),
    )


def _ghost_series(text: ChartText) -> tuple[_Series, ...]:
    # Thin, faint and unfilled: last round stays behind this one and never competes with
    # it. Each in its side's colour, with the one line style its side does not use this
    # round (the client: solid and dashed, so dotted; the company: solid and dotted, so
    # dashed): every trace differs from every other by colour or line.
    return (
        _Series(
            name=text.previous_them,
            value=lambda row: row.them,
            stats=lambda row: row.company.other,
            symbol="circle",
            rank=5,
            colour=CLIENT_COLOUR,
            dash="dot",
            fill=False,
            width=1.5,
            marker_size=4,
            opacity=0.6,
        ),
        _Series(
            name=text.previous_us,
            value=lambda row: row.us,
            stats=lambda row: row.client.other,
            symbol="square",
            rank=6,
            colour=COMPANY_COLOUR,
            dash="dash",
            fill=False,
            width=1.5,
            marker_size=4,
            opacity=0.6,
        ),
    )


_RADAR_HOVER = (
    "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>"
    "%{customdata[2]}: <b>%{r:.2f}</b> (%{customdata[3]} = %{customdata[4]})<extra></extra>"
)


@dataclass(frozen=True, slots=True)
class _Axes:
    """What every radar trace shares: the axis angles, the hover texts and the centre."""

    theta: Sequence[float]
    labels: Sequence[str]
    questions: Sequence[str]
    n: str
    centre: float
    scale: tuple[int, int]


def _runs(values: Sequence[float | None]) -> list[list[int]]:
    """Indices of the circular runs of consecutive defined values ([[5, 6, 0, 1], [3]])."""
    count = len(values)
    start = next(i for i, value in enumerate(values) if value is None)
    runs: list[list[int]] = []
    run: list[int] = []
    for step in range(1, count + 1):
        i = (start + step) % count
        if values[i] is None:
            if run:
                runs.append(run)
            run = []
        else:
            run.append(i)
    if run:
        runs.append(run)
    return runs


def _fan(series: _Series, values: Sequence[float | None], axes: _Axes) -> go.Scatterpolar:
    """The filled area of a profile with gaps: only the triangles whose corners are known.

    The area of a radar polygon is its triangles (centre, t, t + 1). Filling the outline of
    a profile with a gap would draw a chord across the missing trait; instead each run of
    known values is filled as a fan from the centre, so a missing trait shows as a missing
    wedge and no value is invented.
    """
    r: list[float | None] = []
    theta: list[float | None] = []
    for run in _runs(values):
        if len(run) < 2:
            continue
        r += [axes.centre, *(values[i] for i in run), axes.centre, None]
        theta += [axes.theta[run[0]], *(axes.theta[i] for i in run), axes.theta[run[-1]], None]
    return go.Scatterpolar(
        r=r,
        theta=theta,
        mode="none",
        fill="toself",
        fillcolor=rgba(series.colour, 0.14),
        hoverinfo="skip",
        showlegend=False,
        legendgroup=f"series-{series.rank}",
    )


_SPREAD_HOVER = (
    "<b>%{customdata[0]}</b><br>%{customdata[1]}<br>%{customdata[2]}<br>"
    "%{customdata[3]}<extra></extra>"
)


def _spread(
    series: _Series,
    rows: Sequence[TraitResult | None],
    axes: _Axes,
    values: Sequence[float | None],
) -> list[go.Scatterpolar]:
    """Where the side rating this profile disagrees within (rwg < 0.5), its spread.

    One thin, translucent radial segment per such trait, from mean − SD to mean + SD
    (within the scale), in the profile's colour and legend group, hidden from the legend;
    its ends' hover boxes give the rwg and the range. Nothing where the side agrees, where
    rwg is undefined, or where the value is withheld.
    """
    if series.raters is None:
        return []
    lo, hi = axes.scale
    name = legend_text(series.name)
    r: list[float | None] = []
    theta: list[float | None] = []
    customdata: list[list[str] | None] = []
    for row, value, angle, label in zip(rows, values, axes.theta, axes.labels, strict=True):
        if row is None or value is None:
            continue
        side = series.raters(row)
        sd = series.stats(row).sd
        if side.disagrees is not True or side.rwg is None or sd is None:
            continue
        low, high = max(lo, value - sd), min(hi, value + sd)
        agreement = f"rwg {format_number(side.rwg)} < {format_number(RWG_DISAGREES_BELOW)}"
        said = f"{series.disagrees} ({agreement})"
        where = (
            f"{format_number(value)} ± {format_number(sd)}"
            f" ({format_number(low)}–{format_number(high)})"
        )
        point = [label, name, html.escape(said), where]
        at = angle + series.spread_at
        r += [low, high, None]
        theta += [at, at, None]
        customdata += [point, point, None]
    if not r:
        return []
    return [
        go.Scatterpolar(
            r=r,
            theta=theta,
            customdata=customdata,
            mode="lines",
            line={"color": rgba(series.colour, 0.45), "width": 3},
            connectgaps=False,
            hovertemplate=_SPREAD_HOVER,
            hoveron="points",
            showlegend=False,
            legendgroup=f"series-{series.rank}",
        )
    ]


def _radar_traces(
    series: _Series, rows: Sequence[TraitResult | None], axes: _Axes
) -> list[go.Scatterpolar]:
    values = [None if row is None else series.value(row) for row in rows]
    if all(value is None for value in values):
        # A withheld side, or no answers at all: the trace is left out rather than listed in
        # the legend with nothing drawn. The page says why (n of k responses).
        return []
    counts = [None if row is None else series.stats(row).n for row in rows]
    name = legend_text(series.name)
    # User-written text goes through customdata, never into the hovertemplate itself,
    # where a label containing "%{r}" would be interpolated.
    customdata = [
        [label, question, name, axes.n, count]
        for label, question, count in zip(axes.labels, axes.questions, counts, strict=True)
    ]
    gaps = any(value is None for value in values)
    closed = [*range(len(values)), 0]  # repeat the first point to close the polygon
    outline = go.Scatterpolar(
        r=[values[i] for i in closed],
        theta=[axes.theta[i] for i in closed],
        customdata=[customdata[i] for i in closed],
        name=name,
        mode="lines+markers",
        connectgaps=False,
        line={"color": series.colour, "dash": series.dash, "width": series.width},
        marker={
            "symbol": series.symbol,
            "size": series.marker_size,
            "color": series.colour,
            "line": {"width": 1.5, "color": series.colour},
        },
        fill="toself" if series.fill and not gaps else "none",
        fillcolor=rgba(series.colour, 0.14) if series.fill and not gaps else None,
        hovertemplate=_RADAR_HOVER,
        hoveron="points",
        opacity=series.opacity,
        legendgroup=f"series-{series.rank}",
        legendrank=series.rank,
    )
    spread = _spread(series, rows, axes, values)
    if series.fill and gaps:
        return [*spread, _fan(series, values, axes), outline]
    return [*spread, outline]


def mirror_radar(
    result: FitResult,
    *,
    labels: Mapping[str, str],
    questions: Mapping[str, str],
    text: ChartText,
    previous: FitResult | None = None,
    locale: str = "en",
) -> go.Figure:
    """The mirror radar of a round: one axis per trait, in trait-set order from the top.

    Traces, in legend order: ``them`` (client as seen by the company) and ``us`` (company as
    seen by the client), filled and overlaid; the self-views ``them_self`` and ``us_self``
    as broken lines in their side's colour; with ``previous``, last round's ``them`` and
    ``us`` as thin faint lines behind, each in its side's colour (the client's dotted, the
    company's dashed), matched by trait key (a trait the previous round did not have is a
    gap). Each polygon is closed by repeating its first point. Where the side whose
    ratings make ``them`` or ``us`` disagrees within (``SideTrait.disagrees``), a thin
    radial segment from mean − SD to mean + SD shows its spread (hidden from the legend,
    toggled with its profile).

    A missing value (withheld, or nobody could judge) is ``None``: plotly leaves a gap in
    the line and draws no number, and the fill covers only the wedges whose two corners are
    known (an extra fill-only trace, hidden from legend and hover, toggled with its
    profile). A profile with no value at all (a withheld side) is left out of the figure
    and its legend rather than listed with nothing drawn; with nothing to draw at all, the
    chart says ``text.no_data``. The radial axis is the rating scale, ``lo..hi`` with
    integer ticks. The trait labels stand outside the ring, in margins measured from
    them; the width follows the container and ``static/charts.js`` fits the height to it
    (``layout.meta``), so the circle fills the width on a phone, a desktop and paper.

    ``labels`` (required for every trait) and ``questions`` (optional, shown on hover) map
    trait keys to text in the page's language; ``locale`` picks the font family. Raises
    ``KeyError`` for a trait without a label and ``ValueError`` when ``previous`` used
    another rating scale (its means are then not comparable).
    """
    if previous is not None and previous.scale != result.scale:
        raise ValueError(f"rounds on different scales: {previous.scale} vs {result.scale}")
    keys = [row.trait for row in result.traits]
    count = len(keys)
    theta = [360 * i / count for i in range(count)] if count else []
    raw_labels = [_required_label(labels, key) for key in keys]

    axes = _Axes(
        theta=theta,
        labels=[hover_text(label) for label in raw_labels],
        questions=[hover_text(questions.get(key, "")) for key in keys],
        n=html.escape(text.n),
        centre=result.scale.lo,
        scale=(result.scale.lo, result.scale.hi),
    )
    traces: list[go.Scatterpolar] = []
    if previous is not None:
        before = {row.trait: row for row in previous.traits}
        previous_rows = [before.get(key) for key in keys]
        for series in _ghost_series(text):
            traces += _radar_traces(series, previous_rows, axes)
    for series in _radar_series(text):
        traces += _radar_traces(series, result.traits, axes)

    scale = result.scale
    ticks = radar_ticktext(raw_labels, theta, standoff=_RADAR_STANDOFF)
    legend_lines = sum(
        trace.name.count("<br>") + 1 for trace in traces if trace.showlegend is not False
    )
    # Plotly reserves no room for angular labels: those at the top get a top margin of their
    # height, those at the bottom a strip of the plot area (the legend below would cover
    # them otherwise), those at the sides margins as wide as they reach beyond the circle.
    top = math.ceil(max(12.0, ticks.above + 8))
    below = math.ceil(max(0.0, ticks.below + 8))
    left = math.ceil(max(8.0, ticks.left + 6))
    right = math.ceil(max(8.0, ticks.right + 6))
    legend_px = 22 * legend_lines + 10
    height = _RADAR_MAX_PX + top + below + legend_px
    plot_px = height - top - legend_px
    layout = base_layout(locale)
    layout.update(
        margin={"l": left, "r": right, "t": top, "b": 10, "autoexpand": True},
        height=height,
        legend=legend_below(),
        # What charts.js needs to fit the height to the width: the circle's diameter is the
        # width less the side margins, within min..max; above it the top margin, below it
        # the bottom labels' strip and the legend.
        meta={
            "fc_radar": {
                "top": top,
                "below": below,
                "legend": legend_px,
                "sides": left + right,
                "min": _RADAR_MIN_PX,
                "max": _RADAR_MAX_PX,
            }
        },
        polar={
            "bgcolor": "rgba(0,0,0,0)",
            "domain": {"x": [0, 1], "y": [min(0.4, below / plot_px), 1]},
            "angularaxis": {
                "tickmode": "array",
                "tickvals": theta,
                "ticktext": ticks.text,
                "tickfont": {"size": TICK_FONT_SIZE},
                "rotation": 90,
                "direction": "clockwise",
                "thetaunit": "degrees",
                "gridcolor": GRID_COLOUR,
                "linecolor": "#adb5bd",
                # An invisible outside tick: its length is padding between ring and label.
                "ticks": "outside",
                "ticklen": _RADAR_TICKLEN,
                "tickcolor": "rgba(0,0,0,0)",
                "layer": "below traces",
            },
            "radialaxis": {
                "range": [scale.lo, scale.hi],
                "tickmode": "array",
                "tickvals": list(range(scale.lo, scale.hi + 1)),
                "ticktext": [str(point) for point in range(scale.lo, scale.hi + 1)],
                "tickfont": {"size": 10, "color": MUTED_COLOUR},
                # Between the first two axes, so the scale's numbers sit on no trait's line.
                "angle": 90 - 180 / count if count else 90,
                "tickangle": 0,
                "gridcolor": GRID_COLOUR,
                "linecolor": GRID_COLOUR,
                "showline": False,
                "ticks": "",
                "layer": "below traces",
            },
        },
    )
    if not traces:
        layout["annotations"] = [
            no_data_annotation(text.no_data, x=0.5, y=0.5, xref="paper", yref="paper")
        ]
    return go.Figure(data=traces, layout=layout)


def _required_label(labels: Mapping[str, str], key: str) -> str:
    try:
        return labels[key]
    except KeyError:
        raise KeyError(f"no label for trait {key!r}") from None


# --------------------------------------------------------------------------------------------
# Mirror gap bars
# --------------------------------------------------------------------------------------------

_GAP_HOVER = (
    "<b>%{customdata[0]}</b><br>%{customdata[1]}: %{customdata[2]}<br>"
    "%{customdata[3]}: %{customdata[4]}<br>%{customdata[5]}: <b>%{customdata[6]}</b>"
    "<extra></extra>"
)


def _gap_text(row: TraitResult, text: ChartText) -> str:
    if row.gap is None:
        return html.escape(text.no_data)
    value = format_number(row.gap, signed=True)
    return html.escape(value if row.band is None else f"{value} · {text.band(row.band)}")


def _gap_tick(value: int) -> str:
    return f"{value:+d}".replace("-", "−") if value else "0"


def gap_bars(
    result: FitResult, *, labels: Mapping[str, str], text: ChartText, locale: str = "en"
) -> go.Figure:
    """The mirror gap ``them − us`` per trait as horizontal bars diverging from zero.

    Sorted by size, the largest ``|gap|`` at the top (ties keep trait-set order); traits
    without a gap come last with ``text.no_data``. A positive gap (the company sees more of
    the trait in the client than the client sees in the company) points right in the
    client's colour, a negative one left in the company's colour: a bar points towards the
    side seen higher, and the axis ends say so in words (``text.them_higher`` right,
    ``text.us_higher`` left). Each row's value and band ("+1.50 · major") stand beside
    zero on the empty side of the row, where they always fit, even on a phone. The x axis
    is ``±R``, the whole scale range, so bars compare across rounds and partners. Raises
    ``KeyError`` for a trait without a label.
    """
    # sorted() is stable: equal gaps keep the trait-set order.
    rows = sorted(
        result.traits,
        key=lambda row: (row.gap is None, -abs(row.gap) if row.gap is not None else 0.0),
    )
    keys = [row.trait for row in rows]
    raw_labels = {key: _required_label(labels, key) for key in keys}
    span = result.scale.range
    names = (hover_text(text.them), hover_text(text.us), hover_text(text.gap_axis))

    def values(row: TraitResult) -> list[str]:
        return [
            hover_text(raw_labels[row.trait]),
            names[0],
            "–" if row.them is None else format_number(row.them),
            names[1],
            "–" if row.us is None else format_number(row.us),
            names[2],
            _gap_text(row, text),
        ]

    bars = go.Bar(
        # A trait without a gap stays in the trace with x = None: its row keeps its place.
        x=[row.gap for row in rows],
        y=keys,
        orientation="h",
        marker={
            "color": [CLIENT_COLOUR if (row.gap or 0.0) > 0 else COMPANY_COLOUR for row in rows],
            "line": {"width": 0},
        },
        customdata=[values(row) for row in rows],
        hovertemplate=_GAP_HOVER,
        showlegend=False,
    )
    # The value and band of a row sit just past zero on the side its bar does not use.
    notes = [
        {
            "text": _gap_text(row, text),
            "x": 0,
            "y": row.trait,
            "xref": "x",
            "yref": "y",
            "xanchor": "right" if (row.gap or 0.0) > 0 else "left",
            "xshift": -6 if (row.gap or 0.0) > 0 else 6,
            "showarrow": False,
            "font": {
                "size": TICK_FONT_SIZE,
                "color": MUTED_COLOUR if row.gap is None else TEXT_COLOUR,
            },
        }
        for row in rows
    ]

    step = max(1, math.ceil(span / 4))
    ticks = [value for value in range(-span, span + 1) if value % step == 0]
    layout = base_layout(locale)
    layout.update(
        showlegend=False,
        height=110 + 44 * max(len(keys), 1),
        margin={"l": 8, "r": 16, "t": 44, "b": 40, "autoexpand": True},
        bargap=0.35,
        xaxis={
            "range": [-span, span],
            "fixedrange": True,
            "tickmode": "array",
            "tickvals": ticks,
            "ticktext": [_gap_tick(value) for value in ticks],
            "tickfont": {"size": TICK_FONT_SIZE, "color": MUTED_COLOUR},
            "zeroline": True,
            "zerolinecolor": "#495057",
            "zerolinewidth": 1.5,
            "showgrid": True,
            "gridcolor": GRID_COLOUR,
            "title": {"text": legend_text(text.gap_axis), "font": {"size": TICK_FONT_SIZE}},
            "automargin": True,
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": keys,
            "tickmode": "array",
            "tickvals": keys,
            "ticktext": [tick_label(raw_labels[key]) for key in keys],
            "tickfont": {"size": TICK_FONT_SIZE},
            "autorange": "reversed",
            "fixedrange": True,
            "automargin": True,
            "showgrid": False,
            "ticks": "",
            "ticklabelstandoff": 6,
        },
        annotations=[
            *notes,
            _axis_end(text.us_higher, COMPANY_COLOUR, left=True),
            _axis_end(text.them_higher, CLIENT_COLOUR, left=False),
        ],
    )
    if not keys:
        layout["annotations"] = [
            no_data_annotation(text.no_data, x=0.5, y=0.5, xref="paper", yref="paper")
        ]
    return go.Figure(data=[bars], layout=layout)


def _axis_end(label: str, colour: str, *, left: bool) -> dict[str, Any]:
    """Word the two ends of the gap axis above the plot, arrows pointing outwards."""
    wrapped = wrap_label(label, 16, max_lines=2)
    return {
        "text": f"← {wrapped}" if left else f"{wrapped} →",
        "x": 0 if left else 1,
        "xanchor": "left" if left else "right",
        "xref": "paper",
        "y": 1,
        "yanchor": "bottom",
        "yref": "paper",
        "align": "left" if left else "right",
        "showarrow": False,
        "font": {"color": colour, "size": TICK_FONT_SIZE},
    }


# --------------------------------------------------------------------------------------------
# A partner's rounds over time
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TrendPoint:
    """One revealed round of a partner: when it was revealed (the day the pages show, and
    that day as they write it) and the mirror's numbers."""

    day: date
    label: str
    similarity: float | None
    level_us: float | None
    level_them: float | None


@dataclass(frozen=True, slots=True, kw_only=True)
class TrendText:
    similarity: str
    level_us: str
    level_them: str
    axis: str


def trend_lines(points: Sequence[TrendPoint], *, text: TrendText, locale: str = "en") -> go.Figure:
    """The mirror score and both levels (as percentages) round after round, on one 0–100
    axis over time, so that rounds a year and a half apart look it; the company in its
    colour dashed, the client in its colour dotted, the score solid and dark, so the lines
    read in grey too. Missing values leave gaps. Ticks are numeric months (2025-06) in
    every language; the hover names the day as the page does."""
    days = [point.day.isoformat() for point in points]
    labels = [html.escape(point.label) for point in points]
    # A month and a half either side keeps the end markers whole; ticks fall on whole
    # months, at most about eight of them, so no month is named twice.
    start = min((p.day for p in points), default=date.today()) - timedelta(days=45)
    end = max((p.day for p in points), default=date.today()) + timedelta(days=45)
    months_per_tick = max(1, math.ceil((end - start).days / 30 / 8))

    def percent(value: float | None) -> float | None:
        return None if value is None else value * 100

    series = (
        (text.similarity, [p.similarity for p in points], TEXT_COLOUR, "solid", "diamond"),
        (text.level_us, [percent(p.level_us) for p in points], COMPANY_COLOUR, "dash", "square"),
        (
            text.level_them,
            [percent(p.level_them) for p in points],
            CLIENT_COLOUR,
            "dot",
            "circle",
        ),
    )
    figure = go.Figure()
    for name, values, colour, dash, symbol in series:
        figure.add_trace(
            go.Scatter(
                x=days,
                y=values,
                customdata=labels,
                name=html.escape(name),
                mode="lines+markers",
                connectgaps=False,
                line={"color": colour, "dash": dash, "width": 2},
                marker={"symbol": symbol, "size": 8, "color": colour},
                hovertemplate="%{customdata}<br>%{fullData.name}: %{y:.1f}<extra></extra>",
            )
        )
    figure.update_layout(
        font={"family": font_family(locale), "size": FONT_SIZE, "color": TEXT_COLOUR},
        height=320,
        margin={"l": 48, "r": 16, "t": 16, "b": 40},
        yaxis={"range": [0, 100], "title": {"text": html.escape(text.axis)}, "fixedrange": True},
        xaxis={
            "type": "date",
            "range": [start.isoformat(), end.isoformat()],
            "tickformat": "%Y-%m",
            "dtick": f"M{months_per_tick}",
            "fixedrange": True,
        },
        legend={"orientation": "h", "yanchor": "top", "y": -0.18, "x": 0},
        paper_bgcolor="white",
        plot_bgcolor="white",
    )
    return figure
