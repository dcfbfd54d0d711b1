"""The results document of GET /api/v1/assessments/{id}/results.

`services.documents.round_document` of the round `rounds.load_round` reads — the JSON
export's document, with each trait's label in the request's language — so the API shows
the numbers, the last round and the change of the results page and the exports, under the
names of `fitcheck.vocabulary`. Withheld values stay null.
"""

from __future__ import annotations

from typing import Any

from ..services.documents import round_document
from ..services.rounds import Round


def results_document(loaded: Round, locale: str) -> dict[str, Any]:
    assessment = loaded.assessment
    return {
        "assessment": {"id": assessment.id, "state": assessment.state, "kind": assessment.kind},
        **round_document(loaded, locale=locale),
    }
