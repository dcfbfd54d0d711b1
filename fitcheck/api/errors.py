"""Every API error as JSON: `{"error": {"code", "name", "message"}}`, plus `fields` on a 422.

flask-smorest documents this shape (`ErrorSchema`) for every operation; the handler below
produces it for every HTTP error raised inside the API blueprints. Errors outside them
(an unknown /api/ path, a wrong method) come from `fitcheck.errors` in the same shape.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import marshmallow as ma
from flask import Request, jsonify
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_smorest import abort
from webargs.flaskparser import FlaskParser
from werkzeug.exceptions import HTTPException


class ErrorDetailSchema(ma.Schema):
    code = ma.fields.Integer(required=True, metadata={"description": "The HTTP status code."})
    name = ma.fields.String(required=True, metadata={"description": "The HTTP status name."})
    message = ma.fields.String(
        required=True, metadata={"description": "What went wrong, in the request's language."}
    )
    fields_ = ma.fields.Dict(
        data_key="fields",
        metadata={
            "description": "On 422 only: the offending fields of the request body (or "
            "parameters of the query string), each with a list of messages. Answers are "
            "keyed by their position in `answers` for a malformed item and by trait key for "
            "a rule (scale, unknown trait, missing on submit)."
        },
    )


class ErrorSchema(ma.Schema):
    error = ma.fields.Nested(ErrorDetailSchema, required=True)


def _merge_locations(problems: Mapping[str, Any]) -> dict[str, Any]:
    """webargs keys its messages by location ("json"); the API has one body, so drop it."""
    merged: dict[str, Any] = {}
    for location, messages in problems.items():
        if isinstance(messages, Mapping):
            merged.update(messages)
        else:
            merged[location] = messages
    return merged


def handle_http_error(error: HTTPException) -> ResponseReturnValue:
    code = error.code or 500
    data: Mapping[str, Any] = getattr(error, "data", None) or {}
    problems: dict[str, Any] = dict(data.get("errors") or {})
    if not problems and data.get("messages"):  # webargs' validation messages
        problems = _merge_locations(data["messages"])
    message = data.get("message")
    if message is None and code == 422:
        message = _("Some fields are not valid.")
    elif message is None and problems:  # e.g. webargs' 400 "Invalid JSON body."
        message = " ".join(str(text) for texts in problems.values() for text in _listed(texts))
    body: dict[str, Any] = {
        "code": code,
        "name": error.name,
        "message": str(message if message is not None else error.description),
    }
    if code == 422 and problems:
        body["fields"] = _string_keys(problems)
    headers = dict(data.get("headers") or {})
    return jsonify(error=body), code, headers


def _listed(texts: Any) -> list[Any]:
    return list(texts) if isinstance(texts, list | tuple) else [texts]


def _string_keys(value: Any) -> Any:
    """marshmallow keys list items by int; JSON (and sorting mixed keys) wants strings."""
    if isinstance(value, Mapping):
        return {str(key): _string_keys(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_string_keys(item) for item in value]
    return value


class JsonParser(FlaskParser):
    """webargs' parser of request bodies, with JSON nested deeper than Python's decoder can
    follow (a few thousand `[`) answered as a 400 rather than a RecursionError's 500.
    `access.protect` gives it to every API blueprint."""

    def _raw_load_json(self, req: Request) -> Any:
        try:
            return super()._raw_load_json(req)
        except RecursionError:
            abort(400, message=_("The JSON body is nested too deeply."))
