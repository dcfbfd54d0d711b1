"""The charts read at a glance, as Chromium draws them, on a laptop and a phone.

On a demo round with last round ghosted behind it, in English and Japanese, 1280 and 390
px wide: every trait label around the radar is drawn at 13 px or more, outside the ring,
clear of every marker (the outer ring's included) and of its neighbours, and whole
inside the chart; the radar is as tall as its circle needs at that width, and on paper
at paper's. On the portfolio, the five largest dots carry their partner's name inside
the plot, off the colour bar. One demo server serves the module.
"""

from __future__ import annotations

import html
import math
import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Assessment
from fitcheck.models.assessments import State

from .conftest import ARTIFACTS, DESKTOP, PHONE, serve, sign_in_as_demo_owner
from .test_results_browser import wait_for_charts

NewPage = Callable[..., Page]
LOCALES = {"en": "en-US", "ja": "ja-JP"}

# The radar as drawn: its tick labels (text, font size, box), every marker of every trace,
# its outer ring, the chart's box and what charts.js fitted the height from.
RADAR = """() => {
  const box = (element) => {
    const rect = element.getBoundingClientRect();
    return {left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom,
            width: rect.width, height: rect.height};
  };
  const radar = document.querySelector('.fc-radar');
  const plot = radar.querySelector('.js-plotly-plot');
  return {
    labels: [...radar.querySelectorAll('.angularaxistick text')].map((text) => ({
      text: text.textContent, size: parseFloat(getComputedStyle(text).fontSize), ...box(text)})),
    points: [...radar.querySelectorAll('.scatterlayer .trace path.point')].map(box),
    spreads: plot.data.filter((trace) => trace.mode === 'lines' && trace.showlegend === false)
      .length,
    ring: box(radar.querySelector('.angular-line path')),
    chart: box(radar.querySelector('svg.main-svg')),
    container: radar.clientWidth,
    fit: plot.layout.meta.fc_radar,
    viewport: window.innerWidth,
  };
}"""

# The portfolio's named dots: each name's box, the plot area's and the colour bar's.
PORTFOLIO = """() => {
  const box = (element) => {
    const rect = element.getBoundingClientRect();
    return {left: rect.left, right: rect.right, top: rect.top, bottom: rect.bottom};
  };
  const chart = document.querySelector('.fc-chart');
  return {
    names: [...chart.querySelectorAll('.scatterlayer .textpoint text')]
      .filter((text) => text.textContent.trim())
      .map((text) => ({text: text.textContent, ...box(text)})),
    plot: box(chart.querySelector('.nsewdrag')),
    colourbar: box(chart.querySelector('.colorbar')),
  };
}"""


def overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"]
        and b["left"] < a["right"]
        and a["top"] < b["bottom"]
        and b["top"] < a["bottom"]
    )


def inside(inner: dict[str, float], outer: dict[str, float], slack: float = 0.5) -> bool:
    return (
        inner["left"] >= outer["left"] - slack
        and inner["right"] <= outer["right"] + slack
        and inner["top"] >= outer["top"] - slack
        and inner["bottom"] <= outer["bottom"] + slack
    )


@pytest.fixture(scope="module")
def demo_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    """The demo served once for the module, and the results of its first revealed round
    that has a previous round (Kitahama Foods' annual review: ghosts, and a side that
    disagrees on a trait)."""
    with serve(tmp_path_factory.mktemp("chart-readability"), demo=True) as served:
        with served.app.app_context():
            number = db.session.scalar(
                select(Assessment.id)
                .where(Assessment.state == State.REVEALED, Assessment.previous_id.is_not(None))
                .order_by(Assessment.id)
            )
            db.session.remove()
        assert number is not None, "the demo has no annual review"
        yield served.url, f"{served.url}/assessments/{number}/results"


def open_results(new_page: NewPage, demo_site: tuple[str, str], language: str, size: Any) -> Page:
    base_url, results_url = demo_site
    page = new_page(viewport=size, locale=LOCALES[language])
    sign_in_as_demo_owner(page, base_url)
    page.goto(results_url)
    expect(page.locator("html")).to_have_attribute("lang", language)
    wait_for_charts(page)
    return page


