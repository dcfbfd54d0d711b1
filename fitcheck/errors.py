"""Central error handlers: a page of our own for every error, JSON under the API."""

from __future__ import annotations

from flask import Flask, Response, jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from .extensions import db


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def _render(error: HTTPException) -> tuple[Response | str, int]:
    code = error.code or 500
    if _wants_json():
        return jsonify(error={"code": code, "name": error.name, "message": error.description}), code
    template = f"errors/{code}.html" if code in {403, 404, 429} else "errors/generic.html"
    return render_template(template, error=error), code


def _handle_http(error: HTTPException) -> tuple[Response | str, int]:
    return _render(error)


def _handle_csrf(error: CSRFError) -> tuple[Response | str, int]:
    return render_template("errors/csrf.html", error=error), 400


def _handle_server_error(error: InternalServerError) -> tuple[Response | str, int]:
    # A half-done transaction must not leak into the next request on this connection.
    db.session.rollback()
    return _render(error)


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(CSRFError, _handle_csrf)
    app.register_error_handler(HTTPException, _handle_http)
    app.register_error_handler(InternalServerError, _handle_server_error)
