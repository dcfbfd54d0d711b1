"""The app as deployed, for tests that need real processes: gunicorn with `gunicorn.conf.py`
over a database made by `flask db upgrade`, and a browser of urllib with its own cookies."""

from __future__ import annotations

import itertools
import os
import secrets
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from http.cookiejar import CookieJar
from pathlib import Path
from typing import Any

import pytest

from .smtp import free_port
from .support import CSRF_FIELD

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
#: `flask --app fitcheck worker` as deployed, on one thread.
WORKER = [sys.executable, "-m", "flask", "--app", "fitcheck", "worker", "--threads", "1"]


def server_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The environment of one server: this test's database and a port of its own."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("RATELIMIT_", "SIGN_IN_", "GUNICORN", "WEB_CONCURRENCY"))
    }
    defaults = {
        "SECRET_KEY": secrets.token_urlsafe(32),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'fitcheck.sqlite3'}",
        "TASK_QUEUE_URL": "memory://",
        "BIND": f"127.0.0.1:{free_port()}",
    }
    return {**env, **defaults, **settings}


def gunicorn(env: dict[str, str], *args: str, **kwargs: Any) -> Any:
    command = [str(BIN / "gunicorn"), "-c", "gunicorn.conf.py", *args, "wsgi:app"]
    return command, {"cwd": ROOT, "env": env, **kwargs}


def upgrade(env: dict[str, str]) -> None:
    """`flask db upgrade` on the database `env` names."""
    subprocess.run(
        [str(BIN / "flask"), "--app", "fitcheck", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


@contextmanager
def serving(
    tmp_path: Path, env: dict[str, str], *, migrate: bool = True, name: str = ""
) -> Iterator[str]:
    """Run gunicorn until the block ends; yields its base URL once /healthz answers.

    Its access log (`<name>access.log`: pid, method, path, status) and error log are kept
    in `tmp_path`."""
    if migrate:
        upgrade(env)
    command, options = gunicorn(env, "--access-logformat", "%(p)s %(m)s %(U)s %(s)s")
    errors_log = tmp_path / f"{name}error.log"
    with (tmp_path / f"{name}access.log").open("wb") as access, errors_log.open("wb") as errors:
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
                    pytest.fail(f"gunicorn did not start:\n{errors_log.read_text()}")
                time.sleep(0.1)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=30)


class Browser:
    """One browser: a cookie jar, the form's CSRF token, and an address of its own.

    Given several base URLs it is behind a round-robin load balancer: each request goes to
    the next server in turn, with the same cookies (cookies do not depend on the port)."""

    def __init__(self, base: str | Sequence[str], address: str) -> None:
        self.bases = itertools.cycle([base] if isinstance(base, str) else base)
        self.address = address
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(CookieJar()), _NoRedirect()
        )

    def status(self, method: str, path: str, data: dict[str, str] | None = None) -> tuple[int, str]:
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        request = urllib.request.Request(  # noqa: S310 - http://127.0.0.1, built above
            next(self.bases) + path,
            data=body,
            method=method,
            headers={"X-Forwarded-For": self.address},
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
