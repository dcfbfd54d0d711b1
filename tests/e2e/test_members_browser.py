"""A colleague joins in a real browser: the owner invites them on /members, they follow
the link from the mail in a browser of their own, choose a name and a password, sign out
and back in; the owner then removes them, and their browser is signed out at once."""

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
OWNER = "sato.haruka@example.com"
COLLEAGUE = "suzuki.ken@example.com"
COLLEAGUE_PASSWORD = "ume no hana ga saku"
WORKSPACE = "Hamamatsu Creative Works"
PARTNERS_URL = re.compile(r"/partners/$")


def test_owner_invites_a_colleague_who_joins_signs_out_and_back_in(
    new_page: NewPage,
    mail_server: LiveApp,
    screenshot: Screenshot,
) -> None:
    base = mail_server.url
    with mail_server.app.app_context():
        accounts.sign_up(
            workspace_name=WORKSPACE, name="Sato Haruka", email=OWNER, password=PASSWORD
        )
        db.session.remove()

    owner = new_page()
    sign_in(owner, base, OWNER, PASSWORD)
    expect(owner).to_have_url(PARTNERS_URL)
    owner.get_by_role("link", name="Members").click()
    expect(owner).to_have_url(f"{base}/members")
    expect(owner.get_by_role("heading", level=1)).to_have_text("Members")
    owner.get_by_label("Email").fill(COLLEAGUE)
    owner.get_by_label("Role", exact=True).select_option("member")
    owner.get_by_role("button", name="Send invitation").click()
    expect(owner.get_by_role("status")).to_contain_text(
        f"An invitation is on its way to {COLLEAGUE}"
    )
    pending = owner.locator("#pending")
    expect(pending.get_by_role("cell", name=COLLEAGUE, exact=True)).to_be_visible()
    screenshot(owner, "invited")

    link = mail_server.link("member_invitation", COLLEAGUE)
    assert "/join/" in link
    colleague = new_page()
    colleague.goto(link)
    expect(colleague.get_by_role("heading", level=1)).to_have_text(f"Join {WORKSPACE} on fitcheck")
    colleague.get_by_label("Your name").fill("Suzuki Ken")
    colleague.get_by_label("Password", exact=True).fill(COLLEAGUE_PASSWORD)
    colleague.get_by_label("Repeat the password").fill("not the same password")
    colleague.get_by_role("button", name="Join the workspace").click()
    expect(colleague.get_by_text("The passwords differ.")).to_be_visible()
    expect(colleague.get_by_label("Your name")).to_have_value("Suzuki Ken")
    colleague.get_by_label("Password", exact=True).fill(COLLEAGUE_PASSWORD)
    colleague.get_by_label("Repeat the password").fill(COLLEAGUE_PASSWORD)
    screenshot(colleague, "join-filled")
    colleague.get_by_role("button", name="Join the workspace").click()

    expect(colleague).to_have_url(PARTNERS_URL)
    expect(colleague.get_by_role("status")).to_have_text(f"Welcome to {WORKSPACE} on fitcheck.")
    expect(colleague.get_by_role("link", name="Suzuki Ken")).to_be_visible()
    # A member sees no Members link, and the page itself is refused.
    expect(colleague.get_by_role("link", name="Members")).to_have_count(0)
    colleague.get_by_role("button", name="Sign out").click()
    expect(colleague).to_have_url(f"{base}/sign-in")
    sign_in(colleague, base, COLLEAGUE, COLLEAGUE_PASSWORD)
    expect(colleague).to_have_url(PARTNERS_URL)
    expect(colleague.get_by_role("link", name="Suzuki Ken")).to_be_visible()

    # The link was for one use only.
    stranger = new_page()
    stranger.goto(link)
    expect(stranger.get_by_role("heading", level=1)).to_have_text("You are already a member")

    owner.goto(f"{base}/members")
    row = owner.locator(f'tr[data-email="{COLLEAGUE}"]')
    expect(row).to_contain_text("Suzuki Ken")
    expect(owner.get_by_text("No invitations are waiting for an answer.")).to_be_visible()
    screenshot(owner, "joined")

    # Removing asks first in a dialog; the colleague's browser is then signed out.
    row.get_by_role("button", name="Remove Suzuki Ken").click()
    dialog = owner.get_by_role("dialog")
    expect(dialog).to_contain_text("Remove Suzuki Ken from the workspace?")
    screenshot(owner, "remove-dialog")
    dialog.get_by_role("button", name="Remove Suzuki Ken").click()
    expect(owner.get_by_role("status")).to_contain_text("Suzuki Ken is removed from the workspace.")
    expect(owner.locator(f'tr[data-email="{COLLEAGUE}"]')).to_have_count(0)
    colleague.reload()
    expect(colleague).to_have_url(re.compile(r"/sign-in\?next="))
