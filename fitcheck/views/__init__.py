"""Blueprints, one per feature, and what every template can use."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask_babel import format_date, format_datetime, get_locale


def _template_helpers() -> dict[str, Any]:
    from .. import charts
    from ..forms import LanguageForm, SignOutForm
    from .vendor import PLOTLY_VERSION

    return {
        "current_locale": lambda: str(get_locale() or "en"),
        "chart_config": charts.figure_config(),
        "plotly_version": PLOTLY_VERSION,
        "format_date": format_date,
        "format_datetime": format_datetime,
        "language_form": LanguageForm,
        "sign_out_form": SignOutForm,
    }


def register_blueprints(app: Flask) -> None:
    from . import (
        assessments,
        audit,
        auth,
        exports,
        main,
        members,
        outcomes,
        partners,
        portfolio,
        respond,
        results,
        traits,
        vendor,
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
    app.register_blueprint(exports.bp)
    app.register_blueprint(portfolio.bp)
    app.register_blueprint(audit.bp)
    app.register_blueprint(workspace.bp)
    app.register_blueprint(vendor.bp)
    app.context_processor(_template_helpers)
