"""The results of a revealed demo round in a real browser: the charts are really drawn,
from this site alone, fit a Japanese phone, and the printable report makes a PDF with
its Japanese text and its charts."""

from __future__ import annotations

import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit

from babel.support import Translations
from playwright.sync_api import Page, Request, expect

import fitcheck
from fitcheck.defaults import BRAND_PARTNER

from ..conftest import require_or_skip
from .conftest import ARTIFACTS, DESKTOP, PHONE, sign_in_as_demo_owner

Screenshot = Callable[..., Path]
NewPage = Callable[..., Page]
CATALOGS = Path(fitcheck.__file__).resolve().parent / "translations"
PLOTLY_URL = re.compile(r"/assets/vendor/plotly-round\.[0-9a-f]{16}\.min\.js$")
ONE_YEAR = 365 * 24 * 3600
LABELS_JA = [trait.label_ja for trait in BRAND_PARTNER.traits]

# Per chart: the traces plotly holds, those listed in its legend (not a fill or a side's
# spread), and those it drew (an SVG path with a shape).
DRAWN = """() => [...document.querySelectorAll('.fc-chart')].map((chart) => {
  const plot = chart.querySelector('.js-plotly-plot');
  const drawn = [...chart.querySelectorAll('g.trace')].filter((trace) =>
    [...trace.querySelectorAll('path')].some((path) => (path.getAttribute('d') || '').length > 8));
  return {kind: chart.classList.contains('fc-radar') ? 'radar' : 'bars',
          data: plot ? plot.data.length : 0, drawn: drawn.length,
          listed: plot ? plot.data.filter((trace) => trace.showlegend !== false).length : 0};
})"""

# Every line of text the charts draw (a wrapped label is one tspan per line).
CHART_LINES = """() => [...document.querySelectorAll('.fc-chart svg text')].flatMap((text) => {
  const lines = [...text.querySelectorAll('tspan.line')].map((line) => line.textContent);
  return lines.length ? lines : [text.textContent];
}).filter((line) => line.trim())"""

# The radar's axis labels and legend entries, each as the lines plotly drew.
RADAR_TEXT = """() => {
  const lines = (text) => {
    const parts = [...text.querySelectorAll('tspan.line')].map((line) => line.textContent);
    return parts.length ? parts : [text.textContent];
  };
  const radar = document.querySelector('.fc-radar');
  const ticks = [...radar.querySelectorAll('.angularaxistick text')];
  const legend = [...radar.querySelectorAll('.legend text.legendtext')];
  return {ticks: ticks.flatMap(lines), legend: legend.flatMap(lines),
          entries: legend.map((text) => text.textContent)};
}"""

# Every angular tick label of the radar: its text and horizontal extent on the page.
TICKS = """() => [...document.querySelectorAll('.fc-radar .angularaxistick text')].map((text) => {
  const box = text.getBoundingClientRect();
  return {text: text.textContent, left: box.left, right: box.right, width: box.width};
})"""


def translated(message: str, locale: str) -> str:
    """`message` as the compiled catalog of `locale` words it (the English while it has none)."""
    if locale == "en":
        return message
    return Translations.load(str(CATALOGS), locales=[locale]).gettext(message)


def nospace(text: str) -> str:
    return re.sub(r"\s+", "", text)


def open_annual_review(page: Page, base_url: str, locale: str = "en") -> str:
    """Partners → Kitahama Foods → its revealed annual review; returns the results' URL."""
    sign_in_as_demo_owner(page, base_url)
    page.get_by_role("link", name="Kitahama Foods").click()
    row = page.locator("table tbody tr").filter(
        has_text=translated("Annual partnership review", locale)
    )
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text(translated("Revealed", locale))
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    page.get_by_role("link", name=translated("See the results", locale)).click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/results$"))
    return page.url


def wait_for_charts(page: Page) -> None:
    expect(page.locator(".fc-chart[data-drawn]")).to_have_count(2)


def test_results_charts_are_drawn_with_plotly_from_this_site_only(
    page: Page, demo_server: str, screenshot: Screenshot
) -> None:
    # Every request from signing in to the results: all to this site, plotly.js once.
    requests: list[Request] = []
    page.on("request", lambda request: requests.append(request))
    results_url = open_annual_review(page, demo_server)
    wait_for_charts(page)

    charts = {chart["kind"]: chart for chart in page.evaluate(DRAWN)}
    # A plotly bundle without scatterpolar would hold the traces and draw nothing.
    assert charts["radar"]["data"] >= 4, charts
    assert charts["radar"]["drawn"] >= 4, charts
    assert charts["bars"]["drawn"] >= 1, charts
    expect(page.locator(".fc-radar .angularaxistick text")).to_have_count(len(BRAND_PARTNER.traits))
    expect(page.locator(".fc-radar .legend .traces")).to_have_count(charts["radar"]["listed"])
    screenshot(page, "results-desktop")

    origin = demo_server.rstrip("/")
    foreign = [r.url for r in requests if not r.url.startswith(f"{origin}/")]
    assert foreign == [], "loaded from another host"
    plotly = [r for r in requests if PLOTLY_URL.search(urlsplit(r.url).path)]
    assert len(plotly) == 1, [r.url for r in plotly]
    response = plotly[0].response()
    assert response is not None
    assert response.status == 200
    cache = response.headers["cache-control"]
    assert f"max-age={ONE_YEAR}" in cache
    assert "immutable" in cache
    assert response.headers["content-type"].startswith("text/javascript")

    # The next page with charts takes plotly from the browser's cache, not the network.
    requests.clear()
    page.get_by_role("link", name="Printable report").click()
    expect(page).to_have_url(results_url.removesuffix("/results") + "/report")
    wait_for_charts(page)
    entries = page.evaluate(
        """() => performance.getEntriesByType('resource')
             .filter((entry) => entry.name.includes('/assets/vendor/plotly-'))
             .map((entry) => entry.transferSize)"""
    )
    assert entries == [0], "plotly.js was fetched again"
    assert [r.url for r in requests if not r.url.startswith(f"{origin}/")] == []


