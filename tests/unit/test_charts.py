"""The charts against the fit results they draw: traces, gaps, escaping, wrapping, purity.

No app and no browser: plain pytest and hypothesis on ``fitcheck.charts``. How the figures
look at 390 px and 1280 px is checked by eye (see the report of the change); what can be
asserted on the figure's JSON is asserted here.
"""

from __future__ import annotations

import ast
import dataclasses
import html
import json
import re
import sys
import unicodedata
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any

import plotly.graph_objects as go
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fitcheck import charts, portfolio
from fitcheck.charts import portfolio as portfolio_charts
from fitcheck.charts import round as round_charts
from fitcheck.charts import text as chart_text
from fitcheck.charts.embed import figure_config, figure_json
from fitcheck.charts.portfolio import (
    NAMED_DOTS,
    PortfolioPoint,
    PortfolioText,
    SurfacePoint,
    SurfaceText,
    portfolio_scatter,
    response_surface,
)
from fitcheck.charts.round import (
    ChartText,
    TrendPoint,
    TrendText,
    gap_bars,
    mirror_radar,
    trend_lines,
)
from fitcheck.charts.text import radar_ticktext, wrap_label
from fitcheck.charts.theme import (
    CLIENT_COLOUR,
    COMPANY_COLOUR,
    TICK_FONT_SIZE,
    format_number,
    rgba,
)
from fitcheck.fit import FitResult, Rating, Scale, Side, assess

COMPANY, CLIENT = Side.COMPANY, Side.CLIENT
LIKERT = Scale(1, 5)
HOSTILE = '<a href="javascript:alert(1)">x</a>'

TEXT = ChartText(
    them="Client as seen by the company",
    us="Company as seen by the client",
    them_self="Client's self-view",
    us_self="Company's self-view",
    previous_them="Client as seen by the company, last round",
    previous_us="Company as seen by the client, last round",
    gap_axis="Mirror gap: them − us",
    them_higher="Client seen higher",
    us_higher="Company seen higher",
    aligned="aligned",
    notable="notable",
    major="major",
    n="n",
    no_data="No data",
    company_disagrees="company disagrees within",
    client_disagrees="client disagrees within",
)
TWELVE_JAPANESE = [
    "仕事への情熱",
    "迅速で誠実なレスポンス",
    "長期的な視点での関係構築",
    "対話と議論で仕事を良くする",
    "成長・変化・プロセスを楽しむ",
    "期待を超える提案力",
    "プロフェッショナルとしての責任感",
    "信頼・共感・尊重",
    "同じゴールを目指す",
    "自走する力",
    "約束と納期を守る",
    "情報共有の透明性",
]

# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------

Answers = Mapping[str, tuple[int | None, int | None]]  # trait → (other, self)


def round_of(
    traits: Sequence[str],
    *,
    company: Sequence[Answers] = (),
    client: Sequence[Answers] = (),
    scale: Scale = LIKERT,
    min_responses: int = 1,
) -> FitResult:
    """A round from each respondent's (other, self) answers; "can't judge" is ``None``."""
    ratings = [
        Rating(f"{side}{number}", side, trait, other, self_, None)
        for side, responses in ((COMPANY, company), (CLIENT, client))
        for number, answers in enumerate(responses)
        for trait, (other, self_) in answers.items()
    ]
    return assess(traits, ratings, scale=scale, min_responses=min_responses)


def simple_round(
    them: Sequence[int | None],
    us: Sequence[int | None],
    *,
    them_self: Sequence[int | None] | None = None,
    us_self: Sequence[int | None] | None = None,
    keys: Sequence[str] | None = None,
    scale: Scale = LIKERT,
) -> FitResult:
    """One respondent per side whose answers are exactly the four profiles."""
    keys = list(keys or [f"t{i}" for i in range(len(them))])
    them_self = them_self or [scale.lo] * len(keys)
    us_self = us_self or [scale.hi] * len(keys)
    company = {key: (them[i], us_self[i]) for i, key in enumerate(keys)}
    client = {key: (us[i], them_self[i]) for i, key in enumerate(keys)}
    return round_of(keys, company=[company], client=[client], scale=scale)


def labels_for(result: FitResult, prefix: str = "Trait ") -> dict[str, str]:
    return {row.trait: f"{prefix}{row.trait}" for row in result.traits}


def radar(result: FitResult, **overrides: Any) -> go.Figure:
    options: dict[str, Any] = {
        "labels": labels_for(result),
        "questions": {row.trait: f"How strongly … {row.trait}?" for row in result.traits},
        "text": TEXT,
    }
    options.update(overrides)
    return mirror_radar(result, **options)


def by_name(fig: go.Figure) -> dict[str, Any]:
    """Legend traces by their name as written in the figure (escaped: "Client&#x27;s …")."""
    return {html.unescape(trace.name): trace for trace in fig.data if trace.showlegend is not False}


def names(fig: go.Figure) -> list[str]:
    return [html.unescape(trace.name) for trace in fig.data if trace.showlegend is not False]


def strings_in(tree: object) -> list[str]:
    """Every string of a figure's JSON, decoded (plotly writes "/" as "\\u002f")."""
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in strings_in(value)]
    if isinstance(tree, list):
        return [leaf for value in tree for leaf in strings_in(value)]
    return [tree] if isinstance(tree, str) else []


def columns(line: str) -> int:
    """Display width of one rendered line, as wrap_label counts it."""
    text = html.unescape(line)
    east_asian = any(unicodedata.east_asian_width(c) in "WF" for c in text)
    wide = ("W", "F", "A") if east_asian else ("W", "F")
    return sum(2 if unicodedata.east_asian_width(c) in wide else 1 for c in text)


ENTITY_SAFE = re.compile(r"(?:[^&<>]|&(?:amp|lt|gt|quot|#x27);)*")

# --------------------------------------------------------------------------------------------
# Mirror radar
# --------------------------------------------------------------------------------------------


