"""Plotly figures of a round's results: the mirror radar and the mirror gap bars.

This module owns how fit results are drawn and nothing else. Every number comes from a
:class:`fitcheck.fit.FitResult` as it is; nothing is recomputed here, so the chart shows the
same numbers as the table, the export and the API. Withheld values arrive as ``None`` and are
drawn as gaps, never as numbers.

No Flask, no database and no gettext: the caller passes every text already translated
(``labels``, ``questions`` and a :class:`ChartText`). Those texts are user-written (trait
labels come from the workspace), and plotly renders a subset of HTML in tick labels, legends
and hover boxes, so every one of them is escaped here before it enters a figure; the only
markup in a figure is the ``<br>`` this module inserts to wrap lines.

Layout choices follow ``design/README.md``: no title inside a figure (the page has it), no
mode bar, the legend in one column below the chart, long labels wrapped by hand (plotly
never wraps them) so that one figure fits a 390 px phone and a desktop alike. Company and
client keep one colour each (:data:`COMPANY_COLOUR`, :data:`CLIENT_COLOUR`, also in
``static/fitcheck.css``), and every trace differs from the others by its line style or
marker too, so the charts read in greyscale and for colour-blind users.
"""

from __future__ import annotations

import html
import math
import textwrap
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Final, TypeAlias

import plotly.graph_objects as go

from fitcheck.fit import Band, FitResult, Stats, TraitResult

__all__ = [
    "CLIENT_COLOUR",
    "COMPANY_COLOUR",
    "GHOST_COLOUR",
    "ChartText",
    "figure_config",
    "figure_json",
    "gap_bars",
    "mirror_radar",
    "wrap_label",
]

#: The company's colour on every chart and table (``--fc-company`` in fitcheck.css).
COMPANY_COLOUR: Final = "#1f6fb2"
#: The client's colour on every chart and table (``--fc-client`` in fitcheck.css).
CLIENT_COLOUR: Final = "#c2570c"
#: The previous round, drawn behind the current one.
GHOST_COLOUR: Final = "#8a8a8a"

_TEXT_COLOUR = "#212529"  # Bootstrap's body colour, so the charts match the page.
_MUTED_COLOUR = "#6c757d"
_GRID_COLOUR = "#d9d9d9"
_LATIN_FONT = (
    'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", "Noto Sans", '
    '"Liberation Sans", Arial, sans-serif'
)
# Japanese fonts first: with a generic stack, kanji may be drawn with Chinese glyph forms.
_JAPANESE_FONT = (
    '"Hiragino Sans", "Hiragino Kaku Gothic ProN", "Noto Sans JP", "Noto Sans CJK JP", '
    '"Yu Gothic UI", "Yu Gothic", Meiryo, ' + _LATIN_FONT
)
_FONT_SIZE = 12
_TICK_FONT_SIZE = 11

# Wrap widths in columns (a kanji counts 2), tried at 390 px with Chromium's fonts. The
# radar's side labels live in its side margins (80 px): 6 kanji or 12 Latin letters at
# 11 px. Labels at the top and bottom may be half as wide again, and the bar chart's
# (automargin) a little wider, the bars keeping about two thirds of a phone's width.
_RADAR_SIDE_CJK = 12
_RADAR_SIDE_LATIN = 12
# For keeping neighbouring labels apart: the radar's radius in a 360 px wide figure, the
# height of a line and the width of a column at 11 px (estimates across common fonts).
_PHONE_RADIUS = 100
_LINE_PX = 14
_COLUMN_PX = 6.2
_COLUMN_PX_CJK = 5.5
_LABEL_PADDING = 2
# The radar's diameter where the height limits it (a desktop); a phone's width limits it more.
_RADAR_PX = 280
_LABEL_WIDTH_CJK = 12
_LABEL_WIDTH_LATIN = 16
_LABEL_LINES = 3
_LEGEND_WIDTH = 44
_HOVER_WIDTH = 40
_HOVER_LINES = 6

