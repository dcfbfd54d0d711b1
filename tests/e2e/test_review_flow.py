"""The annual review in a real browser, on the demo workspace: from a revealed round the
staff start the next one (prefilled with last round's people and settings), launch it,
four people answer through their personal links, the staff reveal, and the results show
what changed since the last round, what became of last round's commitments, and the
radar with last round ghosted behind; the partner's timeline grows by one round. And the
portfolio's "like attracts like" page draws its 3D surface (WebGL: SwiftShader in
headless chromium)."""

from __future__ import annotations

import base64
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from playwright.sync_api import Locator, Page, expect

from fitcheck.charts.theme import CLIENT_COLOUR, COMPANY_COLOUR
from fitcheck.defaults import BRAND_PARTNER
from fitcheck.services import demo

from .conftest import PHONE, sign_in_as_demo_owner

Screenshot = Callable[..., Path]
NewPage = Callable[..., Page]

PARTNER = "Kitahama Foods"
TRAITS = [trait.key for trait in BRAND_PARTNER.traits]
LABELS = {trait.key: trait.label_en for trait in BRAND_PARTNER.traits}
COMPANY_PEOPLE = [name for name, _email in demo.COMPANY_STAFF]
CLIENT_PEOPLE = [
    name for plan in demo.PLANS if plan.name == PARTNER for name, _email, _title in plan.contacts
]
# Last round's two promises: one still open (carried into the new round at launch), one
# kept (it stays with last round).
OPEN = "REVIEW-E2E-open: a monthly call with the client's marketing lead"
KEPT = "REVIEW-E2E-kept: answer every request within one working day"
# "No change" below an eighth of the scale: 0.5 point per trait, 12.5 for the mirror score.
STEP = (5 - 1) / 8
SCORE_STEP = 100 / 8
# Always the numbers; "no change" (below the step) only as a note after them.
CHANGED = re.compile(r"(-?\d+\.\d+) → (-?\d+\.\d+) \(([+-]\d+\.\d+)\)( no change)?")

# Every trace plotly drew on the radar and listed in its legend (not a side's spread), in
# drawing order: its name (legend line breaks undone), line colour and style, and whether
# its outline has a shape on screen.
RADAR_TRACES = """() => [...document.querySelectorAll('.fc-radar g.trace')].map((g) => {
  const trace = g.__data__ && g.__data__[0] && g.__data__[0].trace;
  return {
    name: trace ? trace.name.replace(/<br>/g, ' ') : '',
    colour: trace && trace.line ? trace.line.color : '',
    dash: trace && trace.line ? trace.line.dash : '',
    listed: Boolean(trace && trace.showlegend !== false),
    drawn: [...g.querySelectorAll('path')].some((p) => (p.getAttribute('d') || '').length > 8),
  };
}).filter((trace) => trace.listed).map(({listed, ...trace}) => trace)"""

# How many different colours a PNG (base64) has, sampled: a WebGL canvas that drew
# nothing is one flat colour.
COLOURS = """async (png) => {
  const image = new Image();
  image.src = 'data:image/png;base64,' + png;
  await image.decode();
  const canvas = document.createElement('canvas');
  canvas.width = image.width;
  canvas.height = image.height;
  const context = canvas.getContext('2d', {willReadFrequently: true});
  context.drawImage(image, 0, 0);
  const pixels = context.getImageData(0, 0, image.width, image.height).data;
  const seen = new Set();
  for (let i = 0; i < pixels.length; i += 4 * 7) {
    seen.add((pixels[i] << 16) | (pixels[i + 1] << 8) | pixels[i + 2]);
  }
  return seen.size;
}"""


@dataclass(frozen=True)
class LastRound:
    """What the previous round's results page showed, to compare the new round with."""

    gaps: dict[str, tuple[float, float, float]]  # trait label → (gap, them, us)
    score: float
    revealed_on: str
    settings: dict[str, str]