def test_radar_draws_the_four_profiles_in_legend_order() -> None:
    fig = radar(simple_round([4, 3, 5], [3, 4, 2]))
    assert names(fig) == [TEXT.them, TEXT.us, TEXT.them_self, TEXT.us_self]
    assert len(fig.data) == 4
    assert all(trace.type == "scatterpolar" for trace in fig.data)
    assert [trace.legendrank for trace in fig.data] == [1, 2, 3, 4]


def test_radar_polygons_are_closed_by_repeating_the_first_trait() -> None:
    result = simple_round([4, 3, 5, 2], [3, 4, 2, 5], them_self=[1, 2, 3, 4], us_self=[5, 4, 3, 2])
    traces = by_name(radar(result))
    expected = {
        TEXT.them: [4, 3, 5, 2],
        TEXT.us: [3, 4, 2, 5],
        TEXT.them_self: [1, 2, 3, 4],
        TEXT.us_self: [5, 4, 3, 2],
    }
    for name, values in expected.items():
        trace = traces[name]
        assert list(trace.r) == [*values, values[0]]
        assert list(trace.theta) == [0, 90, 180, 270, 0]


def test_radar_has_one_axis_per_trait_in_trait_order_even_with_equal_labels() -> None:
    result = simple_round([4, 3, 5], [3, 4, 2], keys=["b", "a", "c"])
    fig = radar(result, labels={"a": "Same", "b": "Same", "c": "Other"})
    axis = fig.layout.polar.angularaxis
    assert list(axis.tickvals) == [0, 120, 240]
    assert list(axis.ticktext) == ["Same", "Same", "Other"]
    assert axis.direction == "clockwise"
    assert axis.rotation == 90  # the first trait at the top


@pytest.mark.parametrize("scale", [Scale(1, 5), Scale(0, 10), Scale(-2, 2)])
def test_radar_radial_axis_is_the_rating_scale_with_integer_ticks(scale: Scale) -> None:
    result = simple_round([scale.hi] * 3, [scale.lo] * 3, scale=scale)
    axis = radar(result).layout.polar.radialaxis
    assert tuple(axis.range) == (scale.lo, scale.hi)
    assert list(axis.tickvals) == list(range(scale.lo, scale.hi + 1))
    assert all(isinstance(value, int) for value in axis.tickvals)


def test_self_views_are_broken_lines_in_their_sides_colour() -> None:
    traces = by_name(radar(simple_round([4, 3, 5], [3, 4, 2])))
    them, us = traces[TEXT.them], traces[TEXT.us]
    them_self, us_self = traces[TEXT.them_self], traces[TEXT.us_self]
    assert them.line.color == them_self.line.color == CLIENT_COLOUR
    assert us.line.color == us_self.line.color == COMPANY_COLOUR
    assert them.line.dash == us.line.dash == "solid"
    assert {them_self.line.dash, us_self.line.dash} == {"dash", "dot"}
    assert them.fill == us.fill == "toself"
    assert them_self.fill == us_self.fill == "none"
    # Greyscale and colour-blind reading: no two traces share a marker.
    symbols = [trace.marker.symbol for trace in traces.values()]
    assert len(set(symbols)) == len(symbols)


def test_a_withheld_side_is_left_out_of_the_radar() -> None:
    traits = ["a", "b", "c"]
    one = {t: (4, 3) for t in traits}
    result = round_of(traits, company=[one, one], client=[one], min_responses=2)
    assert result.client.withheld
    fig = radar(result)
    # The client rates `us` and its own `them_self`: both are withheld, so both traces go.
    assert names(fig) == [TEXT.them, TEXT.us_self]
    assert len(fig.data) == 2
    assert not fig.layout.annotations


def test_a_radar_with_nothing_to_draw_says_so() -> None:
    traits = ["a", "b", "c"]
    one = {t: (4, 3) for t in traits}
    result = round_of(traits, company=[one], client=[one], min_responses=2)
    fig = radar(result, text=dataclasses.replace(TEXT, no_data="<i>none</i>"))
    assert list(fig.data) == []
    assert [note.text for note in fig.layout.annotations] == ["&lt;i&gt;none&lt;/i&gt;"]


def test_a_missing_value_is_a_gap_and_the_fill_skips_its_wedge() -> None:
    # Nobody in the company could judge the client on "b": `them` has no value there.
    result = simple_round([4, None, 5, 2], [3, 4, 2, 5])
    fig = radar(result)
    them = by_name(fig)[TEXT.them]
    assert list(them.r) == [4, None, 5, 2, 4]
    assert them.connectgaps is False
    assert them.fill == "none"
    fans = [trace for trace in fig.data if trace.showlegend is False]
    assert len(fans) == 1
    fan = fans[0]
    assert fan.fill == "toself"
    assert fan.legendgroup == them.legendgroup
    assert fan.hoverinfo == "skip"
    # The only known run is c, d, a (circularly): a fan from the centre over them, closed.
    assert list(fan.r) == [1, 5, 2, 4, 1, None]
    assert list(fan.theta) == [180, 180, 270, 0, 0, None]


def test_hover_shows_the_value_n_and_the_escaped_question() -> None:
    traits = ["a", "b"]
    company: list[Answers] = [{"a": (4, 5), "b": (2, 3)}, {"a": (5, 4), "b": (None, 3)}]
    client = [{"a": (3, 2), "b": (4, 4)}]
    result = round_of(traits, company=company, client=client)
    fig = radar(
        result,
        questions={"a": "Does <b>{partner}</b> answer fast?", "b": "Does it debate?"},
        text=dataclasses.replace(TEXT, n="answers"),
    )
    them = by_name(fig)[TEXT.them]
    assert "%{r:.2f}" in them.hovertemplate
    label, question, name, n_label, n = them.customdata[0]
    assert label == "Trait a"
    assert question == "Does &lt;b&gt;{partner}&lt;/b&gt; answer fast?"
    assert (html.unescape(name), n_label, n) == (TEXT.them, "answers", 2)
    assert them.customdata[1][4] == 1  # one company respondent could judge "b"
    assert list(them.r) == [4.5, 2, 4.5]


