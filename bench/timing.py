"""What every benchmark needs: a fresh app on a scratch database, a signed-in client, and
the median time of an action."""

from __future__ import annotations

import argparse
import secrets
import statistics
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient

from fitcheck import create_app
from fitcheck.extensions import db

from .synthetic import BENCH_PASSWORD


def arguments(description: str | None, *, runs: int) -> argparse.ArgumentParser:
    """The options every benchmark takes; each adds its own sizes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--runs", type=int, default=runs)
    parser.add_argument("--database", help="SQLAlchemy URL (default: a fresh SQLite file)")
    return parser


@contextmanager
def scratch_app(database: str | None) -> Iterator[Flask]:
    """An app on `database` (default: a fresh SQLite file) with an empty schema, inside
    its app context; the schema there is dropped first."""
    url = database or f"sqlite:///{Path(tempfile.mkdtemp()) / 'bench.sqlite3'}"
    app = create_app(
        {"TESTING": True, "SECRET_KEY": secrets.token_urlsafe(32), "SQLALCHEMY_DATABASE_URI": url}
    )
    with app.app_context():
        db.drop_all()
        db.create_all()
        yield app
        db.session.remove()
        db.engine.dispose()


def database_name(app: Flask) -> str:
    return str(app.config["SQLALCHEMY_DATABASE_URI"]).split(":")[0]


def signed_in(app: Flask, email: str) -> FlaskClient:
    """A test client signed in through the form, as a browser would."""
    client = app.test_client()
    page = client.get("/sign-in").get_data(as_text=True)
    token = page.split('name="csrf_token" type="hidden" value="')[1].split('"')[0]
    client.post("/sign-in", data={"email": email, "password": BENCH_PASSWORD, "csrf_token": token})
    return client


def median_ms(action: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)
