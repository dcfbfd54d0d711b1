"""Central error handlers: a page of our own for every error, JSON under the API.

A database that cannot be reached (restarting, failing over, out of connections) is an
outage, not a bug: the request is answered 503 with `Retry-After`, and the next request
reconnects by itself (`pool_pre_ping`). Every other database error stays a 500.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, OperationalError, SQLAlchemyError
from werkzeug.exceptions import HTTPException, InternalServerError, ServiceUnavailable

from .extensions import db, limiter, login_manager

# How long a client should wait before trying again while the database is away: a
# PostgreSQL restart or a managed failover takes a few seconds.
RETRY_AFTER_SECONDS = 5

# PostgreSQL SQLSTATE classes in which the server, not the statement, is at fault:
# 08 connection exception, 53 insufficient resources (too many connections, disk full),
# 57 operator intervention (shutting down, starting up, statement cancelled), 58 system
# error. Others (23 integrity, 42 syntax or a missing table, 40 deadlock) point at the code.
UNAVAILABLE_SQLSTATE_CLASSES = frozenset({"08", "53", "57", "58"})

# SQLite's primary result codes for a file that is busy or cannot be used (BUSY, LOCKED,
# NOMEM, IOERR, FULL, CANTOPEN); SQLITE_ERROR (1), "no such table" and the like, is a bug.
UNAVAILABLE_SQLITE_CODES = frozenset({5, 6, 7, 10, 13, 14})


def _wants_json() -> bool:
    return request.path.startswith("/api/")


Rendered = tuple[Response | str, int, list[tuple[str, str]]]


def _render(error: HTTPException) -> Rendered:
    code = error.code or 500
    # Keep what the error says besides its body: `Allow` on a 405 (RFC 9110), for instance.
    headers = [(name, value) for name, value in error.get_headers() if name != "Content-Type"]
    if _wants_json():
        body = {"code": code, "name": error.name, "message": error.description}
        return jsonify(error=body), code, headers
    template = f"errors/{code}.html" if code in {403, 404, 413, 429, 503} else "errors/generic.html"
    return render_template(template, error=error), code, headers


def _handle_http(error: HTTPException) -> Rendered:
    return _render(error)


def _handle_csrf(error: CSRFError) -> tuple[Response | str, int]:
    return render_template("errors/csrf.html", error=error), 400


def _handle_server_error(error: InternalServerError) -> Rendered:
    # A half-done transaction must not leak into the next request on this connection.
    db.session.rollback()
    return _render(error)


def database_unavailable(error: BaseException) -> bool:
    """True when `error` says the database is out of reach, not that the code is wrong.

    SQLAlchemy marks a connection lost mid-request as invalidated; a refused or failed
    connection is an OperationalError that the server never answered (no SQLSTATE).
    """
    if not isinstance(error, DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, OperationalError):
        return False  # IntegrityError, ProgrammingError, DataError…: a bug, a 500
    sqlite_code = getattr(error.orig, "sqlite_errorcode", None)
    if isinstance(sqlite_code, int):
        return sqlite_code & 0xFF in UNAVAILABLE_SQLITE_CODES
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate is None or str(sqlstate)[:2] in UNAVAILABLE_SQLSTATE_CLASSES


def _handle_database_error(error: DBAPIError) -> Rendered:
    if not database_unavailable(error):
        raise error  # on to Flask's 500: logged, and `_handle_server_error` answers
    current_app.logger.warning("Database unavailable, answering 503: %s", error.orig)
    try:
        db.session.rollback()
    except SQLAlchemyError:  # the answer is a 503 all the same
        current_app.logger.warning("Rollback after a lost connection failed", exc_info=True)
    # The page is drawn as for a visitor: loading the signed-in user (for the navigation and
    # the language) would ask the database again, and the user loaded earlier in the request
    # was expired by the rollback.
    g._login_user = login_manager.anonymous_user()
    # Flask-Limiter would put the rate limit's reset (up to a minute) in Retry-After: this
    # answer is about the database, not the budget, so it carries no rate-limit headers.
    limiter.context.view_rate_limit = None
    unavailable = ServiceUnavailable(
        description=_(
            "fitcheck cannot reach its database at the moment, so this request may not have "
            "been saved. Please try again in a few seconds."
        ),
        retry_after=RETRY_AFTER_SECONDS,
    )
    return _render(unavailable)


def _end_session(_error: BaseException | None) -> None:
    """End the request's session before Flask-SQLAlchemy's teardown would, quietly.

    Closing the session rolls back a transaction left open by reading; when the database
    went away after the response was made, that rollback fails, and raised here it would
    replace the finished response with a 500. The connection is lost either way.
    """
    try:
        db.session.remove()
    except SQLAlchemyError as error:
        current_app.logger.warning("Database connection lost at the end of a request: %s", error)
        db.session.remove()  # the lost connection is invalidated now: this closes cleanly


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(InternalServerError, _handle_server_error)
    app.register_error_handler(DBAPIError, _handle_database_error)
    # Teardowns run last registered first: this one before Flask-SQLAlchemy's.
    app.teardown_appcontext(_end_session)
