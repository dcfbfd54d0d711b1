"""Every chart page draws every trace of its figures with the plotly.js it loads.

The pages load slimmed plotly.js bundles (js/plotly): one that lacks a trace type a page
needs draws nothing for that trace, or worse draws it as a scatter (plotly.js takes an
unknown `type` for its default), and says nothing in the console. So for every chart this
compares the figure the server embedded (`script.fc-figure`) with what plotly.js made of it:
each visible trace must come back with its own type and a registered module in
`gd._fullData`, and be drawn: an SVG trace group, or a trace of a WebGL scene. The test
inspects the drawn charts only, whichever script tags a page uses to load plotly.js.
"""

from __future__ import annotations

import base64
import contextlib
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from playwright.sync_api import ConsoleMessage, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeout

from .conftest import sign_in_as_demo_owner

NewPage = Callable[..., Page]
Screenshot = Callable[..., Path]

# Per chart: the traces of its figure, and those plotly.js drew, as their types.
TRACES = """(chart) => {
  const figure = JSON.parse(chart.querySelector('script.fc-figure').textContent);
  const plot = chart.querySelector('.js-plotly-plot');
  const typeOf = (trace) => trace.type || 'scatter';
  const wanted = figure.data.filter((trace) => [undefined, true].includes(trace.visible));
  const groups = new Set([...chart.querySelectorAll('g.trace')].map((group) => {
    const data = group.__data__;
    return data && data[0] && data[0].trace ? data[0].trace.uid : null;
  }));
  const drawnAt = (trace) => {
    const subplot = trace._module.basePlotModule.name;
    if (subplot === 'gl3d') {
      const scene = plot._fullLayout[trace.scene]._scene;
      return Boolean(scene && scene.glplot && scene.traces[trace.uid]);
    }
    return groups.has(trace.uid);
  };
  const full = (plot && plot._fullData) || [];
  return {
    label: chart.getAttribute('aria-label'),
    wanted: wanted.map(typeOf),
    drawn: full.filter((trace) => trace.visible !== false && trace._module
                        && trace.type === typeOf(figure.data[trace.index]) && drawnAt(trace))
               .map((trace) => trace.type),
    taken: full.filter((trace) => trace.type !== typeOf(figure.data[trace.index]))
               .map((trace) => `${typeOf(figure.data[trace.index])} taken for ${trace.type}`),
    noWebGL: Boolean(chart.querySelector('.no-webgl')),
  };
}"""

# What plotly.js or the browser says when a trace type or WebGL is missing.
MISSING = re.compile(
    r"not registered|unrecognized trace|no-webgl|webgl is not supported|webgl setup failed|"
    r"context lost",
    re.IGNORECASE,
)

# The pixels of a screenshot in a strong colour where red is not the strongest: the
# surface's Viridis purples, teals and greens; the rest of the analysis chart is grey,
# black or orange (the line of incongruence). Decoded in a blank page, outside the site's
# Content-Security-Policy.
VIRIDIS_PIXELS = """async (png) => {
  const bytes = Uint8Array.from(atob(png), (c) => c.charCodeAt(0));
  const bitmap = await createImageBitmap(new Blob([bytes], {type: 'image/png'}));
  const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
  const context = canvas.getContext('2d');
  context.drawImage(bitmap, 0, 0);
  const pixels = context.getImageData(0, 0, bitmap.width, bitmap.height).data;
  let count = 0;
  for (let i = 0; i < pixels.length; i += 4) {
    const [red, green, blue] = [pixels[i], pixels[i + 1], pixels[i + 2]];
    const strong = Math.max(red, green, blue) - Math.min(red, green, blue) > 60;
    if (strong && Math.max(green, blue) > red) count += 1;
  }
  return count;
}"""


