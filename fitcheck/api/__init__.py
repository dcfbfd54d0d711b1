"""The JSON API under /api/v1, for CRM and BI integration (docs/api.md).

flask-smorest validates requests and shapes responses with the marshmallow schemas of
`schemas`, and generates the OpenAPI document at /api/v1/openapi.json from them. The
handlers call the same services as the web UI. `register_api(app)` binds it all to an app.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_smorest import Api

from .access import BEARER_SCHEME
from .errors import ErrorSchema

API_PREFIX = "/api/v1"
API_VERSION = "1.0.0"
OPENAPI_VERSION = "3.0.3"
DESCRIPTION = (
    "fitcheck's JSON API: trait sets, partners, outcomes, assessments, respondents' answers, "
    "results, review meetings, each partner's timeline, the portfolio analysis and the "
    "brand-partner workshops; every list comes a page at a time (`page`, `per_page`, with "
    "the `total`). Staff endpoints need a "
    "personal API token (`Authorization: Bearer <token>`), created on the account page or "
    "with `flask --app fitcheck create-token EMAIL`; every id is looked up in the token's "
    "workspace only. Errors are "
    '`{"error": {"code", "name", "message"}}`, with `fields` on a 422. See docs/api.md.'
)


class FitcheckApi(Api):  # type: ignore[misc]
    """flask-smorest's Api, documenting fitcheck's error shape and leaving error pages alone.

    The stock Api registers an app-wide HTTPException handler that answers JSON for every
    page of the site. Here the API blueprints have their own handler (see `access.protect`)
    and `fitcheck.errors` keeps the HTML error pages everywhere else.
    """

    ERROR_SCHEMA = ErrorSchema

    def _register_error_handlers(self) -> None:
        return None


def register_api(app: Flask) -> FitcheckApi:
    from . import (
        assessments,
        commitments,
        listings,
        meetings,
        outcomes,
        partners,
        portfolio,
        responses,
        trait_sets,
        workshops,
    )

    app.config.setdefault("OPENAPI_URL_PREFIX", API_PREFIX)
    app.config.setdefault("OPENAPI_JSON_PATH", "openapi.json")
    spec_kwargs: dict[str, Any] = {
        "title": "fitcheck API",
        "version": API_VERSION,
        "openapi_version": OPENAPI_VERSION,
        "info": {"description": DESCRIPTION},
        "security": [{BEARER_SCHEME: []}],
    }
    api = FitcheckApi(app, spec_kwargs=spec_kwargs)
    api.spec.components.security_scheme(
        BEARER_SCHEME,
        {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, shown once when it is created.",
        },
    )
    for blueprint in (
        trait_sets.blp,
        partners.blp,
        outcomes.blp,
        assessments.blp,
        responses.blp,
        portfolio.blp,
        listings.blp,
        commitments.blp,
        meetings.blp,
        workshops.blp,
    ):
        api.register_blueprint(blueprint)
    return api