def ratings(side: str, person: int, index: int) -> tuple[int, int, int]:
    """(the other side, own side, importance) as `person` of `side` rates trait `index`.

    The company rates the client low (1.5 or 2 on average, below last round everywhere),
    the client rates the company from 3.5 to 5: changes both ways, and a shaped radar.
    """
    if side == "company":
        other = 1 + index % 2 if person == 0 else 2
        own = 4 + (index + person) % 2
    else:
        other = 3 + index % 3 if person == 0 else 4 + index % 2
        own = 2 + (index + person) % 2
    return other, own, (index + person) % 5 + 1


def means(side: str) -> dict[str, float]:
    """Per trait key, the mean rating `side`'s two respondents give the other side."""
    return {
        key: sum(ratings(side, person, index)[0] for person in (0, 1)) / 2
        for index, key in enumerate(TRAITS)
    }


def number(text: str) -> float:
    """The first number in a text ("+0.25 aligned" → 0.25, "37.5 / 100" → 37.5)."""
    found = re.search(r"[+-]?\d+\.\d+", text)
    assert found, text
    return float(found.group())


def flashed(page: Page) -> Locator:
    return page.locator("main > .alert[role='status']")


def wait_for_charts(page: Page, count: int) -> None:
    expect(page.locator(".fc-chart[data-drawn]")).to_have_count(count)


def settings(page: Page) -> dict[str, str]:
    """An assessment page's settings that a next round copies (not its deadline)."""
    terms = page.locator("main dl.row dt").all_inner_texts()
    values = page.locator("main dl.row dd").all_inner_texts()
    copied = ("Reveal", "Anonymity threshold", "Client sees results")
    return {term: value for term, value in zip(terms, values, strict=True) if term in copied}


def commitment_row(page: Page, action: str) -> Locator:
    return page.locator("section[aria-labelledby='commitments'] tbody tr").filter(has_text=action)


def record_commitment(page: Page, trait: str, action: str, owner: str) -> None:
    page.get_by_label("Trait", exact=True).select_option(label=LABELS[trait])
    page.get_by_label("Who promises").select_option("company")
    page.get_by_label("What will be done").fill(action)
    page.get_by_label("Person responsible").fill(owner)
    page.get_by_label("Due date").fill("2026-03-31")
    page.get_by_role("button", name="Record commitment").click()
    expect(flashed(page)).to_have_text("The commitment is recorded.")
    expect(commitment_row(page, action)).to_have_count(1)


def open_last_round_and_promise(page: Page) -> LastRound:
    """Partner page → the revealed annual review → its results; two commitments, one kept."""
    row = page.locator("table tbody tr").filter(has_text="Annual partnership review")
    expect(row).to_have_count(1)
    expect(row.locator(".badge")).to_have_text("Revealed")
    row.get_by_role("link").click()
    copied = settings(page)
    page.get_by_role("link", name="See the results").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/results$"))
    gaps: dict[str, tuple[float, float, float]] = {}
    for line in page.locator("section[aria-labelledby='gaps'] tbody tr").all():
        gap, _flags, them, us = line.locator("td").all_inner_texts()[:4]
        # In the order of the "since" table's columns: the gap, then both views.
        gaps[line.locator("th").inner_text().strip()] = (number(gap), number(them), number(us))
    assert sorted(gaps) == sorted(LABELS.values())
    revealed_on = re.search(r"revealed on (.+)$", page.locator("main > p").first.inner_text())
    assert revealed_on, "last round's reveal date is not shown"
    last = LastRound(
        gaps=gaps,
        score=number(page.locator(".fc-glance .display-6").inner_text()),
        revealed_on=revealed_on.group(1),
        settings=copied,
    )

    record_commitment(page, TRAITS[1], OPEN, "Sato Haruka")
    record_commitment(page, TRAITS[2], KEPT, "Ito Kenji")
    commitment_row(page, KEPT).get_by_role("button", name="done").click()
    expect(commitment_row(page, KEPT).get_by_role("button", name="done")).to_have_attribute(
        "aria-pressed", "true"
    )
    return last


