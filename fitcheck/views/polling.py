"""What a screen that follows a room asks every few seconds: the workshop's phones and
board, the review meeting's presenter and remote. A small JSON state under a weak ETag,
answered 304 while nothing changed; never from a cache.

Shared by views, as `access` and `scoping` are: not a view itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, current_app, jsonify, request


def poll_ms(setting: str) -> int:
    """How often a screen asks, in milliseconds: the config's `setting` (WORKSHOP_POLL_MS,
    MEETING_POLL_MS)."""
    return int(current_app.config[setting])


def poll_response(etag: str, state: Callable[[], Any]) -> Response:
    """`state()` as JSON under `etag`, or 304 when the screen has it already.

    Weak, because compression leaves a weak ETag as it is (a strong one gets the encoding
    added, and would never match again)."""
    if request.if_none_match.contains_weak(etag):
        response = Response(status=304)
    else:
        response = jsonify(state())
    response.set_etag(etag, weak=True)
    # Asked every few seconds, answered from the database every time.
    response.headers["Cache-Control"] = "no-cache, private"
    return response