_ELLIPSIS = "…"
# Japanese line-breaking rules (kinsoku), the common subset: these never start a line …
_NO_LINE_START = frozenset(
    "、。，．,.・：；:;？！?!ー―‐〜～…‥)）]］}｝」』】〕〉》〙〗〟'\"’”゛゜"
    "ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶㇰㇱㇲㇳㇴㇵㇶㇷㇸㇹㇺㇻㇼㇽㇾㇿ々〻"
)
# … and these never end one.
_NO_LINE_END = frozenset("(（[［{｛「『【〔〈《〘〖〝‘“")


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

    def band(self, band: Band) -> str:
        """The translated name of a gap band."""
        return {Band.ALIGNED: self.aligned, Band.NOTABLE: self.notable, Band.MAJOR: self.major}[
            band
        ]


# --------------------------------------------------------------------------------------------
# Wrapping and escaping
# --------------------------------------------------------------------------------------------


def _is_wide(char: str) -> bool:
    return unicodedata.east_asian_width(char) in ("W", "F")


def _has_wide(text: str) -> bool:
    return any(_is_wide(char) for char in text)


def _columns(text: str, *, east_asian: bool) -> int:
    """Display width: wide characters take 2 columns; ambiguous ones too in CJK text."""
    wide = ("W", "F", "A") if east_asian else ("W", "F")
    total = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        total += 2 if unicodedata.east_asian_width(char) in wide else 1
    return total


def _cjk_tokens(text: str) -> list[tuple[str, bool]]:
    """Split into unbreakable pieces, each with whether a space precedes it.

    A piece is one wide character or a run of narrow ones (a Latin word, a number).
    Kinsoku: a piece that must not start a line is glued to the piece before it, and one
    that must not end a line to the piece after it.
    """
    pieces: list[tuple[str, bool]] = []
    spaced = False
    for char in text:
        if char == " ":
            spaced = bool(pieces)
            continue
        if pieces and not spaced and not _is_wide(char) and not _is_wide(pieces[-1][0][-1]):
            pieces[-1] = (pieces[-1][0] + char, pieces[-1][1])
        else:
            pieces.append((char, spaced))
        spaced = False
    tokens: list[tuple[str, bool]] = []
    glue_next = False
    for piece, space in pieces:
        if tokens and not space and (glue_next or piece[0] in _NO_LINE_START):
            tokens[-1] = (tokens[-1][0] + piece, tokens[-1][1])
        else:
            tokens.append((piece, space))
        glue_next = piece[-1] in _NO_LINE_END
    return tokens


def _split_long(tokens: list[tuple[str, bool]], width: int) -> list[tuple[str, bool]]:
    """Cut a piece wider than a line (a long Latin word, a glued group) into line-sized ones."""
    result: list[tuple[str, bool]] = []
    for token, space in tokens:
        while _columns(token, east_asian=True) > width:
            cut = 1
            while _columns(token[: cut + 1], east_asian=True) <= width:
                cut += 1
            result.append((token[:cut], space))
            token, space = token[cut:], False
        result.append((token, space))
    return result


def _is_hiragana(char: str) -> bool:
    return "\u3041" <= char <= "\u309f"


def _is_katakana(char: str) -> bool:
    return "\u30a0" <= char <= "\u30ff" and char != "\u30fb"  # not the middle dot "・"


def _good_break(before: str, after: str, spaced: bool) -> bool:
    """Whether a line may end between two pieces without splitting a word.

    Without a dictionary, the usual cues: a space or punctuation, the end of a run of
    kana before another script ("長期的な|視点", "プロフェッショナル|として"), and a
    switch between Latin and Japanese.
    """
    last, first = before[-1], after[0]
    if spaced or last in "・、。，．,.":
        return True
    if _is_hiragana(last) and not _is_hiragana(first):
        return True
    if _is_katakana(last) and not _is_katakana(first):
        return True
    return _is_wide(last) != _is_wide(first)