def test_user_text_never_reaches_a_hovertemplate() -> None:
    result = simple_round([4, 3, 5], [3, 4, 2])
    fig = radar(result, labels={"t0": "100%{r}", "t1": "%{customdata[1]}", "t2": "x"})
    templates = {trace.hovertemplate for trace in fig.data}
    assert len(templates) == 1
    assert "100%" not in templates.pop()


def test_previous_round_is_ghosted_and_matched_by_trait_key() -> None:
    # The previous round listed its traits in another order, had "old" (since retired) and
    # lacked "new".
    previous = simple_round([2, 5, 1, 3], [4, 1, 5, 2], keys=["c", "old", "a", "b"])
    current = simple_round([4, 3, 5, 2], [3, 4, 2, 5], keys=["a", "b", "c", "new"])
    fig = radar(current, previous=previous)
    assert names(fig)[:2] == [TEXT.previous_them, TEXT.previous_us]  # drawn first: behind
    ghosts = by_name(fig)
    assert list(ghosts[TEXT.previous_them].r) == [1, 3, 2, None, 1]  # a, b, c, new, a
    assert list(ghosts[TEXT.previous_us].r) == [5, 2, 4, None, 5]
    for name in (TEXT.previous_them, TEXT.previous_us):
        assert ghosts[name].fill == "none"
        assert ghosts[name].legendrank > 4  # listed after this round's profiles


def test_last_rounds_two_ghosts_differ_from_each_other_and_from_this_round() -> None:
    previous = simple_round([2, 5, 1], [4, 1, 5])
    fig = radar(simple_round([4, 3, 5], [3, 4, 2]), previous=previous)
    traces = by_name(fig)
    them, us = traces[TEXT.previous_them], traces[TEXT.previous_us]
    # Each in its side's colour, as the profile it ghosts …
    assert them.line.color == traces[TEXT.them].line.color == CLIENT_COLOUR
    assert us.line.color == traces[TEXT.us].line.color == COMPANY_COLOUR
    # … thin and faint, behind this round's …
    for ghost in (them, us):
        assert ghost.line.width < min(traces[name].line.width for name in names(fig)[2:])
        assert ghost.opacity < 1
        assert ghost.marker.size < traces[TEXT.them].marker.size
    # … with its own line style: no two traces share colour and dash.
    assert {them.line.dash, us.line.dash} == {"dot", "dash"}
    styles = [(trace.line.color, trace.line.dash) for trace in traces.values()]
    assert len(styles) == len(set(styles)) == 6, styles


def test_previous_round_on_another_scale_is_refused() -> None:
    previous = simple_round([2, 5, 1], [4, 1, 5], scale=Scale(1, 7))
    with pytest.raises(ValueError, match="different scales"):
        radar(simple_round([4, 3, 5], [3, 4, 2]), previous=previous)


def test_a_trait_without_a_label_is_an_error() -> None:
    result = simple_round([4, 3, 5], [3, 4, 2])
    with pytest.raises(KeyError, match="t2"):
        radar(result, labels={"t0": "a", "t1": "b"})
    with pytest.raises(KeyError, match="t2"):
        gap_bars(result, labels={"t0": "a", "t1": "b"}, text=TEXT)


def test_radar_layout_fits_a_phone_without_title_or_mode_bar() -> None:
    result = simple_round([4, 3, 5] * 4, [3, 4, 2] * 4)
    labels = dict(zip([row.trait for row in result.traits], TWELVE_JAPANESE, strict=True))
    layout = radar(result, labels=labels, locale="ja").layout
    assert not layout.title.text
    assert layout.legend.orientation == "v"
    assert layout.legend.y < 0  # below the chart, in one column
    assert layout.polar.angularaxis.tickfont.size >= 13
    assert "Noto Sans CJK JP" in layout.font.family
    for text in layout.polar.angularaxis.ticktext:
        lines = text.split("<br>")
        assert 1 <= len(lines) <= 4
        assert all(columns(line) <= 18 for line in lines)


def test_radar_labels_of_twelve_long_japanese_traits_do_not_collide() -> None:
    count = len(TWELVE_JAPANESE)
    theta = [360 * i / count for i in range(count)]
    standoff = round_charts._RADAR_STANDOFF
    ticks = radar_ticktext(TWELVE_JAPANESE, theta, standoff=standoff)
    boxes = [
        chart_text._label_box(text, degrees, standoff=standoff)
        for text, degrees in zip(ticks.text, theta, strict=True)
    ]
    for i in range(count):
        assert not boxes[i].overlaps(boxes[(i + 1) % count]), ticks.text[i]
    # Twelve long labels at 13 px around a phone's radar: one may have to be cut short.
    assert sum("…" in text for text in ticks.text) <= 1, ticks.text


def test_radar_labels_are_13px_outside_the_ring_clear_of_its_markers() -> None:
    fig = radar(simple_round([5, 5, 5], [5, 5, 5]), previous=simple_round([5, 5, 5], [5, 5, 5]))
    axis = fig.layout.polar.angularaxis
    assert axis.tickfont.size == TICK_FONT_SIZE >= 13
    # An invisible tick outside the ring pushes the labels out by its length: more than
    # the largest marker reaches beyond the ring (half its size and its outline).
    assert axis.ticks == "outside"
    assert axis.tickcolor == "rgba(0,0,0,0)"
    reach = max(trace.marker.size / 2 + trace.marker.line.width for trace in fig.data)
    assert axis.ticklen >= reach + 4
    assert axis.ticklen < round_charts._RADAR_STANDOFF  # plotly adds a fifth of the font


