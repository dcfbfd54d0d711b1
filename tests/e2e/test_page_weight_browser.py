"""What a page costs on the wire, measured in Chromium: a cold visit (empty cache) of a chart
page stays under 600 KB and the respondent's form under 80 KB; a warm visit downloads the
page alone (under 50 KB) and asks nothing about the files it already has."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Assessment, Side, State
from fitcheck.services.respondents import add_respondent

from .conftest import DESKTOP, LiveApp, serve, sign_in_as_demo_owner

KB = 1024

# What each response cost on the wire (headers and the encoded body), and whether the
# browser asked the network at all: a file from the cache has a transferSize of 0, a
# revalidated one (a 304) its headers.
WIRE = """() => performance.getEntries()
  .filter((entry) => entry.entryType === 'navigation' || entry.entryType === 'resource')
  .map((entry) => ({url: entry.name, type: entry.entryType, bytes: entry.transferSize,
                    body: entry.encodedBodySize}))"""


@pytest.fixture
def demo(tmp_path: Path) -> Iterator[LiveApp]:
    with serve(tmp_path, demo=True) as served:
        yield served


def respondent_link(demo: LiveApp) -> str:
    """A new client respondent's personal link on one of the demo's open rounds."""
    with demo.app.app_context():
        try:
            collecting = select(Assessment).where(Assessment.state == State.COLLECTING)
            assessment = db.session.scalars(collecting.order_by(Assessment.id)).first()
            assert assessment is not None, "the demo has no open round"
            _, token = add_respondent(
                assessment, side=Side.CLIENT, name="Weighed Visitor", email="weigh@example.com"
            )
            db.session.commit()
        finally:
            db.session.remove()
    return f"{demo.url}/r/{token}/answers"


def _visit(page: Page, url: str, *, charts: int = 0) -> list[dict[str, object]]:
    page.goto(url)
    if charts:
        expect(page.locator(".fc-chart[data-drawn]")).to_have_count(charts)
    # Until the favicon too has arrived: a visit cut short leaves it out of the cache.
    page.wait_for_load_state("networkidle")
    entries: list[dict[str, object]] = page.evaluate(WIRE)
    return entries


def _total(entries: list[dict[str, object]]) -> int:
    return sum(int(str(entry["bytes"])) for entry in entries)


def _chart_pages(page: Page, base: str) -> dict[str, tuple[str, int]]:
    """The staff chart pages of the demo and the number of charts each draws."""
    sign_in_as_demo_owner(page, base)
    page.get_by_role("link", name="Kitahama Foods").click()
    page.locator("table tbody tr").filter(has_text="Annual partnership review").get_by_role(
        "link"
    ).click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    assessment = page.url
    return {
        "results": (f"{assessment}/results", 2),
        "portfolio": (f"{base}/portfolio/", 1),
    }


def test_chart_pages_open_in_a_few_hundred_kilobytes_and_cost_only_the_page_when_warm(
    browser: Browser, demo: LiveApp
) -> None:
    signed_in = browser.new_context(viewport=DESKTOP)
    try:
        pages = _chart_pages(signed_in.new_page(), demo.url)
        session = signed_in.storage_state()
    finally:
        signed_in.close()
    for name, (url, charts) in pages.items():
        # A new context has an empty cache: only the session cookie comes along.
        context = browser.new_context(viewport=DESKTOP, storage_state=session)
        try:
            page = context.new_page()
            cold = _visit(page, url, charts=charts)
            warm = _visit(page, url, charts=charts)
        finally:
            context.close()
        assert all(str(e["url"]).startswith(f"{demo.url}/") for e in cold), cold
        assert any("/assets/vendor/plotly-" in str(e["url"]) for e in cold), cold
        assert _total(cold) <= 600 * KB, (name, _total(cold), cold)
        # Warm: the page itself, and not one request for a file it already has.
        resources = [e for e in warm if e["type"] == "resource"]
        # The same files as the cold visit (the favicon may land in either list: the
        # browser fetches it beside the page, not as one of its resources).
        fetched = {e["url"] for e in cold} | {
            e["url"] for e in resources if "favicon" in str(e["url"])
        }
        assert resources and {e["url"] for e in resources} <= fetched, (cold, warm)
        assert [e for e in resources if int(str(e["bytes"])) > 0] == [], (name, warm)
        assert _total(warm) <= 50 * KB, (name, _total(warm), warm)


def test_the_respondents_form_opens_in_under_80_kilobytes(browser: Browser, demo: LiveApp) -> None:
    link = respondent_link(demo)
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="ja-JP")
    try:
        page = context.new_page()
        cold = _visit(page, link)
        expect(page.locator("form")).not_to_have_count(0)
        assert all(str(e["url"]).startswith(f"{demo.url}/") for e in cold), cold
        assert _total(cold) <= 80 * KB, (_total(cold), cold)
        warm = _visit(page, link)
        assert [e for e in warm if e["type"] == "resource" and int(str(e["bytes"])) > 0] == []
        assert _total(warm) <= 50 * KB, warm
    finally:
        context.close()