def _wrap_cjk(text: str, width: int, max_lines: int) -> list[str] | None:
    """Break East Asian text in at most ``max_lines`` lines, or ``None`` if it cannot fit.

    A small dynamic programme over the break points (like TeX's, far simpler): each line
    costs its squared slack, so lines come out balanced; a break inside a word costs more
    than a whole extra line.
    """
    tokens = _split_long(_cjk_tokens(text), width)
    if not tokens:
        return []
    columns = [_columns(token, east_asian=True) for token, _ in tokens]
    count = len(tokens)
    bad_break = 2.0 * width * width
    # best[(j, k)]: the cheapest way to set tokens[:j] in k lines, and where its last line starts.
    best: dict[tuple[int, int], tuple[float, int]] = {(0, 0): (0.0, -1)}
    for k in range(1, max_lines + 1):
        for j in range(1, count + 1):
            line = 0
            for i in range(j - 1, -1, -1):
                line += columns[i] + (1 if i < j - 1 and tokens[i + 1][1] else 0)
                if line > width:
                    break
                previous = best.get((i, k - 1))
                if previous is None:
                    continue
                cost = previous[0] + (width - line) ** 2
                if i > 0 and not _good_break(tokens[i - 1][0], tokens[i][0], tokens[i][1]):
                    cost += bad_break
                if (j, k) not in best or cost < best[(j, k)][0]:
                    best[(j, k)] = (cost, i)
    finished = [
        (best[(count, k)][0] + k * width * width, k)
        for k in range(1, max_lines + 1)
        if (count, k) in best
    ]
    if not finished:
        return None
    _, lines_count = min(finished)
    lines: list[str] = []
    j = count
    for k in range(lines_count, 0, -1):
        i = best[(j, k)][1]
        lines.append(
            "".join(
                (" " if space and n > i else "") + token
                for n, (token, space) in enumerate(tokens[i:j], start=i)
            )
        )
        j = i
    return lines[::-1]


def _wrap_cjk_greedy(text: str, width: int) -> list[str]:
    lines: list[str] = []
    line = ""
    for token, space in _split_long(_cjk_tokens(text), width):
        candidate = line + (" " if space and line else "") + token
        if line and _columns(candidate, east_asian=True) > width:
            lines.append(line)
            candidate = token
        line = candidate
    if line:
        lines.append(line)
    return lines


def _wrap_latin(text: str, width: int) -> list[str]:
    return textwrap.wrap(text, width=width, break_long_words=True, break_on_hyphens=True)


def _truncate(lines: list[str], width: int, max_lines: int, *, east_asian: bool) -> list[str]:
    if len(lines) <= max_lines:
        return lines
    kept = lines[:max_lines]
    last = kept[-1]
    room = width - _columns(_ELLIPSIS, east_asian=east_asian)
    while last and _columns(last, east_asian=east_asian) > room:
        last = last[:-1]
    kept[-1] = last.rstrip() + _ELLIPSIS
    return kept


def _wrap_lines(text: str, width: int, max_lines: int) -> list[str]:
    if _has_wide(text):
        fitted = _wrap_cjk(text, width, max_lines)
        if fitted is not None:
            return fitted
        return _truncate(_wrap_cjk_greedy(text, width), width, max_lines, east_asian=True)
    lines = _wrap_latin(text, width)
    if 1 < len(lines) <= max_lines:
        # Balance the lines (as CSS `text-wrap: balance`): the narrowest width that needs
        # no more lines and cuts no word, so a label never ends with a lone word.
        for narrower in range(max(1, math.ceil(len(text) / len(lines))), width):
            balanced = textwrap.wrap(text, width=narrower, break_long_words=False)
            if len(balanced) == len(lines) and all(len(line) <= narrower for line in balanced):
                lines = balanced
                break
    return _truncate(lines, width, max_lines, east_asian=False)


