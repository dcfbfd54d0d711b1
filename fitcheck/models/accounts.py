"""Workspaces, their users, sign-in sessions and API tokens."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import limits
from ..extensions import db
from ..money import CURRENCIES, DEFAULT_CURRENCY
from .base import UTCDateTime, WorkspaceOwned, str_enum, utcnow

if TYPE_CHECKING:
    from .partners import Partner
    from .traits import TraitSet


class Role(enum.StrEnum):
    OWNER = "owner"
    MEMBER = "member"


#: The languages a workspace's exports may name their columns in (`Workspace.language`).
WORKSPACE_LANGUAGES = ("en", "ja")
DEFAULT_WORKSPACE_LANGUAGE = "en"


def _one_of(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(value) for value in values)})"


class Workspace(db.Model):  # type: ignore[name-defined,misc]
    """One company's tenant. Nothing crosses workspaces."""

    __tablename__ = "workspaces"
    __table_args__ = (
        CheckConstraint(
            "similarity_threshold >= 0 AND similarity_threshold <= 100", name="similarity_range"
        ),
        CheckConstraint("level_threshold >= 0 AND level_threshold <= 1", name="level_range"),
        CheckConstraint(_one_of("language", WORKSPACE_LANGUAGES), name="language_known"),
        CheckConstraint(_one_of("currency", CURRENCIES), name="currency_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(limits.WORKSPACE_NAME))
    # S* and L* of FIT_MODEL.md's verdict; a workspace may set its own.
    similarity_threshold: Mapped[float] = mapped_column(default=80.0)
    level_threshold: Mapped[float] = mapped_column(default=0.6)
    # The language its exports name their columns in (besides the stable machine names):
    # at sign-up, the language of the person signing up.
    language: Mapped[str] = mapped_column(
        String(5), default=DEFAULT_WORKSPACE_LANGUAGE, server_default=DEFAULT_WORKSPACE_LANGUAGE
    )
    # ISO 4217: the currency of every amount the workspace records (outcomes' revenue).
    currency: Mapped[str] = mapped_column(
        String(3), default=DEFAULT_CURRENCY, server_default=DEFAULT_CURRENCY
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    users: Mapped[list[User]] = relationship(back_populates="workspace", passive_deletes=True)
    partners: Mapped[list[Partner]] = relationship(back_populates="workspace", passive_deletes=True)
    trait_sets: Mapped[list[TraitSet]] = relationship(
        back_populates="workspace", passive_deletes=True
    )


class User(UserMixin, WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "users"
    __table_args__ = (CheckConstraint("locale IN ('en', 'ja')", name="locale_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(limits.EMAIL), unique=True)
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.MEMBER)
    locale: Mapped[str | None] = mapped_column(String(5))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    password_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_sign_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    workspace: Mapped[Workspace] = relationship(back_populates="users")
    sessions: Mapped[list[UserSession]] = relationship(back_populates="user", passive_deletes=True)

    @property
    def session_token(self) -> str | None:
        """The server-side session this request belongs to, set by sign-in and the loader.

        Flask-Login keeps get_id() in the cookie, so revoking that session signs out.
        """
        token = self.__dict__.get("_session_token")
        return str(token) if token else None

    @session_token.setter
    def session_token(self, token: str | None) -> None:
        self.__dict__["_session_token"] = token

    def get_id(self) -> str:
        if not self.session_token:
            raise RuntimeError("a user is signed in only through a server-side session")
        return f"{self.id}:{self.session_token}"

    @property
    def is_owner(self) -> bool:
        return self.role is Role.OWNER


class UserSession(db.Model):  # type: ignore[name-defined,misc]
    """A signed-in browser. Revoked on sign-out; all of a user's on a password change."""

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship(back_populates="sessions")


class ApiToken(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """A personal token for the JSON API, shown once and stored only as a hash."""

    __tablename__ = "api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(limits.API_TOKEN_NAME))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    prefix: Mapped[str] = mapped_column(String(12))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
