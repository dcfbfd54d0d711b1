"""Staff add respondents from what the workspace already knows, in a real browser on a
phone, in Japanese: the assessment's page names its deadline's time zone in words, lists
the partner's contacts and the workspace's members, and adds the ticked ones at once; they
then show as respondents and can no longer be ticked."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Assessment, State
from fitcheck.services import partners

from .conftest import PHONE, serve, sign_in_as_demo_owner

NewPage = Callable[..., Page]
Screenshot = Callable[..., Path]


def test_staff_tick_a_contact_and_a_member_and_both_become_respondents(
    tmp_path: Path, new_page: NewPage, screenshot: Screenshot
) -> None:
    with serve(tmp_path, demo=True) as served:
        with served.app.app_context():
            assessment = db.session.scalars(
                select(Assessment).where(Assessment.state == State.COLLECTING)
            ).first()
            assert assessment is not None
            partners.add_contact(
                assessment.partner, name="Aoki Haruka", email="aoki@minato.example"
            )
            url = f"{served.url}/assessments/{assessment.id}"
            db.session.remove()

        page = new_page(viewport=PHONE, locale="ja-JP")
        sign_in_as_demo_owner(page, served.url)
        page.goto(url)
        expect(page.locator("dd").first).to_have_text(
            re.compile(r"^\d{4}/\d\d/\d\d \d\d:\d\d ?[(（]日本時間[)）]$")
        )
        picker = page.locator("#add-people")
        contact = picker.get_by_label(re.compile("Aoki Haruka"))
        member = picker.get_by_label(re.compile("Demo Owner"))
        contact.check()
        member.check()
        # On a phone the list fits the screen: nothing to scroll sideways.
        assert picker.evaluate("element => element.scrollWidth <= element.clientWidth")
        screenshot(page, "ticked", full_page=False)
        picker.locator("[type=submit]").click()

        table = page.locator("#respondents + .table-responsive")
        expect(table.get_by_text("aoki@minato.example")).to_be_visible()
        expect(table.get_by_text("demo@fitcheck.example")).to_be_visible()
        picker = page.locator("#add-people")
        expect(picker.get_by_label(re.compile("Aoki Haruka"))).to_be_disabled()
        expect(picker.get_by_label(re.compile("Demo Owner"))).to_be_disabled()
        screenshot(page, "added")
