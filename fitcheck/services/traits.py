"""Trait sets and their traits."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from .. import limits
from ..defaults import BRAND_PARTNER, DefaultTraitSet
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Trait, TraitSet, Workspace, utcnow
from ..models.traits import MAX_SCALE_POINT
from . import Conflict, ServiceError, check_length, commit_unique


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


def trait_key_from(text: str) -> str:
    """An ASCII key from a label; Japanese-only labels fall back to `trait`."""
    key = re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")
    return key[:48] or "trait"


def create_trait_set(
    workspace_id: int, *, name: str, scale_lo: int, scale_hi: int, point_labels: dict[str, Any]
) -> TraitSet:
    _check_scale(scale_lo, scale_hi, point_labels)
    _check_name_length(name)
    _check_unique_name(workspace_id, name)
    trait_set = TraitSet(
        workspace_id=workspace_id,
        name=name.strip(),
        scale_lo=scale_lo,
        scale_hi=scale_hi,
        point_labels=point_labels,
    )
    db.session.add(trait_set)
    commit_unique(lambda: _check_unique_name(workspace_id, name))
    return trait_set


def update_trait_set(
    trait_set: TraitSet, *, name: str, scale_lo: int, scale_hi: int, point_labels: dict[str, Any]
) -> TraitSet:
    """Edit a set. Assessments already launched keep their own frozen copy."""
    _check_scale(scale_lo, scale_hi, point_labels)
    _check_name_length(name)
    workspace_id, set_id = trait_set.workspace_id, trait_set.id
    _check_unique_name(workspace_id, name, exclude_id=set_id)
    trait_set.name = name.strip()
    trait_set.scale_lo = scale_lo
    trait_set.scale_hi = scale_hi
    trait_set.point_labels = point_labels
    commit_unique(lambda: _check_unique_name(workspace_id, name, exclude_id=set_id))
    return trait_set


def _check_name_length(name: str) -> None:
    check_length(name.strip(), limits.TRAIT_SET_NAME, "name", _l("The name"))


def _check_unique_name(workspace_id: int, name: str, exclude_id: int | None = None) -> None:
    query = select(TraitSet.id).where(
        TraitSet.workspace_id == workspace_id, TraitSet.name == name.strip()
    )
    if exclude_id is not None:
        query = query.where(TraitSet.id != exclude_id)
    if db.session.scalar(query) is not None:
        raise Conflict(_l("A trait set with this name already exists."), "name")


def _check_scale(lo: int, hi: int, point_labels: dict[str, Any]) -> None:
    if not 0 <= lo < hi <= MAX_SCALE_POINT:
        raise ServiceError(
            _l(
                "Choose a lowest point below the highest, both from 0 to %(max)d.",
                max=MAX_SCALE_POINT,
            ),
            "scale_hi",
        )
    for locale, labels in point_labels.items():
        if len(labels) != hi - lo + 1:
            raise ServiceError(
                _l("Give one label per scale point (%(count)d).", count=hi - lo + 1),
                f"point_labels_{locale}",
            )


@dataclass(frozen=True)
class TraitText:
    """The bilingual wording of a trait as a form gives it."""

    label_en: str
    label_ja: str
    question_other_en: str
    question_other_ja: str
    question_self_en: str
    question_self_ja: str
    description_en: str = ""
    description_ja: str = ""


TRAIT_FIELDS = tuple(TraitText.__dataclass_fields__)
# Each wording's longest text (fitcheck.limits) and how a message names it.
_TEXT_LIMITS = {
    "label_en": (limits.TRAIT_LABEL, _l("The label in English")),
    "label_ja": (limits.TRAIT_LABEL, _l("The label in Japanese")),
    "question_other_en": (
        limits.TRAIT_QUESTION,
        _l("The question about the other side, in English"),
    ),
    "question_other_ja": (
        limits.TRAIT_QUESTION,
        _l("The question about the other side, in Japanese"),
    ),
    "question_self_en": (limits.TRAIT_QUESTION, _l("The question about our own side, in English")),
    "question_self_ja": (limits.TRAIT_QUESTION, _l("The question about our own side, in Japanese")),
    "description_en": (limits.TRAIT_DESCRIPTION, _l("The description in English")),
    "description_ja": (limits.TRAIT_DESCRIPTION, _l("The description in Japanese")),
}


def checked_text(text: TraitText) -> dict[str, str]:
    """The wording trimmed, each field within its limit."""
    values = {field: value.strip() for field, value in asdict(text).items()}
    for field, value in values.items():
        limit, label = _TEXT_LIMITS[field]
        check_length(value, limit, field, label)
    return values


def default_point_labels() -> dict[str, list[str]]:
    return {"en": list(BRAND_PARTNER.point_labels_en), "ja": list(BRAND_PARTNER.point_labels_ja)}


# Two people adding a trait of the same label to one set at the same moment both find its
# key free; the second then takes the next one instead of failing.
_KEY_ATTEMPTS = 3


def add_trait(trait_set: TraitSet, text: TraitText, *, key: str = "") -> Trait:
    """Append a trait. Its key is stable for life: later rounds are matched by it."""
    values = checked_text(text)
    wanted = trait_key_from(key or text.label_en)
    set_id, workspace_id = trait_set.id, trait_set.workspace_id
    for attempt in range(_KEY_ATTEMPTS):
        position = db.session.scalar(
            select(func.coalesce(func.max(Trait.position), -1) + 1).where(
                Trait.trait_set_id == set_id
            )
        )
        trait = Trait(
            workspace_id=workspace_id,
            trait_set_id=set_id,
            key=_free_key(set_id, wanted),
            position=position,
            **values,
        )
        db.session.add(trait)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()  # another request took the key meanwhile
            if attempt == _KEY_ATTEMPTS - 1:
                raise Conflict(
                    _l("This trait set was being changed by someone else; add it again."),
                    "label_en",
                ) from None
        else:
            return trait
    raise AssertionError("unreachable")  # pragma: no cover - the loop returns or raises


def _free_key(trait_set_id: int, key: str) -> str:
    """`key`, or `key_2`, `key_3` … whichever the set does not use yet."""
    taken = set(db.session.scalars(select(Trait.key).where(Trait.trait_set_id == trait_set_id)))
    base, number = key, 2
    while key in taken:
        key = f"{base}_{number}"
        number += 1
    return key


def update_trait(trait: Trait, text: TraitText) -> Trait:
    for field, value in checked_text(text).items():
        setattr(trait, field, value)
    db.session.commit()
    return trait


def move_trait(trait: Trait, offset: int) -> None:
    """Swap the trait with its neighbour `offset` places away (−1 up, +1 down)."""
    siblings = list(
        db.session.scalars(
            select(Trait)
            .where(Trait.trait_set_id == trait.trait_set_id)
            .order_by(Trait.position, Trait.id)
        )
    )
    index = siblings.index(trait)
    target = index + offset
    if not 0 <= target < len(siblings):
        return
    siblings[index], siblings[target] = siblings[target], siblings[index]
    for position, sibling in enumerate(siblings):
        sibling.position = position
    db.session.commit()


def retire_trait(trait: Trait) -> None:
    """Stop asking about a trait in new assessments; past results keep it."""
    trait.retired_at = utcnow()
    db.session.commit()


def restore_trait(trait: Trait) -> None:
    trait.retired_at = None
    db.session.commit()


def list_trait_sets(workspace_id: int) -> list[tuple[TraitSet, int]]:
    """The workspace's sets with their number of active traits, in two queries at most."""
    rows = db.session.execute(
        select(Trait.trait_set_id, func.count(Trait.id))
        .where(Trait.workspace_id == workspace_id, Trait.retired_at.is_(None))
        .group_by(Trait.trait_set_id)
    )
    counts: dict[int, int] = {set_id: count for set_id, count in rows}
    sets = db.session.scalars(
        select(TraitSet)
        .where(TraitSet.workspace_id == workspace_id, TraitSet.archived_at.is_(None))
        .order_by(TraitSet.name)
    )
    return [(trait_set, counts.get(trait_set.id, 0)) for trait_set in sets]
