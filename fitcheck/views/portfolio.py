"""The portfolio: every partner's latest round on one chart and in one table, and the
test of "like attracts like" on the workspace's own rounds and outcomes."""

from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required

from .. import charts
from .. import portfolio as stats
from ..i18n import lazy_gettext as _l
from ..labels import VERDICT_NAMES
from ..models import Kind
from ..services.analysis import Measure, PortfolioAnalysis, analyse_portfolio
from ..services.portfolio_view import SORTS, portfolio

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
        charts.PortfolioPoint(
            partner=row.partner.name,
            level_us=row.summary.level_us,
            level_them=row.summary.level_them,
            similarity=row.summary.similarity,
            respondents=row.summary.respondents,
        )
        for row in rows
        if row.summary.level_us is not None and row.summary.level_them is not None
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


#: The analysis page lists the paired rounds up to this many; the API gives them all.
LISTED_ROUNDS = 200

MEASURE_NAMES = {
    Measure.SATISFACTION: _l("Satisfaction (0–10)"),
    Measure.RENEWED: _l("Renewed (1 = yes, 0 = no)"),
    Measure.CONTRACT_SIGNED: _l("Contract signed (1 = yes, 0 = no)"),
    Measure.REVENUE: _l("Revenue"),
}

PORTFOLIO_VERDICTS = {
    stats.PortfolioVerdict.SUPPORTED: _l(
        "Yes, like attracts like here: relationships turn out better the more alike the two "
        "sides see each other, at any level, and it does not matter which side sees the "
        "other higher."
    ),
    stats.PortfolioVerdict.LEVEL_ONLY: _l(
        "Only a level effect: both sides seeing each other at a high level goes with a "
        "better outcome; being alike adds nothing beyond that."
    ),
    stats.PortfolioVerdict.NOT_SUPPORTED: _l(
        "Not supported: these data do not show that being alike goes with a better outcome."
    ),
    stats.PortfolioVerdict.UNTESTABLE: _l(
        "Cannot be tested: the surface fits these rounds exactly, so nothing is left to test "
        "the conditions with. More rounds with an outcome are needed."
    ),
    stats.PortfolioVerdict.NOT_ENOUGH_DATA: _l("Nothing is fitted yet."),
}

FAILURES = {
    stats.FailedCondition.NO_INFERENCE: _l(
        "The fit leaves no residual variation, so no condition can be tested."
    ),
    stats.FailedCondition.NO_INCONGRUENCE_EFFECT: _l(
        "The outcome does not get significantly worse as the two views move apart "
        "(a4 is not significantly below 0)."
    ),
    stats.FailedCondition.ASYMMETRIC: _l(
        "It matters which side sees the other higher (the 95% CI of a3 does not contain 0)."
    ),
    stats.FailedCondition.AXIS_UNDEFINED: _l(
        "The ridge of the surface cannot be located (the first principal axis or its "
        "bootstrap CI is undefined)."
    ),
    stats.FailedCondition.AXIS_NOT_THROUGH_ORIGIN: _l(
        "The ridge of the surface does not pass through the point where both views are "
        "equal and central (the 95% CI of p10 does not contain 0)."
    ),
    stats.FailedCondition.AXIS_NOT_DIAGONAL: _l(
        "The ridge of the surface does not run along the line of equal views (the 95% CI "
        "of p11 does not contain 1)."
    ),
}

NOT_FITTED = {
    stats.NotFitted.TOO_FEW_ROUNDS: _l(
        "Nothing is fitted below %(min)s rounds with an outcome.", min=stats.MIN_ROUNDS
    ),
    stats.NotFitted.CONSTANT_OUTCOME: _l(
        "Every round has the same outcome, so there is nothing to explain."
    ),
    stats.NotFitted.SINGULAR_DESIGN: _l(
        "The rounds cannot tell the six terms of the regression apart (for example, when "
        "both sides always see each other at the same level)."
    ),
}


def _kind_arg() -> Kind | None:
    value = request.args.get("kind", "")
    return Kind(value) if value in set(Kind) else None


def _scale_arg() -> tuple[int, int] | None:
    """``?scale=1-5``; anything else is no choice (the most used scale is analysed)."""
    lo, dash, hi = request.args.get("scale", "").partition("-")
    return (int(lo), int(hi)) if dash and lo.isdigit() and hi.isdigit() else None


def _surface(result: PortfolioAnalysis) -> str | None:
    """The fitted surface with the rounds, as plotly JSON; ``None`` when nothing is fitted."""
    found = result.analysis
    if found.regression is None or result.scale is None:
        return None
    half = (result.scale[1] - result.scale[0]) / 2
    lo, hi = stats.plot_range((r.observation for r in result.rounds), lo=-half, hi=half)
    grid = stats.surface_grid(found, lo=lo, hi=hi)
    figure = charts.response_surface(
        grid,
        stats.surface_lines(found, grid[0]),
        [
            charts.SurfacePoint(
                x=r.observation.x,
                y=r.observation.y,
                z=r.observation.z,
                label=f"{r.assessment.partner_name} · {r.outcome.period}",
            )
            for r in result.rounds
        ],
        text=charts.SurfaceText(
            x_axis=_("X: company, in the client's eyes"),
            y_axis=_("Y: client, in our eyes"),
            z_axis=str(MEASURE_NAMES[result.measure]),
            surface=_("Fitted surface"),
            observed=_("Rounds"),
            congruence=_("Line of congruence (X = Y)"),
            incongruence=_("Line of incongruence (X = −Y)"),
        ),
        locale=str(get_locale() or "en"),
    )
    return charts.figure_json(figure)


@bp.get("/analysis")
def analysis() -> str:
    measure_value = request.args.get("measure", "")
    measure = Measure(measure_value) if measure_value in set(Measure) else Measure.SATISFACTION
    result = analyse_portfolio(
        current_user.workspace_id, measure=measure, kind=_kind_arg(), scale=_scale_arg()
    )
    return render_template(
        "portfolio/analysis.html",
        result=result,
        found=result.analysis,
        measures=MEASURE_NAMES,
        verdicts=PORTFOLIO_VERDICTS,
        failures=FAILURES,
        not_fitted=NOT_FITTED,
        small_below=stats.SMALL_SAMPLE_BELOW,
        min_similarity=stats.MIN_SIMILARITY_ROUNDS,
        listed=LISTED_ROUNDS,
        figure_json=_surface(result),
    )
