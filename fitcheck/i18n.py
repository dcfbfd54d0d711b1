"""Locale choice: the user's own choice first, then the browser's Accept-Language."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_login import current_user

SESSION_KEY = "locale"


def supported_locales() -> tuple[str, ...]:
    return tuple(current_app.config["LANGUAGES"])


def select_locale() -> str | None:
    if not has_request_context():  # the CLI speaks the default language
        return None
    supported = supported_locales()
    # A respondent page may pin the respondent's own choice (see the respond blueprint).
    chosen = g.get("locale_override")
    if chosen in supported:
        return str(chosen)
    if current_user.is_authenticated and current_user.locale in supported:
        return str(current_user.locale)
    chosen = session.get(SESSION_KEY)
    if chosen in supported:
        return str(chosen)
    return request.accept_languages.best_match(supported)