def wrap_label(text: str, width: int, *, max_lines: int = 3) -> str:
    """Escape ``text`` for plotly and wrap it into lines of at most ``width`` columns.

    Plotly never wraps tick labels, legend entries or hover text, so they are wrapped here
    and joined with ``<br>``, the only markup that ever enters a figure. Text with East
    Asian wide characters (Japanese) is wrapped between characters, a wide character
    counting two columns, with the common kinsoku rules (no line starts with "、" or "ー"),
    preferring breaks between words ("長期的な|視点での|関係構築") to a break inside one;
    other text is wrapped at spaces and hyphens by :mod:`textwrap`. Lines are balanced
    (as even as possible for their number). Text that needs more than ``max_lines`` lines
    is cut and its last line ends with "…". Escaping happens after wrapping, so a line
    never ends inside an entity such as ``&amp;`` and widths count the characters as shown.
    """
    if width < 2:
        raise ValueError(f"a wrap width needs at least 2 columns, got {width}")
    if max_lines < 1:
        raise ValueError(f"max_lines must be ≥ 1, got {max_lines}")
    flat = " ".join(text.split())
    return "<br>".join(html.escape(line) for line in _wrap_lines(flat, width, max_lines))


def _label_width(text: str) -> int:
    return _LABEL_WIDTH_CJK if _has_wide(text) else _LABEL_WIDTH_LATIN


def _label(text: str) -> str:
    return wrap_label(text, _label_width(text), max_lines=_LABEL_LINES)


@dataclass(frozen=True, slots=True)
class _Box:
    left: float
    right: float
    bottom: float
    top: float

    def overlaps(self, other: _Box) -> bool:
        pad = _LABEL_PADDING
        return (
            self.left < other.right + pad
            and other.left < self.right + pad
            and self.bottom < other.top + pad
            and other.bottom < self.top + pad
        )


def _label_box(wrapped: str, degrees: float) -> _Box:
    """Where plotly puts an angular tick label around a radar of the phone's radius.

    Mirrors plotly.js (``polar.js``): the label is anchored on the circle, its text starts
    there on the right half, ends there on the left half, is centred at the very top and
    bottom; the block sits above the anchor at the top, below it at the bottom, centred
    at the sides. Pixels are estimates (:data:`_COLUMN_PX`), good enough to keep apart.
    """
    lines = [html.unescape(line) for line in wrapped.split("<br>")]
    east_asian = _has_wide(wrapped)
    column_px = _COLUMN_PX_CJK if east_asian else _COLUMN_PX
    width = max(_columns(line, east_asian=east_asian) for line in lines) * column_px
    height = len(lines) * _LINE_PX
    angle = math.radians(90 - degrees)  # plotly's angle: counter-clockwise from the right
    x, y = _PHONE_RADIUS * math.cos(angle), _PHONE_RADIUS * math.sin(angle)
    # plotly.js centres within |cos| < 0.1 of the vertical, else starts or ends at the anchor.
    anchor = 0.5 if abs(math.cos(angle)) < 0.1 else 0.0 if math.cos(angle) > 0 else 1.0
    left = x - anchor * width
    top = y + 0.5 * (1 + math.sin(angle)) * height
    return _Box(left=left, right=left + width, bottom=top - height, top=top)


@dataclass(frozen=True, slots=True)
class _Ticks:
    """The radar's wrapped axis labels and how far they reach beyond its circle (px)."""

    text: list[str]
    above: float
    below: float


