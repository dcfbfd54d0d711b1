"""The review meeting in a real browser, on the demo's Kitahama Foods annual review: the
presenter stepped by the keyboard, then by a phone remote in a second browser (the
presenter follows without reloading), a commitment recorded on the phone shown on the
presenter and on the results page, the end, and the summary mail with its links."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Assessment, Kind, Partner, Side, State
from fitcheck.services.demo import DEMO_EMAIL

from .conftest import PHONE, serve, sign_in_as_demo_owner
from .test_accessibility_browser import report, violations

NewPage = Callable[..., Page]
PRESENTER = {"width": 1280, "height": 800}
OWNER = "owner@aozora.example"
PASSWORD = "correct horse battery"


def _kitahama_review(app) -> tuple[int, str]:
    """The id of Kitahama Foods' revealed annual review, and a client contact's address."""
    with app.app_context():
        try:
            review = db.session.scalar(
                select(Assessment)
                .join(Partner, Partner.id == Assessment.partner_id)
                .where(
                    Partner.name == "Kitahama Foods",
                    Assessment.kind == Kind.ANNUAL_REVIEW,
                    Assessment.state == State.REVEALED,
                )
            )
            assert review is not None
            client = next(r for r in review.respondents if r.side.value == "client" and r.email)
            return review.id, str(client.email)
        finally:
            db.session.remove()


def _shown(page: Page, step: int):
    return page.locator(f'.fc-step[data-step="{step}"]')


def test_a_meeting_stepped_by_keys_and_by_a_phone_ends_with_a_mailed_summary(
    tmp_path: Path, new_page: NewPage, screenshot: Callable[..., Path]
) -> None:
    with serve(tmp_path, demo=True) as live:
        live.app.config["MEETING_POLL_MS"] = 400  # the screens follow sooner than in a room
        review_id, client_address = _kitahama_review(live.app)
        presenter = new_page(viewport=PRESENTER)
        sign_in_as_demo_owner(presenter, live.url)
        presenter.goto(f"{live.url}/assessments/{review_id}/results")
        presenter.get_by_role("link", name="Start the review meeting").click()
        found = {"set-up": violations(presenter)}
        presenter.get_by_label("English").check()
        presenter.get_by_role("button", name="Start the meeting").click()
        meeting_url = f"{live.url}/assessments/{review_id}/meeting"
        expect(presenter).to_have_url(meeting_url)
        where = presenter.locator("[data-where]")
        expect(where).to_have_text("Overview")
        expect(_shown(presenter, 0)).to_be_visible()

        # The keyboard: → steps, a number jumps to that trait, End and Home.
        presenter.evaluate("window.sameDocument = true")
        presenter.keyboard.press("ArrowRight")
        expect(_shown(presenter, 1)).to_be_visible()
        expect(_shown(presenter, 0)).to_be_hidden()
        expect(where).to_contain_text("Trait 1 of 10")
        presenter.keyboard.press("3")
        expect(_shown(presenter, 3)).to_be_visible()
        presenter.keyboard.press("1")
        presenter.keyboard.press("0")
        expect(_shown(presenter, 10)).to_be_visible()
        presenter.keyboard.press("ArrowLeft")
        expect(_shown(presenter, 9)).to_be_visible()
        presenter.keyboard.press("End")
        expect(_shown(presenter, 11)).to_be_visible()
        expect(where).to_have_text("Summary")
        presenter.keyboard.press("Home")
        expect(_shown(presenter, 0)).to_be_visible()
        screenshot(presenter, "presenter-overview", full_page=False)
        labels = {
            step: _shown(presenter, step).locator("h1").text_content() or ""
            for step in range(1, 11)
        }

        # A phone in another browser: the remote shows where the meeting is, and steps it.
        phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
        sign_in_as_demo_owner(phone, live.url)
        # The meeting's address on a phone offers the remote first; a projector does not.
        phone.goto(meeting_url)
        expect(presenter.locator(".fc-phone-hint")).to_be_hidden()
        phone.get_by_role("link", name="On a phone? Open the remote instead.").click()
        expect(phone).to_have_url(f"{meeting_url}/remote")
        remote_where = phone.locator("[data-where]")
        expect(remote_where).to_have_text("Overview")
        phone.get_by_role("button", name="Next →").click()
        expect(remote_where).to_contain_text("Trait 1 of 10")
        expect(_shown(presenter, 1)).to_be_visible()  # followed, by polling
        phone.locator('[data-step-button="4"]').click()
        expect(_shown(presenter, 4)).to_be_visible()
        expect(remote_where).to_contain_text(labels[4])
        # …and the remote follows the presenter's keys.
        presenter.keyboard.press("ArrowRight")
        expect(remote_where).to_contain_text("Trait 5 of 10")
        presenter.keyboard.press("ArrowLeft")
        expect(remote_where).to_contain_text("Trait 4 of 10")
        assert presenter.evaluate("window.sameDocument") is True  # never reloaded

        # A commitment recorded on the phone, on the trait shown: on the presenter at once.
        expect(phone.locator("#trait_id")).to_have_value(
            _shown(presenter, 4).get_attribute("data-trait-id") or ""
        )
        phone.locator("#side").select_option(label="Kitahama Foods")
        phone.locator("#action").fill("Share next year's targets <before> the kick-off")
        phone.locator("#owner").fill("Nishida Aya")
        phone.locator("#due_on").fill("2027-03-31")
        phone.get_by_role("button", name="Record commitment").click()
        expect(phone.locator(".fc-recorded")).to_be_visible()
        expect(phone.locator("#action")).to_have_value("")
        made = _shown(presenter, 4).locator("[data-commitments-for]")
        expect(made).to_contain_text("Share next year's targets <before> the kick-off")
        expect(made.locator(".fc-new")).to_have_count(1)
        screenshot(presenter, "presenter-trait", full_page=False)
        screenshot(phone, "remote")
        found.update({"presenter": violations(presenter), "remote": violations(phone)})

        # …and on the results page.
        results = presenter.context.new_page()
        results.goto(f"{live.url}/assessments/{review_id}/results")
        expect(results.locator("section[aria-labelledby='commitments']")).to_contain_text(
            "Share next year's targets <before> the kick-off"
        )
        results.close()

        # The end, from the phone: both screens go to the summary.
        phone.locator("summary", has_text="End the meeting").click()
        phone.get_by_role("button", name="End the meeting and send the summary").click()
        expect(phone).to_have_url(re.compile(rf"/assessments/{review_id}/meetings/\d+$"))
        summary_url = phone.url
        expect(presenter).to_have_url(summary_url)
        expect(presenter.locator("body")).to_contain_text("Nishida Aya")
        found["summary"] = violations(presenter)
        assert not any(found.values()), report(found)
        # On paper: what was agreed, without the buttons.
        presenter.emulate_media(media="print")
        expect(presenter.locator("[data-print]")).to_be_hidden()
        expect(presenter.locator(".fc-agreed")).to_contain_text("Nishida Aya")
        presenter.emulate_media(media="screen")
        # The traits discussed: those the meeting stayed on (4 and 5 surely; the keys' quick
        # jumps may pass a step too fast to count), never one it was not shown.
        discussed = presenter.locator(".fc-discussed li")
        expect(discussed.filter(has_text=labels[4])).to_have_count(1)
        expect(discussed.filter(has_text=labels[5])).to_have_count(1)
        for never in (2, 6, 7, 8):
            expect(discussed.filter(has_text=labels[never])).to_have_count(0)

        # The summary mail, rendered as the worker sends it: the member's leads to the
        # summary, the client's contact's to their own results.
        assert summary_url in live.links("meeting_summary", DEMO_EMAIL)
        respondent_link = next(
            link for link in live.links("meeting_summary", client_address) if "/r/" in link
        )
        phone.goto(respondent_link)
        expect(phone.locator("section[aria-labelledby='commitments']")).to_contain_text(
            "Share next year's targets <before> the kick-off"
        )


def _small_round(app) -> tuple[int, str]:
    """A revealed round of a new workspace (one person a side), and its owner's email."""
    from fitcheck.models import TraitSet
    from fitcheck.services import accounts, assessments, partners
    from fitcheck.services.answers import AnswerInput, save_answers
    from fitcheck.services.respondents import add_respondent

    with app.app_context():
        try:
            owner = accounts.sign_up(
                workspace_name="Aozora Works", name="Owner", email=OWNER, password=PASSWORD
            )
            trait_set = db.session.scalar(
                select(TraitSet).where(TraitSet.workspace_id == owner.workspace_id)
            )
            partner = partners.create_partner(owner.workspace_id, name="Sakura Trading")
            round_ = assessments.create_assessment(partner, trait_set, kind=Kind.PRE_CONTRACT)
            people = [add_respondent(round_, side=side, name=side.value)[0] for side in Side]
            assessments.launch(round_, invite=False)
            for person in people:
                save_answers(
                    person,
                    [AnswerInput(trait_key=t.key, other=4, self_=3) for t in round_.traits],
                    submit=True,
                )
            assessments.reveal(round_)
            return round_.id, OWNER
        finally:
            db.session.remove()


