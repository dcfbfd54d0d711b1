"""Who may call the API, how often, and in which language it answers.

Staff endpoints take `Authorization: Bearer <token>` (a personal API token) and nothing
else: no cookie, so no CSRF token either. The respondent endpoint is authorized by the
invitation token in its path. Every blueprint of the API is set up by `protect()`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NoReturn, TypeVar

from flask import current_app, g, request
from flask.wrappers import Response
from flask_babel import gettext as _
from flask_limiter.util import get_remote_address
from flask_smorest import abort
from werkzeug.exceptions import HTTPException

from ..extensions import csrf, db, limiter
from ..models import ApiToken, Respondent, User
from ..services import api_tokens, responses
from ..tokens import hash_token
from .errors import JsonParser, handle_http_error

Cached = TypeVar("Cached")

BEARER_SCHEME = "bearerAuth"
DEFAULT_RATE_LIMIT = "300 per minute"
DEFAULT_MISS_RATE_LIMIT = "10 per minute"


def fail(
    code: int,
    message: str,
    *,
    fields: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> NoReturn:
    """End the request with the API's JSON error (see `errors.handle_http_error`)."""
    abort(code, message=message, errors=fields, headers=headers)
    raise AssertionError("abort() returned")  # pragma: no cover - abort always raises


def request_locale() -> str:
    """The language the API answers in: the best match of Accept-Language, else the default."""
    supported = tuple(current_app.config["LANGUAGES"])
    default = str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))
    return str(request.accept_languages.best_match(supported, default=default))


def _bearer_secret() -> str | None:
    scheme, _space, secret = request.headers.get("Authorization", "").partition(" ")
    secret = secret.strip()
    return secret if scheme.lower() == "bearer" and secret else None


def current_workspace_id() -> int:
    """The workspace of the request's token; every staff query is scoped to it."""
    return int(g.api_workspace_id)


def current_user_id() -> int:
    return int(g.api_user_id)


def _once_per_request(name: str, compute: Callable[[], Cached]) -> Cached:
    """`compute()` once for this request, kept on the request itself.

    Not in `g`: a test (or a CLI task) that holds an app context shares one `g` across
    the requests it makes, and a token looked up for one must never answer for another.
    """
    cache: dict[str, Any] = request.environ.setdefault("fitcheck.api", {})
    if name not in cache:
        cache[name] = compute()
    value: Cached = cache[name]
    return value


def current_user() -> User:
    """The user whose token made this request (loaded once per request)."""
    user = _once_per_request("user", lambda: db.session.get(User, current_user_id()))
    assert user is not None  # the token's user: tokens go with their user
    return user


def _speak_the_request_language() -> None:
    # Read first by fitcheck.i18n.select_locale, so neither a session nor a cookie is touched.
    g.locale_override = request_locale()


def _request_token() -> ApiToken | None:
    """The API token in force that the request carries, looked up once per request."""

    def lookup() -> ApiToken | None:
        secret = _bearer_secret()
        return None if secret is None else api_tokens.authenticate(secret)

    return _once_per_request("token", lookup)


def link_respondent() -> Respondent | None:
    """The respondent of the invitation token in the path, looked up once per request."""

    def lookup() -> Respondent | None:
        return responses.load_for_answers(str((request.view_args or {}).get("token", "")))

    return _once_per_request("link_respondent", lookup)


def _authenticate() -> None:
    _speak_the_request_language()
    if request.method == "OPTIONS":
        return
    if _bearer_secret() is None:
        fail(
            401,
            _("Send your API token in the header “Authorization: Bearer <token>”."),
            headers={"WWW-Authenticate": 'Bearer realm="fitcheck"'},
        )
    token = _request_token()
    if token is None:
        fail(
            401,
            _("This API token is not valid, or it has been revoked."),
            headers={"WWW-Authenticate": 'Bearer realm="fitcheck", error="invalid_token"'},
        )
    g.api_workspace_id = token.workspace_id
    g.api_user_id = token.user_id


def _rate_key() -> str:
    """One budget per token; requests without one share their address's budget."""
    secret = _bearer_secret()
    if secret:
        return "token:" + hash_token(secret)
    return "address:" + get_remote_address()


def _rate_limit() -> str:
    return str(current_app.config.get("API_RATE_LIMIT", DEFAULT_RATE_LIMIT))


def _miss_limit() -> str:
    return str(current_app.config.get("API_MISS_RATE_LIMIT", DEFAULT_MISS_RATE_LIMIT))


def _too_many_requests() -> str:
    return str(_("Too many requests. Wait for a minute, then try again (see Retry-After)."))


def _unauthorized(response: Response) -> bool:
    return response.status_code == 401


def _unknown_link(response: Response) -> bool:
    return response.status_code == 404


def _valid_token() -> bool:
    return _request_token() is not None


def _known_link() -> bool:
    return link_respondent() is not None


def protect(blueprint: Any, *, bearer: bool) -> None:
    """Set up an API blueprint: JSON errors, no CSRF, rate limits, and who may call it.

    `bearer`: staff endpoints that need an API token. Otherwise the endpoint authorizes by a
    token in its path. Refused tokens count as misses: someone guessing API tokens or
    invitation links from one address is stopped after a few, as on the respondent's
    pages, while a valid token from the same address (an office behind one NAT) is never
    held back by them: it is looked up before the miss budget is checked.
    """
    csrf.exempt(blueprint)
    blueprint.ARGUMENTS_PARSER = JsonParser()
    blueprint.register_error_handler(HTTPException, handle_http_error)
    limiter.shared_limit(
        _rate_limit, scope="api", key_func=_rate_key, error_message=_too_many_requests
    )(blueprint)
    limiter.shared_limit(
        _miss_limit,
        scope="api-miss",
        key_func=get_remote_address,
        deduct_when=_unauthorized if bearer else _unknown_link,
        exempt_when=_valid_token if bearer else _known_link,
        error_message=_too_many_requests,
    )(blueprint)
    blueprint.before_request(_authenticate if bearer else _speak_the_request_language)
