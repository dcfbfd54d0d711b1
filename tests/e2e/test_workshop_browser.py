"""The brand-partner workshop in real browsers: a facilitator at the board (1280 wide) and
three participants on phones (390 wide), each in a browser context of its own, go through
every phase. Nobody reloads: every screen follows the room by itself (the pages poll). The
board groups by drag and drop and by select-and-merge; the tally stays hidden until the
vote closes; an anonymous note never shows its writer; the result is a trait set whose
traits the room chose, with our promises."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Locator, Page, expect

from fitcheck.extensions import db
from fitcheck.services import accounts

from .conftest import DESKTOP, PHONE, LiveApp
from .test_accessibility_browser import report, violations

NewPage = Callable[..., Page]
EMAIL = "facilitator@example.com"
PASSWORD = "correct horse battery"


def _facilitator(new_page: NewPage, base: str) -> Page:
    board = new_page(viewport=DESKTOP)
    board.goto(f"{base}/sign-in")
    board.locator("#email").fill(EMAIL)
    board.locator("#password").fill(PASSWORD)
    board.locator("#password").press("Enter")
    expect(board).to_have_url(re.compile(r"/partners/$"))
    return board


def _join(new_page: NewPage, link: str, name: str = "") -> Page:
    phone = new_page(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(link)
    if name:
        phone.get_by_label("Your name (optional)").fill(name)
    phone.get_by_role("button", name="Join").click()
    expect(phone).to_have_url(re.compile(r"/room$"))
    return phone


def _write(phone: Page, text: str, rating: int | None, *, sign: bool = False) -> None:
    phone.get_by_label("A trait of a good partner").fill(text)
    # The note turned on us, as it is typed.
    expect(phone.locator("[data-echo]")).to_have_text(f"“{text}”")
    if rating is not None:
        phone.locator(f"label[for='self_rating-{rating}']").click()
    if sign:
        phone.get_by_label("Sign this note with my name").check()
    phone.get_by_role("button", name="Add the note").click()
    expect(phone.locator("#fc-live")).to_contain_text(text)


def _cluster(board: Page, text: str) -> Locator:
    return board.locator("li.fc-cluster[data-cluster]").filter(has_text=text)


def open_workshop(served: LiveApp, new_page: NewPage) -> Page:
    """A new workspace whose facilitator opens an English workshop: the board's page.
    Screens poll every 0.4 s."""
    served.app.config["WORKSHOP_POLL_MS"] = 400
    with served.app.app_context():
        accounts.sign_up(
            workspace_name="Aozora Design", name="Mori", email=EMAIL, password=PASSWORD
        )
        db.session.remove()
    board = _facilitator(new_page, served.url)
    board.goto(f"{served.url}/workshops/")
    board.get_by_label("The room's language").select_option("en")
    board.get_by_role("button", name="Open the workshop").click()
    return board


def test_a_workshop_from_the_first_note_to_the_trait_set(mail_server: LiveApp, new_page: NewPage):
    # The server first: it stops after the browsers, which poll it to the end.
    served = mail_server
    base = served.url
    board = open_workshop(served, new_page)
    expect(board.get_by_role("heading", level=1)).to_have_text(
        "What is a good client — a brand partner — for us?"
    )
    link = board.locator("#join-url").input_value()
    assert link.startswith(f"{base}/workshops/join/")

    aoi = _join(new_page, link, name="Aoi Mori")
    ken = _join(new_page, link, name="Ken Ito")
    yui = _join(new_page, link)
    expect(board.locator("[data-people]")).to_have_text("3 people in the room")

    # Write: each note with "are we like that?", from the phones; the board fills live.
    _write(aoi, "Responds quickly", 2, sign=True)
    _write(ken, "Answers within a day", 4)
    _write(ken, "Argues with us", None)
    _write(yui, "Enjoys change", 3)
    unrated = ken.locator("li.fc-note").filter(has_text="Argues with us")
    unrated.get_by_role("button", name=re.compile(r"^5 of 5")).click()
    expect(ken.locator("li.fc-note").filter(has_text="Argues with us")).to_contain_text(
        "Are we like that? 5"
    )
    wall = board.locator(".fc-wall")
    expect(wall.locator("li.fc-note")).to_have_count(4)
    expect(wall).to_contain_text("Aoi Mori")  # signed
    expect(wall).not_to_contain_text("Ken Ito")  # anonymous to the room
    # No serious WCAG violation on any screen of the room (axe-core), phase by phase.
    found = {"phone, write": violations(ken), "board, write": violations(board)}

    # Group: the phones follow by themselves; merge by drag and drop, then by selecting.
    board.get_by_role("button", name="Start grouping").click()
    for phone in (aoi, ken, yui):
        expect(phone.locator("#fc-live")).to_contain_text("gathering the notes")
    expect(board.locator("li.fc-cluster[data-cluster]:not([data-cluster=new])")).to_have_count(4)
    note = _cluster(board, "Answers within a day").locator("[data-note]")
    note.drag_to(_cluster(board, "Responds quickly"))
    expect(_cluster(board, "Responds quickly").locator("[data-note]")).to_have_count(2)
    expect(board.locator("li.fc-cluster[data-cluster]:not([data-cluster=new])")).to_have_count(3)
    _cluster(board, "Responds quickly").get_by_role("checkbox").first.check()
    _cluster(board, "Argues with us").get_by_role("checkbox").first.check()
    board.get_by_label("Name of the merged cluster").fill("Quick and candid")
    board.get_by_role("button", name="Merge the selected clusters").click()
    expect(_cluster(board, "Quick and candid").locator("[data-note]")).to_have_count(3)
    speedy = _cluster(board, "Enjoys change")
    speedy.get_by_label("Cluster name").fill("Enjoys growth")
    speedy.get_by_role("button", name="Rename").click()
    expect(_cluster(board, "Enjoys growth")).to_have_count(1)
    found["board, group"] = violations(board)

    # Vote: one dot each (2 clusters); the tally stays hidden until the vote closes.
    board.get_by_role("button", name="Open the vote").click()
    for phone, cluster in (
        (aoi, "Quick and candid"),
        (ken, "Quick and candid"),
        (yui, "Enjoys growth"),
    ):
        expect(phone.locator("[data-dots-left]")).to_have_text("1 dot left")
        phone.get_by_role("button", name=f"Give a dot: {cluster}").click()
        expect(phone.locator("[data-dots-left]")).to_have_text("0 dots left")
    expect(board.locator("[data-voted]")).to_have_text("3 of 3 have voted")
    found["phone, vote"] = violations(yui)
    expect(board.locator("#fc-live")).not_to_contain_text("2 dots")
    board.get_by_role("button", name="Close the vote").click()
    expect(yui.locator("#fc-live")).to_contain_text("2 dots")
    expect(yui.locator("#fc-live")).to_contain_text("1 dot")

    # Decide: both become traits, drafted in both languages; we see our self-view.
    quick = _cluster(board, "Quick and candid")
    expect(quick).to_contain_text("2 dots")
    # Aoi rated 2; Ken 4 and 5, one voice: two people, too few for their view to show.
    expect(quick).to_contain_text("2 people rated this; the view shows from 3 people.")
    for cluster in ("Quick and candid", "Enjoys growth"):
        _cluster(board, cluster).get_by_role("checkbox").check()
    board.get_by_role("button", name="Make the selected clusters traits").click()
    trait = board.locator("section.fc-trait-card").filter(has_text="Quick and candid")
    expect(trait.locator("textarea[name$='question_other_en']")).to_have_value(
        "How well does {partner} live up to “Quick and candid”?"
    )
    trait.locator("input[name$='label_ja']").fill("素早く率直")
    trait.get_by_role("button", name="Redraft from the templates").click()
    trait = board.locator("section.fc-trait-card").filter(has_text="Quick and candid")
    expect(trait.locator("textarea[name$='question_self_ja']")).to_have_value(
        "私たちは「素早く率直」と言えますか。"
    )
    found["board, decide"] = violations(board)

    # Act: a promise from a phone reaches the board; one from the board.
    board.get_by_role("button", name="On to the promises").click()
    expect(
        aoi.get_by_role("heading", name="What must we do more of to meet such a partner?")
    ).to_be_visible()
    aoi.get_by_label("Trait", exact=True).select_option(label="Quick and candid")
    aoi.get_by_label("What must we do more of?").fill("Reply within one working day")
    aoi.get_by_label("Person responsible").fill("Aoi Mori")
    aoi.get_by_role("button", name="Add the promise").click()
    expect(board.locator("#fc-live")).to_contain_text("Reply within one working day")
    board.get_by_label("Trait", exact=True).select_option(label="Enjoys growth")
    board.get_by_label("What must we do more of?").fill("Try one new method a quarter")
    board.get_by_role("button", name="Add the promise").click()
    expect(ken.locator("#fc-live")).to_contain_text("Try one new method a quarter")
    found["phone, act"] = violations(ken)
    assert not any(found.values()), report(found)

    # Result: a trait set of what the room chose; every phone says thank you.
    board.get_by_label("Name of the new trait set").fill("Our brand partner")
    board.get_by_role("button", name="Finish: create the trait set").click()
    for phone in (aoi, ken, yui):
        expect(phone.locator("#fc-live")).to_contain_text("Thank you")
    board.get_by_role("link", name="Open the trait set").click()
    expect(board.get_by_role("heading", level=1)).to_have_text("Our brand partner")
    expect(board.locator("ol.list-group")).to_contain_text("Quick and candid")
    expect(board.locator("ol.list-group")).to_contain_text("Enjoys growth")
