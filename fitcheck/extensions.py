"""Flask extensions, created unbound here and bound to an app in `create_app()`."""

from __future__ import annotations

import sqlite3
from typing import Any

from flask import session
from flask_babel import Babel
from flask_bootstrap import Bootstrap5
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager as BaseLoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase

# Named constraints give migrations stable names to drop and alter on every database.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class LoginManager(BaseLoginManager):  # type: ignore[misc]  # Flask-Login ships no types
    """Flask-Login, leaving the sessions of people who are not signed in alone.

    Its session protection marks any session whose fingerprint is new as not fresh, signed
    in or not. A respondent's or workshop guest's session then gets rewritten by whichever
    request comes second, typically an autosave; its cookie, sent while the page's own form
    was on its way, could overwrite the "Saved" notice that form's answer had just put in the
    session. Without a signed-in user there is nothing to protect or to call fresh.
    """

    def _session_protection_failed(self) -> bool:
        if "_user_id" not in session:
            return False
        return bool(super()._session_protection_failed())


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
csrf = CSRFProtect()
login_manager = LoginManager()
babel = Babel()
bootstrap = Bootstrap5()
# Pages, JSON and assets leave compressed (Brotli, else gzip) when the browser accepts it.
compress = Compress()
limiter = Limiter(key_func=get_remote_address)


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Make every SQLite connection durable and strict.

    WAL lets readers work while an answer is written; synchronous=FULL makes an acknowledged
    answer survive a power cut; SQLite leaves foreign keys off unless asked, per connection.
    """
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=5000")
    finally:
        cursor.close()
