"""Helpers shared by tests: what a browser would do, in a line."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask.testing import FlaskClient
from sqlalchemy import event

from fitcheck.extensions import db

PASSWORD = "correct horse battery"

CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


def csrf_token(client: FlaskClient, url: str) -> str:
    """The CSRF token a page hands out, as a browser would read it from the form."""
    page = client.get(url)
    match = CSRF_FIELD.search(page.get_data(as_text=True))
    assert match, f"no CSRF token on {url} ({page.status_code})"
    return match.group(1)


def sign_in_with(client: FlaskClient, email: str, password: str = PASSWORD) -> Any:
    """Post the sign-in form from `client`, with the CSRF token its page gave."""
    token = csrf_token(client, "/sign-in")
    return client.post("/sign-in", data={"email": email, "password": password, "csrf_token": token})


@contextmanager
def count_queries() -> Iterator[list[str]]:
    """Record every SQL statement run inside the block: pages must not query per row."""
    statements: list[str] = []

    def record(*args: Any) -> None:
        statements.append(args[2])

    event.listen(db.engine, "before_cursor_execute", record)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
