"""Traits and trait sets: what both sides rate, on which scale. Editable; an assessment
copies what it needs at launch (see `assessments.AssessmentTrait`)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import JSON, CheckConstraint, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import limits
from ..extensions import db
from .base import UTCDateTime, WorkspaceOwned, in_same_workspace, utcnow

if TYPE_CHECKING:
    from .accounts import Workspace

MAX_SCALE_POINT = 10


class BilingualText:
    """Columns and accessors shared by a trait and its frozen copy in an assessment."""

    key: Mapped[str] = mapped_column(String(limits.TRAIT_KEY))
    position: Mapped[int] = mapped_column(default=0)
    label_en: Mapped[str] = mapped_column(String(limits.TRAIT_LABEL))
    label_ja: Mapped[str] = mapped_column(String(limits.TRAIT_LABEL))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_ja: Mapped[str] = mapped_column(Text, default="")
    question_other_en: Mapped[str] = mapped_column(Text)
    question_other_ja: Mapped[str] = mapped_column(Text)
    question_self_en: Mapped[str] = mapped_column(Text)
    question_self_ja: Mapped[str] = mapped_column(Text)

    def text(self, field: str, locale: str) -> str:
        """`field` in `locale`, falling back to English where the translation is empty."""
        value = str(getattr(self, f"{field}_{'ja' if locale == 'ja' else 'en'}") or "")
        return value or str(getattr(self, f"{field}_en"))

    def label(self, locale: str) -> str:
        return self.text("label", locale)


class TraitSet(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "trait_sets"
    __table_args__ = (
        UniqueConstraint("id", "workspace_id"),
        UniqueConstraint("workspace_id", "name"),
        CheckConstraint(
            f"scale_lo >= 0 AND scale_lo < scale_hi AND scale_hi <= {MAX_SCALE_POINT}",
            name="scale_bounds",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.TRAIT_SET_NAME))
    description: Mapped[str] = mapped_column(Text, default="")
    scale_lo: Mapped[int] = mapped_column(default=1)
    scale_hi: Mapped[int] = mapped_column(default=5)
    # {"en": [...], "ja": [...]}, one label per scale point from lo to hi.
    point_labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workspace: Mapped[Workspace] = relationship(back_populates="trait_sets")
    traits: Mapped[list[Trait]] = relationship(
        back_populates="trait_set",
        primaryjoin="TraitSet.id == Trait.trait_set_id",
        foreign_keys="Trait.trait_set_id",
        order_by="(Trait.position, Trait.id)",
        passive_deletes=True,
    )

    @property
    def active_traits(self) -> list[Trait]:
        return [trait for trait in self.traits if trait.retired_at is None]


class Trait(BilingualText, WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "traits"
    __table_args__ = (
        UniqueConstraint("trait_set_id", "key"),
        in_same_workspace("trait_set_id", "trait_sets", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    trait_set_id: Mapped[int] = mapped_column(index=True)
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    trait_set: Mapped[TraitSet] = relationship(
        back_populates="traits",
        primaryjoin="TraitSet.id == Trait.trait_set_id",
        foreign_keys="Trait.trait_set_id",
    )
