"""Home page, language switch, and the health probes for load balancers."""

from __future__ import annotations

from flask import Blueprint, Response, current_app, redirect, render_template, session, url_for
from flask_login import current_user
from sqlalchemy import text
from werkzeug.wrappers import Response as BaseResponse

from ..extensions import db, limiter
from ..forms import LanguageForm
from ..i18n import SESSION_KEY
from ..services.accounts import set_locale
from ..urls import safe_next

bp = Blueprint("main", __name__)


@bp.get("/")
def index() -> BaseResponse | str:
    if current_user.is_authenticated:
        return redirect(url_for("partners.index"))
    return render_template("main/index.html")


@bp.post("/language")
def change_language() -> BaseResponse:
    form = LanguageForm()
    target = safe_next(form.next.data, url_for("main.index"))
    if form.validate_on_submit():
        session[SESSION_KEY] = form.locale.data
        if current_user.is_authenticated:
            set_locale(current_user, form.locale.data)
    return redirect(target)


@bp.get("/healthz")
@limiter.exempt
def healthz() -> Response:
    """Liveness: the process answers. Touches no database so a slow one never kills workers."""
    return Response("ok", mimetype="text/plain")


@bp.get("/readyz")
@limiter.exempt
def readyz() -> tuple[Response, int]:
    """Readiness: the database answers `SELECT 1`."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:
        db.session.rollback()
        current_app.logger.exception("readiness check failed")
        return Response("database unavailable", status=503, mimetype="text/plain"), 503
    return Response("ready", mimetype="text/plain"), 200