def check_radar(radar: dict[str, Any]) -> None:
    labels, points, ring = radar["labels"], radar["points"], radar["ring"]
    assert len(labels) >= 3, radar
    small = [(label["text"], label["size"]) for label in labels if label["size"] < 13]
    assert small == [], "radar labels below 13 px"

    # Not vacuous: a value at the top of the scale puts a marker on the outer ring.
    centre = ((ring["left"] + ring["right"]) / 2, (ring["top"] + ring["bottom"]) / 2)
    radius = ring["width"] / 2

    def reach(point: dict[str, float]) -> float:
        x, y = (point["left"] + point["right"]) / 2, (point["top"] + point["bottom"]) / 2
        return math.hypot(x - centre[0], y - centre[1])

    assert max(reach(point) for point in points) > radius - 2, "no marker on the outer ring"
    touching = [
        (label["text"], point) for label in labels for point in points if overlaps(label, point)
    ]
    assert touching == [], "radar labels over markers"
    # Outside the ring: no label's box reaches into the circle.
    for label in labels:
        corners = [(label[x], label[y]) for x in ("left", "right") for y in ("top", "bottom")]
        nearest_x = min(max(centre[0], label["left"]), label["right"])
        nearest_y = min(max(centre[1], label["top"]), label["bottom"])
        assert math.hypot(nearest_x - centre[0], nearest_y - centre[1]) > radius, (label, corners)
    # Whole and apart: inside the chart and the window, no two labels on each other.
    cut = [label["text"] for label in labels if not inside(label, radar["chart"])]
    assert cut == [], "radar labels cut off"
    if radar["viewport"] is not None:  # on screen (paper is wider than a phone's window)
        window = {"left": 0, "right": radar["viewport"], "top": -math.inf, "bottom": math.inf}
        assert [label["text"] for label in labels if not inside(label, window)] == []
    clashes = [
        (a["text"], b["text"])
        for i, a in enumerate(labels)
        for b in labels[i + 1 :]
        if overlaps(a, b)
    ]
    assert clashes == [], "radar labels on each other"


def check_fitted_height(radar: dict[str, Any], width: float) -> None:
    """The circle fills the width between the side labels (up to the largest), and the chart
    is as tall as the circle, the labels above and below it and the legend need."""
    fit = radar["fit"]
    diameter = max(fit["min"], min(fit["max"], width - fit["sides"]))
    assert radar["ring"]["width"] == pytest.approx(diameter, abs=3), radar
    wanted = fit["top"] + diameter + fit["below"] + fit["legend"]
    assert radar["chart"]["height"] == pytest.approx(wanted, abs=2), radar


# The width a chart is drawn at on paper (results.css), in CSS pixels.
PAPER_WIDTH = """() => {
  const probe = document.createElement('div');
  probe.style.cssText = 'position:absolute;width:var(--fc-print-chart-width)';
  document.body.appendChild(probe);
  const width = probe.getBoundingClientRect().width;
  probe.remove();
  return width;
}"""


def fitted_to_its_width(page: Page) -> None:
    """Wait until charts.js has fitted the radar's height to the width it is drawn at."""
    page.wait_for_function(
        """() => {
          const plot = document.querySelector('.fc-radar .js-plotly-plot');
          const fit = plot.layout.meta.fc_radar;
          const width = plot.parentElement.clientWidth;
          const diameter = Math.max(fit.min, Math.min(fit.max, width - fit.sides));
          const height = Math.round(fit.top + diameter + fit.below + fit.legend);
          return plot._fullLayout.width === width && plot._fullLayout.height === height;
        }"""
    )