def _radar_ticktext(labels: Sequence[str], theta: Sequence[float]) -> _Ticks:
    """Wrap the radar's axis labels so that neighbours do not overlap on a phone.

    Each label starts from its most generous shape: half as wide again near the top and
    bottom (3 lines), or narrow with 4 lines at the sides, where there is height to spare
    and no width. While two neighbours would overlap around a radar of a phone's radius,
    the taller of the two steps down to a smaller shape (fewer lines, ending in "…").
    """
    shapes: list[list[str]] = []
    for label, degrees in zip(labels, theta, strict=True):
        width = _RADAR_SIDE_CJK if _has_wide(label) else _RADAR_SIDE_LATIN
        if abs(math.sin(math.radians(degrees))) < 0.6:  # within about 37° of top or bottom
            options = [(width * 3 // 2, 3), (width * 3 // 2, 2), (width, 3), (width, 2)]
        else:
            options = [(width, 4), (width, 3), (width, 2)]
        shapes.append([wrap_label(label, w, max_lines=lines) for w, lines in options])
    choice = [0] * len(labels)
    count = len(labels)
    for _ in range(sum(len(options) for options in shapes)):
        boxes = [_label_box(shapes[i][choice[i]], degrees) for i, degrees in enumerate(theta)]
        clash = next(
            (
                (i, (i + 1) % count)
                for i in range(count)
                if count > 1 and boxes[i].overlaps(boxes[(i + 1) % count])
            ),
            None,
        )
        if clash is None:
            break
        shrinkable = [i for i in clash if choice[i] + 1 < len(shapes[i])]
        if not shrinkable:
            break
        tallest = max(shrinkable, key=lambda i: boxes[i].top - boxes[i].bottom)
        choice[tallest] += 1
    text = [shapes[i][choice[i]] for i in range(count)]
    boxes = [_label_box(wrapped, degrees) for wrapped, degrees in zip(text, theta, strict=True)]
    return _Ticks(
        text=text,
        above=max((box.top - _PHONE_RADIUS for box in boxes), default=0.0),
        below=max((-_PHONE_RADIUS - box.bottom for box in boxes), default=0.0),
    )


def _hover(text: str) -> str:
    return wrap_label(text, _HOVER_WIDTH, max_lines=_HOVER_LINES)


def _legend(text: str) -> str:
    return wrap_label(text, _LEGEND_WIDTH, max_lines=2)


# --------------------------------------------------------------------------------------------
# Shared layout
# --------------------------------------------------------------------------------------------


def _font(locale: str) -> str:
    return _JAPANESE_FONT if locale.lower().startswith("ja") else _LATIN_FONT


def _base_layout(locale: str) -> dict[str, Any]:
    return {
        # "none": no plotly theme, so the figure JSON stays small and the look is ours.
        "template": "none",
        "font": {"family": _font(locale), "size": _FONT_SIZE, "color": _TEXT_COLOUR},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "hoverlabel": {"align": "left", "namelength": -1, "font": {"size": _FONT_SIZE}},
        # The width follows the container (config "responsive"); each chart sets a height
        # that works from a phone to a desktop, as the server never knows the width.
        "autosize": True,
        "showlegend": True,
        "dragmode": False,
    }


def _legend_below() -> dict[str, Any]:
    # One column below the chart: a horizontal legend wraps unevenly on a phone.
    return {
        "orientation": "v",
        "x": 0.5,
        "xanchor": "center",
        "y": -0.02,
        "yanchor": "top",
        "traceorder": "normal",
        "font": {"size": _FONT_SIZE},
        "itemclick": "toggle",
        "itemdoubleclick": "toggleothers",
    }


def _no_data(text: ChartText, **position: Any) -> dict[str, Any]:
    return {
        "text": html.escape(text.no_data),
        "showarrow": False,
        "font": {"color": _MUTED_COLOUR, "size": _TICK_FONT_SIZE},
        **position,
    }


def _number(value: float, *, signed: bool = False) -> str:
    """Two decimals, as every page shows them; ``signed`` adds "+" (not to a zero)."""
    shown = f"{value:.2f}"
    if signed and shown.strip("-0.") and value > 0:
        shown = "+" + shown
    # U+2212 minus sign: a hyphen reads as a dash next to the wider digits; no "−0.00".
    return shown.replace("-", "−") if shown.strip("-0.") else "0.00"


def _rgba(colour: str, alpha: float) -> str:
    red, green, blue = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red},{green},{blue},{alpha})"


