"""Mail nobody clicks for: the results are ready, a deadline passed with a side below k,
and the weekly digest of commitments.

Each `queue_*` adds mail to the caller's transaction (the outbox), so it leaves if and only
if what caused it commits. Each `render_*` writes one mail when the worker sends it, in the
reader's language and with links under BASE_URL, or returns None when the mail is no
longer relevant (the deadline moved, the member left, nothing is due any more).

Sides are named from the reader's side: a respondent reads their own company as "your
company" and the other by its name; staff read their partner by its name.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import Select, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    ActorKind,
    Assessment,
    Commitment,
    CommitmentReview,
    CommitmentStatus,
    OutboxMessage,
    Respondent,
    Role,
    Side,
    State,
    User,
)
from ..urls import external_url
from . import commitments as commitment_service
from . import outbox
from .dates import format_date, format_datetime
from .invitations import link_token, respondent_context
from .outbox import Rendered
from .results import VISIBLE_STATES, respondent_may_see

# The respondent's results, through their personal link (fitcheck.views.respond).
RESPONDENT_RESULTS_ENDPOINT = "respond.results"
# The weekly digest lists what is due within this many days, and everything overdue.
DIGEST_HORIZON = timedelta(days=14)
OPEN_STATUSES = (CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)


# --------------------------------------------------------------------------------------------
# Who hears of a round
# --------------------------------------------------------------------------------------------


def workspace_owners(workspace_id: int) -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.workspace_id == workspace_id, User.role == Role.OWNER)
            .order_by(User.id)
        )
    )


def round_owner(assessment: Assessment) -> User | None:
    """The staff user a round belongs to: who launched it, else who created it (while they
    are still in its workspace)."""
    for user_id in (assessment.launched_by_id, assessment.created_by_id):
        if user_id is None:
            continue
        user = db.session.get(User, user_id)
        if user is not None and user.workspace_id == assessment.workspace_id:
            return user
    return None


# --------------------------------------------------------------------------------------------
# The results are ready
# --------------------------------------------------------------------------------------------


def queue_results_ready(
    assessment: Assessment, *, by: ActorKind, revealed_by: User | None = None, now: datetime
) -> int:
    """At the reveal, in its transaction: tell every respondent who may see the results
    (the rule of `results.respondent_may_see`) and the staff member who launched it (the
    round's owner), also when they revealed it themselves: the mail carries the link to the
    results and says who revealed them. Returns how many mails were queued."""
    count = 0
    respondents = db.session.scalars(
        select(Respondent)
        .where(
            Respondent.assessment_id == assessment.id,
            Respondent.withdrawn_at.is_(None),
            Respondent.email.is_not(None),
            Respondent.email != "",
        )
        .order_by(Respondent.id)
    )
    for respondent in respondents:
        if not respondent_may_see(respondent):
            continue
        assert respondent.email
        outbox.enqueue(
            "results_ready",
            to=respondent.email,
            locale=respondent.locale,
            workspace_id=assessment.workspace_id,
            payload={"respondent_id": respondent.id},
            respondent_id=respondent.id,
            dedupe_key=f"results:{respondent.id}",
            now=now,
        )
        count += 1
    owner = round_owner(assessment)
    if owner is not None:
        outbox.enqueue(
            "results_ready_staff",
            to=owner.email,
            locale=owner.locale,
            workspace_id=assessment.workspace_id,
            payload={
                "assessment_id": assessment.id,
                "user_id": owner.id,
                "by": by.value,
                "revealed_by_id": revealed_by.id if revealed_by is not None else None,
            },
            dedupe_key=f"results-staff:{assessment.id}:{owner.id}",
            now=now,
        )
        count += 1
    return count


def render_results_ready(message: OutboxMessage) -> Rendered | None:
    from .mailings import render_templates

    respondent = db.session.get(Respondent, message.payload.get("respondent_id", -1))
    if respondent is None or not respondent_may_see(respondent):
        return None
    context = respondent_context(respondent)
    context["url"] = external_url(RESPONDENT_RESULTS_ENDPOINT, token=link_token(respondent))
    context["client"] = respondent.side is Side.CLIENT
    return render_templates("results_ready", context)


def render_results_ready_staff(message: OutboxMessage) -> Rendered | None:
    from .mailings import render_templates

    assessment = db.session.get(Assessment, message.payload.get("assessment_id", -1))
    user = db.session.get(User, message.payload.get("user_id", -1))
    if (
        assessment is None
        or assessment.state not in VISIBLE_STATES
        or user is None
        or user.workspace_id != assessment.workspace_id
    ):
        return None
    revealed_by = db.session.get(User, message.payload.get("revealed_by_id") or -1)
    return render_templates(
        "results_ready_staff",
        {
            **_staff_context(assessment, user),
            "by": str(message.payload.get("by", ActorKind.USER.value)),
            "revealed_by": revealed_by.name
            if revealed_by is not None and revealed_by.workspace_id == assessment.workspace_id
            else None,
            "shared": assessment.share_with_client,
            "url": external_url("results.show", assessment_id=assessment.id),
        },
    )


def _staff_context(assessment: Assessment, user: User) -> dict[str, Any]:
    return {
        "locale": _locale(user.locale),
        "name": user.name,
        "company": assessment.partner.workspace.name,
        "partner": assessment.partner.name,
        "title": assessment.title,
    }


def _locale(locale: str | None) -> str:
    if locale in current_app.config["LANGUAGES"]:
        return str(locale)
    return str(current_app.config.get("BABEL_DEFAULT_LOCALE", "en"))


# --------------------------------------------------------------------------------------------
# The deadline passed with a side below k
# --------------------------------------------------------------------------------------------


def queue_deadline_missed(assessment: Assessment, *, now: datetime) -> int:
    """Tell the round's owner (else the workspace's owners) that it stays sealed, in the
    caller's transaction; once per deadline."""
    owner = round_owner(assessment)
    people = [owner] if owner is not None else workspace_owners(assessment.workspace_id)
    stamp = int(assessment.deadline.timestamp()) if assessment.deadline else 0
    count = 0
    for user in people:
        key = f"deadline-missed:{assessment.id}:{user.id}:{stamp}"
        if outbox.already_queued(key):
            continue
        outbox.enqueue(
            "deadline_missed",
            to=user.email,
            locale=user.locale,
            workspace_id=assessment.workspace_id,
            payload={"assessment_id": assessment.id, "user_id": user.id},
            dedupe_key=key,
            now=now,
        )
        count += 1
    return count