def start_next_round(page: Page, partner_url: str, last: LastRound) -> dict[str, str]:
    """Start the next review from the partner's page, check the draft, launch it.

    Returns each respondent's personal link, by name.
    """
    page.goto(partner_url)
    page.get_by_role("button", name="Start the next annual review").click()
    expect(flashed(page)).to_contain_text("The next round is ready as a draft")
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Annual partnership review")
    expect(heading).to_contain_text("Draft")
    draft_url = page.url
    assert settings(page) == last.settings
    people = page.locator("#respondents ~ .table-responsive tbody tr")
    expect(people).to_have_count(len(COMPANY_PEOPLE) + len(CLIENT_PEOPLE))
    for names, side in ((COMPANY_PEOPLE, "Ours"), (CLIENT_PEOPLE, "Client")):
        for name in names:
            expect(people.filter(has_text=name).locator("td").nth(1)).to_have_text(side)
    page.get_by_role("link", name="Edit settings").click()
    expect(page.locator("#kind")).to_have_value("annual_review")
    page.goto(draft_url)

    page.get_by_role("button", name="Launch and send invitations").click()
    page.get_by_role("dialog").get_by_role("button", name="Launch and send invitations").click()
    expect(flashed(page)).to_contain_text("Launched")
    expect(heading).to_contain_text("Collecting answers")
    links = {
        name: page.get_by_role("textbox", name=f"Personal link of {name}").input_value()
        for name in COMPANY_PEOPLE + CLIENT_PEOPLE
    }
    assert len(set(links.values())) == len(links)
    return links


def answer(page: Page, link: str, side: str, person: int) -> None:
    """Open the personal link, choose every rating, self-rating and importance, submit.

    Each option is a native radio followed by its large label; a click on the label
    chooses it. The click is dispatched rather than aimed (no scrolling to each of thirty
    labels): test_survey_flow taps them as a person does, here only the answers matter.
    """
    page.goto(link)
    page.locator("main a.btn-primary").click()
    expect(page).to_have_url(f"{link}/answers")
    expect(page.locator("fieldset.fc-trait")).to_have_count(len(TRAITS))
    for index, key in enumerate(TRAITS):
        values = ratings(side, person, index)
        for part, value in zip(("other", "self", "importance"), values, strict=True):
            label = page.locator(f"input[name='{key}-{part}'][value='{value}'] + label")
            label.dispatch_event("click")
    page.locator(".fc-actions button[name=action][value=submit]").click()
    expect(page).to_have_url(f"{link}/done")


def check_since_the_last_round(page: Page, last: LastRound) -> None:
    """The mirror score's change and, per trait, both views' and the gap's: each last
    round's value → this round's (± the change), noted "no change" when below the step."""
    since = page.locator("section[aria-labelledby='since']")
    expect(since.get_by_role("heading", name="Since the last round")).to_be_visible()
    expect(since.locator("p").first).to_contain_text(
        f"Last round: Annual partnership review, revealed on {last.revealed_on}."
    )
    score = number(page.locator(".fc-glance .display-6").inner_text())
    score_change = since.locator("dt:text-is('Mirror score') + dd").inner_text()
    found = CHANGED.fullmatch(score_change.strip())
    assert found, score_change
    assert (float(found.group(1)), float(found.group(2))) == (last.score, score), score_change
    if abs(score - last.score) < SCORE_STEP - 0.05:
        assert found.group(4), score_change
    elif abs(score - last.score) > SCORE_STEP + 0.05:
        assert not found.group(4), score_change

    them, us = means("company"), means("client")
    rows = since.locator("tbody tr")
    expect(rows).to_have_count(len(TRAITS))
    changed = {"gap": 0, "them": 0, "us": 0}  # the gap first: on a phone it stays in view
    for row in rows.all():
        label = row.locator("th").inner_text().strip()
        key = next(key for key, text in LABELS.items() if text == label)
        now = (them[key] - us[key], them[key], us[key])
        cells = row.locator("td").all_inner_texts()
        for column, old, new, text in zip(changed, last.gaps[label], now, cells, strict=True):
            where = (label, column, text)
            found = CHANGED.fullmatch(text.strip())
            assert found, where
            assert (float(found.group(1)), float(found.group(2))) == (old, new), where
            if found.group(4):  # no change
                assert abs(new - old) < STEP + 0.01, where
                continue
            assert abs(new - old) > STEP - 0.01, where
            changed[column] += 1
    # The company's view of the client fell by at least half a point on every trait.
    assert changed["them"] == len(TRAITS), changed

    # Last round's commitments with their status; the open one was carried in.
    promised = since.locator("li")
    expect(promised.filter(has_text=OPEN)).to_contain_text("— open")
    expect(promised.filter(has_text=OPEN)).to_contain_text("carried into this round")
    expect(promised.filter(has_text=KEPT)).to_contain_text("— done")
    expect(promised.filter(has_text=KEPT)).not_to_contain_text("carried into this round")
    expect(commitment_row(page, OPEN)).to_contain_text(LABELS[TRAITS[1]])
    expect(commitment_row(page, OPEN).get_by_role("button", name="open")).to_have_attribute(
        "aria-pressed", "true"
    )
    expect(commitment_row(page, KEPT)).to_have_count(0)


