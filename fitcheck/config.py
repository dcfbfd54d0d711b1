"""Configuration: defaults, values read from the environment, and the checks that keep
an unsafe configuration from starting.

Everything here is read when `create_app()` runs, never at import time, so tests can build
an app from a plain dict and two apps in one process never share settings.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from limits import parse_many

if TYPE_CHECKING:
    from flask import Flask

SECRET_KEY_FILE = "secret_key"  # noqa: S105 - a file name, not a secret
MIN_SECRET_KEY_LENGTH = 32


class UnsafeConfigError(RuntimeError):
    """Raised when the app would start with a configuration that is not safe to serve."""


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL whatever spelling the platform hands us."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def load_or_create_secret_key(instance_path: Path) -> str:
    """Return the key kept in the instance folder, creating it (mode 600) on first start.

    A key generated per process would sign everyone out on every restart and break sessions
    across gunicorn workers; a constant in code would be public. A file beside the database
    is neither.
    """
    path = instance_path / SECRET_KEY_FILE
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        pass
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another worker created it first: use theirs so every worker signs alike.
        return path.read_text(encoding="ascii").strip()
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(key)
    return key


def engine_options(pooler: str, database_url: str) -> dict[str, Any]:
    """The engine's options: a pinged pool always; behind PgBouncer in transaction mode
    (`DATABASE_POOLER=pgbouncer`) no statement prepared on the server, since the next
    transaction may run on another server connection that does not hold it (psycopg 3
    prepares a statement after its fifth run on a connection)."""
    options: dict[str, Any] = {"pool_pre_ping": True}
    pooler = pooler.strip().lower()
    if not pooler:
        return options
    if pooler != "pgbouncer":
        raise UnsafeConfigError(f"DATABASE_POOLER={pooler!r}: the one pooler known is 'pgbouncer'")
    if not database_url.startswith("postgresql"):
        raise UnsafeConfigError("DATABASE_POOLER=pgbouncer needs a PostgreSQL DATABASE_URL")
    return {**options, "connect_args": {"prepare_threshold": None}}


def from_environment(instance_path: Path) -> dict[str, Any]:
    """Settings read from environment variables, with safe defaults for a single machine."""
    env = os.environ
    database_url = env.get("DATABASE_URL") or f"sqlite:///{instance_path / 'fitcheck.sqlite3'}"
    database_url = normalize_database_url(database_url)
    return {
        "SECRET_KEY": env.get("SECRET_KEY") or load_or_create_secret_key(instance_path),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SQLALCHEMY_ENGINE_OPTIONS": engine_options(env.get("DATABASE_POOLER", ""), database_url),
        "RATELIMIT_STORAGE_URI": rate_limit_storage(env),
        "RATELIMIT_KEY_PREFIX": env.get("RATELIMIT_KEY_PREFIX", ""),
        "SIGN_IN_RATE_LIMIT": env.get("SIGN_IN_RATE_LIMIT") or DEFAULTS["SIGN_IN_RATE_LIMIT"],
        "SIGN_IN_ACCOUNT_RATE_LIMIT": env.get("SIGN_IN_ACCOUNT_RATE_LIMIT")
        or DEFAULTS["SIGN_IN_ACCOUNT_RATE_LIMIT"],
        "SESSION_COOKIE_SECURE": _env_bool("SESSION_COOKIE_SECURE", False),
        "PROXY_FIX": _env_bool("PROXY_FIX", False),
        "BABEL_DEFAULT_TIMEZONE": env.get("TIMEZONE", DEFAULTS["BABEL_DEFAULT_TIMEZONE"]),
        "MAIL_SERVER": env.get("MAIL_SERVER", ""),
        "MAIL_PORT": int(env.get("MAIL_PORT", "25")),
        "MAIL_USE_TLS": _env_bool("MAIL_USE_TLS", False),
        "MAIL_USERNAME": env.get("MAIL_USERNAME", ""),
        "MAIL_PASSWORD": env.get("MAIL_PASSWORD", ""),
        "MAIL_DEFAULT_SENDER": env.get("MAIL_DEFAULT_SENDER", "fitcheck@localhost"),
        "BASE_URL": env.get("BASE_URL") or DEFAULTS["BASE_URL"],
        "TASK_QUEUE_URL": env.get("TASK_QUEUE_URL")
        or f"sqlite:///{instance_path / 'tasks.sqlite3'}",
        "TASK_QUEUE_NAME": env.get("TASK_QUEUE_NAME") or DEFAULTS["TASK_QUEUE_NAME"],
    }


DEFAULTS: Mapping[str, Any] = {
    "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
    "SESSION_COOKIE_HTTPONLY": True,
    "SESSION_COOKIE_SAMESITE": "Lax",
    "REMEMBER_COOKIE_HTTPONLY": True,
    "REMEMBER_COOKIE_SAMESITE": "Lax",
    "WTF_CSRF_TIME_LIMIT": 8 * 3600,
    "BOOTSTRAP_SERVE_LOCAL": True,
    # Brotli where the browser takes it, else gzip; zstd and deflate are not offered.
    "COMPRESS_ALGORITHM": ["br", "gzip"],
    "COMPRESS_ALGORITHM_STREAMING": ["br", "gzip"],
    "BABEL_DEFAULT_LOCALE": "en",
    # fitcheck's first users are in Japan; dates are shown and typed in this zone.
    "BABEL_DEFAULT_TIMEZONE": "Asia/Tokyo",
    "LANGUAGES": ("en", "ja"),
    "RATELIMIT_HEADERS_ENABLED": True,
    "RATELIMIT_STORAGE_URI": "memory://",
    # Sign-in, sign-up and password reset, per address; and failed sign-ins per account,
    # which ASVS 2.2.1 wants at 100 an hour at most, counted once for every worker.
    "SIGN_IN_RATE_LIMIT": "10 per minute",
    "SIGN_IN_ACCOUNT_RATE_LIMIT": "50 per hour",
    "PASSWORD_HASH_METHOD": "scrypt",
    # The respondent's link: one budget per address for all its pages, and a small one that
    # only unknown links use up (see views/respond.py).
    "RESPOND_RATE_LIMIT": "600 per minute",
    "RESPOND_MISS_RATE_LIMIT": "10 per minute",
    # A workshop's join link: a room of phones behind one Wi-Fi shares one address; each
    # screen asks every WORKSHOP_POLL_MS whether the room changed (views/workshop_room.py).
    "WORKSHOP_RATE_LIMIT": "3000 per minute",
    "WORKSHOP_MISS_RATE_LIMIT": "10 per minute",
    "WORKSHOP_POLL_MS": 2500,
    # The review meeting's presenter and remote ask this often whether it moved on.
    "MEETING_POLL_MS": 1500,
    "MAX_CONTENT_LENGTH": 4 * 1024 * 1024,
    # Empty server: mail is printed to the console (development).
    "MAIL_SERVER": "",
    "MAIL_PORT": 25,
    "MAIL_USE_TLS": False,
    "MAIL_USERNAME": "",
    "MAIL_PASSWORD": "",
    "MAIL_DEFAULT_SENDER": "fitcheck@localhost",
    # The public address every mail links to, from the web process and the worker alike.
    "BASE_URL": "http://127.0.0.1:5000",
    # Where the task queue keeps its work: `sqlite:///path` (one machine), `redis://…`
    # (several), or `memory://` (nothing consumes it: tests call the work directly).
    "TASK_QUEUE_URL": "memory://",
    # Several installations may share one Redis: each names its own queue.
    "TASK_QUEUE_NAME": "fitcheck",
    "WORKER_THREADS": 2,
    # How often an idle worker looks for work on SQLite (Redis wakes it at once).
    "WORKER_POLL_SECONDS": 1.0,
}


def rate_limit_storage(env: Mapping[str, str]) -> str:
    """Where rate limits are counted: `RATELIMIT_STORAGE_URI`, else in this process."""
    return env.get("RATELIMIT_STORAGE_URI") or str(DEFAULTS["RATELIMIT_STORAGE_URI"])


def counts_in_process(storage_uri: str) -> bool:
    """True when every process keeps its own counts (the limits library's `memory://`)."""
    return storage_uri.partition("://")[0] in {"memory", "async+memory"}


def check_rate_limit_storage(storage_uri: str, processes: int) -> None:
    """Refuse to serve from several processes that would each count every limit anew.

    Each of N workers counting on its own lets N times the configured sign-in attempts,
    link guesses and mails through; a store every worker shares counts them once.
    """
    if processes > 1 and counts_in_process(storage_uri):
        raise UnsafeConfigError(
            f"Rate limits are counted in each process (RATELIMIT_STORAGE_URI={storage_uri}), "
            f"so {processes} workers would allow {processes} times every limit. "
            "Set RATELIMIT_STORAGE_URI to a store all workers share, e.g. "
            "redis://127.0.0.1:6379/0, or run one worker process (WEB_CONCURRENCY=1)."
        )


def check_rate_limits(config: Mapping[str, Any]) -> None:
    """Refuse a limit the limiter could not read: it would leave that page unlimited."""
    for name in ("SIGN_IN_RATE_LIMIT", "SIGN_IN_ACCOUNT_RATE_LIMIT"):
        try:
            parse_many(str(config[name]))
        except ValueError as error:
            raise UnsafeConfigError(
                f"{name} must be a rate limit such as '10 per minute': {error}."
            ) from error


def check_production_safety(config: Mapping[str, Any]) -> None:
    """Refuse to serve with a secret that a visitor could guess, or a limit left unread."""
    check_rate_limits(config)
    if config.get("TESTING"):
        return
    key = config.get("SECRET_KEY") or ""
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise UnsafeConfigError(
            f"SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters; unset it to let "
            "fitcheck generate one in the instance folder."
        )


def configure(app: Flask, test_config: Mapping[str, Any] | None) -> None:
    """Load defaults, then the environment (or the test dict), then refuse unsafe values."""
    app.config.from_mapping(DEFAULTS)
    instance_path = Path(app.instance_path)
    if test_config is None:
        app.config.from_mapping(from_environment(instance_path))
    else:
        app.config.from_mapping(test_config)
    if app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite:///"):
        instance_path.mkdir(parents=True, exist_ok=True)
    check_production_safety(app.config)