@pytest.mark.parametrize(
    "labels",
    [
        TWELVE_JAPANESE,
        [f"Builds lasting {word} for the long term" for word in "abcdefgh"],
        ["x", "y", "z"],
    ],
)
def test_radar_margins_hold_its_labels_and_tell_the_page_how_to_fit_the_height(
    labels: list[str],
) -> None:
    count = len(labels)
    result = simple_round([4, 3, 5, 2] * 3, [3, 4, 2, 5] * 3, keys=[f"t{i}" for i in range(12)])
    result = dataclasses.replace(result, traits=result.traits[:count])
    keys = [row.trait for row in result.traits]
    layout = radar(result, labels=dict(zip(keys, labels, strict=True))).layout
    theta = [360 * i / count for i in range(count)]
    ticks = radar_ticktext(labels, theta, standoff=round_charts._RADAR_STANDOFF)
    assert list(layout.polar.angularaxis.ticktext) == ticks.text
    # The labels reach beyond the circle by ticks.left/right/above: the margins hold them.
    assert layout.margin.l >= ticks.left > 0
    assert layout.margin.r >= ticks.right > 0
    assert layout.margin.t >= ticks.above > 0
    fit = layout.meta["fc_radar"]
    assert fit["sides"] == layout.margin.l + layout.margin.r
    assert fit["top"] == layout.margin.t
    assert fit["below"] >= ticks.below
    assert fit["min"] < fit["max"]
    # Drawn as served (no script), the circle is the largest: the height adds it all up.
    assert layout.height == fit["top"] + fit["max"] + fit["below"] + fit["legend"]
    lo, hi = layout.polar.domain.y
    assert hi == 1 and lo == pytest.approx(fit["below"] / (fit["max"] + fit["below"]), abs=0.01)


# --------------------------------------------------------------------------------------------
# A side that disagrees within: its spread
# --------------------------------------------------------------------------------------------


def spread_round(min_responses: int = 1) -> FitResult:
    """Two respondents a side. The company (whose ratings make `them`) disagrees on a and c,
    the client (whose ratings make `us`) on b; on d both agree."""
    company: list[Answers] = [
        {"a": (1, 3), "b": (4, 3), "c": (2, 3), "d": (3, 3)},
        {"a": (5, 3), "b": (4, 3), "c": (5, 3), "d": (4, 3)},
    ]
    client: list[Answers] = [
        {"a": (3, 3), "b": (1, 3), "c": (4, 3), "d": (4, 3)},
        {"a": (3, 3), "b": (4, 3), "c": (4, 3), "d": (5, 3)},
    ]
    return round_of("abcd", company=company, client=client, min_responses=min_responses)


def spreads(fig: go.Figure) -> list[Any]:
    return [trace for trace in fig.data if trace.mode == "lines" and trace.showlegend is False]


def segments(trace: Any) -> list[tuple[tuple[float, float], tuple[float, float]]]:
    """A spread trace's segments as ((r from, r to), (theta from, theta to))."""
    points = list(zip(trace.r, trace.theta, strict=True))
    found = []
    for start in range(0, len(points), 3):
        (r0, t0), (r1, t1), gap = points[start : start + 3]
        assert gap == (None, None)
        found.append(((r0, r1), (t0, t1)))
    return found


def test_a_side_that_disagrees_shows_its_spread_exactly_there() -> None:
    result = spread_round()
    assert [row.company.disagrees for row in result.traits] == [True, False, True, False]
    assert [row.client.disagrees for row in result.traits] == [False, True, False, False]
    fig = radar(result)
    traces = by_name(fig)
    them_spread, us_spread = spreads(fig)
    for spread, profile, colour in (
        (them_spread, traces[TEXT.them], CLIENT_COLOUR),
        (us_spread, traces[TEXT.us], COMPANY_COLOUR),
    ):
        # In its profile's colour, translucent and thin, toggled with it from the legend.
        assert spread.legendgroup == profile.legendgroup
        assert spread.line.color.startswith(rgba(colour, 0)[: -len("0)")])
        assert spread.line.color != profile.line.color
        assert spread.line.width <= 3
        assert fig.data.index(spread) == fig.data.index(profile) - 1  # just behind it
    rows = {row.trait: row for row in result.traits}

    def expected(stats: Any) -> tuple[float, float]:
        return (max(1, stats.mean - stats.sd), min(5, stats.mean + stats.sd))

    # The company at a (0°) and c (180°), from mean − SD to mean + SD within 1..5 …
    them_segments = segments(them_spread)
    assert [r for r, _ in them_segments] == [
        pytest.approx(expected(rows["a"].company.other)),
        pytest.approx(expected(rows["c"].company.other)),
    ]
    assert them_segments[0][0] == (1, 5)  # 3 ± 2.83: cut at both ends of the scale
    # … on its trait's axis (a degree or two aside, so two sides' never overlap) …
    for (_, (t0, t1)), axis in zip(them_segments, (0, 180), strict=True):
        assert t0 == t1 and 0 < abs(t0 - axis) <= 2
    # … and the client at b (90°) only, on the other side of the axis.
    ((us_r, (us_t, _)),) = segments(us_spread)
    assert us_r == pytest.approx(expected(rows["b"].client.other))
    assert 88 <= us_t <= 92 and (us_t - 90) * (them_segments[0][1][0] - 0) < 0


def test_the_spreads_hover_says_the_side_disagrees_with_its_rwg_and_range() -> None:
    result = spread_round()
    text = dataclasses.replace(
        TEXT, company_disagrees="company <b>disagrees</b> within", client_disagrees="client"
    )
    fig = radar(result, text=text)
    them_spread = spreads(fig)[0]
    label, name, said, where = them_spread.customdata[3]  # c, the upper end
    row = result.traits[2]
    assert label == "Trait c"
    assert html.unescape(name) == TEXT.them
    assert row.company.rwg is not None
    rwg = format_number(row.company.rwg)
    assert said == f"company &lt;b&gt;disagrees&lt;/b&gt; within (rwg {rwg} &lt; 0.50)"
    assert where == f"3.50 ± {row.company.other.sd:.2f} (1.38–5.00)"
    assert them_spread.customdata[2] is None  # the gap between two segments
    assert "%{customdata[2]}" in them_spread.hovertemplate


