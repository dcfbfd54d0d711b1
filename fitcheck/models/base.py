"""Column types and helpers shared by every model."""

from __future__ import annotations

import enum
from datetime import UTC, datetime

from sqlalchemy import (
    DateTime,
    Dialect,
    Enum,
    ForeignKey,
    ForeignKeyConstraint,
    Integer,
    TypeDecorator,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """An aware UTC datetime on every database.

    SQLite keeps no time zone, so values are stored as naive UTC and given their zone back
    when read; PostgreSQL stores `timestamptz`. Naive values are refused rather than guessed.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; fitcheck stores aware UTC datetimes only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


def str_enum(enum_class: type[enum.Enum], name: str) -> Enum:
    """A portable enum column: VARCHAR plus a named CHECK constraint, values stored as-is."""
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=max(len(str(member.value)) for member in enum_class),
        values_callable=lambda members: [member.value for member in members],
        validate_strings=True,
    )


class WorkspaceOwned:
    """Every row a workspace owns carries its workspace, so that every query can be scoped."""

    @declared_attr
    def workspace_id(cls) -> Mapped[int]:
        return mapped_column(
            Integer, ForeignKey("workspaces.id", ondelete="CASCADE"), index=True, nullable=False
        )


def in_same_workspace(column: str, table: str, *, ondelete: str) -> ForeignKeyConstraint:
    """A foreign key that also requires the referenced row to be in the row's own workspace.

    Pairing the reference with `workspace_id` makes a cross-tenant link impossible in the
    schema itself, whatever a buggy query might try. The referenced table declares
    `UniqueConstraint("id", "workspace_id")` for it.
    """
    return ForeignKeyConstraint(
        [column, "workspace_id"], [f"{table}.id", f"{table}.workspace_id"], ondelete=ondelete
    )