def check_radar_ghosts_last_round(page: Page) -> None:
    """This round's four profiles, and last round's two, each in its side's colour with a
    line style of its own, drawn first (behind)."""
    traces = page.evaluate(RADAR_TRACES)
    ghosts = [trace for trace in traces if trace["name"].endswith("last round")]
    assert [trace["name"] for trace in ghosts] == [
        "Client as seen by the company, last round",
        "Company as seen by the client, last round",
    ], traces
    assert [trace["colour"] for trace in ghosts] == [CLIENT_COLOUR, COMPANY_COLOUR], ghosts
    assert len({(trace["colour"], trace["dash"]) for trace in traces}) == len(traces), traces
    assert traces[:2] == ghosts, "last round is drawn over this one"
    assert len(traces) == 6 and all(trace["drawn"] for trace in traces), traces
    legend = page.locator(".fc-radar .legend text.legendtext").all_text_contents()
    assert sum("last round" in text for text in legend) == 2, legend


def test_annual_review_from_last_round_to_the_timeline(
    new_page: NewPage, demo_server: str, screenshot: Screenshot
) -> None:
    staff = new_page()
    sign_in_as_demo_owner(staff, demo_server)
    staff.get_by_role("link", name=PARTNER).click()
    partner_url = staff.url
    last = open_last_round_and_promise(staff)
    links = start_next_round(staff, partner_url, last)
    assessment_url = staff.url

    # Each answers through their own link, in their own browser; one on a phone.
    cast = [("company", index, name) for index, name in enumerate(COMPANY_PEOPLE)]
    cast += [("client", index, name) for index, name in enumerate(CLIENT_PEOPLE)]
    for side, index, name in cast:
        on_phone = side == "client" and index == 1
        respondent = new_page(**({"viewport": PHONE, "is_mobile": True} if on_phone else {}))
        answer(respondent, links[name], side, index)

    staff.goto(assessment_url)
    expect(staff.locator(".card.fc-side-company")).to_contain_text("2 of 2 answered")
    expect(staff.locator(".card.fc-side-client")).to_contain_text("2 of 2 answered")
    staff.get_by_role("button", name="Reveal the results").click()
    staff.get_by_role("dialog").get_by_role("button", name="Reveal the results").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Revealed")
    staff.get_by_role("link", name="See the results").click()
    results_url = staff.url
    wait_for_charts(staff, 2)
    check_since_the_last_round(staff, last)
    check_radar_ghosts_last_round(staff)
    score = staff.locator(".fc-glance .display-6").inner_text().split()[0]
    screenshot(staff, "results-desktop")

    # The same results on a phone: the page never scrolls sideways; a table wider than
    # the screen scrolls inside its own box, so no column is out of reach.
    signed_in = staff.context.storage_state()
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True, storage_state=signed_in)
    phone.goto(results_url)
    wait_for_charts(phone, 2)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    box = phone.locator("section[aria-labelledby='since'] .table-responsive").evaluate(
        "(box) => ({wide: box.scrollWidth > box.clientWidth,"
        " scrolls: ['auto', 'scroll'].includes(getComputedStyle(box).overflowX)})"
    )
    assert box["scrolls"] or not box["wide"], box
    # Scrolled sideways, the trait table keeps each row's trait name at its left edge.
    gaps = phone.locator("section[aria-labelledby='gaps'] .table-responsive")
    edges = gaps.evaluate(
        "(box) => { box.scrollLeft = 200; const name = box.querySelector('tbody th');"
        " const left = name.getBoundingClientRect().left - box.getBoundingClientRect().left;"
        " return [box.scrollLeft, left]; }"
    )
    assert edges[0] > 0 and abs(edges[1]) < 1, edges
    # Commitments stack into labelled lines: every status button is within the screen.
    buttons = phone.locator("section[aria-labelledby='commitments'] button")
    expect(buttons.first).to_be_visible()
    right_edges = buttons.evaluate_all("(all) => all.map((b) => b.getBoundingClientRect().right)")
    assert right_edges and max(right_edges) <= PHONE["width"], right_edges
    screenshot(phone, "results-phone")
    for anchor in ("#since", ".fc-radar"):
        # "instant": Bootstrap makes scrolling smooth, and the picture would catch it midway.
        phone.locator(anchor).evaluate("(element) => element.scrollIntoView({behavior: 'instant'})")
        screenshot(phone, f"results-phone-{anchor.strip('#.')}", full_page=False)

    # The partner's timeline: three revealed rounds, oldest first, and its chart.
    staff.goto(partner_url)
    staff.get_by_role("link", name="Timeline").click()
    rounds = staff.locator("table tbody tr")
    expect(rounds).to_have_count(3)
    expect(rounds.last).to_contain_text("Annual partnership review")
    expect(rounds.last.locator("td").nth(2)).to_have_text(score)  # revealed, verdict
    # Compared with the round it continues: the numbers of both, whatever the step.
    expect(rounds.last.locator("td").last).to_contain_text(f" → {score} (")
    expect(rounds.last.locator("td").last).to_contain_text("Last round: Annual partnership review")
    wait_for_charts(staff, 1)
    points = staff.evaluate(
        "() => document.querySelector('.fc-chart .js-plotly-plot').data.map((t) => t.x.length)"
    )
    assert points and all(count == 3 for count in points), points
    screenshot(staff, "timeline")
    # On a phone the table scrolls inside its box, each round's name kept at the left edge.
    phone.goto(staff.url)
    wait_for_charts(phone, 1)
    assert phone.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    table = phone.locator(".table-responsive")
    edges = table.evaluate(
        "(box) => { box.scrollLeft = 200; const name = box.querySelector('tbody th');"
        " const left = name.getBoundingClientRect().left - box.getBoundingClientRect().left;"
        " return [box.scrollLeft, left]; }"
    )
    assert edges[0] > 0 and abs(edges[1]) < 1, edges
    screenshot(phone, "timeline-phone")


