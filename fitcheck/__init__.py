"""fitcheck: a two-sided partner-fit survey. `create_app()` builds the application."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the app from the environment, or from `test_config` alone when given."""
    from . import assets, cli, errors, security, tasks, views
    from .api import register_api
    from .config import configure

    # No /static route: every file a page loads is an asset under a hashed name (assets.py).
    app = Flask(
        __name__,
        instance_relative_config=True,
        template_folder=str(TEMPLATES),
        static_folder=None,
    )
    configure(app, test_config)
    _register_extensions(app)
    tasks.init_app(app)
    views.register_blueprints(app)
    assets.init_app(app)
    register_api(app)
    # After the API: HTML pages keep their error templates, whatever a library registered.
    errors.register_error_handlers(app)
    security.register(app)
    cli.register_commands(app)
    return app


def _register_extensions(app: Flask) -> None:
    from .extensions import (
        babel,
        bootstrap,
        compress,
        csrf,
        db,
        limiter,
        login_manager,
        migrate,
    )
    from .i18n import TextJSONProvider, lazy_gettext, select_locale
    from .services.accounts import load_session_user

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=str(Path(app.root_path).parent / "migrations"),
        render_as_batch=True,
        compare_type=True,
    )
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)
    app.json = TextJSONProvider(app)
    bootstrap.init_app(app)
    compress.init_app(app)
    limiter.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.sign_in"
    login_manager.user_loader(load_session_user)
    login_manager.login_message = lazy_gettext("Please sign in to see this page.")
    login_manager.login_message_category = "info"
