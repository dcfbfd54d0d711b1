"""A revealed round as one document: the API's results and the JSON export; a commitment as
both list it.

Both are built here from one `rounds.load_round`, with the public names of
`fitcheck.vocabulary`, so an integrator reading the API and an analyst opening the export
see the same fields, the same last round and the same change as the results page.
"""

from __future__ import annotations

from typing import Any

from .. import vocabulary
from ..fit import Side
from .commitments import RoundCommitment
from .rounds import Round


def round_document(loaded: Round, *, locale: str | None = None) -> dict[str, Any]:
    """The scale, the responses per side, every trait's row, the round's measures, its last
    round (null for a first round), the change since (null without a last round), each
    side's response style and the distinctive correlation against the workspace's norm.

    With `locale`, each trait also carries `label` in that language (the API answers in the
    request's language; the export carries both labels).
    """
    result = loaded.fit
    traits = {trait.key: trait for trait in loaded.assessment.traits}
    previous = loaded.previous.assessment if loaded.previous else None
    return {
        "scale": {"lo": result.scale.lo, "hi": result.scale.hi},
        "responses": {side.value: result.side(side).responses for side in Side},
        "traits": [
            {
                "key": row.trait,
                **({"label": traits[row.trait].label(locale)} if locale else {}),
                "label_en": traits[row.trait].label_en,
                "label_ja": traits[row.trait].label_ja,
                **vocabulary.trait_values(row),
            }
            for row in result.traits
        ],
        "fit": vocabulary.round_values(result),
        "previous_round": None
        if previous is None
        else {
            "id": previous.id,
            "title": previous.title,
            "kind": previous.kind.value,
            "revealed_at": previous.revealed_at,
        },
        "change": vocabulary.change_document(loaded.change),
        "response_style": {
            side.value: vocabulary.style_document(loaded.style(side)) for side in Side
        },
        "norms": vocabulary.norms_document(loaded.distinctive),
    }


def commitment_document(seen: RoundCommitment) -> dict[str, Any]:
    """A commitment as the round it is seen from lists it: its status there, where it was
    carried from and to."""
    commitment = seen.commitment
    return {
        "id": commitment.id,
        "assessment_id": commitment.assessment_id,
        "trait_key": seen.trait.key,
        "side": commitment.side,
        "action": commitment.action,
        "owner": commitment.owner,
        "due_on": commitment.due_on,
        "status": seen.status,
        "here": seen.here,
        "carried_from": None
        if seen.came_from is None
        else {"assessment_id": seen.came_from.assessment_id, "status": seen.came_from.status},
        "carried_to": None if seen.went_to is None else seen.went_to.id,
        "created_at": commitment.created_at,
        "updated_at": commitment.updated_at,
    }
