"""axe-core in Chromium on every kind of page: no serious or critical violation of WCAG 2.x
A/AA, in English and Japanese, at desktop width and on a phone.

axe-core is vendored beside this file (tests/e2e/vendor, MPL-2.0) and injected through the
DevTools protocol, so the pages' Content-Security-Policy stays as it is served."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .conftest import DESKTOP, PHONE, LiveApp, serve, sign_in_as_demo_owner
from .test_page_weight_browser import respondent_link

AXE = (Path(__file__).resolve().parent / "vendor" / "axe-4.14.1.min.js").read_text()
SERIOUS = {"serious", "critical"}

RUN_AXE = """async () => {
  const results = await axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
    resultTypes: ['violations'],
  });
  return results.violations.map((v) => ({
    id: v.id, impact: v.impact, help: v.help,
    nodes: v.nodes.slice(0, 5).map((n) => ({
      target: n.target.join(' '), summary: n.failureSummary,
    })),
  }));
}"""


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """One demo server for the module: axe only reads the pages."""
    with serve(tmp_path_factory.mktemp("a11y"), demo=True) as served:
        yield served


# Every chart names the table that gives its numbers, and that table is on the page.
UNDESCRIBED_CHARTS = """() => [...document.querySelectorAll('.fc-chart')]
  .filter((chart) => {
    const table = document.getElementById(chart.getAttribute('aria-describedby') || '');
    return !table || !table.matches('table');
  })
  .map((chart) => chart.className)"""


def violations(page: Page) -> list[dict[str, Any]]:
    undescribed = page.evaluate(UNDESCRIBED_CHARTS)
    if undescribed:
        return [
            {
                "id": "chart-without-table",
                "impact": "serious",
                "nodes": [
                    {"target": name, "summary": "no aria-describedby to the table of its numbers"}
                    for name in undescribed
                ],
            }
        ]
    page.evaluate(AXE)
    found: list[dict[str, Any]] = page.evaluate(RUN_AXE)
    return [violation for violation in found if violation["impact"] in SERIOUS]


def report(found: dict[str, list[dict[str, Any]]]) -> str:
    """One line per violation and element: the page, the rule, the element, the fix."""
    return "\n".join(
        f"{name}: {v['id']} ({v['impact']}) {node['target']}: {node['summary'].splitlines()[-1]}"
        for name, found_here in found.items()
        for v in found_here
        for node in v["nodes"]
    )


def _staff_pages(page: Page, base: str) -> dict[str, str]:
    page.get_by_role("link", name=re.compile("Kitahama Foods|北浜")).first.click()
    partner = page.url
    page.locator("table tbody tr a[href*='/assessments/']").first.click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    assessment = page.url
    return {
        "partner list": f"{base}/partners/",
        "partner": partner,
        "assessment progress": assessment,
        "results": f"{assessment}/results",
        "report": f"{assessment}/report",
        "portfolio": f"{base}/portfolio/",
        "analysis": f"{base}/portfolio/analysis",
    }


@pytest.mark.parametrize(
    ("locale", "viewport"),
    [("en", DESKTOP), ("ja", DESKTOP), ("ja", PHONE)],
    ids=["en-1280", "ja-1280", "ja-390"],
)
def test_staff_pages_have_no_serious_violation(
    browser: Browser, demo: LiveApp, locale: str, viewport: dict[str, int]
):
    # On a phone the wide tables scroll sideways: each must be reachable by the keyboard.
    context = browser.new_context(viewport=viewport, locale="ja-JP" if locale == "ja" else "en-US")
    try:
        page = context.new_page()
        page.goto(f"{demo.url}/sign-in")
        found = {"sign-in": violations(page)}
        sign_in_as_demo_owner(page, demo.url)
        for name, url in _staff_pages(page, demo.url).items():
            page.goto(url)
            page.wait_for_load_state("networkidle")
            found[name] = violations(page)
    finally:
        context.close()
    assert not any(found.values()), report(found)


def test_the_respondents_form_on_a_japanese_phone_has_no_serious_violation(
    browser: Browser, demo: LiveApp
):
    context = browser.new_context(viewport=PHONE, locale="ja-JP", is_mobile=True, has_touch=True)
    try:
        page = context.new_page()
        page.goto(respondent_link(demo))
        page.wait_for_load_state("networkidle")
        found = violations(page)
    finally:
        context.close()
    assert found == [], report({"respondent's form": found})
