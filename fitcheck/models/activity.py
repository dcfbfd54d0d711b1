"""What happens in a workspace without a page open: the audit log, the mail outbox and the
marks the scheduler leaves so that periodic work is done once."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from .. import limits
from ..extensions import db
from .base import UTCDateTime, str_enum, utcnow


class ActorKind(enum.StrEnum):
    """Who did it: a signed-in person (or their API token), or fitcheck on its own."""

    USER = "user"
    RULE = "rule"  # the automatic reveal once both sides reach k
    DEADLINE = "deadline"  # the scheduler at an assessment's deadline
    SYSTEM = "system"  # the command line, the scheduler's other work


class AuditEvent(db.Model):  # type: ignore[name-defined,misc]
    """One thing that happened in a workspace: who, what, when and from which address.

    The actor's name and email are copied, so the log still says who after a member is
    removed (their id is then set to null). A deleted workspace takes its log with it.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_workspace_id_id", "workspace_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40), index=True)
    actor_kind: Mapped[ActorKind] = mapped_column(
        str_enum(ActorKind, "actor_kind"), default=ActorKind.USER
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    actor_name: Mapped[str] = mapped_column(String(254), default="")
    subject: Mapped[str] = mapped_column(String(300), default="")
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ip_address: Mapped[str | None] = mapped_column(String(45))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class MailStatus(enum.StrEnum):
    QUEUED = "queued"  # waiting for a worker, or for its next try after a failure
    SENT = "sent"
    FAILED = "failed"  # given up after the last try, or refused for good
    CANCELLED = "cancelled"  # no longer needed when its turn came (e.g. already answered)


class OutboxMessage(db.Model):  # type: ignore[name-defined,misc]
    """A mail to send, written in the transaction of what caused it; a worker sends it.

    The row holds what the mail is about (`kind` and `payload`: ids, never a secret); the
    worker renders it in `locale` when it sends, so the links point at BASE_URL and a
    token never rests in the database. `message_id` is fixed when the row is written: a
    rare resend after a crash carries the same Message-ID. `dedupe_key`, when set, makes a
    second mail for the same reason (a reminder slot, a weekly digest) impossible.
    `claimed_until` is a worker's lease: a worker sends only a row it claimed with a
    conditional update, so two workers never send the same message.
    """

    __tablename__ = "outbox_messages"
    __table_args__ = (
        CheckConstraint("attempts >= 0", name="attempts_not_negative"),
        CheckConstraint("status <> 'sent' OR sent_at IS NOT NULL", name="sent_when_sent"),
        Index("ix_outbox_messages_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    workspace_id: Mapped[int | None] = mapped_column(
        ForeignKey("workspaces.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    to_address: Mapped[str] = mapped_column(String(limits.EMAIL))
    locale: Mapped[str] = mapped_column(String(5), default="en")
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    respondent_id: Mapped[int | None] = mapped_column(
        ForeignKey("respondents.id", ondelete="CASCADE"), index=True
    )
    dedupe_key: Mapped[str | None] = mapped_column(String(120), unique=True)
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    status: Mapped[MailStatus] = mapped_column(
        str_enum(MailStatus, "mail_status"), default=MailStatus.QUEUED
    )
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ScheduleMark(db.Model):  # type: ignore[name-defined,misc]
    """Periodic work done once: e.g. `digest:2026-W49`. The key's uniqueness is the lock."""

    __tablename__ = "schedule_marks"

    key: Mapped[str] = mapped_column(String(80), primary_key=True)
    done_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
