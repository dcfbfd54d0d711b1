"""The reveal asks first, in a real browser: a dialog where JavaScript runs, a confirmation
page where it does not. Cancelling leaves the round collecting; confirming reveals it."""

from __future__ import annotations

import re
from collections.abc import Callable

from playwright.sync_api import Page, expect

from .conftest import sign_in_as_demo_owner


def open_collecting_round(page: Page, base_url: str) -> str:
    """The demo's round still collecting answers (Minato Logistics); returns its URL."""
    sign_in_as_demo_owner(page, base_url)
    page.goto(f"{base_url}/partners/?q=Minato")
    page.get_by_role("link", name="Minato Logistics").click()
    page.locator("tbody tr", has_text="Collecting answers").get_by_role("link").click()
    heading = page.get_by_role("heading", level=1)
    expect(heading).to_contain_text("Collecting answers")
    return page.url


def test_reveal_asks_in_a_dialog(
    new_page: Callable[..., Page], demo_server: str, screenshot: Callable[..., object]
) -> None:
    page = new_page()
    url = open_collecting_round(page, demo_server)
    heading = page.get_by_role("heading", level=1)
    reveal = page.get_by_role("button", name="Reveal the results")

    reveal.click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    expect(dialog).to_contain_text("Reveal the results now?")
    expect(dialog).to_contain_text("A reveal cannot be undone.")
    expect(dialog.get_by_role("button", name="Cancel")).to_be_focused()
    screenshot(page, "dialog")
    dialog.get_by_role("button", name="Cancel").click()
    expect(dialog).to_be_hidden()
    expect(page).to_have_url(url)  # the confirmation page was never opened
    page.reload()
    expect(heading).to_contain_text("Collecting answers")

    # Escape cancels too.
    reveal.click()
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()
    expect(heading).to_contain_text("Collecting answers")

    reveal.click()
    dialog.get_by_role("button", name="Reveal the results").click()
    expect(page).to_have_url(url)
    expect(heading).to_contain_text("Revealed")
    expect(page.locator("main > .alert[role='status']")).to_contain_text("Revealed")


def test_reveal_asks_on_a_page_without_javascript(
    new_page: Callable[..., Page], demo_server: str
) -> None:
    page = new_page(java_script_enabled=False)
    url = open_collecting_round(page, demo_server)
    heading = page.get_by_role("heading", level=1)

    page.get_by_role("button", name="Reveal the results").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/reveal/confirm$"))
    expect(heading).to_have_text("Reveal the results now?")
    expect(page.locator("main")).to_contain_text("A reveal cannot be undone.")
    page.get_by_role("link", name="Cancel").click()
    expect(page).to_have_url(url)
    expect(heading).to_contain_text("Collecting answers")

    page.get_by_role("button", name="Reveal the results").click()
    page.locator("main form").get_by_role("button", name="Reveal the results").click()
    expect(page).to_have_url(url)
    expect(heading).to_contain_text("Revealed")


def test_deleting_a_partner_asks_for_its_name_in_the_dialog(
    new_page: Callable[..., Page], demo_server: str
) -> None:
    page = new_page()
    sign_in_as_demo_owner(page, demo_server)
    page.goto(f"{demo_server}/partners/?q=Minato")
    page.get_by_role("link", name="Minato Logistics").click()
    page.get_by_role("button", name="Delete this partner").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text("Delete Minato Logistics and all its data?")
    name = dialog.get_by_role("textbox")
    delete = dialog.get_by_role("button", name="Delete this partner")
    expect(name).to_be_focused()
    expect(delete).to_be_disabled()
    name.fill("Minato")
    expect(delete).to_be_disabled()
    name.fill(" Minato Logistics ")
    expect(delete).to_be_enabled()
    name.press("Enter")
    expect(page).to_have_url(re.compile(r"/partners/$"))
    expect(page.locator("main > .alert[role='status']")).to_contain_text(
        "Minato Logistics is deleted"
    )
    page.goto(f"{demo_server}/partners/?q=Minato")
    expect(page.get_by_role("link", name="Minato Logistics")).to_have_count(0)