def render_deadline_missed(message: OutboxMessage) -> Rendered | None:
    from .assessments import submitted_counts
    from .mailings import render_templates

    assessment = db.session.get(Assessment, message.payload.get("assessment_id", -1))
    user = db.session.get(User, message.payload.get("user_id", -1))
    if (
        assessment is None
        or assessment.state is not State.COLLECTING
        or assessment.deadline_missed_at is None  # the deadline moved since
        or assessment.deadline is None
        or user is None
        or user.workspace_id != assessment.workspace_id
    ):
        return None
    counts = submitted_counts(assessment.id)
    return render_templates(
        "deadline_missed",
        {
            **_staff_context(assessment, user),
            "deadline": format_datetime(assessment.deadline, "full", zone=True),
            "k": assessment.min_responses_per_side,
            "ours": counts[Side.COMPANY],
            "theirs": counts[Side.CLIENT],
            "url": external_url("assessments.show", assessment_id=assessment.id),
        },
    )


# --------------------------------------------------------------------------------------------
# The weekly digest of commitments
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Digest:
    """What one reader is told: open commitments past their date, and due soon."""

    overdue: list[Commitment]
    due: list[Commitment]

    def __bool__(self) -> bool:
        return bool(self.overdue or self.due)


def _open_commitments(today: date) -> Select[Commitment]:
    """Open commitments due by `today` + the horizon (overdue ones included), each once:
    a promise carried into a later round is the same row there (`services.commitments`).
    Every commitment was made in a revealed round; one carried into a round still
    collecting answers is listed from the round it left."""
    return (
        select(Commitment)
        .options(
            joinedload(Commitment.trait),
            joinedload(Commitment.assessment).joinedload(Assessment.partner),
            joinedload(Commitment.reviews)
            .joinedload(CommitmentReview.assessment)
            .joinedload(Assessment.partner),
        )
        .where(
            Commitment.status.in_(OPEN_STATUSES),
            Commitment.due_on.is_not(None),
            Commitment.due_on <= today + DIGEST_HORIZON,
        )
        .order_by(Commitment.due_on, Commitment.id)
    )


