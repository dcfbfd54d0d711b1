"""The portfolio: every partner's latest round on one chart and in one table."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import charts
from ..models import Kind
from ..services.portfolio_view import SORTS, portfolio
from .results import VERDICT_NAMES

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here belongs to a workspace."""


@bp.get("/")
def index() -> str:
    kind_value = request.args.get("kind", "")
    kind = Kind(kind_value) if kind_value in {k.value for k in Kind} else None
    year = request.args.get("year", type=int)
    sort = request.args.get("sort", "score")
    sort = sort if sort in SORTS else "score"
    workspace = current_user.workspace
    rows = portfolio(workspace.id, kind=kind, year=year, sort=sort)
    points = [
        charts.PortfolioPoint(
            partner=row.partner.name,
            level_us=row.result.comparisons.mirror.level_x,
            level_them=row.result.comparisons.mirror.level_y,
            similarity=row.result.comparisons.mirror.similarity,
            respondents=row.respondents,
        )
        for row in rows
        if row.result.comparisons.mirror.level_x is not None
        and row.result.comparisons.mirror.level_y is not None
    ]
    figure = charts.portfolio_scatter(
        points,
        level=workspace.level_threshold,
        text=charts.PortfolioText(
            x_axis=_("Level of the company, as clients see it (%)"),
            y_axis=_("Level of the client, as the company sees it (%)"),
            score=_("Mirror score"),
            respondents=_("Answers"),
        ),
        locale=str(get_locale() or "en"),
    )
    return render_template(
        "portfolio/index.html",
        rows=rows,
        kind=kind,
        year=year,
        sort=sort,
        figure_json=charts.figure_json(figure),
        verdicts=VERDICT_NAMES,
        drawn=len(points),
    )
