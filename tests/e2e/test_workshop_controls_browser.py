"""The facilitator's controls in real browsers: a board (1280 wide) and two phones (390
wide). A participant takes back their own note and the facilitator removes a stray one,
each after a dialog; the facilitator steps back from grouping to writing, from voting to
grouping (the dots given are dropped) and from deciding to voting (the tally hidden
again). Nobody reloads: every screen follows at its next poll."""

from __future__ import annotations

from collections.abc import Callable

from playwright.sync_api import Page, expect

from .conftest import LiveApp
from .test_accessibility_browser import report, violations
from .test_workshop_browser import _cluster, _join, _write, open_workshop

NewPage = Callable[..., Page]


def _confirm(
    page: Page, trigger: str, question: str, ok: str, *, within: Page | None = None
) -> None:
    """Click a control that asks first, check the dialog's question, and confirm."""
    (within or page).get_by_role("button", name=trigger).click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text(question)
    dialog.get_by_role("button", name=ok).click()
    expect(dialog).to_be_hidden()


def test_the_facilitator_removes_notes_and_steps_back(mail_server: LiveApp, new_page: NewPage):
    board = open_workshop(mail_server, new_page)
    link = board.locator("#join-url").input_value()
    aoi = _join(new_page, link, name="Aoi Mori")
    ken = _join(new_page, link, name="Ken Ito")
    wall = board.locator(".fc-wall li.fc-note")

    # Write: Aoi takes back her joke from her phone; the board follows.
    _write(aoi, "Pays in bananas", 1)
    _write(aoi, "Responds quickly", 2)
    _write(ken, "Answers within a day", 4)
    _write(ken, "Answers within a day", 4)  # typed twice
    expect(wall).to_have_count(4)
    joke = aoi.locator("li.fc-note").filter(has_text="Pays in bananas")
    found = {"phone, write": violations(aoi), "board, write": violations(board)}
    joke.get_by_role("button", name="Remove the note").click()
    dialog = aoi.get_by_role("dialog")
    expect(dialog).to_contain_text("Remove this note?")
    dialog.get_by_role("button", name="Cancel").click()  # cancelling keeps it
    expect(dialog).to_be_hidden()
    expect(joke).to_have_count(1)
    _confirm(aoi, "Remove the note", "Remove this note?", "Remove the note", within=joke)
    expect(aoi.locator("li.fc-note").filter(has_text="Pays in bananas")).to_have_count(0)
    expect(aoi.locator("li.fc-note").filter(has_text="Responds quickly")).to_have_count(1)
    expect(wall).to_have_count(3)
    expect(board.locator(".fc-wall")).not_to_contain_text("Pays in bananas")
    # Aoi's phone offers no way to remove Ken's notes: it shows only her own.
    expect(aoi.locator("#fc-live")).not_to_contain_text("Answers within a day")

    # The board removes the note Ken typed twice.
    twice = wall.filter(has_text="Answers within a day").last
    _confirm(board, "Remove", "Remove this note?", "Remove the note", within=twice)
    expect(wall).to_have_count(2)

    # Group, then back to writing: the phones can write again; the clusters stay.
    board.get_by_role("button", name="Start grouping").click()
    expect(ken.locator("#fc-live")).to_contain_text("gathering the notes")
    clusters = board.locator("li.fc-cluster[data-cluster]:not([data-cluster=new])")
    expect(clusters).to_have_count(2)
    found["board, group"] = violations(board)
    _confirm(board, "Back to writing", "Go back to writing?", "Back to writing")
    expect(board.get_by_role("button", name="Start grouping")).to_be_visible()
    _write(ken, "Shares its goals", 5)
    expect(wall).to_have_count(3)
    board.get_by_role("button", name="Start grouping").click()
    expect(clusters).to_have_count(3)

    # Vote, then back to grouping: the dot given is dropped, everyone votes again.
    board.get_by_role("button", name="Open the vote").click()
    expect(aoi.locator("[data-dots-left]")).to_have_text("1 dot left")
    aoi.get_by_role("button", name="Give a dot: Responds quickly").click()
    expect(aoi.locator("[data-dots-left]")).to_have_text("0 dots left")
    expect(board.locator("[data-voted]")).to_have_text("1 of 2 have voted")
    board.get_by_role("button", name="Back to grouping").click()
    expect(board.get_by_role("dialog")).to_contain_text("The dots given so far are dropped")
    board.get_by_role("dialog").get_by_role("button", name="Back to grouping").click()
    expect(board.get_by_role("button", name="Open the vote")).to_be_visible()
    expect(aoi.locator("#fc-live")).to_contain_text("gathering the notes")
    board.get_by_role("button", name="Open the vote").click()
    expect(board.locator("[data-voted]")).to_have_text("0 of 2 have voted")
    expect(aoi.locator("[data-dots-left]")).to_have_text("1 dot left")
    aoi.get_by_role("button", name="Give a dot: Shares its goals").click()
    expect(aoi.locator("[data-dots-left]")).to_have_text("0 dots left")

    # Decide, then back to voting: the tally is hidden again, the dots stay.
    board.get_by_role("button", name="Close the vote").click()
    expect(_cluster(board, "Shares its goals")).to_contain_text("1 dot")
    expect(ken.locator("#fc-live")).to_contain_text("1 dot")
    _confirm(board, "Back to voting", "Go back to voting?", "Back to voting")
    expect(board.get_by_role("button", name="Close the vote")).to_be_visible()
    expect(board.locator("#fc-live .fc-dots")).to_have_count(0)  # no tally
    expect(board.locator("[data-voted]")).to_have_text("1 of 2 have voted")
    expect(aoi.locator("[data-dots-left]")).to_have_text("0 dots left")
    expect(ken.locator("[data-dots-left]")).to_have_text("1 dot left")
    assert not any(found.values()), report(found)
