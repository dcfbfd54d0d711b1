"""Trait sets and their traits."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select

from ..defaults import BRAND_PARTNER, DefaultTraitSet
from ..extensions import db
from ..models import Trait, TraitSet, Workspace


def default_set_name(defaults: DefaultTraitSet) -> str:
    return f"{defaults.name_en} ({defaults.name_ja})"


def install_default_trait_set(
    workspace: Workspace, defaults: DefaultTraitSet = BRAND_PARTNER
) -> TraitSet:
    """Give a workspace its own editable copy of a built-in set; a second call reuses it.

    Flushes but does not commit: it is one step of the caller's transaction.
    """
    name = default_set_name(defaults)
    existing: TraitSet | None = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == workspace.id, TraitSet.name == name)
    )
    if existing is not None:
        return existing
    trait_set = TraitSet(
        workspace_id=workspace.id,
        name=name,
        scale_lo=defaults.scale_lo,
        scale_hi=defaults.scale_hi,
        point_labels={"en": list(defaults.point_labels_en), "ja": list(defaults.point_labels_ja)},
    )
    db.session.add(trait_set)
    db.session.flush()
    db.session.add_all(
        Trait(workspace_id=workspace.id, trait_set_id=trait_set.id, position=position, **asdict(t))
        for position, t in enumerate(defaults.traits)
    )
    db.session.flush()
    return trait_set
