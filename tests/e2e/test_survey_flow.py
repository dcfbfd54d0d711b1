"""One whole round in a real browser: staff set it up and launch it, four people answer
through their personal links (English and Japanese, desktop and phone), nothing anyone
wrote shows before the reveal, and after it the comments appear grouped, never by name."""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import Page, expect

from fitcheck.defaults import BRAND_PARTNER

from ..support import PASSWORD
from .conftest import DESKTOP, PHONE, LiveApp

Screenshot = Callable[..., Path]
NewPage = Callable[..., Page]

TRAITS = [trait.key for trait in BRAND_PARTNER.traits]
PARTNER = "Shirakawa Tea Co."
COMPANY = "Hamamatsu Creative Works"
# The trait one respondent leaves half-answered at first, to see the inline error.
MISSING = TRAITS[-1]

# Everything the survey form would post, as {field name: value}, without the CSRF token.
FORM_STATE = """() => {
  const data = new FormData(document.getElementById('survey'));
  data.delete('csrf_token');
  return Object.fromEntries([...data.entries()].filter(([, value]) => value !== ''));
}"""


@dataclass
class Respondent:
    name: str
    side: str  # "company" or "client"
    locale: str
    viewport: dict[str, int]
    seed: int
    link: str = ""
    page: Page | None = field(default=None, repr=False)

    @property
    def marker(self) -> str:
        return f"MARKER-{self.name.split()[0].lower()}"

    @property
    def commented(self) -> list[str]:
        """Traits this respondent comments on: one shared with its side, one of its own."""
        return [TRAITS[0], TRAITS[1 + self.seed]]

    def answers(self) -> dict[str, str]:
        """Varied ratings (and a "can't judge" from some), importance on some traits."""
        state: dict[str, str] = {}
        for index, key in enumerate(TRAITS):
            state[f"{key}-other"] = str((index * (self.seed + 2) + self.seed) % 5 + 1)
            state[f"{key}-self"] = str((index * 3 + self.seed * 2) % 5 + 1)
            if index % 3 == self.seed % 3:
                state[f"{key}-importance"] = str((index + self.seed) % 5 + 1)
        if self.seed % 2:
            state[f"{TRAITS[2 + self.seed]}-other"] = "na"  # "can't judge"
        for key in self.commented:
            state[f"{key}-comment"] = f"{self.marker} on {key}: frank words, 率直な意見."
        return state


def cast() -> list[Respondent]:
    """Two on each side; two read English and two Japanese; two answer on a phone."""
    return [
        Respondent("Mori Takumi", "company", "en-US", DESKTOP, 0),
        Respondent("Ueda Sakura", "company", "ja-JP", PHONE, 1),
        Respondent("Kato Yuki", "client", "en-US", PHONE, 2),
        Respondent("Hayashi Ren", "client", "ja-JP", DESKTOP, 3),
    ]


CHOICES = ("1", "2", "3", "4", "5", "na")


def option_id(name: str, value: str) -> str:
    """WTForms numbers a radio's options: `passion-other-0` … `passion-other-5` ("na")."""
    if name.endswith("-importance"):
        return f"{name}-{int(value) - 1}"
    return f"{name}-{CHOICES.index(value)}"


def fill(page: Page, answers: dict[str, str]) -> None:
    """Answer as a person does: tap the option labels, type the comments."""
    for name, value in answers.items():
        if name.endswith("-comment"):
            page.locator(f"textarea[name='{name}']").fill(value)
        else:
            page.locator(f"label[for='{option_id(name, value)}']").click()


def sign_up_and_create_assessment(page: Page, server: LiveApp) -> str:
    """Sign up (confirmed through the mailed link), add the partner, create a pre-contract
    assessment; returns its URL."""
    email = f"haruka-{secrets.token_hex(3)}@example.com"
    page.goto(f"{server.url}/sign-up")
    page.get_by_label("Company name").fill(COMPANY)
    page.get_by_label("Your name").fill("Sato Haruka")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_label("Repeat the password").fill(PASSWORD)
    page.get_by_role("button", name="Create workspace").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    page.goto(server.link("sign_up_confirm", email))
    page.get_by_role("button", name="Create the workspace").click()
    expect(page).to_have_url(re.compile(r"/partners/$"))

    page.get_by_role("link", name="New partner").click()
    page.get_by_label("Name").fill(PARTNER)
    page.get_by_role("button", name="Save partner").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(PARTNER)

    page.get_by_role("link", name="New assessment").click()
    expect(page.locator("#kind")).to_have_value("pre_contract")
    expect(page.locator("#trait_set_id option:checked")).to_contain_text(BRAND_PARTNER.name_en)
    deadline = datetime.now(UTC) + timedelta(days=30)
    expect(page.locator("#deadline")).to_have_attribute("type", "datetime-local")
    page.locator("#deadline").fill(deadline.strftime("%Y-%m-%dT17:00"))
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Draft")
    return page.url


