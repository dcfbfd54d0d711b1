"""How people get into a workspace: sign-up confirmations, member invitations and password
resets. Each is a single-use link; only the SHA-256 of its token is stored."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import limits
from ..extensions import db
from .accounts import Role, User
from .base import UTCDateTime, WorkspaceOwned, str_enum, utcnow


class SignUpRequest(db.Model):  # type: ignore[name-defined,misc]
    """A sign-up waiting for its email address to be confirmed.

    The workspace and its owner are created only when the link mailed to the address is
    followed, so the sign-up page never tells whether an address already has an account.
    """

    __tablename__ = "sign_up_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(limits.EMAIL), index=True)
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME))
    workspace_name: Mapped[str] = mapped_column(String(limits.WORKSPACE_NAME))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(5))
    # The link's token is HMAC(SECRET_KEY, nonce) (fitcheck.tokens.derived_token): a
    # resent mail carries the same link, and the database alone yields no working one.
    token_nonce: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MemberInvitation(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """An owner's invitation of a colleague: a single-use link, valid for a week."""

    __tablename__ = "member_invitations"
    __table_args__ = (
        CheckConstraint("NOT (accepted_at IS NOT NULL AND revoked_at IS NOT NULL)", name="one_end"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(limits.EMAIL), index=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "invitation_role"), default=Role.MEMBER)
    locale: Mapped[str | None] = mapped_column(String(5))
    # The link's token is HMAC(SECRET_KEY, nonce) (fitcheck.tokens.derived_token): a
    # resent mail carries the same link, and the database alone yields no working one.
    token_nonce: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )

    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])


class PasswordReset(db.Model):  # type: ignore[name-defined,misc]
    """A password-reset link: valid for an hour, used once."""

    __tablename__ = "password_resets"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The link's token is HMAC(SECRET_KEY, nonce) (fitcheck.tokens.derived_token): a
    # resent mail carries the same link, and the database alone yields no working one.
    token_nonce: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()
