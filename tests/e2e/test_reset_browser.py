"""A forgotten password in a real browser: ask for a link, follow it from the mail, choose
a new password, land signed in; the old password no longer works and other browsers are
signed out."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect

from fitcheck.extensions import db
from fitcheck.services import accounts

from ..support import PASSWORD
from .conftest import LiveApp
from .test_foundation_flow import sign_in

Screenshot = Callable[..., Path]
NewPage = Callable[..., Page]
EMAIL = "sato.haruka@example.com"
NEW_PASSWORD = "kumo no ue no sora"
PARTNERS_URL = re.compile(r"/partners/$")


def test_forgotten_password_is_reset_through_the_mailed_link(
    new_page: NewPage,
    mail_server: LiveApp,
    screenshot: Screenshot,
) -> None:
    base = mail_server.url
    with mail_server.app.app_context():
        accounts.sign_up(
            workspace_name="Hamamatsu Creative Works",
            name="Sato Haruka",
            email=EMAIL,
            password=PASSWORD,
        )
        db.session.remove()
    elsewhere = new_page()
    sign_in(elsewhere, base, EMAIL, PASSWORD)
    expect(elsewhere).to_have_url(PARTNERS_URL)

    page = new_page()
    page.goto(f"{base}/sign-in")
    page.get_by_role("link", name="Forgot your password?").click()
    expect(page).to_have_url(f"{base}/password-reset")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_role("button", name="Email me a link").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Check your email")
    expect(page.get_by_text("If an account uses this address")).to_be_visible()
    screenshot(page, "link-sent")

    link = mail_server.link("password_reset", EMAIL)
    page.goto(link)
    expect(page.get_by_role("heading", level=1)).to_have_text("Choose a new password")
    page.get_by_label("New password", exact=True).fill("password123")
    page.get_by_label("Repeat the new password").fill("password123")
    page.get_by_role("button", name="Set the new password").click()
    expect(page.locator("#password-error")).to_contain_text("among the most common ones")
    page.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    page.get_by_label("Repeat the new password").fill(NEW_PASSWORD)
    screenshot(page, "new-password")
    page.get_by_role("button", name="Set the new password").click()

    expect(page).to_have_url(PARTNERS_URL)
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    expect(page.get_by_role("link", name="Sato Haruka")).to_be_visible()
    screenshot(page, "signed-in")

    # Every other browser is signed out; the old password fails, the new one works.
    elsewhere.reload()
    expect(elsewhere).to_have_url(re.compile(r"/sign-in\?next="))
    sign_in(elsewhere, base, EMAIL, PASSWORD)
    expect(elsewhere.get_by_text("The email or the password is not correct.")).to_be_visible()
    sign_in(elsewhere, base, EMAIL, NEW_PASSWORD)
    expect(elsewhere).to_have_url(PARTNERS_URL)

    # The link worked once.
    # (Fetched, not opened: a page answered 404 would count as a console error.)
    used = page.request.get(link)
    assert used.status == 404 and "This link no longer works" in used.text()
