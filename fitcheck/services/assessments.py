"""The life of an assessment: create and edit the draft, launch it (freezing the traits and
inviting both sides), reveal, archive, and start the next round.

Each public function is one use case and one transaction. State rules live here, so the
web views, the API and the CLI enforce exactly the same ones. The people of a round are
`fitcheck.services.respondents`; their answers, `fitcheck.services.answers`, whose submit
may reveal the round here (`reveal_if_ready`).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import TypedDict

from flask import current_app
from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import limits
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import (
    DEFAULT_REMINDER_DAYS,
    Assessment,
    AssessmentTrait,
    Commitment,
    CommitmentReview,
    CommitmentStatus,
    Kind,
    Partner,
    Respondent,
    RevealPolicy,
    Side,
    State,
    TraitSet,
    User,
    utcnow,
)
from ..models.activity import ActorKind
from ..tokens import hash_token, invitation_token, new_nonce
from . import ServiceError, audit, check_length, dates, notifications, workshops
from .invitations import queue_invitations
from .results import compute_fit, submitted_answers
from .summaries import store_summary

# How long the respondents of a next round get by default; staff can change it.
NEXT_ROUND_ANSWER_TIME = timedelta(days=21)
# Automatic reminders: at most this many days before the deadline.
MAX_REMINDER_DAYS = 60


class AssessmentSettings(TypedDict):
    """What staff choose for an assessment; the same keys as `create_assessment` takes."""

    kind: Kind
    deadline: datetime | None
    reveal_policy: RevealPolicy
    min_responses_per_side: int
    share_with_client: bool
    title: str
    reminder_days: list[int]


def clean_reminder_days(days: Sequence[int] | None) -> list[int]:
    """The automatic reminders' days before the deadline, each once, the earliest first;
    None: the default (3 and 1 days), [] none."""
    if days is None:
        return list(DEFAULT_REMINDER_DAYS)
    if any(isinstance(day, bool) or not 1 <= day <= MAX_REMINDER_DAYS for day in days):
        raise ServiceError(
            _l(
                "Reminders can be sent from %(lo)d to %(hi)d days before the deadline.",
                lo=1,
                hi=MAX_REMINDER_DAYS,
            ),
            "reminder_days",
        )
    return sorted(set(days), reverse=True)


def _checked_title(title: str) -> str:
    title = title.strip()
    check_length(title, limits.ASSESSMENT_TITLE, "title", _l("The title"))
    return title


def _check_threshold(min_responses_per_side: int) -> None:
    if isinstance(min_responses_per_side, bool) or not (
        1 <= min_responses_per_side <= limits.THRESHOLD
    ):
        raise ServiceError(
            _l("Choose a threshold from %(lo)d to %(hi)d.", lo=1, hi=limits.THRESHOLD),
            "min_responses_per_side",
        )


def create_assessment(
    partner: Partner,
    trait_set: TraitSet,
    *,
    kind: Kind,
    deadline: datetime | None = None,
    reveal_policy: RevealPolicy = RevealPolicy.MANUAL,
    min_responses_per_side: int = 1,
    share_with_client: bool = True,
    title: str = "",
    created_by_id: int | None = None,
    previous: Assessment | None = None,
    reminder_days: Sequence[int] | None = None,
    now: datetime | None = None,
) -> Assessment:
    """A draft. `reminder_days`: None for the default reminders, [] for none. `now`: the
    moment the deadline must lie after (a round recreated from the past, as the demo's)."""
    if trait_set.workspace_id != partner.workspace_id:
        raise ServiceError(_l("Choose a trait set of this workspace."), "trait_set_id")
    _check_threshold(min_responses_per_side)
    title = _checked_title(title)
    deadline = dates.check_deadline(deadline, now=now)
    days = clean_reminder_days(reminder_days)
    assessment = Assessment(
        workspace_id=partner.workspace_id,
        partner_id=partner.id,
        kind=kind,
        title=title,
        source_trait_set_id=trait_set.id,
        scale_lo=trait_set.scale_lo,
        scale_hi=trait_set.scale_hi,
        point_labels=dict(trait_set.point_labels),
        deadline=deadline,
        reveal_policy=reveal_policy,
        min_responses_per_side=min_responses_per_side,
        share_with_client=share_with_client,
        reminder_days=days,
        created_by_id=created_by_id,
        previous_id=previous.id if previous else None,
    )
    db.session.add(assessment)
    db.session.commit()
    return assessment


def launch(
    assessment: Assessment,
    *,
    invite: bool,
    actor: User | None = None,
    now: datetime | None = None,
) -> Assessment:
    """Freeze the trait set's current traits and scale into the assessment and open it.

    The one launch of every door, with the same checks, audit event and commit. `invite`:
    queue the invitation of everyone with an email in the same transaction, so the round
    opens with its mails queued or not at all (the web UI invites; the API leaves sharing
    the links to its caller, and the demo to nobody).
    """
    if assessment.state is not State.DRAFT:
        raise ServiceError(_l("Only a draft can be launched."))
    trait_set = db.session.get(TraitSet, assessment.source_trait_set_id)
    if trait_set is None or trait_set.workspace_id != assessment.workspace_id:
        raise ServiceError(_l("Choose a trait set before launching."), "trait_set_id")
    traits = trait_set.active_traits
    if not traits:
        raise ServiceError(_l("The trait set has no active traits."), "trait_set_id")
    sides = {respondent.side for respondent in assessment.respondents}
    if sides != {Side.COMPANY, Side.CLIENT}:
        raise ServiceError(_l("Invite at least one respondent on each side before launching."))
    if assessment.reveal_policy is RevealPolicy.DEADLINE and assessment.deadline is None:
        raise ServiceError(
            _l("Set a deadline before launching: this assessment reveals itself at its deadline."),
            "deadline",
        )
    assessment.scale_lo = trait_set.scale_lo
    assessment.scale_hi = trait_set.scale_hi
    assessment.point_labels = dict(trait_set.point_labels)
    frozen = [
        AssessmentTrait(
            workspace_id=assessment.workspace_id,
            assessment_id=assessment.id,
            source_trait_id=trait.id,
            key=trait.key,
            position=position,
            label_en=trait.label_en,
            label_ja=trait.label_ja,
            description_en=trait.description_en,
            description_ja=trait.description_ja,
            question_other_en=trait.question_other_en,
            question_other_ja=trait.question_other_ja,
            question_self_en=trait.question_self_en,
            question_self_ja=trait.question_self_ja,
        )
        for position, trait in enumerate(traits)
    ]
    db.session.add_all(frozen)
    db.session.flush()
    _carry_commitments(assessment, {trait.key: trait for trait in frozen}, now=now or utcnow())
    # The promises of a brand-partner workshop whose result is this trait set.
    workshops.carry_actions(assessment, {trait.key: trait for trait in frozen}, now=now or utcnow())
    moment = now or utcnow()
    assessment.state = State.COLLECTING
    assessment.launched_at = moment
    assessment.launched_by_id = actor.id if actor is not None else None
    if invite:
        queue_invitations(assessment, now=moment)
    audit.record(
        audit.Kind.LAUNCH,
        workspace_id=assessment.workspace_id,
        actor=actor,
        subject=audit_subject(assessment),
        assessment_id=assessment.id,
    )
    db.session.commit()
    return assessment


def audit_subject(assessment: Assessment) -> str:
    """How the audit log names a round: its partner, title and id."""
    title = f" — {assessment.title}" if assessment.title else ""
    return f"{assessment.partner.name}{title} (#{assessment.id})"


def submitted_counts(assessment_id: int) -> dict[Side, int]:
    """How many respondents of each side have submitted and still count: what the
    threshold is compared with, by the reveal and by the missed-deadline mail."""
    rows = db.session.execute(
        select(Respondent.side, func.count(Respondent.id))
        .where(
            Respondent.assessment_id == assessment_id,
            Respondent.submitted_at.is_not(None),
            Respondent.withdrawn_at.is_(None),
        )
        .group_by(Respondent.side)
    )
    counts = dict.fromkeys(Side, 0)
    counts.update({side: count for side, count in rows})
    return counts


def reveal_if_ready(assessment: Assessment, moment: datetime, by: ActorKind) -> bool:
    """Reveal once both sides have reached the threshold, in the caller's transaction (a
    submit under the automatic policy, the scheduler at the deadline); True if this did."""
    counts = submitted_counts(assessment.id)
    if all(count >= assessment.min_responses_per_side for count in counts.values()):
        return _mark_revealed(assessment, moment, by=by)
    return False


def _mark_revealed(
    assessment: Assessment, moment: datetime, *, by: ActorKind, actor: User | None = None
) -> bool:
    """Reveal, and store the round's summary for the portfolio in the same transaction:
    from now on its answers cannot change. The audit log says who or what revealed it, and
    everyone who may see the results is told by mail.

    False, with nothing done, when another transaction revealed it first: the state
    changes by a conditional update, so two workers (or two clicks) reveal only once.
    """
    db.session.flush()
    changed = db.session.execute(
        update(Assessment)
        .where(Assessment.id == assessment.id, Assessment.state == State.COLLECTING)
        .values(state=State.REVEALED, revealed_at=moment)
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:  # type: ignore[attr-defined]
        return False
    set_committed_value(assessment, "state", State.REVEALED)
    set_committed_value(assessment, "revealed_at", moment)
    store_summary(assessment, compute_fit(assessment, submitted_answers(assessment)))
    audit.record(
        audit.Kind.REVEAL,
        workspace_id=assessment.workspace_id,
        actor=actor,
        actor_kind=by,
        subject=audit_subject(assessment),
        assessment_id=assessment.id,
    )
    notifications.queue_results_ready(assessment, by=by, revealed_by=actor, now=moment)
    return True


def reveal_at_deadline(assessment: Assessment, *, now: datetime) -> bool:
    """The scheduler's reveal of a round whose deadline has come with both sides at k.

    True when this call revealed it; False when it is not due, a side is below k, or
    another worker revealed it first. One transaction.
    """
    if (
        assessment.state is not State.COLLECTING
        or assessment.reveal_policy is not RevealPolicy.DEADLINE
        or assessment.deadline is None
        or assessment.deadline > now
    ):
        return False
    revealed = reveal_if_ready(assessment, now, ActorKind.DEADLINE)
    if revealed:
        db.session.commit()
    else:
        db.session.rollback()
    return revealed


def reveal(
    assessment: Assessment, *, actor: User | None = None, now: datetime | None = None
) -> Assessment:
    if assessment.state is State.DRAFT:
        raise ServiceError(_l("A draft cannot be revealed: launch it and collect answers first."))
    if assessment.state is not State.COLLECTING:
        raise ServiceError(_l("This assessment is already revealed."))
    by = ActorKind.USER if actor is not None else ActorKind.SYSTEM
    if not _mark_revealed(assessment, now or utcnow(), by=by, actor=actor):
        db.session.rollback()
        raise ServiceError(_l("This assessment is already revealed."))
    db.session.commit()
    return assessment


def archive(assessment: Assessment, *, now: datetime | None = None) -> Assessment:
    if assessment.state is not State.REVEALED:
        raise ServiceError(_l("Only a revealed assessment can be archived."))
    assessment.state = State.ARCHIVED
    assessment.archived_at = now or utcnow()
    db.session.commit()
    return assessment


def update_draft(
    assessment: Assessment,
    trait_set: TraitSet,
    *,
    kind: Kind,
    deadline: datetime | None,
    reveal_policy: RevealPolicy,
    min_responses_per_side: int,
    share_with_client: bool,
    title: str = "",
    reminder_days: Sequence[int] | None = None,
    now: datetime | None = None,
) -> Assessment:
    """Change a draft's settings; once launched, only the deadline can move."""
    if assessment.state is not State.DRAFT:
        raise ServiceError(_l("Only a draft can be edited; the deadline can still be extended."))
    if trait_set.workspace_id != assessment.workspace_id:
        raise ServiceError(_l("Choose a trait set of this workspace."), "trait_set_id")
    _check_threshold(min_responses_per_side)
    title = _checked_title(title)
    deadline = dates.check_deadline(deadline, now=now)
    if reminder_days is not None:  # None: as they were
        assessment.reminder_days = clean_reminder_days(reminder_days)
    assessment.source_trait_set_id = trait_set.id
    assessment.scale_lo, assessment.scale_hi = trait_set.scale_lo, trait_set.scale_hi
    assessment.point_labels = dict(trait_set.point_labels)
    assessment.kind = kind
    assessment.deadline = deadline
    assessment.reveal_policy = reveal_policy
    assessment.min_responses_per_side = min_responses_per_side
    assessment.share_with_client = share_with_client
    assessment.title = title
    db.session.commit()
    return assessment


def extend_deadline(
    assessment: Assessment, deadline: datetime, *, now: datetime | None = None
) -> Assessment:
    if assessment.state not in (State.DRAFT, State.COLLECTING):
        raise ServiceError(_l("The deadline of a revealed assessment cannot change."))
    deadline = dates.check_deadline(deadline, now=now)
    if assessment.deadline is not None and deadline < assessment.deadline:
        raise ServiceError(_l("A deadline can only be extended, not brought forward."), "deadline")
    assessment.deadline = deadline
    # A new deadline is watched again (see fitcheck.services.scheduler).
    assessment.deadline_missed_at = None
    db.session.commit()
    return assessment


def next_round_draft(previous: Assessment) -> Assessment | None:
    """The draft that already continues `previous`, if one was started."""
    return db.session.scalar(
        select(Assessment)
        .where(
            Assessment.workspace_id == previous.workspace_id,
            Assessment.previous_id == previous.id,
            Assessment.state == State.DRAFT,
        )
        .order_by(Assessment.id)
        .limit(1)
    )


def start_next_round(
    previous: Assessment, *, created_by_id: int | None = None, now: datetime | None = None
) -> Assessment:
    """A draft annual review prefilled from `previous`: the current version of its trait
    set, its settings and its respondents (not those withdrawn), all still editable.
    If a draft continuing `previous` already exists, that draft is returned instead of a
    second copy.

    Last round's open commitments are carried in when the new round launches, matched to
    the frozen traits by key (see `launch`).
    """
    if previous.state not in (State.REVEALED, State.ARCHIVED):
        raise ServiceError(_l("Start the next round once this one is revealed."))
    # Two clicks at once: a no-op write takes the lock on `previous` (a row lock on
    # PostgreSQL, the write lock on SQLite), so the second start waits for the first to
    # commit and then finds its draft.
    db.session.execute(
        update(Assessment)
        .where(Assessment.id == previous.id)
        .values(previous_id=Assessment.previous_id)
        .execution_options(synchronize_session=False)
    )
    existing = next_round_draft(previous)
    if existing is not None:
        db.session.commit()
        return existing
    trait_set = db.session.get(TraitSet, previous.source_trait_set_id or -1)
    if trait_set is None or trait_set.workspace_id != previous.workspace_id:
        db.session.rollback()
        raise ServiceError(_l("The trait set of the last round no longer exists."))
    moment = now or utcnow()
    assessment = Assessment(
        workspace_id=previous.workspace_id,
        partner_id=previous.partner_id,
        kind=Kind.ANNUAL_REVIEW,
        source_trait_set_id=trait_set.id,
        scale_lo=trait_set.scale_lo,
        scale_hi=trait_set.scale_hi,
        point_labels=dict(trait_set.point_labels),
        deadline=moment + NEXT_ROUND_ANSWER_TIME,
        reveal_policy=previous.reveal_policy,
        min_responses_per_side=previous.min_responses_per_side,
        share_with_client=previous.share_with_client,
        reminder_days=list(previous.reminder_days),
        created_by_id=created_by_id,
        previous_id=previous.id,
    )
    db.session.add(assessment)
    db.session.flush()
    for person in previous.respondents:
        if person.withdrawn_at is not None:
            continue
        nonce = new_nonce()
        db.session.add(
            Respondent(
                workspace_id=assessment.workspace_id,
                assessment_id=assessment.id,
                side=person.side,
                name=person.name,
                email=person.email,
                locale=person.locale,
                contact_id=person.contact_id,
                token_nonce=nonce,
                token_hash=hash_token(invitation_token(current_app.config["SECRET_KEY"], nonce)),
            )
        )
    db.session.commit()
    return assessment


def _carry_commitments(
    assessment: Assessment, traits: dict[str, AssessmentTrait], *, now: datetime
) -> None:
    """Move last round's open promises into this round, on the trait with the same key.

    A promise is one row for its whole life: it leaves last round with a review that keeps
    its trait and status there, so both rounds' pages can say where it came from and where
    it went, and every count meets it once."""
    if assessment.previous_id is None:
        return
    previous = db.session.scalars(
        select(Commitment)
        .options(joinedload(Commitment.trait))
        .where(
            Commitment.assessment_id == assessment.previous_id,
            Commitment.workspace_id == assessment.workspace_id,
            Commitment.status.in_((CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)),
        )
        .order_by(Commitment.id)
    )
    for commitment in previous:
        trait = traits.get(commitment.trait.key)
        if trait is None:  # the trait was retired: the promise stays with last round
            continue
        db.session.add(
            CommitmentReview(
                workspace_id=commitment.workspace_id,
                commitment_id=commitment.id,
                assessment_id=commitment.assessment_id,
                trait_id=commitment.trait_id,
                status=commitment.status,
                recorded_at=now,
            )
        )
        commitment.assessment_id = assessment.id
        commitment.trait_id = trait.id
