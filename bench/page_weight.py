"""What each page costs on the wire, cold (empty cache) and warm, in Debian's Chromium.

    .venv/bin/python -m bench.page_weight

Serves the demo on a fresh SQLite file, signs in as its owner and opens each page in a
browser context of its own (an empty cache, only the session cookie), then once more in
the same context. Prints, per page, the bytes transferred (headers and encoded bodies, as
the browser's Resource Timing counts them), the requests, and how many of the warm
visit's files went to the network at all (a 304 counts: it is a revalidation). The
numbers go in docs/performance.md; tests/e2e/test_page_weight_browser.py holds the limits.
"""

from __future__ import annotations

import logging
import secrets
import shutil
import tempfile
import threading
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright
from sqlalchemy import select
from werkzeug.serving import make_server

from fitcheck import create_app
from fitcheck.extensions import db
from fitcheck.models import Assessment, Partner, Side, State
from fitcheck.services.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo
from fitcheck.services.respondents import add_respondent

WIRE = """() => performance.getEntries()
  .filter((entry) => entry.entryType === 'navigation' || entry.entryType === 'resource')
  .map((entry) => ({type: entry.entryType, bytes: entry.transferSize}))"""


def _pages(base: str) -> dict[str, str]:
    """The demo's pages worth weighing, by name; a respondent link is made for the form."""
    partner = db.session.scalars(select(Partner).where(Partner.name == "Kitahama Foods")).one()
    revealed = db.session.scalars(
        select(Assessment)
        .where(Assessment.partner_id == partner.id, Assessment.state == State.REVEALED)
        .order_by(Assessment.id.desc())
    ).first()
    assert revealed is not None, "the demo's Kitahama Foods has no revealed round"
    open_round = db.session.scalars(
        select(Assessment).where(Assessment.state == State.COLLECTING).order_by(Assessment.id)
    ).first()
    assert open_round is not None, "the demo has no open round"
    _, token = add_respondent(
        open_round, side=Side.CLIENT, name="Weighed Visitor", email="weigh@example.com"
    )
    db.session.commit()
    return {
        "partner list": f"{base}/partners/",
        "results": f"{base}/assessments/{revealed.id}/results",
        "printed report": f"{base}/assessments/{revealed.id}/report",
        "partner timeline": f"{base}/partners/{partner.id}/timeline",
        "portfolio": f"{base}/portfolio/",
        "analysis": f"{base}/portfolio/analysis",
        "respondent's form": f"{base}/r/{token}/answers",
    }


def _visit(page: Page, url: str) -> list[dict[str, Any]]:
    page.goto(url)
    page.wait_for_load_state("networkidle")
    entries: list[dict[str, Any]] = page.evaluate(WIRE)
    return entries


def main() -> None:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    folder = Path(tempfile.mkdtemp())
    app = create_app(
        {
            "SECRET_KEY": secrets.token_urlsafe(32),
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder / 'weight.sqlite3'}",
            "RATELIMIT_ENABLED": False,
        }
    )
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    with app.app_context():
        db.create_all()
        load_demo()
        pages = _pages(base)
        db.session.remove()
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"{'page':<20} {'cold KB':>8} {'requests':>9} {'warm KB':>8} {'revalidated':>12}")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=shutil.which("chromium"), args=["--no-sandbox"]
        )
        signed_in = browser.new_context()
        page = signed_in.new_page()
        page.goto(f"{base}/sign-in")
        page.locator("#email").fill(DEMO_EMAIL)
        page.locator("#password").fill(DEMO_PASSWORD)
        page.locator("#password").press("Enter")
        page.wait_for_url("**/partners/")
        session = signed_in.storage_state()
        signed_in.close()
        for name, url in pages.items():
            context = browser.new_context(storage_state=session)
            page = context.new_page()
            cold, warm = _visit(page, url), _visit(page, url)
            context.close()
            cold_kb, warm_kb = (
                sum(entry["bytes"] for entry in visit) / 1024 for visit in (cold, warm)
            )
            asked = sum(1 for e in warm if e["type"] == "resource" and e["bytes"] > 0)
            print(f"{name:<20} {cold_kb:>8.0f} {len(cold):>9} {warm_kb:>8.0f} {asked:>12}")
        browser.close()
    server.shutdown()
    shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
