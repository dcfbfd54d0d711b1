"""Review meetings: after the reveal, both sides step through the mirror together, trait by
trait on a shared screen, record commitments as they go, and get a summary by mail.

A meeting freezes the order of its steps when it starts (`trait_ids`), so a step number
means the same trait for every screen that follows it. `revision` goes up with every change
a screen must show (a step, a commitment, the end): the presenter and the phone remote
compare it, cheaply, to know whether anything changed. A round may hold several meetings
over time, but only one runs at a time (`uq_review_meetings_running`).
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from .base import UTCDateTime, WorkspaceOwned, in_same_workspace, str_enum, utcnow

if TYPE_CHECKING:
    from .accounts import User
    from .assessments import Assessment, Commitment, Respondent

#: The languages a meeting can be held in: the presenter and its summary are shown in it.
MEETING_LANGUAGES = ("en", "ja")

#: The predicate of `uq_review_meetings_running`, written out for both databases.
RUNNING_PREDICATE = "ended_at IS NULL"


class MeetingOrder(enum.StrEnum):
    """The order of a meeting's trait steps."""

    GAP = "gap"  # the largest mirror gap first, as the results page's gap table
    IMPORTANCE = "importance"  # the largest weight (both sides' importance) first
    TRAIT_SET = "trait_set"  # the trait set's own order


class Meeting(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """One review meeting of a revealed round, started by a member (its facilitator)."""

    __tablename__ = "review_meetings"
    __table_args__ = (
        # Targets of the participants' and the commitment links' keys.
        UniqueConstraint("id", "workspace_id"),
        UniqueConstraint("id", "assessment_id"),
        CheckConstraint(
            f"language IN ({', '.join(repr(code) for code in MEETING_LANGUAGES)})",
            name="language_known",
        ),
        CheckConstraint("step >= 0", name="step_not_negative"),
        CheckConstraint("revision >= 0", name="revision_not_negative"),
        CheckConstraint("ended_at IS NULL OR ended_at >= started_at", name="ends_after_start"),
        in_same_workspace("assessment_id", "assessments", ondelete="CASCADE"),
        # One running meeting per round: two screens can never run two meetings of it.
        Index(
            "uq_review_meetings_running",
            "assessment_id",
            unique=True,
            sqlite_where=text(RUNNING_PREDICATE),
            postgresql_where=text(RUNNING_PREDICATE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(index=True)
    language: Mapped[str] = mapped_column(String(5))
    step_order: Mapped[MeetingOrder] = mapped_column(str_enum(MeetingOrder, "meeting_order"))
    # The assessment traits of steps 1…n, in this order; step 0 is the overview and step
    # n + 1 the summary.
    trait_ids: Mapped[list[int]] = mapped_column(JSON, default=list)
    step: Mapped[int] = mapped_column(default=0)
    revision: Mapped[int] = mapped_column(default=0)
    # The traits whose step the meeting has shown, in the order it first showed them.
    discussed: Mapped[list[int]] = mapped_column(JSON, default=list)
    started_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # When the summary was queued to the participants (None: not mailed, e.g. the demo's).
    summary_queued_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    assessment: Mapped[Assessment] = relationship(
        primaryjoin="Assessment.id == Meeting.assessment_id",
        foreign_keys="Meeting.assessment_id",
    )
    started_by: Mapped[User | None] = relationship(foreign_keys=[started_by_id])
    participants: Mapped[list[MeetingParticipant]] = relationship(
        back_populates="meeting",
        primaryjoin="Meeting.id == MeetingParticipant.meeting_id",
        foreign_keys="MeetingParticipant.meeting_id",
        order_by="MeetingParticipant.id",
        passive_deletes=True,
    )

    @property
    def running(self) -> bool:
        return self.ended_at is None

    @property
    def last_step(self) -> int:
        """The summary's step: after the overview and every trait."""
        return len(self.trait_ids) + 1


class MeetingParticipant(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """Someone taking part, who gets the summary: a respondent of the round who may see its
    results, or a member of the workspace. The keys tie the respondent and the meeting to
    one and the same round."""

    __tablename__ = "review_meeting_participants"
    __table_args__ = (
        UniqueConstraint("meeting_id", "respondent_id"),
        UniqueConstraint("meeting_id", "user_id"),
        CheckConstraint(
            "(respondent_id IS NULL) <> (user_id IS NULL)", name="respondent_or_member"
        ),
        in_same_workspace("assessment_id", "assessments", ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["meeting_id", "assessment_id"],
            ["review_meetings.id", "review_meetings.assessment_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["respondent_id", "assessment_id"],
            ["respondents.id", "respondents.assessment_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(index=True)
    assessment_id: Mapped[int] = mapped_column(index=True)
    respondent_id: Mapped[int | None] = mapped_column(index=True)
    # Users have no (id, workspace_id) key to pair with: the service checks the workspace.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )

    meeting: Mapped[Meeting] = relationship(
        back_populates="participants",
        primaryjoin="Meeting.id == MeetingParticipant.meeting_id",
        foreign_keys="MeetingParticipant.meeting_id",
    )
    respondent: Mapped[Respondent | None] = relationship(
        primaryjoin="Respondent.id == MeetingParticipant.respondent_id",
        foreign_keys="MeetingParticipant.respondent_id",
    )
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])


class MeetingCommitment(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """A commitment recorded in a meeting. A table of its own rather than a column of
    `commitments`: the promise is the same row wherever it is carried, and was made in at
    most one meeting."""

    __tablename__ = "review_meeting_commitments"
    __table_args__ = (
        in_same_workspace("meeting_id", "review_meetings", ondelete="CASCADE"),
        in_same_workspace("commitment_id", "commitments", ondelete="CASCADE"),
    )

    commitment_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    meeting_id: Mapped[int] = mapped_column(index=True)

    commitment: Mapped[Commitment] = relationship(
        primaryjoin="Commitment.id == MeetingCommitment.commitment_id",
        foreign_keys="MeetingCommitment.commitment_id",
    )
