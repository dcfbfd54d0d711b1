"""Rate limits hold as configured: counted once across gunicorn's workers, and a valid
token is never held back by other people's misses from the same address.

The gunicorn tests start the real server (`gunicorn -c gunicorn.conf.py wsgi:app`) on a
free loopback port, over a fresh SQLite database made by `flask db upgrade`, counting in
the Redis at REDIS_URL under a key prefix of their own, so parallel runs never meet.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

from fitcheck import create_app
from fitcheck.config import UnsafeConfigError, check_rate_limit_storage, from_environment
from fitcheck.services import api_tokens

from .conftest import require_or_skip
from .support import CSRF_FIELD, count_queries

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


# The API: misses are counted without blocking a valid token from the same address ------


@pytest.fixture
def token(make_user) -> str:
    return api_tokens.create_token(make_user(), "Office")[1]


def test_misses_from_an_address_do_not_block_a_valid_api_token(client, token):
    for _ in range(10):
        assert client.get("/api/v1/trait-sets", headers=bearer("fc_guess")).status_code == 401
    # A colleague behind the same NAT, with a token that works.
    assert client.get("/api/v1/trait-sets", headers=bearer(token)).status_code == 200
    assert client.get("/api/v1/trait-sets", headers=bearer("fc_guess")).status_code == 429
    assert client.get("/api/v1/trait-sets").status_code == 429  # no token is a miss too
    assert client.get("/api/v1/trait-sets", headers=bearer(token)).status_code == 200


def test_misses_do_not_block_a_valid_invitation_link_in_the_api(client, make_assessment):
    from fitcheck.models import Side

    _, tokens = make_assessment()
    link = next(t for r, t in tokens.items() if r.side is Side.COMPANY)
    for number in range(10):
        guess = client.put(f"/api/v1/responses/guess-{number}", json={"answers": []})
        assert guess.status_code == 404
    assert client.put(f"/api/v1/responses/{link}", json={"answers": []}).status_code == 200
    assert client.put("/api/v1/responses/guess-10", json={"answers": []}).status_code == 429
    assert client.put(f"/api/v1/responses/{link}", json={"answers": []}).status_code == 200


def test_a_valid_api_token_is_looked_up_once_per_request(client, token):
    client.get("/api/v1/trait-sets", headers=bearer(token))  # records the token's use
    with count_queries() as statements:
        assert client.get("/api/v1/trait-sets", headers=bearer(token)).status_code == 200
    lookups = [s for s in statements if re.search(r"FROM api_tokens\b", s)]
    assert len(lookups) == 1, lookups


# The configuration: limits read from the environment, and refused when unreadable -------


def test_limits_and_their_store_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "k" * 40)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "redis://cache:6379/2")
    monkeypatch.setenv("RATELIMIT_KEY_PREFIX", "fitcheck-a")
    monkeypatch.setenv("SIGN_IN_RATE_LIMIT", "3 per minute")
    monkeypatch.setenv("SIGN_IN_ACCOUNT_RATE_LIMIT", "20 per hour")
    settings = from_environment(tmp_path)
    assert settings["RATELIMIT_STORAGE_URI"] == "redis://cache:6379/2"
    assert settings["RATELIMIT_KEY_PREFIX"] == "fitcheck-a"
    assert settings["SIGN_IN_RATE_LIMIT"] == "3 per minute"
    assert settings["SIGN_IN_ACCOUNT_RATE_LIMIT"] == "20 per hour"
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", "")
    monkeypatch.delenv("SIGN_IN_ACCOUNT_RATE_LIMIT")
    settings = from_environment(tmp_path)
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    assert settings["SIGN_IN_ACCOUNT_RATE_LIMIT"] == "50 per hour"


def test_a_limit_the_limiter_cannot_read_refuses_to_start(tmp_path):
    with pytest.raises(UnsafeConfigError, match="SIGN_IN_ACCOUNT_RATE_LIMIT"):
        create_app(
            {
                "TESTING": True,
                "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'x.sqlite3'}",
                "SIGN_IN_ACCOUNT_RATE_LIMIT": "fifty an hour",
            }
        )


@pytest.mark.parametrize(
    ("storage", "processes", "refused"),
    [
        ("memory://", 1, False),
        ("memory://", 2, True),
        ("redis://127.0.0.1:6379/0", 8, False),
        ("memcached://127.0.0.1:11211", 4, False),
    ],
)
def test_several_processes_need_a_shared_store(storage, processes, refused):
    if refused:
        with pytest.raises(UnsafeConfigError, match="WEB_CONCURRENCY=1"):
            check_rate_limit_storage(storage, processes)
    else:
        check_rate_limit_storage(storage, processes)


# gunicorn, as deployed ---------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _server_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RATELIMIT_", "SIGN_IN_", "GUNICORN", "WEB_CONCURRENCY"))
    }
    env.update(
        SECRET_KEY=secrets.token_urlsafe(32),
        DATABASE_URL=f"sqlite:///{tmp_path / 'fitcheck.sqlite3'}",
        TASK_QUEUE_URL="memory://",
        BIND=f"127.0.0.1:{_free_port()}",
        **settings,
    )
    return env


def _gunicorn(env: dict[str, str], *args: str, **kwargs: Any) -> Any:
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *args, "wsgi:app"]
    return command, {"cwd": ROOT, "env": env, **kwargs}


@contextmanager
def _serving(tmp_path: Path, env: dict[str, str]) -> Iterator[str]:
    """Run gunicorn until the block ends; yields its base URL once /healthz answers."""
    subprocess.run(
        [str(BIN / "flask"), "--app", "fitcheck", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    command, options = _gunicorn(env, "--access-logformat", "%(p)s %(m)s %(U)s %(s)s")
    with (
        (tmp_path / "access.log").open("wb") as access,
        (tmp_path / "error.log").open("wb") as errors,
    ):
        server = subprocess.Popen(command, stdout=access, stderr=errors, **options)
    base = f"http://{env['BIND']}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(f"{base}/healthz", timeout=2):  # noqa: S310
                    break
            except OSError:
                if server.poll() is not None or time.monotonic() > deadline:
                    log = (tmp_path / "error.log").read_text()
                    pytest.fail(f"gunicorn did not start:\n{log}")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


class Browser:
    """One browser: a cookie jar, the form's CSRF token, and an address of its own."""

    def __init__(self, base: str, address: str) -> None:
        self.base = base
        self.address = address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def status(self, method: str, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1, built above
            self.base + path, data=body, method=method, headers={"X-Forwarded-For": self.address}
        )
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode()

    def post_form(self, path: str, **fields: str) -> int:
        """Fetch the form (and its CSRF token) as a browser would, then post it."""
        code, page = self.status("GET", path)
        match = CSRF_FIELD.search(page)
        assert code == 200 and match, (code, page[:200])
        return self.status("POST", path, {**fields, "csrf_token": match.group(1)})[0]


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        return None


