"""The results document of GET /api/v1/assessments/{id}/results.

Built from `services.results.load_results(...).fit` and nothing else, so the API shows the
numbers of the results page, the charts and the exports. Withheld values stay null.
"""

from __future__ import annotations

from typing import Any

from ..fit import Decomposition
from ..services.results import Results


def _decomposition(parts: Decomposition | None) -> dict[str, float | None]:
    names = ("elevation", "scatter", "shape", "d2")
    shares = ("elevation_share", "scatter_share", "shape_share")
    if parts is None:
        return dict.fromkeys((*names, *shares))
    return {name: getattr(parts, name) for name in (*names, *shares)}


def results_document(results: Results, locale: str) -> dict[str, Any]:
    fit = results.fit
    assessment = results.assessment
    mirror = fit.mirror
    labels = {trait.key: trait.label(locale) for trait in assessment.traits}
    return {
        "assessment": {"id": assessment.id, "state": assessment.state, "kind": assessment.kind},
        "scale": {"lo": fit.scale.lo, "hi": fit.scale.hi},
        "responses": {"company": fit.company.responses, "client": fit.client.responses},
        "traits": [
            {
                "key": row.trait,
                "label": labels.get(row.trait, row.trait),
                "us": row.us,
                "them": row.them,
                "us_self": row.us_self,
                "them_self": row.them_self,
                "gap": row.gap,
                "weight": row.weight,
                "blind_spot_us": row.company.blind_spot,
                "blind_spot_them": row.client.blind_spot,
                "rwg_company": row.company.rwg,
                "rwg_client": row.client.rwg,
            }
            for row in fit.traits
        ],
        "fit": {
            "mirror_score": mirror.similarity,
            "elevation": mirror.elevation,
            "shape_r": mirror.shape,
            "level_us": mirror.level_x,
            "level_them": mirror.level_y,
            "verdict": fit.verdict,
            "falls_short": fit.falls_short,
            "decomposition": _decomposition(mirror.decomposition),
        },
    }
