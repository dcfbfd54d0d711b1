"""Browser fixtures: Debian's chromium driven by Playwright, and the real app on a real port.

Browser tests run on SQLite only and never take the `app` fixture of `tests/conftest.py`,
which is parametrized over two databases. Each test gets its own server, database file and
browser context, so nothing one test does (a language chosen, a rate limit counted) reaches
another. Chromium starts once per session; a missing or broken chromium skips these tests on
a developer's machine and fails them under CI=true.
"""

from __future__ import annotations

import glob
import re
import secrets
import shutil
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from playwright.sync_api import (
    Browser,
    BrowserContext,
    ConsoleMessage,
    Page,
    expect,
    sync_playwright,
)
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select
from werkzeug.serving import make_server

from fitcheck import create_app
from fitcheck.extensions import db
from fitcheck.models import Assessment, OutboxMessage, Respondent
from fitcheck.services import invitations, outbox
from fitcheck.services.demo import DEMO_EMAIL, DEMO_PASSWORD, load_demo

from ..conftest import require_or_skip

HERE = Path(__file__).resolve().parent
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DESKTOP = {"width": 1280, "height": 900}

# Assertions wait as long as actions do: `make test` runs two test processes side by side
# on two cores, and a page that posts a form can take longer than Playwright's 5 s then.
expect.set_options(timeout=10_000)
PHONE = {"width": 390, "height": 844}


def sign_in_as_demo_owner(page: Page, base_url: str) -> None:
    """Sign in as the demo owner, by ids and Enter: the same in every language."""
    page.goto(f"{base_url}/sign-in")
    page.locator("#email").fill(DEMO_EMAIL)
    page.locator("#password").fill(DEMO_PASSWORD)
    page.locator("#password").press("Enter")
    expect(page).to_have_url(re.compile(r"/partners/$"))


_CALL_FAILED = pytest.StashKey[bool]()

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test under tests/e2e as `browser`, so `-m "not browser"` leaves them out."""
    for item in items:
        if HERE in item.path.resolve().parents:
            item.add_marker(pytest.mark.browser)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """Remember whether the test body failed, so the `page` fixture can screenshot it."""
    report = yield
    if report.when == "call":
        item.stash[_CALL_FAILED] = report.failed
    return report


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """One headless chromium for the whole run (Debian's; Playwright never downloads one)."""
    executable = shutil.which("chromium")
    if executable is None:
        require_or_skip("chromium is not installed (apt-get install chromium)")
    playwright = sync_playwright().start()
    try:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
    except PlaywrightError as error:
        playwright.stop()
        first_line = str(error).strip().splitlines()[0] if str(error).strip() else repr(error)
        require_or_skip(f"Playwright cannot start {executable}: {first_line}")
    try:
        yield browser
    finally:
        browser.close()
        playwright.stop()


def _live_config(tmp_path: Path) -> dict[str, Any]:
    # No SERVER_NAME: the browser reaches the app as 127.0.0.1:<random port>.
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'fitcheck-e2e.sqlite3'}",
        "RATELIMIT_STORAGE_URI": "memory://",
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
    }


@dataclass(frozen=True)
class LiveApp:
    """A served app: its base URL, and the app itself, so a test can read the mail it
    queued. Mail leaves through the outbox and a worker, never inside a request; a browser
    test plays the worker: it renders the queued message as the worker would and follows
    the link in it, which leads to this server (BASE_URL is set to its address)."""

    url: str
    app: Flask

    def links(self, kind: str, to: str) -> list[str]:
        """The links of the latest `kind` mail queued to `to`, as they are sent."""
        with self.app.app_context():
            try:
                message = db.session.scalar(
                    select(OutboxMessage)
                    .where(OutboxMessage.kind == kind, OutboxMessage.to_address == to)
                    .order_by(OutboxMessage.id.desc())
                )
                assert message is not None, f"no {kind} mail queued to {to}"
                rendered = outbox.render(message)
                assert rendered is not None, f"the {kind} mail to {to} is no longer needed"
                return re.findall(r"https?://\S+", rendered.text)
            finally:
                db.session.remove()

    def link(self, kind: str, to: str) -> str:
        """The first link of that mail (the one its button points at)."""
        first = self.links(kind, to)[0]
        assert first.startswith(f"{self.url}/"), first
        return first