def _split(commitments: list[Commitment], today: date) -> Digest:
    return Digest(
        overdue=[c for c in commitments if c.due_on is not None and c.due_on < today],
        due=[c for c in commitments if c.due_on is not None and c.due_on >= today],
    )


def digest_for(user: User, today: date) -> Digest:
    """A reader's digest: the whole workspace's for an owner, their own for a member."""
    query = _open_commitments(today).where(Commitment.workspace_id == user.workspace_id)
    if not user.is_owner:
        query = query.where(Commitment.owner_user_id == user.id)
    return _split(list(db.session.scalars(query).unique()), today)


def queue_commitment_digests(*, week: str, today: date, now: datetime) -> int:
    """Queue this week's digest for every owner and every member who owns a commitment,
    in the caller's transaction; nobody gets an empty one. A handful of queries whatever
    the number of workspaces."""
    commitments = list(db.session.scalars(_open_commitments(today)).unique())
    if not commitments:
        return 0
    by_workspace: dict[int, list[Commitment]] = defaultdict(list)
    for commitment in commitments:
        by_workspace[commitment.workspace_id].append(commitment)
    readers: dict[int, User] = {
        user.id: user
        for user in db.session.scalars(
            select(User).where(User.workspace_id.in_(by_workspace), User.role == Role.OWNER)
        )
    }
    named = {c.owner_user_id for c in commitments if c.owner_user_id is not None} - set(readers)
    if named:
        for user in db.session.scalars(select(User).where(User.id.in_(named))):
            if any(c.owner_user_id == user.id for c in by_workspace[user.workspace_id]):
                readers[user.id] = user
    keys = {user_id: f"digest:{user_id}:{week}" for user_id in readers}
    sent = set(
        db.session.scalars(
            select(OutboxMessage.dedupe_key).where(OutboxMessage.dedupe_key.in_(keys.values()))
        )
    )
    count = 0
    for user_id, user in sorted(readers.items()):
        mine = by_workspace[user.workspace_id]
        if not user.is_owner:
            mine = [c for c in mine if c.owner_user_id == user.id]
        if not mine or keys[user_id] in sent:
            continue
        outbox.enqueue(
            "commitment_digest",
            to=user.email,
            locale=user.locale,
            workspace_id=user.workspace_id,
            payload={"user_id": user.id, "week": week, "today": today.isoformat()},
            dedupe_key=keys[user_id],
            now=now,
        )
        count += 1
    return count


def render_commitment_digest(message: OutboxMessage) -> Rendered | None:
    from .mailings import render_templates

    user = db.session.get(User, message.payload.get("user_id", -1))
    if user is None:
        return None
    try:
        today = date.fromisoformat(str(message.payload.get("today")))
    except ValueError:
        return None
    digest = digest_for(user, today)
    if not digest:
        return None
    locale = _locale(user.locale)
    return render_templates(
        "commitment_digest",
        {
            "locale": locale,
            "name": user.name,
            "company": user.workspace.name,
            "owner": user.is_owner,
            "horizon": DIGEST_HORIZON.days,
            "overdue": [_item(c, locale, today) for c in digest.overdue],
            "due": [_item(c, locale, today) for c in digest.due],
            "url": external_url("partners.index"),
        },
    )


def _item(commitment: Commitment, locale: str, today: date) -> dict[str, Any]:
    shown_in = commitment_service.shown_in(commitment)
    assessment = next(
        (r.assessment for r in commitment.reviews if r.assessment_id == shown_in),
        commitment.assessment,
    )
    assert commitment.due_on is not None
    return {
        "action": commitment.action,
        "owner": commitment.owner,
        "ours": commitment.side is Side.COMPANY,
        "partner": assessment.partner.name,
        "title": assessment.title,
        "trait": commitment.trait.label(locale),
        "due_on": format_date(commitment.due_on, "long"),
        "days_late": (today - commitment.due_on).days,
        "in_progress": commitment.status is CommitmentStatus.IN_PROGRESS,
        "url": external_url("results.show", assessment_id=assessment.id) + "#commitments",
    }
