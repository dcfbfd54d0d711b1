"""The workshop's printable summary is one page, as the user guide promises.

The demo workshop chose ten traits (the most a team is likely to keep); its summary,
printed by Chromium in English and in Japanese on A4 and on Letter, is one sheet, and
every trait's label is on it.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Workshop, WorkshopCluster
from fitcheck.services.workshop_views import trait_label

from .conftest import ARTIFACTS, LiveApp, serve, sign_in_as_demo_owner
from .test_report_print_browser import nospace, poppler

NewPage = Callable[..., Page]
BROWSER_LOCALE = {"en": "en-US", "ja": "ja-JP"}


def pdf_page_count(pdf: Path) -> int:
    info = subprocess.run(
        [poppler("pdfinfo"), str(pdf)], capture_output=True, check=True, text=True
    ).stdout
    found = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    assert found is not None, info
    return int(found.group(1))


def pdf_text(pdf: Path) -> str:
    return subprocess.run(
        [poppler("pdftotext"), str(pdf), "-"], capture_output=True, check=True, text=True
    ).stdout


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveApp]:
    """One demo app for the module: printing changes nothing, so the tests can share it."""
    with serve(tmp_path_factory.mktemp("workshop-summary-print"), demo=True) as served:
        yield served


def demo_workshop(app: LiveApp, locale: str) -> tuple[int, list[str]]:
    """The demo workshop's id and its chosen traits' labels in `locale`."""
    with app.app.app_context():
        try:
            workshop = db.session.scalar(select(Workshop).order_by(Workshop.id).limit(1))
            assert workshop is not None, "the demo has a workshop"
            clusters = db.session.scalars(
                select(WorkshopCluster)
                .where(WorkshopCluster.workshop_id == workshop.id, WorkshopCluster.chosen)
                .order_by(WorkshopCluster.position)
            ).all()
            return workshop.id, [trait_label(cluster, locale) for cluster in clusters]
        finally:
            db.session.remove()


@pytest.mark.parametrize("paper", ["A4", "Letter"])
@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_printed_summary_is_one_page(
    new_page: NewPage, demo: LiveApp, locale: str, paper: str
) -> None:
    workshop_id, labels = demo_workshop(demo, locale)
    # The guide promises one page for up to ten traits; the demo has them all.
    assert len(labels) == 10, labels
    page = new_page(locale=BROWSER_LOCALE[locale])
    sign_in_as_demo_owner(page, demo.url)
    page.goto(f"{demo.url}/workshops/{workshop_id}/summary")
    expect(page.locator("html")).to_have_attribute("lang", locale)
    expect(page.locator(".fc-summary .fc-trait-card")).to_have_count(len(labels))

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pdf = ARTIFACTS / f"test_workshop_summary_print-{locale}-{paper}.pdf"
    page.pdf(path=str(pdf), format=paper, print_background=True)
    assert pdf_page_count(pdf) == 1
    text = nospace(pdf_text(pdf))
    missing = [label for label in labels if nospace(label) not in text]
    assert missing == [], f"trait labels missing from the printed summary: {missing}"
