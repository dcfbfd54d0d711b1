"""The application factory and its configuration: from a dict in tests, from the
environment otherwise, never with an unsafe secret."""

from __future__ import annotations

import os
import re
import sqlite3
import stat

import pytest
from sqlalchemy import create_engine, text

from fitcheck import create_app
from fitcheck.config import UnsafeConfigError, normalize_database_url
from fitcheck.extensions import db


def test_factory_builds_from_test_config(app):
    assert app.testing
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["BOOTSTRAP_SERVE_LOCAL"] is True


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    names = ("SECRET_KEY", "DATABASE_URL", "RATELIMIT_STORAGE_URI", "SESSION_COOKIE_SECURE")
    for name in (*names, "DATABASE_POOLER"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def _app_in(tmp_path):
    from flask import Flask

    from fitcheck import config

    app = Flask("fitcheck_probe", instance_path=str(tmp_path / "instance"))
    config.configure(app, None)
    return app


def test_environment_defaults_to_sqlite_in_the_instance_folder(clean_env, tmp_path):
    app = _app_in(tmp_path)
    assert app.config["SQLALCHEMY_DATABASE_URI"] == (
        f"sqlite:///{tmp_path / 'instance' / 'fitcheck.sqlite3'}"
    )
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"


def test_generated_secret_key_is_kept_private_and_reused(clean_env, tmp_path):
    first = _app_in(tmp_path).config["SECRET_KEY"]
    second = _app_in(tmp_path).config["SECRET_KEY"]
    key_file = tmp_path / "instance" / "secret_key"
    assert first == second == key_file.read_text()
    assert len(first) >= 32
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_environment_values_are_read_when_the_app_is_built(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", "k" * 40)
    clean_env.setenv("DATABASE_URL", "postgres://u@db.example/fit")
    clean_env.setenv("RATELIMIT_STORAGE_URI", "redis://127.0.0.1:6379/0")
    app = _app_in(tmp_path)
    assert app.config["SECRET_KEY"] == "k" * 40
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/fit"
    assert app.config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/0"


@pytest.mark.postgres
@pytest.mark.parametrize(("pooler", "prepared"), [("", True), ("pgbouncer", False)])
def test_behind_pgbouncer_no_statement_is_prepared_on_the_server(
    clean_env, tmp_path, postgres_url, pooler, prepared
):
    """psycopg prepares a statement after its fifth run on a connection; under PgBouncer's
    transaction pooling the next transaction may meet a server connection without it."""
    clean_env.setenv("SECRET_KEY", "k" * 40)
    clean_env.setenv("DATABASE_URL", postgres_url)
    clean_env.setenv("DATABASE_POOLER", pooler)
    app = _app_in(tmp_path)
    engine = create_engine(
        app.config["SQLALCHEMY_DATABASE_URI"], **app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    )
    try:
        with engine.connect() as connection:
            for number in range(8):
                connection.execute(text("SELECT :n + 1"), {"n": number})
            held = connection.scalar(text("SELECT count(*) FROM pg_prepared_statements"))
    finally:
        engine.dispose()
    assert (held > 0) is prepared


@pytest.mark.parametrize(
    ("pooler", "url"),
    [("pgbouncer", "sqlite:///fitcheck.sqlite3"), ("pgpool", "postgres://u@db/fit")],
)
def test_an_unknown_pooler_or_one_without_postgresql_is_refused(clean_env, tmp_path, pooler, url):
    clean_env.setenv("SECRET_KEY", "k" * 40)
    clean_env.setenv("DATABASE_URL", url)
    clean_env.setenv("DATABASE_POOLER", pooler)
    with pytest.raises(UnsafeConfigError, match="DATABASE_POOLER"):
        _app_in(tmp_path)


def test_refuses_to_start_with_a_short_secret(clean_env, tmp_path):
    clean_env.setenv("SECRET_KEY", "dev")
    with pytest.raises(UnsafeConfigError):
        _app_in(tmp_path)


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql+psycopg://a@h/d", "postgresql+psycopg://a@h/d"),
        ("sqlite:////x.db", "sqlite:////x.db"),
    ],
)
def test_database_urls_use_psycopg_3(url, expected):
    assert normalize_database_url(url) == expected


def test_sqlite_connections_are_durable_and_strict(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        }
    )
    with app.app_context():
        pragmas = {
            name: db.session.execute(text(f"PRAGMA {name}")).scalar()
            for name in ("journal_mode", "synchronous", "foreign_keys", "busy_timeout")
        }
        db.session.remove()
        db.engine.dispose()
    assert pragmas == {
        "journal_mode": "wal",
        "synchronous": 2,
        "foreign_keys": 1,
        "busy_timeout": 5000,
    }
    with sqlite3.connect(tmp_path / "db.sqlite3") as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_healthz_answers_without_touching_the_database(tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "s" * 40,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'missing' / 'db.sqlite3'}",
        }
    )
    client = app.test_client()
    assert client.get("/healthz").get_data(as_text=True) == "ok"
    # The folder does not exist, so the database cannot open: ready says so.
    response = client.get("/readyz")
    assert response.status_code == 503
    with app.app_context():
        db.engine.dispose()


def test_readyz_runs_a_query(client):
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ready"


def test_responses_carry_security_headers(client):
    headers = client.get("/").headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "DENY"
    assert "default-src 'self'" in headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]


def test_bootstrap_is_served_locally(client):
    page = client.get("/").get_data(as_text=True)
    assert "cdn." not in page and "https://" not in page.split("<body")[0]
    css = re.search(r'href="(/assets/bootstrap\.[0-9a-f]{16}\.min\.css)"', page)
    assert css, "Bootstrap's stylesheet is not one of this site's assets"
    response = client.get(css[1])
    assert response.status_code == 200
    assert b"Bootstrap" in response.get_data()[:200]


def test_unknown_page_gets_our_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "Page not found" in response.get_data(as_text=True)


def test_server_error_rolls_back_and_shows_our_page(app):
    app.config["PROPAGATE_EXCEPTIONS"] = False

    @app.get("/boom")
    def boom():
        raise RuntimeError("boom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "Something went wrong" in response.get_data(as_text=True)
