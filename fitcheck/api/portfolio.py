"""GET /api/v1/portfolio/analysis: "does like attract like here?" on the workspace's rounds.

The numbers of the portfolio analysis page, from `services.analysis.analyse_portfolio`;
the test itself is `Analysis.to_dict()`, the plain export of `fitcheck.portfolio`.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_smorest import Blueprint

from ..services.analysis import Measure, PortfolioAnalysis, analyse_portfolio
from .access import current_user, current_workspace_id, protect
from .schemas.portfolio import AnalysisQuerySchema, PortfolioAnalysisSchema

blp = Blueprint(
    "api-portfolio",
    __name__,
    url_prefix="/api/v1",
    description="Across the workspace's partners: does like attract like here?",
)
protect(blp, bearer=True)


def _scale(scale: tuple[int, int] | None) -> dict[str, int] | None:
    return None if scale is None else {"lo": scale[0], "hi": scale[1]}


def analysis_document(result: PortfolioAnalysis, currency: str) -> dict[str, Any]:
    """The analysis; `currency` (the workspace's) names what Z is in when Z is revenue."""
    return {
        "measure": result.measure,
        "currency": currency if result.measure is Measure.REVENUE else None,
        "kind": result.kind,
        "scale": _scale(result.scale),
        "scales": [_scale(scale) for scale in result.scales],
        "left_out": {
            "no_outcome": result.left_out.no_outcome,
            "other_scale": result.left_out.other_scale,
            "no_mirror": result.left_out.no_mirror,
            "pending": result.left_out.pending,
        },
        "rounds": [
            {
                "partner_id": paired.assessment.partner_id,
                "assessment_id": paired.assessment.id,
                "period": paired.outcome.period,
                "x": paired.observation.x,
                "y": paired.observation.y,
                "z": paired.observation.z,
                "s": paired.observation.s,
            }
            for paired in result.rounds
        ],
        "analysis": result.analysis.to_dict(),
    }


@blp.get("/portfolio/analysis")
# Unknown parameters are refused, as unknown keys of a body are: a misspelt `mesure=`
# must not quietly analyse the default measure.
@blp.arguments(AnalysisQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, PortfolioAnalysisSchema)
def analysis(**query: Any) -> dict[str, Any]:
    """Test "like attracts like"

    Pairs each revealed round with the partner's first outcome after its reveal that
    records the measure, fits Z = b0 + b1·X + b2·Y + b3·X² + b4·X·Y + b5·Y² + e on the
    rounds of one rating scale, and applies the conditions of Humberg, Nestler & Back
    (2019): the numbers of the portfolio analysis page. Nothing is fitted below 6 rounds
    (`fitted` false, `reason` too_few_rounds). See docs/api.md and docs/fit-model.md §11.
    """
    return analysis_document(
        analyse_portfolio(
            current_workspace_id(),
            measure=query["measure"],
            kind=query.get("kind"),
            scale=query.get("scale"),
        ),
        current_user().workspace.currency,
    )
