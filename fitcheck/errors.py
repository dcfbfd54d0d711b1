"""Central error handlers: a page of our own for every error, JSON under the API."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db


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
    template = f"errors/{code}.html" if code in {403, 404, 413, 429} else "errors/generic.html"
    return render_template(template, error=error), code, headers


def _handle_http(error: HTTPException) -> Rendered:
    return _render(error)


def _handle_csrf(error: CSRFError) -> tuple[Response | str, int]:
    return render_template("errors/csrf.html", error=error), 400


def _handle_server_error(error: InternalServerError) -> Rendered:
    # A half-done transaction must not leak into the next request on this connection.
    db.session.rollback()
    return _render(error)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(InternalServerError, _handle_server_error)