# --------------------------------------------------------------------------------------------
# Mirror radar
# --------------------------------------------------------------------------------------------


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
    # Thin, grey and unfilled: last round stays behind this one and never competes with it.
    return (
        _Series(
            name=text.previous_them,
            value=lambda row: row.them,
            stats=lambda row: row.company.other,
            symbol="circle",
            rank=5,
            colour=GHOST_COLOUR,
            dash="solid",
            fill=False,
            width=1.0,
            marker_size=4,
        ),
        _Series(
            name=text.previous_us,
            value=lambda row: row.us,
            stats=lambda row: row.client.other,
            symbol="square",
            rank=6,
            colour=GHOST_COLOUR,
            dash="solid",
            fill=False,
            width=1.0,
            marker_size=4,
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
        fillcolor=_rgba(series.colour, 0.14),
        hoverinfo="skip",
        showlegend=False,
        legendgroup=f"series-{series.rank}",
    )


def _radar_traces(
    series: _Series, rows: Sequence[TraitResult | None], axes: _Axes
) -> list[go.Scatterpolar]:
    values = [None if row is None else series.value(row) for row in rows]
    if all(value is None for value in values):
        # A withheld side, or no answers at all: the trace is left out rather than listed in
        # the legend with nothing drawn. The page says why (n of k responses).
        return []
    counts = [None if row is None else series.stats(row).n for row in rows]
    name = _legend(series.name)
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
        fillcolor=_rgba(series.colour, 0.14) if series.fill and not gaps else None,
        hovertemplate=_RADAR_HOVER,
        hoveron="points",
        legendgroup=f"series-{series.rank}",
        legendrank=series.rank,
    )
    if series.fill and gaps:
        return [_fan(series, values, axes), outline]
    return [outline]


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
    ``us`` as thin grey lines behind, matched by trait key (a trait the previous round did
    not have is a gap). Each polygon is closed by repeating its first point.

    A missing value (withheld, or nobody could judge) is ``None``: plotly leaves a gap in
    the line and draws no number, and the fill covers only the wedges whose two corners are
    known (an extra fill-only trace, hidden from legend and hover, toggled with its
    profile). A profile with no value at all (a withheld side) is left out of the figure
    and its legend rather than listed with nothing drawn; with nothing to draw at all, the
    chart says ``text.no_data``. The radial axis is the rating scale, ``lo..hi`` with
    integer ticks. The height is fixed, the width follows the container.

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
        labels=[_hover(label) for label in raw_labels],
        questions=[_hover(questions.get(key, "")) for key in keys],
        n=html.escape(text.n),
        centre=result.scale.lo,
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
    ticks = _radar_ticktext(raw_labels, theta)
    legend_lines = sum(
        trace.name.count("<br>") + 1 for trace in traces if trace.showlegend is not False
    )
    # Plotly reserves no room for angular labels: those at the top get a top margin of their
    # height, those at the bottom a strip of the plot area (the legend below would cover
    # them otherwise), and the sides 80 px margins, which the wrap widths are made for.
    top = max(12.0, ticks.above + 8)
    below = max(0.0, ticks.below + 8)
    legend_px = 22 * legend_lines + 10
    height = round(_RADAR_PX + top + below + legend_px)
    plot_px = height - top - legend_px
    layout = _base_layout(locale)
    layout.update(
        margin={"l": 80, "r": 80, "t": round(top), "b": 10, "autoexpand": True},
        height=height,
        legend=_legend_below(),
        polar={
            "bgcolor": "rgba(0,0,0,0)",
            "domain": {"x": [0, 1], "y": [min(0.4, below / plot_px), 1]},
            "angularaxis": {
                "tickmode": "array",
                "tickvals": theta,
                "ticktext": ticks.text,
                "tickfont": {"size": _TICK_FONT_SIZE},
                "rotation": 90,
                "direction": "clockwise",
                "thetaunit": "degrees",
                "gridcolor": _GRID_COLOUR,
                "linecolor": "#adb5bd",
                "ticks": "",
                "layer": "below traces",
            },
            "radialaxis": {
                "range": [scale.lo, scale.hi],
                "tickmode": "array",
                "tickvals": list(range(scale.lo, scale.hi + 1)),
                "ticktext": [str(point) for point in range(scale.lo, scale.hi + 1)],
                "tickfont": {"size": 10, "color": _MUTED_COLOUR},
                # Between the first two axes, so the scale's numbers sit on no trait's line.
                "angle": 90 - 180 / count if count else 90,
                "tickangle": 0,
                "gridcolor": _GRID_COLOUR,
                "linecolor": _GRID_COLOUR,
                "showline": False,
                "ticks": "",
                "layer": "below traces",
            },
        },
    )
    if not traces:
        layout["annotations"] = [_no_data(text, x=0.5, y=0.5, xref="paper", yref="paper")]
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
    value = _number(row.gap, signed=True)
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
    names = (_hover(text.them), _hover(text.us), _hover(text.gap_axis))

    def values(row: TraitResult) -> list[str]:
        return [
            _hover(raw_labels[row.trait]),
            names[0],
            "–" if row.them is None else _number(row.them),
            names[1],
            "–" if row.us is None else _number(row.us),
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
                "size": _TICK_FONT_SIZE,
                "color": _MUTED_COLOUR if row.gap is None else _TEXT_COLOUR,
            },
        }
        for row in rows
    ]

    step = max(1, math.ceil(span / 4))
    ticks = [value for value in range(-span, span + 1) if value % step == 0]
    layout = _base_layout(locale)
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
            "tickfont": {"size": _TICK_FONT_SIZE, "color": _MUTED_COLOUR},
            "zeroline": True,
            "zerolinecolor": "#495057",
            "zerolinewidth": 1.5,
            "showgrid": True,
            "gridcolor": _GRID_COLOUR,
            "title": {"text": _legend(text.gap_axis), "font": {"size": _TICK_FONT_SIZE}},
            "automargin": True,
        },
        yaxis={
            "type": "category",
            "categoryorder": "array",
            "categoryarray": keys,
            "tickmode": "array",
            "tickvals": keys,
            "ticktext": [_label(raw_labels[key]) for key in keys],
            "tickfont": {"size": _TICK_FONT_SIZE},
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
        layout["annotations"] = [_no_data(text, x=0.5, y=0.5, xref="paper", yref="paper")]
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
        "font": {"color": colour, "size": _TICK_FONT_SIZE},
    }


