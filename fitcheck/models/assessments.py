"""Assessments: one round for one partner, its frozen traits, respondents, their answers,
and the commitments made after the reveal."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from .. import limits
from ..extensions import db
from ..fit import Side
from .base import UTCDateTime, WorkspaceOwned, in_same_workspace, str_enum, utcnow
from .traits import MAX_SCALE_POINT, BilingualText

if TYPE_CHECKING:
    from .partners import Partner

IMPORTANCE_LO = 1
IMPORTANCE_HI = 5


class Kind(enum.StrEnum):
    PRE_CONTRACT = "pre_contract"
    ANNUAL_REVIEW = "annual_review"


class State(enum.StrEnum):
    DRAFT = "draft"
    COLLECTING = "collecting"
    REVEALED = "revealed"
    ARCHIVED = "archived"


class RevealPolicy(enum.StrEnum):
    MANUAL = "manual"
    AUTOMATIC = "automatic"
    DEADLINE = "deadline"  # at the deadline, when both sides reach k


#: The predicate of `ix_assessments_collecting_deadline`. A query can use the partial
#: index in every plan when its condition says the same with the value written out
#: (`services.scheduler.collecting`) rather than as a bound parameter.
COLLECTING_PREDICATE = f"state = '{State.COLLECTING.value}'"

# Days before the deadline on which those who have not answered are reminded.
DEFAULT_REMINDER_DAYS = (3, 1)


class CommitmentStatus(enum.StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


class Assessment(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    __tablename__ = "assessments"
    __table_args__ = (
        UniqueConstraint("id", "workspace_id"),
        # Target of the answers' key that pins each rating to this assessment's scale.
        UniqueConstraint("id", "workspace_id", "scale_lo", "scale_hi"),
        CheckConstraint(
            f"scale_lo >= 0 AND scale_lo < scale_hi AND scale_hi <= {MAX_SCALE_POINT}",
            name="scale_bounds",
        ),
        CheckConstraint("min_responses_per_side >= 1", name="threshold_positive"),
        CheckConstraint(
            "state = 'draft' OR launched_at IS NOT NULL", name="launched_when_not_draft"
        ),
        in_same_workspace("partner_id", "partners", ondelete="RESTRICT"),
        # The worker's deadline queries, every minute, across every workspace: only the
        # rounds being answered, a few among millions (`services.scheduler`).
        Index(
            "ix_assessments_collecting_deadline",
            "deadline",
            postgresql_where=text(COLLECTING_PREDICATE),
            sqlite_where=text(COLLECTING_PREDICATE),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_id: Mapped[int] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(limits.ASSESSMENT_TITLE), default="")
    kind: Mapped[Kind] = mapped_column(str_enum(Kind, "kind"))
    state: Mapped[State] = mapped_column(str_enum(State, "state"), default=State.DRAFT)
    source_trait_set_id: Mapped[int | None] = mapped_column(
        ForeignKey("trait_sets.id", ondelete="SET NULL"), index=True
    )
    previous_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessments.id", ondelete="SET NULL"), index=True
    )
    # The scale is frozen with the traits at launch; answers reference it (see Answer).
    scale_lo: Mapped[int] = mapped_column(default=1)
    scale_hi: Mapped[int] = mapped_column(default=5)
    point_labels: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    deadline: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reveal_policy: Mapped[RevealPolicy] = mapped_column(
        str_enum(RevealPolicy, "reveal_policy"), default=RevealPolicy.MANUAL
    )
    min_responses_per_side: Mapped[int] = mapped_column(default=1)
    share_with_client: Mapped[bool] = mapped_column(default=True)
    # Automatic reminders, in days before the deadline; empty: none.
    reminder_days: Mapped[list[int]] = mapped_column(
        JSON, default=lambda: list(DEFAULT_REMINDER_DAYS)
    )
    # Set when the deadline passed with a side below k and the owner was told; cleared
    # when the deadline moves.
    deadline_missed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    launched_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    launched_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    archived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    partner: Mapped[Partner] = relationship(
        back_populates="assessments",
        primaryjoin="Partner.id == Assessment.partner_id",
        foreign_keys="Assessment.partner_id",
    )
    traits: Mapped[list[AssessmentTrait]] = relationship(
        back_populates="assessment",
        primaryjoin="Assessment.id == AssessmentTrait.assessment_id",
        foreign_keys="AssessmentTrait.assessment_id",
        order_by="(AssessmentTrait.position, AssessmentTrait.id)",
        passive_deletes=True,
    )
    respondents: Mapped[list[Respondent]] = relationship(
        back_populates="assessment",
        primaryjoin="Assessment.id == Respondent.assessment_id",
        foreign_keys="Respondent.assessment_id",
        order_by="Respondent.id",
        passive_deletes=True,
    )
    commitments: Mapped[list[Commitment]] = relationship(
        back_populates="assessment",
        primaryjoin="Assessment.id == Commitment.assessment_id",
        foreign_keys="Commitment.assessment_id",
        order_by="Commitment.id",
        passive_deletes=True,
    )


class AssessmentTrait(BilingualText, WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """A trait as it was when the assessment launched; later edits of the set never reach it."""

    __tablename__ = "assessment_traits"
    __table_args__ = (
        UniqueConstraint("assessment_id", "key"),
        UniqueConstraint("id", "assessment_id"),
        in_same_workspace("assessment_id", "assessments", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(index=True)
    source_trait_id: Mapped[int | None] = mapped_column(
        ForeignKey("traits.id", ondelete="SET NULL"), index=True
    )

    assessment: Mapped[Assessment] = relationship(
        back_populates="traits",
        primaryjoin="Assessment.id == AssessmentTrait.assessment_id",
        foreign_keys="AssessmentTrait.assessment_id",
    )


class Respondent(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """A person invited to one side of one assessment, reached by a personal link."""

    __tablename__ = "respondents"
    __table_args__ = (
        UniqueConstraint("id", "assessment_id"),
        UniqueConstraint("assessment_id", "email"),
        CheckConstraint(
            "submitted_at IS NULL OR declined_at IS NULL", name="submitted_or_declined"
        ),
        CheckConstraint("reminder_count >= 0", name="reminder_count_positive"),
        in_same_workspace("assessment_id", "assessments", ondelete="CASCADE"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(index=True)
    side: Mapped[Side] = mapped_column(str_enum(Side, "side"))
    name: Mapped[str] = mapped_column(String(limits.PERSON_NAME))
    email: Mapped[str | None] = mapped_column(String(limits.EMAIL))
    # The link's token is derived from this nonce under SECRET_KEY (see fitcheck.tokens);
    # only its SHA-256 is stored, for the lookup.
    token_nonce: Mapped[str] = mapped_column(String(32), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    locale: Mapped[str | None] = mapped_column(String(5))
    contact_id: Mapped[int | None] = mapped_column(
        ForeignKey("contacts.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reminder_count: Mapped[int] = mapped_column(default=0)
    opened_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    draft_saved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    declined_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str] = mapped_column(Text, default="")
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    @property
    def status(self) -> str:
        """Where the respondent stands, latest step first; says nothing of the answers."""
        for status, moment in (
            ("withdrawn", self.withdrawn_at),
            ("declined", self.declined_at),
            ("submitted", self.submitted_at),
            ("draft", self.draft_saved_at),
            ("opened", self.opened_at),
            ("invited", self.invited_at),
        ):
            if moment is not None:
                return status
        return "added"

    assessment: Mapped[Assessment] = relationship(
        back_populates="respondents",
        primaryjoin="Assessment.id == Respondent.assessment_id",
        foreign_keys="Respondent.assessment_id",
    )
    answers: Mapped[list[Answer]] = relationship(
        back_populates="respondent",
        primaryjoin="Respondent.id == Answer.respondent_id",
        foreign_keys="Answer.respondent_id",
        passive_deletes=True,
    )


class Answer(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """One respondent's answer on one trait.

    A null rating holds no number: "can't judge" when its flag is set, otherwise not answered
    yet (a draft). Composite keys tie the respondent, the trait and the scale to one and the
    same assessment, so a rating outside that assessment's scale cannot be stored.
    """

    __tablename__ = "answers"
    __table_args__ = (
        UniqueConstraint("respondent_id", "trait_id"),
        ForeignKeyConstraint(
            ["respondent_id", "assessment_id"],
            ["respondents.id", "respondents.assessment_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["trait_id", "assessment_id"],
            ["assessment_traits.id", "assessment_traits.assessment_id"],
            ondelete="CASCADE",
        ),
        ForeignKeyConstraint(
            ["assessment_id", "workspace_id", "scale_lo", "scale_hi"],
            [
                "assessments.id",
                "assessments.workspace_id",
                "assessments.scale_lo",
                "assessments.scale_hi",
            ],
            ondelete="CASCADE",
        ),
        CheckConstraint(
            "other_rating >= scale_lo AND other_rating <= scale_hi", name="other_in_scale"
        ),
        CheckConstraint(
            "self_rating >= scale_lo AND self_rating <= scale_hi", name="self_in_scale"
        ),
        CheckConstraint(
            f"importance >= {IMPORTANCE_LO} AND importance <= {IMPORTANCE_HI}",
            name="importance_in_scale",
        ),
        CheckConstraint(
            "NOT (other_cant_judge AND other_rating IS NOT NULL)", name="other_judged_or_not"
        ),
        CheckConstraint(
            "NOT (self_cant_judge AND self_rating IS NOT NULL)", name="self_judged_or_not"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(index=True)
    # Looked up through the unique (respondent_id, trait_id) index: no index of its own.
    respondent_id: Mapped[int]
    trait_id: Mapped[int] = mapped_column(index=True)
    scale_lo: Mapped[int]
    scale_hi: Mapped[int]
    other_rating: Mapped[int | None]
    other_cant_judge: Mapped[bool] = mapped_column(default=False)
    self_rating: Mapped[int | None]
    self_cant_judge: Mapped[bool] = mapped_column(default=False)
    importance: Mapped[int | None]
    comment: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    respondent: Mapped[Respondent] = relationship(
        back_populates="answers",
        primaryjoin="Respondent.id == Answer.respondent_id",
        foreign_keys="Answer.respondent_id",
    )
    trait: Mapped[AssessmentTrait] = relationship(
        primaryjoin="AssessmentTrait.id == Answer.trait_id",
        foreign_keys="Answer.trait_id",
    )


class Commitment(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """An action a side promises after the reveal, tied to a trait; reviewed next round.

    One row is one promise for its whole life. `assessment_id` is the round it stands in
    now: the round it was made in, until the next round's launch carries it there if it is
    still open or in progress (on the trait with the same key; a retired trait keeps it
    where it is). Carrying moves the row rather than copying it, so a promise is counted
    once however often it is carried; each round it leaves is kept in `reviews`, with its
    status at that moment. The round it was made in is its first review's, or its own.
    """

    __tablename__ = "commitments"
    __table_args__ = (
        # Target of the reviews' key that keeps them in the commitment's workspace.
        UniqueConstraint("id", "workspace_id"),
        in_same_workspace("assessment_id", "assessments", ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["trait_id", "assessment_id"],
            ["assessment_traits.id", "assessment_traits.assessment_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(index=True)
    trait_id: Mapped[int] = mapped_column(index=True)
    side: Mapped[Side] = mapped_column(str_enum(Side, "commitment_side"))
    action: Mapped[str] = mapped_column(Text)
    owner: Mapped[str] = mapped_column(String(limits.COMMITMENT_OWNER), default="")
    # The member the owner's name or email names, if any: they get the weekly digest.
    owner_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    due_on: Mapped[date | None] = mapped_column(Date)
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status"), default=CommitmentStatus.OPEN
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    assessment: Mapped[Assessment] = relationship(
        back_populates="commitments",
        primaryjoin="Assessment.id == Commitment.assessment_id",
        foreign_keys="Commitment.assessment_id",
    )
    trait: Mapped[AssessmentTrait] = relationship(
        primaryjoin="AssessmentTrait.id == Commitment.trait_id",
        foreign_keys="Commitment.trait_id",
    )
    reviews: Mapped[list[CommitmentReview]] = relationship(
        back_populates="commitment",
        primaryjoin="Commitment.id == CommitmentReview.commitment_id",
        foreign_keys="CommitmentReview.commitment_id",
        order_by="(CommitmentReview.recorded_at, CommitmentReview.id)",
        passive_deletes=True,
    )


class CommitmentReview(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """A round a commitment was carried out of, with its trait there and its status when
    the next round's launch carried it on: "status then" on both rounds' pages."""

    __tablename__ = "commitment_reviews"
    __table_args__ = (
        UniqueConstraint("commitment_id", "assessment_id"),
        in_same_workspace("commitment_id", "commitments", ondelete="CASCADE"),
        in_same_workspace("assessment_id", "assessments", ondelete="CASCADE"),
        ForeignKeyConstraint(
            ["trait_id", "assessment_id"],
            ["assessment_traits.id", "assessment_traits.assessment_id"],
            ondelete="CASCADE",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    commitment_id: Mapped[int] = mapped_column(index=True)
    assessment_id: Mapped[int] = mapped_column(index=True)
    trait_id: Mapped[int] = mapped_column(index=True)
    status: Mapped[CommitmentStatus] = mapped_column(
        str_enum(CommitmentStatus, "commitment_status")
    )
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    commitment: Mapped[Commitment] = relationship(
        back_populates="reviews",
        primaryjoin="Commitment.id == CommitmentReview.commitment_id",
        foreign_keys="CommitmentReview.commitment_id",
    )
    assessment: Mapped[Assessment] = relationship(
        primaryjoin="Assessment.id == CommitmentReview.assessment_id",
        foreign_keys="CommitmentReview.assessment_id",
    )
    trait: Mapped[AssessmentTrait] = relationship(
        primaryjoin="AssessmentTrait.id == CommitmentReview.trait_id",
        foreign_keys="CommitmentReview.trait_id",
    )


class RoundSummary(WorkspaceOwned, db.Model):  # type: ignore[name-defined,misc]
    """The mirror of a revealed round in a few numbers, for the portfolio and its analysis.

    The answers of a revealed round no longer change, so these are stored at the reveal
    instead of being recomputed for every round on every portfolio page. The verdict is not
    stored: it depends on the workspace's thresholds and follows from these numbers.
    `engine` is the summary's version; a row of another version is computed afresh.
    """

    __tablename__ = "round_summaries"
    __table_args__ = (
        CheckConstraint(
            "similarity IS NULL OR (similarity >= 0 AND similarity <= 100)",
            name="similarity_range",
        ),
        CheckConstraint(
            "(level_us IS NULL OR (level_us >= 0 AND level_us <= 1))"
            " AND (level_them IS NULL OR (level_them >= 0 AND level_them <= 1))",
            name="levels_range",
        ),
        CheckConstraint("(x IS NULL) = (y IS NULL)", name="point_whole"),
        CheckConstraint(
            "company_responses >= 0 AND client_responses >= 0", name="responses_not_negative"
        ),
        in_same_workspace("assessment_id", "assessments", ondelete="CASCADE"),
    )

    assessment_id: Mapped[int] = mapped_column(primary_key=True)
    engine: Mapped[int]
    withheld: Mapped[bool]
    similarity: Mapped[float | None]
    level_us: Mapped[float | None]
    level_them: Mapped[float | None]
    x: Mapped[float | None]  # wmean(us) − mid, FIT_MODEL.md §"Portfolio"
    y: Mapped[float | None]  # wmean(them) − mid
    company_responses: Mapped[int]
    client_responses: Mapped[int]
    # {trait key: [us, them, us_self, them_self]}: the mirror's profiles, for the norms.
    profiles: Mapped[dict[str, list[float | None]] | None] = mapped_column(JSON)
    computed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