def test_no_spread_where_sides_agree_cannot_be_measured_or_are_withheld() -> None:
    # One respondent a side: no rwg. Two who agree: no spread.
    assert spreads(radar(simple_round([4, 3, 5], [3, 4, 2]))) == []
    agreeing: list[Answers] = [{"a": (4, 4), "b": (3, 4)}, {"a": (5, 4), "b": (3, 4)}]
    assert spreads(radar(round_of("ab", company=agreeing, client=agreeing))) == []
    # Three answers needed a side and two given: both sides withheld, nothing drawn.
    withheld = spread_round(min_responses=3)
    assert withheld.company.withheld and withheld.client.withheld
    assert spreads(radar(withheld)) == []
    # The previous round's ghosts and the self-views never carry a spread.
    fig = radar(spread_round(), previous=spread_round())
    assert len(spreads(fig)) == 2
    assert {trace.legendgroup for trace in spreads(fig)} == {
        by_name(fig)[TEXT.them].legendgroup,
        by_name(fig)[TEXT.us].legendgroup,
    }


# --------------------------------------------------------------------------------------------
# Escaping
# --------------------------------------------------------------------------------------------

ALLOWED_MARKUP = {"<br>", "<b>", "</b>", "<extra>", "</extra>"}  # this module's own


def test_hostile_labels_questions_and_texts_are_escaped_in_both_charts() -> None:
    result = simple_round([4, 3, 1], [3, 4, 2], them_self=[2, 2, 2])
    hostile_text = ChartText(**{field.name: HOSTILE for field in dataclasses.fields(ChartText)})
    labels = {"t0": HOSTILE, "t1": "<b>bold</b>", "t2": "<span style='color:red'>x</span>"}
    figures = [
        radar(result, labels=labels, questions=labels, text=hostile_text, previous=result),
        gap_bars(result, labels=labels, text=hostile_text),
    ]
    for fig in figures:
        dumped = "\n".join(strings_in(json.loads(fig.to_json())))
        assert "&lt;a href=&quot;javascript:alert(1)&quot;&gt;x&lt;/a&gt;" in dumped
        assert "<a href" not in dumped
        assert "&lt;b&gt;bold&lt;/b&gt;" in dumped
        assert "<span" not in dumped
        assert set(re.findall(r"<[^<>]*>", dumped)) <= ALLOWED_MARKUP


# --------------------------------------------------------------------------------------------
# Wrapping
# --------------------------------------------------------------------------------------------


def test_japanese_label_wraps_by_characters_within_the_width() -> None:
    label = "長期的な視点で築く関係と迅速で誠実な対応"
    assert len(label) == 20
    for width in (10, 16, 24):
        lines = wrap_label(label, width, max_lines=5).split("<br>")
        assert len(lines) >= 2
        assert all(columns(line) <= width for line in lines)
        assert "".join(lines) == label


def test_japanese_wrap_prefers_breaks_between_words_and_keeps_kinsoku() -> None:
    assert wrap_label("長期的な視点での関係構築", 10) == "長期的な<br>視点での<br>関係構築"
    assert wrap_label("迅速で誠実なレスポンス", 12) == "迅速で誠実な<br>レスポンス"
    for text in ("対話と議論、そして仕事を良くする", "プロフェッショナルとしての責任感"):
        for width in range(6, 20):  # from 3 kana: "フェッ" keeps its "ッ"
            lines = wrap_label(text, width, max_lines=8).split("<br>")
            assert not any(line[0] in "、。ー）」ッョ" for line in lines), lines


def test_english_label_wraps_at_spaces() -> None:
    label = "Can hold real dialogue and debate"
    lines = wrap_label(label, 14).split("<br>")
    assert len(lines) >= 2
    assert all(len(line) <= 14 for line in lines)
    assert " ".join(lines) == label  # only whole words on each line


def test_long_labels_stop_at_three_lines_with_an_ellipsis() -> None:
    lines = wrap_label("word " * 30, 12).split("<br>")
    assert len(lines) == 3
    assert lines[-1].endswith("…")
    assert all(columns(line) <= 12 for line in lines)
    japanese = wrap_label("あ" * 40, 10).split("<br>")
    assert len(japanese) == 3 and japanese[-1].endswith("…")
    assert all(columns(line) <= 10 for line in japanese)


def test_wrapping_never_splits_an_entity() -> None:
    label = "<迅速>&<誠実>&'\"<b>長期</b>&&&&"
    for width in range(2, 16):
        wrapped = wrap_label(label, width, max_lines=20)
        for line in wrapped.split("<br>"):
            assert ENTITY_SAFE.fullmatch(line), (width, line)
        assert html.unescape(wrapped.replace("<br>", "")) == label


def test_wrap_label_refuses_a_width_below_two_columns() -> None:
    with pytest.raises(ValueError, match="2 columns"):
        wrap_label("abc", 1)


MIXED = st.text(alphabet="ab cdXY-&<>\"'迅速誠実な関係・、。ーっ（）「」…ﾃ１Ａ", max_size=60)


@given(text=MIXED, width=st.integers(2, 24), max_lines=st.integers(1, 5))
def test_wrap_label_properties(text: str, width: int, max_lines: int) -> None:
    wrapped = wrap_label(text, width, max_lines=max_lines)
    lines = wrapped.split("<br>") if wrapped else []
    assert len(lines) <= max_lines
    for line in lines:
        assert ENTITY_SAFE.fullmatch(line)
        assert columns(line) <= width
        assert line == line.strip()
    # Nothing is lost or reordered, unless the text is cut where the ellipsis stands.
    shown = html.unescape("".join(lines)).replace(" ", "")
    original = "".join(text.split())
    assert shown == original or (shown.endswith("…") and original.startswith(shown[:-1]))


