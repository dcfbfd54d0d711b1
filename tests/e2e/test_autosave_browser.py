"""The survey's autosave and its Save button, when both are on the wire at once.

An autosave's answer refreshes the session cookie. If the Save button's form went out while
an autosave was still on its way, the autosave's cookie could land after the form's and
wipe the "Saved" notice the form's answer put in it (seen in CI as a missing notice). The
page's script holds the form until the autosave has come back; this test holds an autosave
in the network and clicks Save meanwhile.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, Request, Route, expect
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Assessment, Respondent
from fitcheck.models.assessments import State
from fitcheck.services import invitations

from .conftest import serve

NewPage = Callable[..., Page]


def _open_respondent_link(app) -> str:
    """The personal link of a demo respondent who has not answered yet."""
    with app.app_context():
        try:
            respondent = db.session.scalar(
                select(Respondent)
                .join(Assessment, Assessment.id == Respondent.assessment_id)
                .where(
                    Assessment.state == State.COLLECTING,
                    Respondent.submitted_at.is_(None),
                    Respondent.declined_at.is_(None),
                )
                .order_by(Respondent.id)
                .limit(1)
            )
            assert respondent is not None, "the demo has a round still collecting answers"
            return f"/r/{invitations.link_token(respondent)}/answers"
        finally:
            db.session.remove()


def test_save_waits_for_an_autosave_on_its_way_and_keeps_its_notice(
    tmp_path: Path, new_page: NewPage
) -> None:
    with serve(tmp_path, demo=True) as served:
        page = new_page(locale="en-US")
        page.goto(served.url + _open_respondent_link(served.app))

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