def add_respondents_and_launch(
    page: Page, respondents: list[Respondent], screenshot: Screenshot
) -> None:
    for respondent in respondents:
        page.locator("#side").select_option(respondent.side)
        page.locator("#name").fill(respondent.name)
        language = page.get_by_label("Language of the invitation", exact=True)
        language.select_option(respondent.locale[:2])
        page.get_by_role("button", name="Add respondent").click()
        expect(page.get_by_role("status")).to_have_text(f"{respondent.name} is added.")
    page.get_by_role("button", name="Launch and send invitations").click()
    page.get_by_role("dialog").get_by_role("button", name="Launch and send invitations").click()
    expect(page.get_by_role("status")).to_contain_text("Launched")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Collecting answers")
    for respondent in respondents:
        link = page.get_by_role("textbox", name=f"Personal link of {respondent.name}")
        expect(link).to_have_attribute("readonly", "")
        respondent.link = link.input_value()
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/r/[\w-]{20,}", respondent.link)
    assert len({respondent.link for respondent in respondents}) == len(respondents)
    screenshot(page, "progress-launched")

    # The Copy button puts the very same link on the clipboard.
    link = page.get_by_role("textbox", name=f"Personal link of {respondents[0].name}")
    copy = link.locator("xpath=following-sibling::button")
    expect(copy).to_have_text("Copy")
    copy.click()
    expect(copy).to_have_text("✓")
    assert page.evaluate("navigator.clipboard.readText()") == respondents[0].link


def answer_survey(respondent: Respondent, screenshot: Screenshot, *, show_error: bool) -> None:
    page = respondent.page
    assert page is not None
    japanese = respondent.locale.startswith("ja")
    label = f"{respondent.name.split()[0].lower()}-{respondent.locale}"
    page.goto(respondent.link)
    expect(page.locator("html")).to_have_attribute("lang", "ja" if japanese else "en")
    expect(page.locator("h1")).to_contain_text(COMPANY if respondent.side == "client" else PARTNER)
    expect(page.locator("section[aria-labelledby='who-sees']")).to_be_visible()
    if not japanese:
        expect(page.locator("p").first).to_have_text(f"Hello, {respondent.name}.")
        expect(page.get_by_role("heading", name="Who sees what, and when")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, f"intro-{label}")

    page.locator("main a.btn-primary").click()
    expect(page).to_have_url(f"{respondent.link}/answers")
    expect(page.locator("fieldset.fc-trait")).to_have_count(len(TRAITS))
    first = BRAND_PARTNER.traits[0]
    expect(page.locator(f"#trait-{first.key} legend").first).to_contain_text(
        first.label_ja if japanese else first.label_en
    )
    answers = respondent.answers()

    if show_error:
        # Submit with one trait only half answered: an inline error, nothing else lost.
        partial = {k: v for k, v in answers.items() if k != f"{MISSING}-self"}
        fill(page, partial)
        page.locator(".fc-actions button[name=action][value=submit]").click()
        expect(page).to_have_url(f"{respondent.link}/answers")
        problems = page.locator("#problems")
        expect(problems).to_be_visible()
        expect(problems.get_by_role("link")).to_have_count(1)
        expect(problems.get_by_role("link")).to_have_attribute("href", f"#trait-{MISSING}")
        missing = page.locator(f"#trait-{MISSING} fieldset.fc-question.is-invalid")
        expect(missing).to_have_count(1)
        expect(missing.locator(".fc-error")).to_be_visible()
        expect(page.locator("fieldset.fc-question.is-invalid")).to_have_count(1)
        assert page.evaluate(FORM_STATE) == partial
        screenshot(page, f"validation-error-top-{label}", full_page=False)
        missing.scroll_into_view_if_needed()
        screenshot(page, f"validation-error-{label}", full_page=False)
        fill(page, {f"{MISSING}-self": answers[f"{MISSING}-self"]})
    else:
        fill(page, answers)
    if respondent.viewport == PHONE:
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        page.locator(f"#trait-{TRAITS[1]}").evaluate(
            "(el) => el.scrollIntoView({behavior: 'instant'})"
        )
        # Save and Submit stay in reach at the bottom of the screen while scrolling.
        expect(page.locator(".fc-actions .btn-primary")).to_be_in_viewport()
        screenshot(page, f"form-phone-{label}", full_page=False)

    page.locator(".fc-actions button[name=action][value=save]").click()
    saved = page.locator("main .alert-success[role=status]")
    expect(saved).to_be_visible()
    if not japanese:
        expect(saved).to_contain_text("You can come back through the same link.")
    page.reload()
    assert page.evaluate(FORM_STATE) == answers
    for key in respondent.commented:
        expect(page.locator(f"textarea[name='{key}-comment']")).to_have_value(
            answers[f"{key}-comment"]
        )

    page.locator(".fc-actions button[name=action][value=submit]").click()
    expect(page).to_have_url(f"{respondent.link}/done")
    expect(page.locator("h1")).to_contain_text(respondent.name)
    if not japanese:
        expect(page.locator("h1")).to_have_text(
            f"Thank you, {respondent.name}. Your answers are submitted."
        )
    screenshot(page, f"done-{label}")