# --------------------------------------------------------------------------------------------
# Embedding
# --------------------------------------------------------------------------------------------

# JSON is valid with these escaped, and then it can sit in a <script type="application/json">
# element (no "</script>" can close it) or in an HTML attribute, single- or double-quoted.
_HTML_SAFE = str.maketrans(
    {
        "<": "\\u003c",
        ">": "\\u003e",
        "&": "\\u0026",
        "'": "\\u0027",
        "\u2028": "\\u2028",
        "\u2029": "\\u2029",
    }
)


def figure_json(fig: go.Figure) -> str:
    """The figure as plotly JSON, safe to embed in HTML.

    For ``<script type="application/json">`` or a ``data-`` attribute, read in the browser
    with ``JSON.parse`` and drawn with ``Plotly.newPlot(element, data, layout,
    config)``. ``<``, ``>``, ``&`` and ``'`` are written as ``\\u`` escapes, which
    ``JSON.parse`` turns back into the same characters.
    """
    return str(fig.to_json()).translate(_HTML_SAFE)


def figure_config() -> dict[str, bool]:
    """The plotly.js ``config`` for every fitcheck chart: no mode bar, follow the container."""
    return {"displayModeBar": False, "responsive": True}


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
        (text.similarity, [p.similarity for p in points], _TEXT_COLOUR, "solid", "diamond"),
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
        font={"family": _font(locale), "size": _FONT_SIZE, "color": _TEXT_COLOUR},
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