def demo_respondent(app: Flask, *where: Any, locale: str | None = None) -> tuple[str, str]:
    """The personal link token of the first demo respondent (of a round) matching `where`,
    now reading `locale` if given; and the name of its workspace."""
    with app.app_context():
        try:
            respondent = db.session.scalar(
                select(Respondent)
                .join(Assessment, Assessment.id == Respondent.assessment_id)
                .where(*where)
                .order_by(Respondent.id)
                .limit(1)
            )
            assert respondent is not None, f"the demo has a respondent where {where}"
            if locale is not None:
                respondent.locale = locale
            company = respondent.assessment.partner.workspace.name
            token = invitations.link_token(respondent)
            db.session.commit()
            return token, company
        finally:
            db.session.remove()


@contextmanager
def serve(tmp_path: Path, *, demo: bool = False) -> Iterator[LiveApp]:
    """Serve a fresh app (optionally with the demo workspace)."""
    app = create_app(_live_config(tmp_path))
    with app.app_context():
        db.create_all()
        if demo:
            load_demo()
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base_url = f"http://127.0.0.1:{server.server_port}"
    # Links in mail and on the progress page lead to this server, as BASE_URL does live.
    app.config["BASE_URL"] = base_url
    # A short poll interval: shutdown() waits for it, once per test.
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="e2e-server", daemon=True
    )
    thread.start()
    try:
        yield LiveApp(url=base_url, app=app)
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def live_server(tmp_path: Path) -> Iterator[str]:
    """Base URL (`http://127.0.0.1:<port>`) of the real app with empty tables."""
    with serve(tmp_path) as served:
        yield served.url


@pytest.fixture
def demo_server(tmp_path: Path) -> Iterator[str]:
    """Base URL of the real app with the demo workspace loaded (`fitcheck.services.demo`)."""
    with serve(tmp_path, demo=True) as served:
        yield served.url


@pytest.fixture
def mail_server(tmp_path: Path) -> Iterator[LiveApp]:
    """Like `live_server`, with the app it serves, to read the mail it queued."""
    with serve(tmp_path) as served:
        yield served


def _artifact_name(test_name: str, label: str) -> str:
    return re.sub(r"[^\w.-]+", "_", f"{test_name}-{label}") + ".png"


@pytest.fixture
def screenshot(request: pytest.FixtureRequest) -> Callable[..., Path]:
    """`screenshot(page, label)` saves test-artifacts/<test name>-<label>.png (full page).

    The test's pictures from an earlier run are removed first, so the folder shows this run.
    """
    prefix = _artifact_name(request.node.name, "")[: -len(".png")]
    for stale in ARTIFACTS.glob(f"{glob.escape(prefix)}*.png"):
        stale.unlink(missing_ok=True)

    def save(page: Page, label: str, *, full_page: bool = True) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTIFACTS / _artifact_name(request.node.name, label)
        page.screenshot(path=str(path), full_page=full_page)
        return path

    return save


@pytest.fixture
def new_page(
    browser: Browser, request: pytest.FixtureRequest, screenshot: Callable[..., Path]
) -> Iterator[Callable[..., Page]]:
    """`new_page(viewport=..., locale=...)`: a page in a fresh context, closed after the test.

    The browser's JavaScript errors and console errors (a CSP violation, a missing script)
    fail the test at teardown: a page that "works" with a broken script is still broken.
    """
    contexts: list[tuple[BrowserContext, Page, list[str]]] = []

    def open_page(*, viewport: dict[str, int] | None = None, **context_args: Any) -> Page:
        # An explicit locale: otherwise Accept-Language follows whatever machine runs the tests.
        context_args.setdefault("locale", "en-US")
        context = browser.new_context(viewport=viewport or DESKTOP, **context_args)
        context.set_default_timeout(10_000)
        page = context.new_page()
        problems: list[str] = []

        def on_console(message: ConsoleMessage) -> None:
            source = message.location.get("url", "")
            if message.type == "error":
                problems.append(f"console error on {page.url} ({source}): {message.text}")

        page.on("console", on_console)
        page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
        contexts.append((context, page, problems))
        return page

    yield open_page

    failed = request.node.stash.get(_CALL_FAILED, False)
    problems = []
    for index, (context, page, page_problems) in enumerate(contexts):
        if failed and not page.is_closed():
            screenshot(page, f"failed-{index}")
        problems.extend(page_problems)
        context.close()
    if problems and not failed:
        pytest.fail("the browser reported errors:\n" + "\n".join(problems))


@pytest.fixture
def page(new_page: Callable[..., Page]) -> Page:
    """A page 1280×900 in a fresh browser context (no cookies, English unless set)."""
    return new_page()