# --------------------------------------------------------------------------------------------
# Gap bars
# --------------------------------------------------------------------------------------------


def test_gap_bars_are_sorted_by_size_largest_first_without_gap_last() -> None:
    # gaps (them − us): t0 +1, t1 −3, t2 none, t3 0, t4 −1
    result = simple_round([4, 1, None, 3, 2], [3, 4, 2, 3, 3])
    fig = gap_bars(result, labels=labels_for(result), text=TEXT)
    bars = fig.data[0]
    assert list(bars.y) == ["t1", "t0", "t4", "t3", "t2"]  # ties keep trait order
    assert list(bars.x) == [-3, 1, -1, 0, None]
    assert list(fig.layout.yaxis.categoryarray) == ["t1", "t0", "t4", "t3", "t2"]
    assert fig.layout.yaxis.autorange == "reversed"  # the first row at the top


def test_gap_bars_point_to_the_side_seen_higher_in_its_colour() -> None:
    result = simple_round([5, 2, 3], [3, 4, 3])
    fig = gap_bars(result, labels=labels_for(result), text=TEXT)
    bars = fig.data[0]
    by_trait = dict(zip(bars.y, bars.marker.color, strict=True))
    assert by_trait["t0"] == CLIENT_COLOUR  # them − us = +2: the client is seen higher
    assert by_trait["t1"] == COMPANY_COLOUR  # −2: the company is seen higher
    ends = [
        note.text.replace("<br>", " ") for note in fig.layout.annotations if note.yref == "paper"
    ]
    assert ends == [f"← {TEXT.us_higher}", f"{TEXT.them_higher} →"]


def test_gap_bars_name_the_band_and_say_when_there_is_no_gap() -> None:
    traits = ["major", "notable", "aligned", "none"]
    result = round_of(
        traits,
        company=[
            {"major": (1, 3), "notable": (4, 3), "aligned": (3, 3), "none": (None, 3)},
            {"major": (1, 3), "notable": (5, 3), "aligned": (3, 3), "none": (None, 3)},
        ],
        client=[{"major": (3, 3), "notable": (4, 3), "aligned": (3, 3), "none": (2, 3)}],
    )
    fig = gap_bars(result, labels=labels_for(result), text=TEXT)
    notes = {note.y: note.text for note in fig.layout.annotations if note.yref == "y"}
    assert notes == {
        "major": "−2.00 · major",
        "notable": "+0.50 · notable",
        "aligned": "0.00 · aligned",
        "none": "No data",
    }
    # Each note sits beside zero on the side its bar leaves empty.
    sides = {note.y: note.xanchor for note in fig.layout.annotations if note.yref == "y"}
    assert sides == {"major": "left", "notable": "right", "aligned": "left", "none": "left"}


def test_gap_axis_is_symmetric_over_the_scale_range_with_a_zero_line() -> None:
    result = simple_round([7, 1], [1, 2], scale=Scale(1, 7))
    fig = gap_bars(result, labels=labels_for(result), text=TEXT)
    assert tuple(fig.layout.xaxis.range) == (-6, 6)
    assert fig.layout.xaxis.zeroline is True
    assert 0 in fig.layout.xaxis.tickvals
    assert not fig.layout.title.text


def test_gap_bar_labels_are_wrapped_for_a_phone() -> None:
    result = simple_round([5, 2, 3], [3, 4, 3])
    labels = {
        "t0": TWELVE_JAPANESE[6],
        "t1": "Builds the relationship for the long term",
        "t2": "x",
    }
    fig = gap_bars(result, labels=labels, text=TEXT, locale="ja")
    assert fig.layout.yaxis.automargin is True
    for text in fig.layout.yaxis.ticktext:
        assert len(text.split("<br>")) <= 3
        assert all(columns(line) <= 16 for line in text.split("<br>"))


# --------------------------------------------------------------------------------------------
# Embedding
# --------------------------------------------------------------------------------------------


def test_figure_json_is_plotly_json_safe_inside_html() -> None:
    result = simple_round([4, 3, 5], [3, 4, 2])
    labels = {"t0": "</script><script>alert(1)</script>", "t1": "it's & more", "t2": "x"}
    fig = radar(result, labels=labels)
    embedded = figure_json(fig)
    assert not set("<>&'") & set(embedded)
    assert json.loads(embedded) == json.loads(fig.to_json())


def test_figure_config_hides_the_mode_bar_and_follows_the_container() -> None:
    config = figure_config()
    assert config == {"displayModeBar": False, "responsive": True}
    config["responsive"] = False
    assert figure_config()["responsive"] is True  # a fresh dict every time


def test_a_round_without_traits_draws_nothing_and_says_so() -> None:
    result = round_of([], company=[], client=[])
    for fig in (radar(result), gap_bars(result, labels={}, text=TEXT)):
        assert [note.text for note in fig.layout.annotations] == [TEXT.no_data]


# --------------------------------------------------------------------------------------------
# Purity
# --------------------------------------------------------------------------------------------


def imports_of(path: Path) -> set[str]:
    """The modules a file imports; relative imports are refused, so none can slip past."""
    imported: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, f"{path.name}: relative import of {node.module!r}"
            imported.add(node.module or "")
    return imported