def _side_by_side(calls: list[Any]) -> Counter[int]:
    """Two at a time, so both workers serve them; the status codes, counted."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return Counter(pool.map(lambda call: call(), calls))


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix of this test's own in the shared Redis, deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.exceptions.ConnectionError as error:
        require_or_skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"fitcheck-test-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


def test_two_gunicorn_workers_count_every_limit_once(tmp_path, redis_prefix):
    env = _server_env(
        tmp_path,
        WEB_CONCURRENCY="2",
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=redis_prefix,
        PROXY_FIX="1",  # X-Forwarded-For gives each simulated browser its address
        SIGN_IN_RATE_LIMIT="3 per minute",
        SIGN_IN_ACCOUNT_RATE_LIMIT="3 per hour",
    )
    with _serving(tmp_path, env) as base:
        # Per address: five accounts tried from one address.
        browsers = [Browser(base, "198.51.100.7") for _ in range(5)]
        codes = _side_by_side(
            [
                lambda n=n, b=b: b.post_form(
                    "/sign-in", email=f"user{n}@example.com", password="wrong password"
                )
                for n, b in enumerate(browsers)
            ]
        )
        assert codes == {200: 3, 429: 2}

        # Per account: one account tried from five addresses.
        browsers = [Browser(base, f"203.0.113.{n}") for n in range(1, 6)]
        codes = _side_by_side(
            [
                lambda b=b: b.post_form(
                    "/sign-in", email="Owner@Example.com", password="wrong password"
                )
                for b in browsers
            ]
        )
        assert codes == {200: 3, 429: 2}

        # Mail per address typed (a constant five an hour), from seven addresses.
        browsers = [Browser(base, f"192.0.2.{n}") for n in range(1, 8)]
        codes = _side_by_side(
            [lambda b=b: b.post_form("/password-reset", email="a@example.com") for b in browsers]
        )
        assert codes == {200: 5, 429: 2}

    served_by = {
        line.split()[0]
        for line in (tmp_path / "access.log").read_text().splitlines()
        if " POST " in line
    }
    assert len(served_by) == 2, "both workers served the posts"


def test_gunicorn_refuses_several_workers_that_count_on_their_own(tmp_path):
    for args, settings in (((), {"WEB_CONCURRENCY": "2"}), (("--workers", "3"), {})):
        command, options = _gunicorn(_server_env(tmp_path, **settings), *args)
        finished = subprocess.run(command, capture_output=True, text=True, timeout=60, **options)
        assert finished.returncode == 1
        assert "Rate limits are counted in each process" in finished.stderr
        assert "RATELIMIT_STORAGE_URI" in finished.stderr
        assert "WEB_CONCURRENCY=1" in finished.stderr


@pytest.mark.parametrize(
    ("storage", "workers", "worker_class"),
    [("", 1, "gthread"), ("memory://", 1, "gthread"), (REDIS_URL, "2 per core", "sync")],
)
def test_gunicorn_runs_one_process_unless_the_count_is_shared(
    monkeypatch, storage, workers, worker_class
):
    import multiprocessing
    import runpy

    for name in ("WEB_CONCURRENCY", "GUNICORN_THREADS", "RATELIMIT_STORAGE_URI"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("RATELIMIT_STORAGE_URI", storage)
    settings = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    cores = multiprocessing.cpu_count()
    assert settings["workers"] == (workers if workers == 1 else 2 * cores)
    assert settings["worker_class"] == worker_class
    assert settings["workers"] * settings["threads"] == 2 * cores  # requests served at once
