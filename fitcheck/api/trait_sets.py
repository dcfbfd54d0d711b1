"""GET /api/v1/trait-sets: what an assessment can be built on, with its scale and traits."""

from __future__ import annotations

from typing import Any

from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import TraitSet
from .access import current_workspace_id, protect, request_locale
from .schemas.requests import TraitSetSchema

blp = Blueprint(
    "api-trait-sets",
    __name__,
    url_prefix="/api/v1",
    description="The workspace's trait sets: what both sides rate, on which scale.",
)
protect(blp, bearer=True)


@blp.get("/trait-sets")
@blp.response(200, TraitSetSchema(many=True))
def list_trait_sets() -> list[dict[str, Any]]:
    """List the trait sets

    The workspace's trait sets in use (archived ones left out), each with its scale and
    its active traits in order. Labels are in the language of `Accept-Language`
    (`ja` or `en`, default `en`). Two queries whatever the number of sets.
    """
    locale = request_locale()
    sets = db.session.scalars(
        select(TraitSet)
        .where(TraitSet.workspace_id == current_workspace_id(), TraitSet.archived_at.is_(None))
        .order_by(TraitSet.name, TraitSet.id)
        .options(selectinload(TraitSet.traits))
    )
    return [
        {
            "id": trait_set.id,
            "name": trait_set.name,
            "scale": {"lo": trait_set.scale_lo, "hi": trait_set.scale_hi},
            "traits": [
                {"key": trait.key, "label": trait.label(locale)}
                for trait in trait_set.active_traits
            ],
        }
        for trait_set in sets
    ]