def test_portfolio_analysis_draws_its_surface_with_webgl(
    page: Page, demo_server: str, screenshot: Screenshot
) -> None:
    sign_in_as_demo_owner(page, demo_server)
    page.goto(f"{demo_server}/portfolio/analysis")
    expect(page.locator("#verdict")).to_be_visible()
    expect(page.locator("#verdict")).to_have_attribute("data-verdict", re.compile(r"^[a-z_]+$"))
    expect(page.locator("#coefficients tbody tr")).to_have_count(6)
    wait_for_charts(page, 1)
    # charts.js marks the container as soon as plotly starts; the scene is drawn by WebGL on
    # one canvas, which a browser without WebGL leaves out (plotly then says so instead).
    canvas = page.locator(".fc-chart canvas")
    expect(canvas).to_have_count(1)
    expect(page.locator(".fc-chart .no-webgl")).to_have_count(0)
    assert page.evaluate(
        "() => { const gl = document.querySelector('.fc-chart canvas').getContext('webgl');"
        " return gl !== null && !gl.isContextLost(); }"
    ), "the surface's canvas has no live WebGL context"
    png = base64.b64encode(canvas.screenshot()).decode("ascii")
    colours = page.evaluate(COLOURS, png)
    assert colours > 32, f"the WebGL canvas is (nearly) blank: {colours} colours"
    screenshot(page, "analysis")
