"""A client's respondent reads the Japanese results, charts included, from their own side.

The page's text and the legends plotly draws call the reader's company 貴社 and the
other company by its name; 自社 (the staff's word for the workspace) appears nowhere.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from fitcheck.models import Assessment, Respondent, Side
from fitcheck.models.assessments import State

from .conftest import DESKTOP, PHONE, demo_respondent, serve
from .test_results_browser import wait_for_charts

NewPage = Callable[..., Page]


def test_a_client_respondent_reads_kisha_in_the_page_and_the_chart_legends(
    tmp_path: Path, new_page: NewPage, screenshot: Callable[..., Path]
) -> None:
    with serve(tmp_path, demo=True) as served:
        # A client respondent of a revealed round shared with the client, reading Japanese.
        token, company = demo_respondent(
            served.app,
            Assessment.state == State.REVEALED,
            Assessment.share_with_client.is_(True),
            Respondent.side == Side.CLIENT,
            Respondent.submitted_at.is_not(None),
            locale="ja",
        )
        link = f"/r/{token}/results"
        for viewport in (DESKTOP, PHONE):
            page = new_page(locale="ja-JP", viewport=viewport)
            page.goto(served.url + link)
            expect(page.locator("html")).to_have_attribute("lang", "ja")
            wait_for_charts(page)
            legends = page.locator(".fc-chart .legend text.legendtext").all_text_contents()
            assert any("貴社" in name for name in legends), legends
            assert not [name for name in legends if "自社" in name], legends
            text = page.locator("body").inner_text()
            assert "自社" not in text
            assert f"{company}から見た貴社" in text
            screenshot(page, f"client-respondent-ja-{viewport['width']}")
