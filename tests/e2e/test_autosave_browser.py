"""The survey's autosave and its Save button, when both are on the wire at once.

An autosave carries what the page held a moment before. If the Save button's form went
out while it was on its way, the older copy could be written last; and while autosaves
still rewrote the session cookie (they no longer do: see `extensions.LoginManager`), its
cookie could wipe the "Saved" notice the form's answer had set. The page's script holds
the form until the autosave has come back, for a few seconds at most.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, Request, Route, expect

from fitcheck.models import Assessment, Respondent
from fitcheck.models.assessments import State

from .conftest import demo_respondent, serve

NewPage = Callable[..., Page]


@pytest.fixture
def survey_page(tmp_path: Path, new_page: NewPage) -> Iterator[Page]:
    """A demo respondent's survey form, open in English, not yet submitted."""
    with serve(tmp_path, demo=True) as served:
        page = new_page(locale="en-US")
        token, _ = demo_respondent(
            served.app,
            Assessment.state == State.COLLECTING,
            Respondent.submitted_at.is_(None),
            Respondent.declined_at.is_(None),
        )
        page.goto(f"{served.url}/r/{token}/answers")
        yield page


def test_save_waits_for_an_autosave_on_its_way_and_keeps_its_notice(survey_page: Page) -> None:
    page = survey_page
    held: list[Route] = []
    page.route("**/autosave", lambda route: held.append(route))
    events: list[str] = []

    def seen(request: Request) -> None:
        if request.method == "POST" and request.url.endswith("/answers"):
            events.append("form sent")

    page.on("request", seen)
    choice = page.locator("fieldset.fc-question input[type=radio]:not(:checked)").first
    choice_id = choice.get_attribute("id")
    with page.expect_request("**/autosave"):
        page.locator(f"label[for='{choice_id}']").click()
    # The route handler runs when Playwright next talks to the browser: a frame or two.
    for _ in range(100):
        if held:
            break
        page.evaluate("() => new Promise(requestAnimationFrame)")
    assert len(held) == 1

    page.locator(".fc-actions button[name=action][value=save]").click()
    events.append("autosave released")
    held[0].continue_()

    saved = page.locator("main .alert-success[role=status]")
    expect(saved).to_be_visible()
    expect(saved).to_contain_text("Saved at")
    assert events == ["autosave released", "form sent"]
    expect(page.locator(f"#{choice_id}")).to_be_checked()


def test_save_goes_anyway_when_an_autosave_never_comes_back(survey_page: Page) -> None:
    """The hold has a limit: a network that swallows the autosave must not keep the form."""
    page = survey_page
    page.route("**/autosave", lambda route: None)  # never answered
    choice = page.locator("fieldset.fc-question input[type=radio]:not(:checked)").first
    choice_id = choice.get_attribute("id")
    with page.expect_request("**/autosave"):
        page.locator(f"label[for='{choice_id}']").click()

    save = page.locator(".fc-actions button[name=action][value=save]")
    save.click()
    save.click()  # impatient: the second click neither sends twice nor cancels the first
    saved = page.locator("main .alert-success[role=status]")
    expect(saved).to_contain_text("Saved at")
    expect(page.locator(f"#{choice_id}")).to_be_checked()