def test_charts_import_neither_flask_nor_the_database() -> None:
    modules = sorted(Path(charts.__file__).parent.glob("*.py"))
    assert {path.stem for path in modules} >= {"__init__", "text", "theme", "round", "portfolio"}
    own = {"fitcheck.fit", "fitcheck.charts"} | {f"fitcheck.charts.{p.stem}" for p in modules}
    forbidden = {"flask", "flask_babel", "sqlalchemy", "flask_sqlalchemy", "gettext"}
    for path in modules:
        imported = imports_of(path)
        roots = {name.partition(".")[0] for name in imported}
        assert not roots & forbidden, path.name
        assert {name for name in imported if name.startswith("fitcheck")} <= own, path.name
        # budoux: Japanese phrase boundaries for wrapping labels, pure Python with no deps.
        assert roots <= sys.stdlib_module_names | {"plotly", "budoux", "fitcheck"}, path.name


# --------------------------------------------------------------------------------------------
# The portfolio scatter
# --------------------------------------------------------------------------------------------

_PORTFOLIO_TEXT = PortfolioText(
    x_axis="Level of the company", y_axis="Level of the client", score="Score", respondents="n"
)


def scatter(points: Sequence[PortfolioPoint]) -> Any:
    return portfolio_scatter(points, level=0.6, text=_PORTFOLIO_TEXT).data[0]


def partner(name: str, respondents: int, x: float = 0.5, y: float = 0.5) -> PortfolioPoint:
    return PortfolioPoint(
        partner=name, level_us=x, level_them=y, similarity=70.0, respondents=respondents
    )


def test_the_portfolio_names_its_five_largest_dots_beside_them() -> None:
    answers = [3, 12, 7, 12, 1, 9, 4, 4, 4, 2]
    dot = scatter([partner(f"P{i}", n) for i, n in enumerate(answers)])
    assert dot.mode == "markers+text"
    named = [i for i, text in enumerate(dot.text) if text]
    # 12, 12, 9, 7, and of the three 4s the one listed first.
    assert NAMED_DOTS == 5
    assert named == [1, 2, 3, 5, 6]
    assert [dot.text[i] for i in named] == ["P1", "P2", "P3", "P5", "P6"]
    # The named dots are the largest drawn (size grows with the answers).
    smallest_named = min(dot.marker.size[i] for i in named)
    assert all(dot.marker.size[i] <= smallest_named for i in range(len(answers)) if i not in named)
    # Every dot, named or not, names its partner on hover.
    assert [row[0] for row in dot.customdata] == [f"P{i}" for i in range(len(answers))]
    assert "%{customdata[0]}" in dot.hovertemplate
    # Fewer than five partners: each is named.
    assert list(scatter([partner("A", 1), partner("B", 2)]).text) == ["A", "B"]


def test_a_dots_name_is_escaped_and_shortened_to_one_line() -> None:
    long_name = "<b>Sakura</b> Trading & Logistics International Holdings"
    dot = scatter([partner(long_name, 9), partner("株式会社さくら商事ホールディングス", 9)])
    shown = dot.text[0]
    assert "<b>" not in shown and shown.startswith("&lt;b&gt;Sakura&lt;/b&gt;")
    assert shown.endswith("…") and "<br>" not in shown
    assert len(html.unescape(shown)) <= 18
    assert dot.text[1].endswith("…") and columns(dot.text[1]) <= 18
    assert dot.customdata[0][0].startswith("&lt;b&gt;Sakura")  # hover: escaped too
    assert dot.textfont.shadow == "auto"  # legible over a dot or a line
    assert dot.cliponaxis is not False  # a name stays within the plot


@pytest.mark.parametrize(
    "where",
    [
        # Both edges, the middle, the top and the bottom; two dots side by side (as in the
        # demo); three on one row.
        [(0.05, 0.5), (0.97, 0.3), (0.5, 0.5), (0.5, 0.99), (0.5, 0.01)],
        [(0.83, 0.80), (0.84, 0.80), (0.45, 0.43), (0.75, 0.60), (0.30, 0.15)],
        [(0.2, 0.6), (0.5, 0.6), (0.8, 0.6), (0.5, 0.2), (0.5, 0.95)],
    ],
)
def test_names_stay_inside_a_phones_plot_and_off_each_other(
    where: list[tuple[float, float]],
) -> None:
    names = ["Aozora Design Works", "Hikari Systems", "北浜フーズ株式会社", "Minato", "Kaede"]
    points = [
        partner(name, 12 - i, x=x, y=y)
        for i, (name, (x, y)) in enumerate(zip(names, where, strict=True))
    ]
    dot = scatter(points)
    assert all(dot.text)
    boxes = [
        portfolio_charts._name_box(position, point, text)
        for position, point, text in zip(dot.textposition, points, dot.text, strict=True)
    ]
    width, height = portfolio_charts._PHONE_PLOT
    for (left, right, bottom, top), name in zip(boxes, names, strict=True):
        # Inside the plot: off the colour bar on the right, never clipped at an edge.
        assert left >= 0 and right <= width and bottom >= 0 and top <= height, name
    clashes = [
        (names[i], names[j])
        for i in range(len(boxes))
        for j in range(i + 1, len(boxes))
        if portfolio_charts._overlap(boxes[i], boxes[j]) > 0
    ]
    assert clashes == []


def test_a_names_box_follows_plotly_beside_above_and_below_the_dot() -> None:
    point = partner("ab", 16, x=0.5, y=0.5)  # marker 16 px: 10 px from its centre to a name
    width, height = portfolio_charts._PHONE_PLOT
    centre_x, centre_y = width / 2, height / 2
    left, right, bottom, top = portfolio_charts._name_box("middle right", point, "ab")
    assert (left, bottom + top) == (centre_x + 11, 2 * centre_y)
    assert right - left == pytest.approx(2 * 6.5)
    assert portfolio_charts._name_box("top left", point, "ab")[1:3] == (
        centre_x - 11,
        centre_y + 11,
    )
    left, right, bottom, _ = portfolio_charts._name_box("bottom center", point, "ab")
    assert (left + right) / 2 == centre_x and bottom < centre_y - 11


# --------------------------------------------------------------------------------------------
# The response surface of the portfolio analysis
# --------------------------------------------------------------------------------------------

