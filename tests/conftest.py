"""Fixtures: apps built from a dict, on SQLite and on PostgreSQL, and builders of test data.

Every test that takes `app` (or anything built on it) runs once per database. PostgreSQL
tests use a database of their own, created for the run and dropped after it, so parallel
runs never meet. Under CI=true a missing PostgreSQL fails the run instead of skipping.
"""

from __future__ import annotations

import contextvars
import os
import secrets
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from flask import Flask, has_app_context
from flask.testing import FlaskClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from fitcheck import create_app
from fitcheck.extensions import db
from fitcheck.models import Partner, Role, User, Workspace
from fitcheck.services import accounts
from fitcheck.services.respondents import add_respondent

from .smtp import mailbox  # noqa: F401 - a fixture for every test module
from .support import PASSWORD, sign_in_with
from .worked_example import worked_example  # noqa: F401 - a fixture for every test module

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
TRANSLATIONS = Path(__file__).resolve().parents[1] / "fitcheck" / "translations"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}


def require_or_skip(reason: str) -> None:
    """Skip on a developer's machine; fail in CI, where every part must be tested."""
    if IN_CI:
        pytest.fail(f"CI=true requires this: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session", autouse=True)
def compiled_catalogs() -> None:
    """Compile the translation catalogs, so a plain `pytest` sees the current wording."""
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    for po_path in TRANSLATIONS.glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as po_file:
            catalog = read_po(po_file)
        with po_path.with_suffix(".mo").open("wb") as mo_file:
            write_mo(mo_file, catalog)


@contextmanager
def new_postgres_database(prefix: str) -> Iterator[str]:
    """The URL of an empty PostgreSQL database named `<prefix>_<random>`, dropped after the
    block; skipped (failed under CI=true) when PostgreSQL cannot be reached."""
    base = os.environ.get("TEST_DATABASE_URL", DEFAULT_POSTGRES)
    name = f"{prefix}_{secrets.token_hex(4)}"
    admin = create_engine(base, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    except OperationalError as error:
        admin.dispose()
        require_or_skip(f"PostgreSQL is not reachable at {base}: {error.orig}")
    try:
        yield make_url(base).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """A fresh PostgreSQL database for this test run, dropped at the end."""
    with new_postgres_database(f"fitcheck_test_{os.getpid()}") as url:
        yield url


@pytest.fixture
def redis_prefix() -> Iterator[str]:
    """A key prefix (and queue name) of this test's own in the shared Redis at
    TEST_REDIS_URL, its keys deleted afterwards."""
    import redis

    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        require_or_skip(f"Redis is not reachable at {REDIS_URL}: {error}")
    prefix = f"fitcheck-test-{os.getpid()}-{secrets.token_hex(4)}"
    try:
        yield prefix
    finally:
        keys = list(client.scan_iter(match=f"*{prefix}*"))
        if keys:
            client.delete(*keys)
        client.close()


@pytest.fixture(scope="session")
def postgres_schema(postgres_url: str) -> str:
    """Create the tables once per run; each test then starts from emptied tables."""
    app = create_app(_config(postgres_url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return postgres_url


def _config(database_url: str, **overrides: Any) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SECRET_KEY": secrets.token_urlsafe(32),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "RATELIMIT_STORAGE_URI": "memory://",
        "SERVER_NAME": "fitcheck.test",
        "BASE_URL": "http://fitcheck.test",
        # scrypt costs a third of a second a hash; tests hash hundreds of passwords.
        "PASSWORD_HASH_METHOD": "pbkdf2:sha256:1000",
        **overrides,
    }


@pytest.fixture(scope="session")
def sqlite_schema(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the tables created once; each test gets a copy of it.

    Creating the schema costs a fsync per table (synchronous=FULL); copying a file does not.
    """
    path = tmp_path_factory.mktemp("schema") / "fitcheck.sqlite3"
    app = create_app(_config(f"sqlite:///{path}"))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        copy = tmp_path / "fitcheck.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_schema"), copy)
        return f"sqlite:///{copy}"
    return str(request.getfixturevalue("postgres_schema"))


@pytest.fixture
def app_config(database_url: str) -> dict[str, Any]:
    """Override in a test module (or parametrize) to change a setting before the app is built."""
    return _config(database_url)


class IsolatedClient(FlaskClient):
    """A test client whose every request runs in a fresh app context, as on a real server.

    The test body keeps its own app context for database access; without this, requests
    would share it, and with it `g` (where Flask-Login caches the user) and the session.
    After each request the test's session ends its transaction, so it reads what the
    request wrote, like any other reader would.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        response = contextvars.Context().run(super().open, *args, **kwargs)
        if has_app_context():
            db.session.rollback()
        return response


@pytest.fixture
def app(app_config: dict[str, Any]) -> Iterator[Flask]:
    app = create_app(app_config)
    app.test_client_class = IsolatedClient
    with app.app_context():
        if db.engine.dialect.name != "sqlite":
            tables = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
            with db.engine.begin() as connection:
                connection.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))
        yield app
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> Any:
    return app.test_cli_runner()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., User]:
    """Build a user (and, unless given, a new workspace it owns)."""

    def build(
        email: str | None = None,
        *,
        workspace: Workspace | None = None,
        password: str = PASSWORD,
        role: Role | None = None,
    ) -> User:
        email = email or f"user-{secrets.token_hex(4)}@example.com"
        if workspace is None:
            user = accounts.sign_up(
                workspace_name=f"Workspace of {email}",
                name="Test User",
                email=email,
                password=password,
            )
        else:
            user = accounts.create_user(
                email=email, workspace_name=workspace.name, password=password, name="Member"
            )
        if role is not None:
            user.role = role
            db.session.commit()
        return user

    return build


@pytest.fixture
def make_partner(app: Flask) -> Callable[..., Partner]:
    def build(workspace: Workspace, name: str | None = None) -> Partner:
        partner = Partner(workspace_id=workspace.id, name=name or f"Partner {secrets.token_hex(3)}")
        db.session.add(partner)
        db.session.commit()
        return partner

    return build


@pytest.fixture
def sign_in(client: FlaskClient) -> Callable[..., Any]:
    """Sign a user in through the real form, CSRF token and all."""

    def do(email: str, password: str = PASSWORD) -> Any:
        return sign_in_with(client, email, password)

    return do


@pytest.fixture
def make_assessment(
    app: Flask, make_user: Callable[..., User], make_partner: Callable[..., Partner]
) -> Callable[..., Any]:
    """Build an assessment on the workspace's default traits, with respondents on both
    sides, launched unless asked not to. Returns (assessment, {respondent: token})."""
    from sqlalchemy import select

    from fitcheck.models import Kind, Side, TraitSet
    from fitcheck.services import assessments

    def build(
        user: User | None = None,
        *,
        company: int = 1,
        client: int = 1,
        launch: bool = True,
        **settings: Any,
    ) -> tuple[Any, dict[Any, str]]:
        user = user or make_user()
        partner = make_partner(user.workspace)
        trait_set = db.session.scalar(
            select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
        )
        settings.setdefault("kind", Kind.PRE_CONTRACT)
        assessment = assessments.create_assessment(partner, trait_set, **settings)
        tokens = {}
        for side, count in ((Side.COMPANY, company), (Side.CLIENT, client)):
            for number in range(count):
                respondent, token = add_respondent(
                    assessment,
                    side=side,
                    name=f"{side.value.title()} {number + 1}",
                    email=f"{side.value}{number + 1}@example.com",
                )
                tokens[respondent] = token
        if launch:
            assessments.launch(assessment, invite=False)
        return assessment, tokens

    return build
