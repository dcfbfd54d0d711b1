"""Commitments: what a side promises after the reveal, tied to a trait."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Assessment, AssessmentTrait, Commitment, CommitmentStatus, Side, User
from . import ServiceError, dates
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
    due_on = dates.check_day(due_on, "due_on")
    commitment = Commitment(
        workspace_id=assessment.workspace_id,
        assessment_id=assessment.id,
        trait_id=trait.id,
        side=side,
        action=action.strip(),
        owner=owner.strip(),
        owner_user_id=member_named(assessment.workspace_id, owner)
        if side is Side.COMPANY
        else None,
        due_on=due_on,
        created_by_id=created_by_id,
    )
    db.session.add(commitment)
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
    db.session.commit()
    return commitment


def list_commitments(assessment: Assessment) -> list[Commitment]:
    """The assessment's commitments with their traits, in one query."""

    return list(
        db.session.scalars(
            select(Commitment)
            .options(joinedload(Commitment.trait))
            .where(Commitment.assessment_id == assessment.id)
            .order_by(Commitment.side, Commitment.due_on, Commitment.id)
        )
    )