_SURFACE_TEXT = SurfaceText(
    x_axis="X: company, in the client's eyes",
    y_axis="Y <b>",
    z_axis="Satisfaction",
    surface="Fitted surface",
    observed="Rounds",
    congruence="Line of congruence (X = Y)",
    incongruence="Line of incongruence (X = −Y)",
)


_B = (5.0, 0.5, 0.25, -0.5, 0.75, -0.25)


def _analysis() -> portfolio.Analysis:
    """An analysis whose fit is exactly b = _B (only the coefficients matter to the chart)."""

    def estimate(value: float) -> portfolio.Estimate:
        return portfolio.Estimate(value=value, se=None, t=None, p=None, ci=None)

    coefficients = portfolio.Coefficients(*(estimate(b) for b in _B))
    regression = portfolio.Regression(
        n=6, df_resid=0, r_squared=1.0, r_squared_adj=None, f_p=None, perfect_fit=True,
        b=coefficients, standard_errors=portfolio.StandardErrors.CLASSICAL,
        linear_probability=False, clusters=None, df_inference=0,
    )  # fmt: skip
    return portfolio.Analysis(
        n=6, partners=6, small_sample=True, fitted=True, reason=None,
        verdict=portfolio.PortfolioVerdict.TOO_FEW, failures=(), view=None,
        regression=regression, surface=None, axis=None,
        similarity=portfolio.Correlation(n=6, r=None, ci=None),
    )  # fmt: skip


def _surface(points: Sequence[SurfacePoint]) -> go.Figure:
    analysis = _analysis()
    grid = portfolio.surface_grid(analysis, lo=-1.0, hi=1.5, steps=6)
    lines = portfolio.surface_lines(analysis, grid[0])
    return response_surface(grid, lines, points, text=_SURFACE_TEXT)


def test_the_surface_carries_the_rounds_and_both_lines_at_the_fitted_height() -> None:
    points = [SurfacePoint(x=0.5, y=-0.5, z=4.0, label="A"), SurfacePoint(
        x=1.0, y=1.0, z=6.0, label="B")]  # fmt: skip
    figure = _surface(points)
    surface, rounds, congruence, incongruence = figure.data
    assert (surface.type, rounds.type) == ("surface", "scatter3d")
    assert list(rounds.x) == [0.5, 1.0] and list(rounds.z) == [4.0, 6.0]
    assert (
        list(congruence.x) == list(congruence.y) == pytest.approx([-1.0, -0.5, 0.0, 0.5, 1.0, 1.5])
    )
    # Along X = Y the height is b0 + a1·x + a2·x², along X = −Y b0 + a3·x + a4·x².
    for x, z in zip(congruence.x, congruence.z, strict=True):
        assert z == pytest.approx(5.0 + 0.75 * x + 0.0 * x * x)
    assert list(incongruence.y) == [-x for x in incongruence.x]
    assert max(incongruence.x) == pytest.approx(1.0)  # −1.5 lies outside the grid: not drawn
    for x, z in zip(incongruence.x, incongruence.z, strict=True):
        assert z == pytest.approx(5.0 + 0.25 * x - 1.5 * x * x)
    # The surface itself is the polynomial on the grid.
    xs, ys = surface.x, surface.y
    assert surface.z[2][4] == pytest.approx(
        _B[0] + _B[1] * xs[4] + _B[2] * ys[2] + _B[3] * xs[4] ** 2 + _B[4] * xs[4] * ys[2]
        + _B[5] * ys[2] ** 2
    )  # fmt: skip
    assert list(figure.layout.scene.zaxis.range) == pytest.approx([3.5, 6.5])


def test_the_plot_range_hugs_the_rounds_within_the_scale() -> None:
    def at(x: float, y: float) -> portfolio.Observation:
        return portfolio.Observation(x=x, y=y, z=1.0, partner=1)

    assert portfolio.plot_range([at(-0.5, 0.0), at(1.0, 0.5)], lo=-2, hi=2) == (-0.75, 1.25)
    assert portfolio.plot_range([at(-1.9, 1.95)], lo=-2, hi=2) == (-2, 2)
    assert portfolio.plot_range([], lo=-2, hi=2) == (-2, 2)


def test_surface_labels_are_escaped_for_the_hover_but_keep_their_quotes() -> None:
    figure = _surface([SurfacePoint(x=0, y=0, z=5, label="<img src=x> O'Neil & Co")])
    assert figure.data[1].customdata[0] == "&lt;img src=x&gt; O'Neil &amp; Co"
    assert figure.layout.scene.xaxis.title.text == "X: company, in the client's eyes"
    assert figure.layout.scene.yaxis.title.text == "Y &lt;b&gt;"
    assert "<b>" not in json.dumps(figure.to_plotly_json()["layout"])


def test_the_trend_puts_rounds_on_a_date_axis_with_room_either_side() -> None:
    text = TrendText(similarity="S", level_us="us", level_them="them", axis="0–100")
    points = [
        TrendPoint(date(2024, 6, 17), "2024/06/17", 63.0, 0.83, 0.52),
        TrendPoint(date(2025, 12, 1), "<b>2025/12/01</b>", None, 0.76, 0.6),
    ]
    figure = trend_lines(points, text=text)
    assert figure.layout.xaxis.type == "date"
    assert list(figure.data[0].x) == ["2024-06-17", "2025-12-01"]
    assert list(figure.data[0].customdata) == ["2024/06/17", "&lt;b&gt;2025/12/01&lt;/b&gt;"]
    assert list(figure.layout.xaxis.range) == ["2024-05-03", "2026-01-15"]
    assert figure.layout.xaxis.dtick == "M3"  # 20 months: a tick every 3, no month twice
    single = trend_lines(points[:1], text=text)
    assert single.layout.xaxis.dtick == "M1"
    assert list(figure.data[0].y) == [63.0, None]  # a missing score is a gap