class ChartWatch:
    """A page's console, from its first script on, to find what plotly.js said."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.messages: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.messages.append(f"script error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        self.messages.append(f"{message.type}: {message.text}")

    def assert_every_trace_drawn(self, charts: int) -> list[dict[str, Any]]:
        """Wait until the page's `charts` charts are drawn whole, or fail naming what is not."""
        page = self.page
        expect(page.locator(".fc-chart")).to_have_count(charts)
        expect(page.locator(".fc-chart[data-drawn]")).to_have_count(charts)
        # WebGL scenes may come a frame or two after the call that drew the SVG; when the
        # wait runs out, the assertions below say what is missing.
        with contextlib.suppress(PlaywrightTimeout):
            page.wait_for_function(
                f"""() => [...document.querySelectorAll('.fc-chart')].every((chart) => {{
                      const found = ({TRACES})(chart);
                      return found.drawn.length === found.wanted.length; }})""",
                timeout=10_000,
            )
        found: list[dict[str, Any]] = page.locator(".fc-chart").evaluate_all(
            f"(charts) => charts.map({TRACES})"
        )
        for chart in found:
            assert chart["wanted"], f"{page.url}: a chart without traces: {chart['label']}"
            assert chart["drawn"] == chart["wanted"], f"{page.url}: {chart}"
            assert chart["taken"] == [], f"{page.url}: {chart}"
            assert not chart["noWebGL"], f"{page.url}: no WebGL for {chart['label']}"
        said = [message for message in self.messages if MISSING.search(message)]
        assert said == [], f"{page.url}: {said}"
        return found


def test_every_chart_page_draws_every_trace_of_its_figures(
    new_page: NewPage, demo_server: str, screenshot: Screenshot
) -> None:
    page = new_page()
    watch = ChartWatch(page)
    sign_in_as_demo_owner(page, demo_server)
    page.get_by_role("link", name="Kitahama Foods").click()
    partner_url = page.url
    row = page.locator("table tbody tr").filter(has_text="Annual partnership review")
    expect(row.locator(".badge")).to_have_text("Revealed")
    row.get_by_role("link").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    # A company respondent's personal link, as the staff copy it from the progress page.
    ours = page.locator("tbody tr").filter(
        has=page.locator("td[data-label='Side']", has_text="Ours")
    )
    respondent_link = ours.first.locator("td.fc-link input").input_value()
    assert respondent_link.startswith(f"{demo_server}/r/"), respondent_link

    # The round: the mirror radar (scatterpolar) and the gap bars (bar), on screen and
    # in the printed report.
    page.get_by_role("link", name="See the results").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/results$"))
    results = watch.assert_every_trace_drawn(charts=2)
    assert {trace for chart in results for trace in chart["wanted"]} == {"scatterpolar", "bar"}
    page.get_by_role("link", name="Printable report").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/report$"))
    watch.assert_every_trace_drawn(charts=2)

    # The partner's rounds on a date axis (scatter).
    page.goto(partner_url)
    page.get_by_role("link", name="Timeline").click()
    expect(page).to_have_url(re.compile(r"/partners/\d+/timeline$"))
    assert watch.assert_every_trace_drawn(charts=1)[0]["wanted"] == ["scatter"] * 3

    # The portfolio (scatter with a colour bar and shapes), then its analysis: the fitted
    # surface (surface) and the rounds and lines on it (scatter3d) in a WebGL scene.
    page.get_by_role("navigation").get_by_role("link", name="Portfolio").click()
    expect(page).to_have_url(re.compile(r"/portfolio/$"))
    assert watch.assert_every_trace_drawn(charts=1)[0]["wanted"] == ["scatter"]
    page.get_by_role("link", name="Does like attract like here?").click()
    expect(page).to_have_url(re.compile(r"/portfolio/analysis$"))
    analysis = watch.assert_every_trace_drawn(charts=1)
    assert analysis[0]["wanted"][0] == "surface"
    assert set(analysis[0]["wanted"][1:]) == {"scatter3d"}
    # Drawn means painted: the surface's colours are on the screen, not a blank canvas.
    png = page.locator(".fc-chart").screenshot()
    screenshot(page, "analysis")
    blank = page.context.new_page()
    try:
        surface_pixels = blank.evaluate(VIRIDIS_PIXELS, base64.b64encode(png).decode("ascii"))
    finally:
        blank.close()
    assert surface_pixels > 10_000, f"the surface is not painted ({surface_pixels} pixels)"

    # A company respondent's own results, through the personal link, signed in as nobody.
    respondent = new_page()
    respondent_watch = ChartWatch(respondent)
    respondent.goto(respondent_link)
    respondent.locator("main a.btn-primary").click()
    expect(respondent).to_have_url(re.compile(r"/r/[^/]+/results$"))
    own = respondent_watch.assert_every_trace_drawn(charts=2)
    assert {trace for chart in own for trace in chart["wanted"]} == {"scatterpolar", "bar"}
