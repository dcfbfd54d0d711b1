"""The portfolio: every partner's latest round on one chart and in one table, and the
test of "like attracts like" on the workspace's own rounds and outcomes."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import portfolio as stats
from ..charts.embed import figure_json
from ..charts.portfolio import (
    PortfolioPoint,
    PortfolioText,
    SurfacePoint,
    SurfaceText,
    portfolio_scatter,
    response_surface,
)
from ..labels import (
    FAILURES,
    MEASURE_NAMES,
    NOT_FITTED,
    VERDICT_NAMES,
    portfolio_verdict,
)
from ..models import Kind
from ..services import summaries
from ..services.analysis import Measure, PortfolioAnalysis, analyse_portfolio
from ..services.portfolio_view import SORTS, portfolio, response_styles

bp = Blueprint("portfolio", __name__, url_prefix="/portfolio")


@bp.before_request
@login_required
def _signed_in() -> None:
    """Every page here belongs to a workspace."""


@bp.get("/")
def index() -> str:
    kind = _kind_arg()
    year = request.args.get("year", type=int)
    sort = request.args.get("sort", "score")
    sort = sort if sort in SORTS else "score"
    workspace = current_user.workspace
    rows = portfolio(workspace.id, kind=kind, year=year, sort=sort)
    points = [
        PortfolioPoint(
            partner=row.partner.name,
            level_us=row.summary.level_us,
            level_them=row.summary.level_them,
            similarity=row.summary.similarity,
            respondents=row.summary.respondents,
        )
        for row in rows
        if row.summary.level_us is not None and row.summary.level_them is not None
    ]
    figure = portfolio_scatter(
        points,
        level=workspace.level_threshold,
        text=PortfolioText(
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
        figure_json=figure_json(figure),
        verdicts=VERDICT_NAMES,
        drawn=len(points),
        styles=response_styles(rows),
        pending=summaries.pending(workspace.id),
    )


#: The analysis page lists the paired rounds up to this many; the API gives them all.
LISTED_ROUNDS = 200


def _kind_arg() -> Kind | None:
    value = request.args.get("kind", "")
    return Kind(value) if value in set(Kind) else None


def _scale_arg() -> tuple[int, int] | None:
    """``?scale=1-5``; anything else is no choice (the most used scale is analysed)."""
    lo, dash, hi = request.args.get("scale", "").partition("-")
    return (int(lo), int(hi)) if dash and lo.isdigit() and hi.isdigit() else None


def _measure_names(currency: str) -> dict[Measure, str]:
    """The measures by name; revenue with the currency its amounts are in."""
    return {
        **{measure: str(name) for measure, name in MEASURE_NAMES.items()},
        Measure.REVENUE: _("Revenue (%(currency)s)", currency=currency),
    }


def _surface(result: PortfolioAnalysis, measures: dict[Measure, str]) -> str | None:
    """The fitted surface with the rounds, as plotly JSON; ``None`` when nothing is fitted."""
    found = result.analysis
    if found.regression is None or result.scale is None:
        return None
    half = (result.scale[1] - result.scale[0]) / 2
    lo, hi = stats.plot_range((r.observation for r in result.rounds), lo=-half, hi=half)
    grid = stats.surface_grid(found, lo=lo, hi=hi)
    figure = response_surface(
        grid,
        stats.surface_lines(found, grid[0]),
        [
            SurfacePoint(
                x=r.observation.x,
                y=r.observation.y,
                z=r.observation.z,
                label=f"{r.assessment.partner_name} · {r.outcome.period}",
            )
            for r in result.rounds
        ],
        text=SurfaceText(
            x_axis=_("X: company, in the client's eyes"),
            y_axis=_("Y: client, in our eyes"),
            z_axis=measures[result.measure],
            surface=_("Fitted surface"),
            observed=_("Rounds"),
            congruence=_("Line of congruence (X = Y)"),
            incongruence=_("Line of incongruence (X = −Y)"),
        ),
        locale=str(get_locale() or "en"),
    )
    return figure_json(figure)


@bp.get("/analysis")
def analysis() -> str:
    measure_value = request.args.get("measure", "")
    measure = Measure(measure_value) if measure_value in set(Measure) else Measure.SATISFACTION
    result = analyse_portfolio(
        current_user.workspace_id, measure=measure, kind=_kind_arg(), scale=_scale_arg()
    )
    currency = current_user.workspace.currency
    measures = _measure_names(currency)
    return render_template(
        "portfolio/analysis.html",
        result=result,
        found=result.analysis,
        measures=measures,
        # Z is an amount when the measure is revenue: shown with its currency.
        currency=currency if measure is Measure.REVENUE else None,
        verdict_text=portfolio_verdict(result.analysis),
        failures=FAILURES,
        not_fitted=NOT_FITTED,
        small_below=stats.SMALL_SAMPLE_BELOW,
        min_similarity=stats.MIN_SIMILARITY_ROUNDS,
        listed=LISTED_ROUNDS,
        figure_json=_surface(result, measures),
    )
