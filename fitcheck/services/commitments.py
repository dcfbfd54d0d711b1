"""Commitments: what a side promises after the reveal, tied to a trait.

A promise is one row for its whole life. The launch of the next round carries an open one
into it (`assessments.launch`) and keeps the round it leaves as a review, with its status
then; so each round's page shows the promises that stand in it and those that passed
through it, and every count meets a promise once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, union, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.interfaces import LoaderOption

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import (
    Assessment,
    AssessmentTrait,
    Commitment,
    CommitmentReview,
    CommitmentStatus,
    Meeting,
    Side,
    User,
)
from . import ServiceError, check_length, dates
from .results import is_visible


def add_commitment(
    assessment: Assessment,
    *,
    trait_id: int,
    side: Side,
    action: str,
    owner: str = "",
    due_on: date | None = None,
    created_by_id: int | None = None,
) -> Commitment:
    """Record a promise; only after the reveal, when both sides know where they stand."""
    if not is_visible(assessment):
        raise ServiceError(_l("Commitments are made after the reveal."))
    trait = db.session.scalar(
        select(AssessmentTrait).where(
            AssessmentTrait.id == trait_id, AssessmentTrait.assessment_id == assessment.id
        )
    )
    if trait is None:
        raise ServiceError(_l("Choose a trait of this assessment."), "trait_id")
    action, owner = action.strip(), owner.strip()
    check_length(action, limits.COMMITMENT_ACTION, "action", _l("The action"))
    check_length(owner, limits.COMMITMENT_OWNER, "owner", _l("The person responsible"))
    due_on = dates.check_day(due_on, "due_on")
    commitment = Commitment(
        workspace_id=assessment.workspace_id,
        assessment_id=assessment.id,
        trait_id=trait.id,
        side=side,
        action=action,
        owner=owner,
        owner_user_id=member_named(assessment.workspace_id, owner)
        if side is Side.COMPANY
        else None,
        due_on=due_on,
        created_by_id=created_by_id,
    )
    db.session.add(commitment)
    _show_in_meetings(assessment.id)
    db.session.commit()
    return commitment


def member_named(workspace_id: int, owner: str) -> int | None:
    """The member of the workspace whose email or name is `owner` (trimmed, any case), if
    exactly one is: they get the weekly digest of their commitments. Only our side's
    promises name a member; the client's are the client's people."""
    typed = " ".join(owner.split()).casefold()
    if not typed:
        return None
    members = list(db.session.scalars(select(User).where(User.workspace_id == workspace_id)))
    for matches in (
        [user for user in members if user.email.casefold() == typed],
        [user for user in members if " ".join(user.name.split()).casefold() == typed],
    ):
        if len(matches) == 1:
            return int(matches[0].id)
    return None


def set_status(commitment: Commitment, status: CommitmentStatus) -> Commitment:
    commitment.status = status
    _show_in_meetings(commitment.assessment_id)
    db.session.commit()
    return commitment


def _show_in_meetings(assessment_id: int) -> None:
    """A review meeting of the round may be running: a promise made or changed elsewhere
    (the results page, a respondent's link, the API) moves its revision on, so the screens
    following it show the change at their next poll. One statement, in the caller's
    transaction."""
    db.session.execute(
        update(Meeting)
        .where(Meeting.assessment_id == assessment_id, Meeting.ended_at.is_(None))
        .values(revision=Meeting.revision + 1)
        .execution_options(synchronize_session=False)
    )


@dataclass(frozen=True)
class RoundCommitment:
    """A commitment as one round's page shows it.

    `status` is its status in this round: its status now if it stands here, else the one
    it had when it was carried on (`went_to`). `came_from` is the round it was carried in
    from, with its status then. `editable`: its status is changed from this round's page,
    which is where it stands, or the round it left while its new round is still sealed.
    """

    commitment: Commitment
    trait: AssessmentTrait
    status: CommitmentStatus
    came_from: CommitmentReview | None
    went_to: Assessment | None
    editable: bool

    @property
    def here(self) -> bool:
        return self.went_to is None


def round_commitment(commitment: Commitment, assessment_id: int) -> RoundCommitment:
    """`commitment` as round `assessment_id` saw it; reviews, their rounds and traits, and
    its own round and trait loaded."""
    reviews = list(commitment.reviews)
    path = [review.assessment_id for review in reviews] + [commitment.assessment_id]
    index = path.index(assessment_id)
    came_from = reviews[index - 1] if index > 0 else None
    if index == len(reviews):
        return RoundCommitment(
            commitment, commitment.trait, commitment.status, came_from, None, True
        )
    went_to = reviews[index + 1].assessment if index + 1 < len(reviews) else commitment.assessment
    sealed_ahead = index == len(reviews) - 1 and not is_visible(commitment.assessment)
    return RoundCommitment(
        commitment, reviews[index].trait, reviews[index].status, came_from, went_to, sealed_ahead
    )


def shown_in(commitment: Commitment) -> int:
    """The round whose page shows `commitment` with its status to change: the round it
    stands in, or while that one is still sealed, the round it was carried from."""
    if commitment.reviews and not is_visible(commitment.assessment):
        return commitment.reviews[-1].assessment_id
    return commitment.assessment_id


def with_history() -> tuple[LoaderOption, ...]:
    """Loader options for a commitment's rounds, traits and reviews, in the same query
    (use `.unique()` on the result)."""
    return (
        joinedload(Commitment.trait),
        joinedload(Commitment.assessment),
        joinedload(Commitment.reviews).options(
            joinedload(CommitmentReview.assessment), joinedload(CommitmentReview.trait)
        ),
    )


def list_commitments(assessment: Assessment) -> list[RoundCommitment]:
    """Every commitment the round's page shows, in one query: those that stand in it and
    those carried on from it to a later round.

    The two are a UNION of ids, each found through its own index by round; written as
    `assessment_id = :id OR id IN (…)` no index can serve the OR, and PostgreSQL reads
    every commitment of the workspace (and hashes every round) to keep a few."""
    stands_here = select(Commitment.id).where(
        Commitment.assessment_id == assessment.id,
        Commitment.workspace_id == assessment.workspace_id,
    )
    passed_through = select(CommitmentReview.commitment_id).where(
        CommitmentReview.assessment_id == assessment.id,
        CommitmentReview.workspace_id == assessment.workspace_id,
    )
    commitments = db.session.scalars(
        select(Commitment)
        .options(*with_history())
        .where(
            Commitment.workspace_id == assessment.workspace_id,
            Commitment.id.in_(union(stands_here, passed_through)),
        )
        .order_by(Commitment.side, Commitment.due_on, Commitment.id)
    ).unique()
    return [round_commitment(commitment, assessment.id) for commitment in commitments]