@pytest.mark.parametrize("language", ["en", "ja"])
def test_radar_labels_are_13px_outside_the_ring_clear_of_markers_and_whole(
    new_page: NewPage, demo_site: tuple[str, str], language: str
) -> None:
    page = open_results(new_page, demo_site, language, DESKTOP)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    drawn: dict[int, dict[str, Any]] = {}
    # On a laptop, then the same window as narrow as a phone: the radar follows.
    for size in (DESKTOP, PHONE):
        page.set_viewport_size(size)
        fitted_to_its_width(page)
        drawn[size["width"]] = radar = page.evaluate(RADAR)
        name = f"test_chart_readability_browser-radar-{language}-{size['width']}.png"
        page.locator(".fc-radar").screenshot(path=str(ARTIFACTS / name))
        assert radar["spreads"] >= 1, "the demo round shows no side's spread"
        check_radar(radar)
        check_fitted_height(radar, radar["container"])
    desktop = drawn[DESKTOP["width"]]
    assert desktop["ring"]["width"] == pytest.approx(desktop["fit"]["max"], abs=3)

    # On paper (charts.js redraws before printing, at the paper's width), and back.
    on_phone = drawn[PHONE["width"]]
    paper = page.evaluate(PAPER_WIDTH)
    page.evaluate("() => window.dispatchEvent(new Event('beforeprint'))")
    printed = page.evaluate(RADAR)
    assert printed["chart"]["width"] == pytest.approx(paper, abs=1)
    check_fitted_height(printed, printed["chart"]["width"])
    assert printed["ring"]["width"] > on_phone["ring"]["width"] + 100  # larger on paper
    check_radar({**printed, "viewport": None})
    page.evaluate("() => window.dispatchEvent(new Event('afterprint'))")
    fitted_to_its_width(page)
    check_fitted_height(page.evaluate(RADAR), on_phone["container"])


@pytest.mark.parametrize(
    ("language", "size"), [("en", DESKTOP), ("ja", PHONE)], ids=["en-1280", "ja-390"]
)
def test_the_portfolio_names_its_largest_dots_inside_the_plot(
    new_page: NewPage, demo_site: tuple[str, str], language: str, size: Any
) -> None:
    page = new_page(viewport=size, locale=LOCALES[language])
    sign_in_as_demo_owner(page, demo_site[0])
    page.goto(f"{demo_site[0]}/portfolio/")
    expect(page.locator(".fc-chart[data-drawn]")).to_have_count(1)
    drawn = page.evaluate(PORTFOLIO)
    names = drawn["names"]
    assert len(names) == 5, names
    assert [name for name in names if not inside(name, drawn["plot"])] == [], drawn
    assert [name for name in names if overlaps(name, drawn["colourbar"])] == [], drawn
    # The colour bar lies under the plot, which keeps the width for the dots (on a phone,
    # a bar at the side took a third of it).
    plot = drawn["plot"]
    assert drawn["colourbar"]["top"] >= plot["bottom"], drawn
    if size == PHONE:
        assert plot["right"] - plot["left"] >= 0.7 * PHONE["width"], drawn
    # Each named partner is also named on hover, as every dot is.
    hover = page.evaluate(
        "() => document.querySelector('.fc-chart .js-plotly-plot').data[0].customdata"
        ".map((row) => row[0])"
    )
    partners = [re.sub(r"\s+", "", html.unescape(row.replace("<br>", ""))) for row in hover]
    for name in names:
        shown = re.sub(r"\s+", "", name["text"].removesuffix("…"))
        assert any(partner.startswith(shown) for partner in partners), name


def test_on_a_phone_the_trait_table_says_it_scrolls_and_shows_gap_and_flags_first(
    new_page: NewPage, demo_site: tuple[str, str]
) -> None:
    page = open_results(new_page, demo_site, "ja", PHONE)
    table = page.locator("#gap-table")
    box = table.locator("xpath=..")
    expect(page.locator("section[aria-labelledby='gaps'] .fc-scroll-hint")).to_be_visible()
    # The table is wider than the phone, and its box is a named region the keyboard reaches.
    assert box.evaluate("(el) => el.scrollWidth > el.clientWidth")
    assert box.get_attribute("tabindex") == "0" and box.get_attribute("role") == "region"
    # Unscrolled, the name, the gap and every flag (badges wrapped) are inside the box.
    right = box.evaluate("(el) => el.getBoundingClientRect().right")
    edges = table.evaluate(
        """(t) => [...t.querySelectorAll('thead th:nth-child(-n+3), .fc-gap, .fc-flags .badge')]
             .map((cell) => cell.getBoundingClientRect().right)"""
    )
    assert len(edges) > 3 and max(edges) <= right + 0.5, (edges, right)
