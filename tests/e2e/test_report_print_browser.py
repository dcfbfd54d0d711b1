"""The printable report on A4 paper, in English and Japanese, as Chromium prints it.

Each table fits the page's width (no column cut off, nothing scrolling or clipped), every
column heading of every table is on paper, each chart is on the same page as its caption,
no heading is left alone at the foot of a page, and charts printed from a phone are drawn
at the paper's width. What the page holds (its tables' headings, its charts' text, its
headings) is read from the page itself, so the test follows the templates.
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page, ViewportSize, expect

from ..conftest import require_or_skip
from .conftest import ARTIFACTS, DESKTOP, PHONE, serve
from .test_results_browser import open_annual_review, translated, wait_for_charts

NewPage = Callable[..., Page]
BROWSER_LOCALE = {"en": "en-US", "ja": "ja-JP"}
# A4's 210 mm less the report's page margins (12 mm each side, results.css `@page`), in CSS
# pixels (96 per inch), rounded down: a table that fits here fits on paper.
A4_PRINTABLE_PX = int((210 - 2 * 12) / 25.4 * 96)

# Every table's column headings, as the page shows them.
TABLE_HEADINGS = """() => [...document.querySelectorAll('main table')].map((table) =>
  [...table.querySelectorAll('thead th')].map((th) => th.innerText.replace(/\\s+/g, ' ').trim())
    .filter((text) => text))"""

# Under print media: how wide each table is against its box and the page, which elements
# clip or scroll what they hold, and how wide each chart is drawn against its box.
PRINT_LAYOUT = """() => {
  const page = document.documentElement.clientWidth;
  const tables = [...document.querySelectorAll('main table')].map((table) => ({
    first: (table.querySelector('th') || table).innerText.trim().slice(0, 30),
    scroll: table.scrollWidth, box: table.parentElement.clientWidth,
    right: table.getBoundingClientRect().right, page}));
  const clipped = [...document.querySelectorAll('main *')].filter((element) => {
    if (!(element instanceof HTMLElement) || element.closest('.fc-chart')) return false;
    const style = getComputedStyle(element);
    const clips = [style.overflowX, style.overflowY].some((value) => value !== 'visible');
    return clips && (element.scrollWidth > element.clientWidth + 1
                     || element.scrollHeight > element.clientHeight + 1);
  }).map((element) => `${element.tagName}.${element.className}`);
  const charts = [...document.querySelectorAll('.fc-chart')].map((chart) => ({
    drawn: chart.querySelector('svg.main-svg').getBoundingClientRect().width,
    box: chart.clientWidth}));
  return {tables, clipped, charts};
}"""

# Per figure: its caption, and the lines of text its chart draws that hold a letter (the
# axes' labels and the legend, not the scale's numbers).
FIGURES = """() => [...document.querySelectorAll('figure.fc-chart-figure')].map((figure) => ({
  caption: figure.querySelector('figcaption').innerText,
  lines: [...figure.querySelectorAll('.fc-chart svg text')].flatMap((text) => {
    const lines = [...text.querySelectorAll('tspan.line')].map((line) => line.textContent);
    return lines.length ? lines : [text.textContent];
  }).filter((line) => /\\p{L}/u.test(line)),
}))"""

# The headings of the sections and of what they hold (each followed by content).
HEADINGS = """() => [...document.querySelectorAll('main section > h2, main section > h3')]
  .filter((heading) => heading.nextElementSibling).map((heading) => heading.innerText)"""


def nospace(text: str) -> str:
    return re.sub(r"\s+", "", text)


@dataclass(frozen=True)
class Word:
    """A word pdftotext found, on a page (from 1), with its box in points."""

    page: int
    x0: float
    y0: float
    x1: float
    y1: float
    text: str


def poppler(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        require_or_skip(f"{tool} is not installed (apt-get install poppler-utils)")
    assert path is not None
    return path


def pdf_pages(pdf: Path) -> list[str]:
    """The text of each page, laid out as printed."""
    text = subprocess.run(
        [poppler("pdftotext"), "-layout", str(pdf), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return text.split("\f")[:-1] if text.endswith("\f") else text.split("\f")


def pdf_words(pdf: Path) -> list[Word]:
    out = subprocess.run(
        [poppler("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout
    words = []
    for number, page in enumerate(re.findall(r"<page [^>]*>(.*?)</page>", out, re.S), start=1):
        for x0, y0, x1, y1, text in re.findall(
            r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">(.*?)</word>',
            page,
        ):
            word = nospace(html.unescape(text))
            if word:
                words.append(Word(number, float(x0), float(y0), float(x1), float(y1), word))
    return words


def printed_in_one_cell(heading: str, words: list[Word]) -> bool:
    """Whether the PDF holds all of ``heading`` in one place: its words in order, along a
    line or on the lines right below within the same column (a heading wraps in its cell,
    and ``-layout`` text would interleave it with its neighbours')."""
    target = nospace(heading)

    def follows(done: str, last: Word, left: float, right: float) -> bool:
        if done == target:
            return True
        rest = target[len(done) :]
        height = last.y1 - last.y0
        for word in words:
            if word.page != last.page or not rest.startswith(word.text):
                continue
            same_line = abs(word.y0 - last.y0) < height / 2 and 0 <= word.x0 - last.x1 < height
            next_line = (
                height / 2 < word.y0 - last.y0 < 2 * height
                and word.x0 < right + height
                and word.x1 > left - height
            )
            if (same_line or next_line) and follows(
                done + word.text, word, min(left, word.x0), max(right, word.x1)
            ):
                return True
        return False

    return any(
        follows(word.text, word, word.x0, word.x1) for word in words if target.startswith(word.text)
    )


def page_holding(pages: list[str], text: str) -> list[int]:
    """The pages (from 1) whose text holds ``text``, spaces and line breaks aside."""
    return [number for number, page in enumerate(pages, start=1) if nospace(text) in nospace(page)]


def open_report(page: Page, base_url: str, locale: str) -> None:
    results_url = open_annual_review(page, base_url, locale)
    page.get_by_role("link", name=translated("Printable report", locale)).click()
    expect(page).to_have_url(results_url.removesuffix("/results") + "/report")
    wait_for_charts(page)
    expect(page.locator("html")).to_have_attribute("lang", locale)


@pytest.fixture(scope="module")
def demo_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """One demo app for the module: printing changes nothing, so the tests can share it."""
    with serve(tmp_path_factory.mktemp("report-print"), demo=True) as served:
        yield served.url


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_printed_report_is_whole_on_a4(new_page: NewPage, demo_url: str, locale: str) -> None:
    page = new_page(locale=BROWSER_LOCALE[locale])
    open_report(page, demo_url, locale)
    headings = page.evaluate(TABLE_HEADINGS)
    columns = [heading for table in headings for heading in table]
    # The trait table is among them, with its key columns.
    assert translated("Flags", locale) in columns, headings
    assert translated("Gap", locale) in columns, headings
    figures = page.evaluate(FIGURES)
    assert len(figures) == 2 and all(figure["lines"] for figure in figures), figures
    sections = page.evaluate(HEADINGS)

    # Laid out at the printed width, with print media: every table fits its box and the
    # page; nothing clips or scrolls what it holds; every chart fits its box.
    page.set_viewport_size(ViewportSize(width=A4_PRINTABLE_PX, height=1000))
    page.emulate_media(media="print")
    layout = page.evaluate(PRINT_LAYOUT)
    wide = [t for t in layout["tables"] if t["scroll"] > t["box"] + 1 or t["right"] > t["page"] + 1]
    assert wide == [], f"tables wider than the printed page: {wide}"
    assert layout["clipped"] == [], "elements that clip or scroll their content in print"
    assert all(chart["drawn"] <= chart["box"] + 1 for chart in layout["charts"]), layout["charts"]
    page.emulate_media(media=None)
    page.set_viewport_size(ViewportSize(width=DESKTOP["width"], height=DESKTOP["height"]))

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"test_report_print_browser-{locale}.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    pages = pdf_pages(pdf)
    assert len(pages) >= 2
    words = pdf_words(pdf)

    # Every column heading of every table is on paper, whole.
    missing = [heading for heading in columns if not printed_in_one_cell(heading, words)]
    assert missing == [], f"column headings missing from the PDF: {missing}"
    # Each chart is on the page of its caption.
    for figure in figures:
        caption_pages = page_holding(pages, figure["caption"])
        assert len(caption_pages) == 1, (figure["caption"], caption_pages)
        page_text = nospace(pages[caption_pages[0] - 1])
        elsewhere = [line for line in figure["lines"] if nospace(line) not in page_text]
        assert elsewhere == [], f"chart text not on its caption's page {caption_pages}"
    # No heading is the last line of its page: what it heads starts beside it.
    for heading in sections:
        lines = [
            (number, nospace(line))
            for number, text in enumerate(pages, start=1)
            for line in text.splitlines()
            if line.strip()
        ]
        at = [i for i, (_, line) in enumerate(lines) if line == nospace(heading)]
        assert at, f"heading {heading!r} is not a line of its own in the PDF"
        for i in at:
            assert i + 1 < len(lines) and lines[i + 1][0] == lines[i][0], (
                f"{heading!r} is alone at the foot of page {lines[i][0]}"
            )


def test_charts_printed_from_a_phone_are_drawn_at_the_papers_width(
    new_page: NewPage, demo_url: str
) -> None:
    page = new_page(viewport=PHONE, locale="ja-JP", is_mobile=True, has_touch=True)
    open_report(page, demo_url, "ja")
    plots = "[...document.querySelectorAll('.fc-chart .js-plotly-plot')]"
    on_phone = page.evaluate(f"() => {plots}.map((plot) => plot._fullLayout.width)")
    assert on_phone and max(on_phone) <= PHONE["width"], on_phone
    # Listening after charts.js: what the charts are at when the browser lays out paper.
    page.evaluate(
        f"""() => {{
          window.printedWidths = [];
          window.addEventListener('beforeprint', () => window.printedWidths.push(
            {plots}.map((plot) => plot._fullLayout.width)));
        }}"""
    )
    paper = page.evaluate(
        """() => { const probe = document.createElement('div');
                   probe.style.width = '170mm'; document.body.appendChild(probe);
                   const width = probe.getBoundingClientRect().width; probe.remove();
                   return width; }"""
    )
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / "test_report_print_browser-ja-phone.pdf"
    page.pdf(path=str(pdf), format="A4", print_background=True)
    printed = page.evaluate("window.printedWidths")
    assert len(printed) == 1 and all(abs(width - paper) <= 1 for width in printed[0]), (
        printed,
        paper,
    )
    # Back on the phone's screen afterwards.
    page.wait_for_function(f"() => {plots}.every((plot) => plot._fullLayout.width <= innerWidth)")
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