def test_the_presenter_steps_with_its_links_without_javascript(
    tmp_path: Path, new_page: NewPage
) -> None:
    with serve(tmp_path) as live:
        round_id, email = _small_round(live.app)
        page = new_page(viewport=PRESENTER, java_script_enabled=False)
        page.goto(f"{live.url}/sign-in")
        page.locator("#email").fill(email)
        page.locator("#password").fill(PASSWORD)
        page.locator("#password").press("Enter")
        page.goto(f"{live.url}/assessments/{round_id}/meeting")
        page.get_by_role("button", name="Start the meeting").click()
        expect(_shown(page, 0)).to_be_visible()
        page.get_by_role("link", name="Next →").click()
        expect(page).to_have_url(re.compile(r"\?step=1$"))
        expect(_shown(page, 1)).to_be_visible()
        expect(_shown(page, 0)).to_be_hidden()
        page.locator(".fc-record summary").click()
        page.locator("#action").fill("Call every Monday")
        page.get_by_role("button", name="Record commitment").click()
        expect(page.locator(".alert-success")).to_contain_text("The commitment is recorded.")
        page.get_by_role("link", name="Phone remote").click()
        page.get_by_role("button", name="Next →").click()
        expect(page.locator("[data-where]")).to_contain_text("Trait 1 of 10")
        page.get_by_text("End the meeting…").click()
        page.get_by_role("button", name="End the meeting and send the summary").click()
        expect(page).to_have_url(re.compile(rf"/assessments/{round_id}/meetings/\d+$"))
        expect(page.locator(".fc-agreed")).to_contain_text("Call every Monday")