def markers_in(text: str, respondents: list[Respondent]) -> list[str]:
    """The comment markers of `respondents` that `text` contains."""
    return [respondent.marker for respondent in respondents if respondent.marker in text]


def test_four_respondents_answer_then_the_staff_reveal_and_see_grouped_comments(
    new_page: NewPage,
    mail_server: LiveApp,
    screenshot: Screenshot,
) -> None:
    live_server = mail_server.url
    staff = new_page(permissions=["clipboard-read", "clipboard-write"])
    assessment_url = sign_up_and_create_assessment(staff, mail_server)
    assessment_id = assessment_url.rsplit("/", 1)[1]
    respondents = cast()
    add_respondents_and_launch(staff, respondents, screenshot)

    for index, respondent in enumerate(respondents):
        respondent.page = new_page(
            viewport=respondent.viewport,
            locale=respondent.locale,
            is_mobile=respondent.viewport == PHONE,
            has_touch=respondent.viewport == PHONE,
        )
        answer_survey(respondent, screenshot, show_error=index == 2)

    # Sealed: nobody sees what anyone else wrote, neither the others nor the staff.
    for respondent in respondents:
        others = [other for other in respondents if other is not respondent]
        page = respondent.page
        assert page is not None
        assert markers_in(page.content(), respondents) == []  # the thank-you page
        page.goto(f"{respondent.link}/answers")
        assert markers_in(page.content(), respondents) == [respondent.marker]  # in textareas
        assert markers_in(page.content(), others) == []
        sealed = page.request.get(f"{respondent.link}/results")
        assert sealed.status == 403
        assert markers_in(sealed.text(), respondents) == []
    staff.goto(assessment_url)
    expect(staff.locator(".card.fc-side-company")).to_contain_text("2 of 2 answered")
    expect(staff.locator(".card.fc-side-client")).to_contain_text("2 of 2 answered")
    assert markers_in(staff.content(), respondents) == []
    screenshot(staff, "progress-all-answered")
    for path in ("/results", "/report", "/export/answers.csv", "/export/results.json"):
        sealed = staff.request.get(f"{live_server}/assessments/{assessment_id}{path}")
        assert sealed.status == 409, path
        assert markers_in(sealed.text(), respondents) == [], path
    staff.get_by_role("link", name=PARTNER).click()
    assert markers_in(staff.content(), respondents) == []

    # The reveal: the comments appear, grouped by trait and side, with no name beside them.
    staff.goto(assessment_url)
    staff.get_by_role("button", name="Reveal the results").click()
    staff.get_by_role("dialog").get_by_role("button", name="Reveal the results").click()
    expect(staff.get_by_role("heading", level=1)).to_contain_text("Revealed")
    staff.get_by_role("link", name="See the results").click()
    expect(staff).to_have_url(f"{live_server}/assessments/{assessment_id}/results")
    expect(staff.locator(".fc-chart.fc-radar[data-drawn]")).to_have_count(1)
    expect(staff.get_by_text("Answers: 2 from the company, 2 from the client.")).to_be_visible()
    comments = staff.locator("section[aria-labelledby='comments-title']")
    items = comments.locator("li")
    expect(items).to_have_count(sum(len(r.commented) for r in respondents))
    text = comments.inner_text()
    for respondent in respondents:
        assert text.count(respondent.marker) == len(respondent.commented)
        assert respondent.name not in text
        for part in respondent.name.split():
            assert part not in text
    # Both company respondents commented on the first trait: one heading, two comments.
    first_label = BRAND_PARTNER.traits[0].label_en
    shared = comments.locator("h3", has_text=first_label)
    expect(shared).to_have_count(2)  # one per side
    company_group = shared.filter(has_text=COMPANY).locator("xpath=following-sibling::ul[1]")
    expect(company_group.locator("li")).to_have_count(2)
    expect(company_group).to_contain_text(respondents[0].marker)
    expect(company_group).to_contain_text(respondents[1].marker)
    screenshot(staff, "results")

    # Within a group the comments are sorted, so not even their order tells who wrote what.
    for group in comments.locator("ul").all():
        texts = group.locator("li").all_inner_texts()
        assert texts == sorted(texts)

    # A client respondent's link now leads to the same comments, still without names
    # (fetched rather than drawn: the charts were checked above).
    client = respondents[3]
    assert client.page is not None
    client.page.goto(client.link)
    see_results = client.page.locator("main a.btn-primary")
    expect(see_results).to_have_attribute("href", urlsplit(f"{client.link}/results").path)
    results_page = client.page.request.get(f"{client.link}/results")
    assert results_page.ok
    html = results_page.text()
    shown = html[html.index('id="comments-title"') : html.index('id="commitments"')]
    for respondent in respondents:
        assert respondent.marker in shown
        assert respondent.name not in shown
