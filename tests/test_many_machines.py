"""Several machines as docs/deployment.md describes them: two app servers (gunicorn) behind
a round-robin load balancer, one PostgreSQL, one Redis for the rate limits and the task
queue, and a worker process of its own, sending through a real SMTP server. Every request
of a browser goes to the other server than the one before, so each step below works only
if nothing lives in one server's memory."""

from __future__ import annotations

import re
import secrets
import subprocess
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from .conftest import REDIS_URL, new_postgres_database
from .servers import ROOT, WORKER, Browser, server_env, serving, upgrade
from .smtp import Mailbox, mail_config

PASSWORD = "quiet-harbour-lantern-1987"

pytestmark = pytest.mark.postgres


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A database of this test's own (built by `flask db upgrade` below), dropped afterwards."""
    with new_postgres_database("fitcheck_machines") as url:
        yield url


def _link(mailbox: Mailbox, to: str) -> str:
    """The path of the first link in the latest mail to `to`."""
    assert mailbox.wait_for(1), "the worker sent nothing"
    message = next(m for m in reversed(mailbox.messages) if to in str(m["To"]))
    body = message.get_body(preferencelist=("plain",))
    assert body is not None
    url = re.findall(r"https?://\S+", body.get_content())[0]
    return urlsplit(url).path


def test_two_servers_one_database_one_redis_and_a_worker_serve_as_one(
    tmp_path: Path, postgres_database: str, redis_prefix: str, mailbox: Mailbox
) -> None:
    shared = {
        "DATABASE_URL": postgres_database,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "RATELIMIT_STORAGE_URI": REDIS_URL,
        "RATELIMIT_KEY_PREFIX": redis_prefix,
        "TASK_QUEUE_URL": REDIS_URL,
        "TASK_QUEUE_NAME": redis_prefix,
        "WEB_CONCURRENCY": "1",
        "PROXY_FIX": "1",
        "SIGN_IN_RATE_LIMIT": "3 per minute",
        "BASE_URL": "https://fitcheck.example.co.jp",
        **{key: str(value) for key, value in mail_config(mailbox).items()},
    }
    first, second = (server_env(tmp_path, **shared) for _ in range(2))
    upgrade(first)
    worker = subprocess.Popen(
        WORKER,
        cwd=ROOT,
        env=first,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        with (
            serving(tmp_path, first, migrate=False, name="a-") as a,
            serving(tmp_path, second, migrate=False, name="b-") as b,
        ):
            # Sign up: the form from one server, its post (CSRF token, session cookie) to
            # the other; the worker mails the link; its page and its button, one on each.
            browser = Browser([a, b], "198.51.100.20")
            email = f"owner-{secrets.token_hex(3)}@example.com"
            status = browser.post_form(
                "/sign-up",
                workspace_name="Minato Seiki",
                name="Sato Haruka",
                email=email,
                password=PASSWORD,
                confirm=PASSWORD,
            )
            assert status == 200
            assert browser.post_form(_link(mailbox, email)) == 302

            # Signed in on both servers with one cookie (signed out: a 302 to the sign-in).
            for _ in range(2):
                assert browser.status("GET", "/partners/")[0] == 200

            # The sign-in limit of one address (3 a minute) is counted once for both.
            guesser = Browser([a, b], "203.0.113.9")
            codes = [
                guesser.post_form("/sign-in", email=email, password="not the password")
                for _ in range(5)
            ]
            assert codes == [200, 200, 200, 429, 429]

            # A password reset asked on one server is mailed by the worker and works on
            # the other ones.
            mailbox.received.clear()
            visitor = Browser([b, a], "192.0.2.44")
            assert visitor.post_form("/password-reset", email=email) == 200
            reset = _link(mailbox, email)
            new_password = "amber-meadow-violin-2031"
            assert visitor.post_form(reset, password=new_password, confirm=new_password) == 302
            assert visitor.status("GET", "/partners/")[0] == 200
    finally:
        worker.terminate()
        worker.wait(timeout=30)

    for name in ("a-", "b-"):
        served = (tmp_path / f"{name}access.log").read_text().splitlines()
        assert any(" POST " in line for line in served), f"server {name} served no post"
        assert not [line for line in served if line.endswith(" 500")], served
