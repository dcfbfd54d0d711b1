"""Partners (client organizations), their contacts, and what became of each relationship."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import limits
from ..extensions import db
from .base import UTCDateTime, WorkspaceOwned, in_same_workspace, utcnow

if TYPE_CHECKING:
    from .accounts import Workspace
    from .assessments import Assessment


class Partner(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "partners"
    __table_args__ = (
        UniqueConstraint("id", "workspace_id"),
        UniqueConstraint("workspace_id", "name"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.PARTNER_NAME))
    website: Mapped[str] = mapped_column(String(limits.PARTNER_WEBSITE), default="")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workspace: Mapped[Workspace] = relationship(back_populates="partners")
    contacts: Mapped[list[Contact]] = relationship(
        back_populates="partner",
        primaryjoin="Partner.id == Contact.partner_id",
        foreign_keys="Contact.partner_id",
        order_by="Contact.name",
        passive_deletes=True,
    )
    assessments: Mapped[list[Assessment]] = relationship(
        back_populates="partner",
        primaryjoin="Partner.id == Assessment.partner_id",
        foreign_keys="Assessment.partner_id",
        order_by="Assessment.created_at",
        passive_deletes=True,
    )
    outcomes: Mapped[list[Outcome]] = relationship(
        back_populates="partner",
        primaryjoin="Partner.id == Outcome.partner_id",
        foreign_keys="Outcome.partner_id",
        order_by="Outcome.observed_on",
        passive_deletes=True,
    )


class Contact(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "contacts"
    __table_args__ = (
        UniqueConstraint("partner_id", "email"),
        in_same_workspace("partner_id", "partners", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(index=True)
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME))
    email: Mapped[str | None] = mapped_column(String(limits.EMAIL))
    title: Mapped[str] = mapped_column(String(limits.CONTACT_TITLE), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship(
        back_populates="contacts",
        primaryjoin="Partner.id == Contact.partner_id",
        foreign_keys="Contact.partner_id",
    )


class Outcome(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """What became of the relationship in one period; the portfolio test's dependent variable."""

    __tablename__ = "outcomes"
    __table_args__ = (
        UniqueConstraint("partner_id", "period"),
        CheckConstraint("satisfaction >= 0 AND satisfaction <= 10", name="satisfaction_range"),
        CheckConstraint("revenue >= 0", name="revenue_not_negative"),
        in_same_workspace("partner_id", "partners", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(index=True)
    period: Mapped[str] = mapped_column(String(40))
    observed_on: Mapped[date] = mapped_column(Date)
    contract_signed: Mapped[bool | None]
    renewed: Mapped[bool | None]
    satisfaction: Mapped[int | None]
    revenue: Mapped[Decimal | None] = mapped_column(Numeric(14, 2))
    note: Mapped[str] = mapped_column(Text, default="")
    is_demo: Mapped[bool] = mapped_column(default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    partner: Mapped[Partner] = relationship(
        back_populates="outcomes",
        primaryjoin="Partner.id == Outcome.partner_id",
        foreign_keys="Outcome.partner_id",
    )
