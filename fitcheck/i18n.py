"""Locale choice (the user's own choice first, then the browser's Accept-Language), and
the project's lazy messages.

Every module takes `lazy_gettext` (`_l`) from here, never from Flask-Babel: Flask-Babel's
lazy string claims to be markup (its `__html__` returns the formatted text as it is), so
Jinja, WTForms' labels and options, and `Markup` would put a name quoted in it — "Our side
(%(name)s)" — into the page unescaped. A message here is text: it escapes as a whole when
rendered as HTML. No message of fitcheck holds markup on purpose.
"""

from __future__ import annotations

from typing import Any

from flask import current_app, g, has_request_context, request, session
from flask.json.provider import DefaultJSONProvider
from flask_babel import LazyString, gettext
from flask_login import current_user
from markupsafe import Markup, escape

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


class LazyText(LazyString):  # type: ignore[misc]  # Flask-Babel ships no type hints
    """A message translated when used, and escaped whole when rendered as HTML."""

    def __html__(self) -> Markup:
        return escape(str(self))


def lazy_gettext(string: str, **variables: Any) -> LazyText:
    """Like Flask-Babel's `lazy_gettext`; the values quoted in it are never markup."""
    return LazyText(gettext, string, **variables)


class TextJSONProvider(DefaultJSONProvider):
    """Flask's JSON, writing a lazy message as its text (Flask's own takes `__html__`,
    which is escaped here: an API answer would say `can&#39;t`)."""

    @staticmethod
    def default(o: Any) -> Any:
        if isinstance(o, LazyString):
            return str(o)
        return DefaultJSONProvider.default(o)