def portfolio_scatter(
    points: Sequence[PortfolioPoint], *, level: float, text: PortfolioText, locale: str = "en"
) -> go.Figure:
    """Every partner as a point: x how the client sees us, y how we see the client (both as
    levels, %), colour the mirror score, size the number of answers; the dashed lines at
    the level threshold cut the plane into the verdict's quadrants."""
    names = [html.escape(point.partner) for point in points]
    figure = go.Figure(
        go.Scatter(
            x=[point.level_us * 100 for point in points],
            y=[point.level_them * 100 for point in points],
            mode="markers",
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
                "colorbar": {"title": {"text": html.escape(text.score)}, "thickness": 12},
                "line": {"width": 1, "color": _TEXT_COLOUR},
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
            line={"dash": "dash", "color": _MUTED_COLOUR, "width": 1},
            **(
                {"x0": threshold, "x1": threshold, "y0": 0, "y1": 100}
                if axis == "x"
                else {"x0": 0, "x1": 100, "y0": threshold, "y1": threshold}
            ),
        )
    figure.update_layout(
        font={"family": _font(locale), "size": _FONT_SIZE, "color": _TEXT_COLOUR},
        height=460,
        margin={"l": 56, "r": 16, "t": 16, "b": 56},
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


def _plain_text(text: str) -> str:
    # The 3D scene draws its titles on a canvas without decoding entities, so quotes stay
    # as they are; < > & are escaped all the same, for the hover labels, which are HTML.
    return html.escape(text, quote=False)


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
    x_name, y_name, z_name = (_plain_text(t) for t in (text.x_axis, text.y_axis, text.z_axis))
    hover = f"{x_name}: %{{x:.2f}}<br>{y_name}: %{{y:.2f}}<br>{z_name}: %{{z:.2f}}"
    figure = go.Figure(
        go.Surface(
            x=list(xs),
            y=list(ys),
            z=[list(row) for row in zs],
            name=_plain_text(text.surface),
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
            name=_plain_text(text.observed),
            mode="markers",
            marker={"size": 3, "color": _TEXT_COLOUR, "opacity": 0.7},
            customdata=[_plain_text(p.label) for p in points],
            hovertemplate="<b>%{customdata}</b><br>" + hover + "<extra></extra>",
        )
    )
    for name, (line_x, line_y, line_z), colour in (
        (text.congruence, lines[0], _TEXT_COLOUR),
        (text.incongruence, lines[1], CLIENT_COLOUR),
    ):
        figure.add_trace(
            go.Scatter3d(
                x=line_x,
                y=line_y,
                z=line_z,
                name=_plain_text(name),
                mode="lines",
                line={"color": colour, "width": 6},
                hovertemplate=_plain_text(name) + "<br>" + hover + "<extra></extra>",
            )
        )
    axis = {"showbackground": True, "backgroundcolor": "#f8f9fa", "gridcolor": _GRID_COLOUR}
    heights: dict[str, Any] = {"title": {"text": z_name}}
    if points:  # the outcomes' own range: far below it the surface says nothing
        low, high = min(p.z for p in points), max(p.z for p in points)
        pad = max((high - low) * 0.15, 0.5)
        heights["range"] = [low - pad, high + pad]
    figure.update_layout(
        font={"family": _font(locale), "size": _FONT_SIZE, "color": _TEXT_COLOUR},
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
        legend=_legend_below(),
        paper_bgcolor="white",
    )
    return figure
