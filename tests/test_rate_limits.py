"""Rate limits hold as configured: counted once across gunicorn's workers, and a valid
token is never held back by other people's misses from the same address.

The gunicorn tests start the real server (`gunicorn -c gunicorn.conf.py wsgi:app`) on a
free loopback port, over a fresh SQLite database made by `flask db upgrade`, counting in
the Redis at REDIS_URL under a key prefix of their own, so parallel runs never meet.
"""

from __future__ import annotations

import re
import subprocess
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from fitcheck import create_app
from fitcheck.config import UnsafeConfigError, check_rate_limit_storage, from_environment
from fitcheck.services import api_tokens

from .conftest import REDIS_URL
from .servers import Browser, gunicorn, server_env, serving
from .support import count_queries

ROOT = Path(__file__).resolve().parents[1]


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


def _side_by_side(calls: list[Any]) -> Counter[int]:
    """Two at a time, so both workers serve them; the status codes, counted."""
    with ThreadPoolExecutor(max_workers=2) as pool:
        return Counter(pool.map(lambda call: call(), calls))


def test_two_gunicorn_workers_count_every_limit_once(tmp_path, redis_prefix):
    env = server_env(
        tmp_path,
        WEB_CONCURRENCY="2",
        RATELIMIT_STORAGE_URI=REDIS_URL,
        RATELIMIT_KEY_PREFIX=redis_prefix,
        PROXY_FIX="1",  # X-Forwarded-For gives each simulated browser its address
        SIGN_IN_RATE_LIMIT="3 per minute",
        SIGN_IN_ACCOUNT_RATE_LIMIT="3 per hour",
    )
    with serving(tmp_path, env) as base:
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
        command, options = gunicorn(server_env(tmp_path, **settings), *args)
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
