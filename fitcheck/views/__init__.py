"""Blueprints, one per feature, and what every template can use."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import get_locale
from werkzeug.routing import IntegerConverter, Map

# Ids are the databases' 32-bit integers (PostgreSQL's `integer`).
MAX_ID = 2**31 - 1


class IdConverter(IntegerConverter):
    """`<int:…>` in every page's URL: a number past any id matches no route (a 404), where
    it would overflow the query (SQLite refuses ints above 2**63 - 1; PostgreSQL, 2**31 - 1).
    """

    def __init__(
        self,
        map: Map,
        fixed_digits: int = 0,
        min: int | None = None,
        max: int | None = MAX_ID,
        signed: bool = False,
    ) -> None:
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def _template_helpers() -> dict[str, Any]:
    from ..charts.embed import figure_config
    from ..forms import LanguageForm, SignOutForm
    from ..money import format_amount
    from ..services.dates import format_date, format_datetime
    from ..services.partners import is_web_address

    return {
        "current_locale": lambda: str(get_locale() or "en"),
        "chart_config": figure_config(),
        "format_date": format_date,
        # An amount with its currency, in the reader's language: format_amount(x, "JPY").
        "format_amount": lambda amount, currency: format_amount(
            amount, currency, str(get_locale() or "en")
        ),
        "format_datetime": format_datetime,
        "is_web_address": is_web_address,
        # formdata=None: these only draw a button, and must never read the request body,
        # which on an error page may be the cause of the error (too large, say).
        "language_form": lambda: LanguageForm(formdata=None),
        "sign_out_form": lambda: SignOutForm(formdata=None),
    }


def register_blueprints(app: Flask) -> None:
    # Before any route is added: each rule takes its converter when it is added.
    app.url_map.converters["int"] = IdConverter
    from . import (
        assessments,
        audit,
        auth,
        exports,
        main,
        meeting,
        members,
        outcomes,
        partners,
        portfolio,
        respond,
        results,
        traits,
        workshop_room,
        workshops,
        workspace,
    )

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(members.bp)
    app.register_blueprint(partners.bp)
    app.register_blueprint(outcomes.bp)
    app.register_blueprint(traits.bp)
    app.register_blueprint(assessments.bp)
    app.register_blueprint(respond.bp)
    app.register_blueprint(results.bp)
    app.register_blueprint(meeting.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(portfolio.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(workspace.bp)
    app.register_blueprint(workshops.bp)
    app.register_blueprint(workshop_room.bp)
    app.context_processor(_template_helpers)