def test_results_in_japanese_fit_a_phone_and_the_report_prints_to_pdf(
    new_page: NewPage, demo_server: str, screenshot: Screenshot
) -> None:
    page = new_page(viewport=PHONE, locale="ja-JP", is_mobile=True, has_touch=True)
    results_url = open_annual_review(page, demo_server, "ja")
    wait_for_charts(page)
    expect(page.locator("html")).to_have_attribute("lang", "ja")

    width = page.evaluate("window.innerWidth")
    assert width == PHONE["width"]
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "page scrolls sideways"
    ticks = page.evaluate(TICKS)
    assert len(ticks) == len(LABELS_JA)
    joined = "".join(tick["text"] for tick in ticks)
    for label in LABELS_JA:  # wrapped labels are drawn line by line: compare without breaks
        assert label in joined, label
    cut = [tick for tick in ticks if tick["left"] < 0 or tick["right"] > width]
    assert cut == [], f"radar labels cut off at {width}px"
    screenshot(page, "results-ja-phone")

    # The printable report, in Japanese, on A4.
    pdftotext, pdftoppm = shutil.which("pdftotext"), shutil.which("pdftoppm")
    if pdftotext is None or pdftoppm is None:
        require_or_skip("poppler-utils is not installed (apt-get install poppler-utils)")
    page.set_viewport_size(DESKTOP)
    page.get_by_role("link", name=translated("Printable report", "ja")).click()
    expect(page).to_have_url(results_url.removesuffix("/results") + "/report")
    wait_for_charts(page)
    expect(page.locator("html")).to_have_attribute("lang", "ja")
    page.emulate_media(media="print")
    chart_lines = page.evaluate(CHART_LINES)
    radar = page.evaluate(RADAR_TEXT)
    # The page's text outside the charts, as printed (without what print hides).
    outside = page.evaluate(
        """() => {
          const charts = [...document.querySelectorAll('.fc-chart')];
          charts.forEach((chart) => { chart.style.display = 'none'; });
          const text = document.body.innerText;
          charts.forEach((chart) => { chart.style.display = ''; });
          return text;
        }"""
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "test_results_browser-report-ja.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    assert pdf.stat().st_size > 20_000
    png_prefix = ARTIFACTS / "test_results_browser-report-ja"
    for stale in ARTIFACTS.glob(f"{png_prefix.name}-*.png"):
        stale.unlink()
    subprocess.run([pdftoppm, "-png", "-r", "60", str(pdf), str(png_prefix)], check=True)
    assert list(ARTIFACTS.glob(f"{png_prefix.name}-*.png"))

    text = subprocess.run(
        [pdftotext, "-layout", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    flat = re.sub(r"\s+", "", text)
    assert text.count("\f") >= 1  # pages
    assert "仕事への情熱" in text
    # The radar is on paper: its axis labels and legend, line by line (as plotly wrapped
    # them) …
    assert nospace("".join(radar["ticks"])) == "".join(LABELS_JA)  # every trait, in order
    missing = [line for line in radar["ticks"] + radar["legend"] if nospace(line) not in flat]
    assert missing == [], "radar text missing from the PDF"
    legend = [nospace(entry) for entry in radar["entries"]]
    assert nospace(translated("Client as seen by the company", "ja")) in legend
    # … and they are the chart's own, not the table's: labels the radar draws on one line
    # are printed more often than the page shows them outside the charts. (Summed: a
    # narrow table cell, such as a commitment's trait, may wrap one of them on paper.)
    one_line = [label for label in LABELS_JA if label in radar["ticks"]]
    assert len(one_line) >= 2, radar["ticks"]
    printed = sum(text.count(label) for label in one_line)
    assert printed >= sum(outside.count(label) for label in one_line) + len(one_line) - 1

    # Every line of text the charts draw is on paper, none cut off at the page's edge
    # (the report draws its charts at the printed column's width).
    lost = [line for line in chart_lines if nospace(line) not in flat]
    assert not lost, f"chart text cut off in the printed report: {lost}"
