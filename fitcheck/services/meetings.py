"""The review meeting: after the reveal, both sides sit together (in one room or one video
call) and step through the mirror trait by trait on a shared screen, record commitments as
they go, and leave with a summary mailed to everyone who took part.

A meeting is run by a member, its facilitator, from the presenter view or a phone; every
screen follows the meeting's current step, kept here. Its numbers are the round's, read by
`rounds.load_round` as the results page reads them: sealed before the reveal
(`ResultsSealed`), a side below the anonymity threshold withheld, its comments with it.
Nothing is computed here but the order of the steps. Its commitments are the round's own
(`commitments.add_commitment`): recorded in the meeting, they are on the results page at
once, and a link row says which meeting they were made in.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import event, select, update
from sqlalchemy.orm import Session, joinedload

from ..extensions import db
from ..fit import FitResult, TraitResult
from ..i18n import lazy_gettext as _l
from ..models import (
    MEETING_LANGUAGES,
    Assessment,
    AssessmentTrait,
    Commitment,
    Meeting,
    MeetingCommitment,
    MeetingOrder,
    MeetingParticipant,
    OutboxMessage,
    Respondent,
    Side,
    User,
    utcnow,
)
from ..urls import external_url
from . import ServiceError, audit, commit_unique, outbox
from . import commitments as commitment_service
from .commitments import RoundCommitment
from .dates import format_date
from .demo_plans import MEETING_PROMISES, Promise
from .documents import commitment_document
from .invitations import link_token
from .outbox import Rendered
from .results import check_visible, load_results, respondent_may_see
from .rounds import Round, load_round

SUMMARY_MAIL = "meeting_summary"
DEFAULT_ORDER = MeetingOrder.GAP
# The respondent's results, through their personal link (fitcheck.views.respond).
RESPONDENT_RESULTS_ENDPOINT = "respond.results"
# A member's summary: the meeting's own page (fitcheck.views.meeting).
SUMMARY_ENDPOINT = "meeting.summary"

ALREADY_RUNNING = _l("A review meeting of this round is already running.")
ENDED = _l("This review meeting has ended.")


# --------------------------------------------------------------------------------------------
# The order of the steps (pure)
# --------------------------------------------------------------------------------------------


def _by_gap(row: TraitResult | None) -> tuple[bool, float]:
    # As the results page's gap table: the largest gap first, traits without one last.
    gap = None if row is None else row.gap
    return gap is None, -abs(gap or 0.0)


def _by_importance(row: TraitResult | None) -> float:
    return -(row.weight if row is not None else 0.0)


def trait_order(
    result: FitResult, traits: Sequence[AssessmentTrait], order: MeetingOrder
) -> list[AssessmentTrait]:
    """The round's traits in the order of a meeting's steps: by the size of the mirror gap,
    by importance (the weight both sides gave the trait), or in the trait set's order.
    Ties keep the trait set's order. No query."""
    in_set = sorted(traits, key=lambda trait: (trait.position, trait.id))
    rows = {row.trait: row for row in result.traits}
    if order is MeetingOrder.GAP:
        return sorted(in_set, key=lambda trait: _by_gap(rows.get(trait.key)))
    if order is MeetingOrder.IMPORTANCE:
        return sorted(in_set, key=lambda trait: _by_importance(rows.get(trait.key)))
    return in_set


# --------------------------------------------------------------------------------------------
# Starting a meeting
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidates:
    """Who may take part: the round's respondents who may see its results (the rule of
    `results.respondent_may_see`: not withdrawn, and the client's side only when the round
    is shared with the client), and the workspace's members."""

    respondents: list[Respondent]
    members: list[User]


def candidates(assessment: Assessment) -> Candidates:
    """Two queries."""
    respondents = db.session.scalars(
        select(Respondent)
        .where(
            Respondent.assessment_id == assessment.id,
            Respondent.workspace_id == assessment.workspace_id,
        )
        .order_by(Respondent.side, Respondent.name, Respondent.id)
    )
    members = db.session.scalars(
        select(User)
        .where(User.workspace_id == assessment.workspace_id)
        .order_by(User.name, User.id)
    )
    return Candidates(
        respondents=[respondent for respondent in respondents if respondent_may_see(respondent)],
        members=list(members),
    )


def running_meeting(assessment: Assessment) -> Meeting | None:
    """The round's meeting under way, if one is. One query."""
    return db.session.scalar(
        select(Meeting).where(
            Meeting.assessment_id == assessment.id,
            Meeting.workspace_id == assessment.workspace_id,
            Meeting.ended_at.is_(None),
        )
    )


def past_meetings(assessment: Assessment) -> list[Meeting]:
    """The round's ended meetings, the latest first, with who started each. One query."""
    return list(
        db.session.scalars(
            select(Meeting)
            .options(joinedload(Meeting.started_by))
            .where(
                Meeting.assessment_id == assessment.id,
                Meeting.workspace_id == assessment.workspace_id,
                Meeting.ended_at.is_not(None),
            )
            .order_by(Meeting.started_at.desc(), Meeting.id.desc())
        )
    )


def _check_not_running(assessment: Assessment) -> None:
    if running_meeting(assessment) is not None:
        raise ServiceError(ALREADY_RUNNING)


def start_meeting(
    assessment: Assessment,
    *,
    facilitator: User,
    language: str,
    order: MeetingOrder = DEFAULT_ORDER,
    respondent_ids: Iterable[int] = (),
    user_ids: Iterable[int] = (),
    now: datetime | None = None,
) -> Meeting:
    """Start the review meeting of a revealed round, in `language`, its trait steps in
    `order`, with these respondents (who must be allowed to see the results) and members
    taking part. Raises `ResultsSealed` before the reveal; one meeting runs at a time."""
    check_visible(assessment)
    if facilitator.workspace_id != assessment.workspace_id:
        raise ServiceError(_l("Choose among the members of this workspace."), "user_ids")
    if language not in MEETING_LANGUAGES:
        raise ServiceError(_l("Choose English or Japanese."), "language")
    _check_not_running(assessment)
    allowed = candidates(assessment)
    may_see = {respondent.id for respondent in allowed.respondents}
    members = {user.id for user in allowed.members}
    chosen_respondents = sorted(set(respondent_ids))
    chosen_members = sorted(set(user_ids))
    if not set(chosen_respondents) <= may_see:
        raise ServiceError(
            _l("Choose among the respondents who may see the results."), "respondent_ids"
        )
    if not set(chosen_members) <= members:
        raise ServiceError(_l("Choose among the members of this workspace."), "user_ids")
    result = load_results(assessment).fit
    steps = trait_order(result, assessment.traits, MeetingOrder(order))
    meeting = Meeting(
        workspace_id=assessment.workspace_id,
        assessment_id=assessment.id,
        language=language,
        step_order=MeetingOrder(order),
        trait_ids=[trait.id for trait in steps],
        discussed=[],
        step=0,
        revision=0,
        started_by_id=facilitator.id,
        started_at=now or utcnow(),
    )
    db.session.add(meeting)
    db.session.flush()
    db.session.add_all(
        [
            MeetingParticipant(
                workspace_id=assessment.workspace_id,
                meeting_id=meeting.id,
                assessment_id=assessment.id,
                respondent_id=respondent_id,
            )
            for respondent_id in chosen_respondents
        ]
        + [
            MeetingParticipant(
                workspace_id=assessment.workspace_id,
                meeting_id=meeting.id,
                assessment_id=assessment.id,
                user_id=user_id,
            )
            for user_id in chosen_members
        ]
    )
    audit.record(
        audit.Kind.MEETING_STARTED,
        workspace_id=assessment.workspace_id,
        actor=facilitator,
        subject=assessment.partner.name,
        at=now,
        assessment_id=assessment.id,
        meeting_id=meeting.id,
        language=language,
        participants=len(chosen_respondents) + len(chosen_members),
    )
    # Two screens starting a meeting at once: the running meeting's unique index refuses
    # the second, which is told as if it had seen the first.
    commit_unique(lambda: _check_not_running(assessment))
    return meeting


# --------------------------------------------------------------------------------------------
# Running it: steps and commitments
# --------------------------------------------------------------------------------------------


def _check_running(meeting: Meeting) -> None:
    if not meeting.running:
        raise ServiceError(ENDED)


def trait_at(meeting: Meeting, step: int) -> int | None:
    """The assessment trait of a step, None for the overview and the summary."""
    return meeting.trait_ids[step - 1] if 1 <= step <= len(meeting.trait_ids) else None


def step_of(meeting: Meeting, trait_id: int) -> int | None:
    """The step of an assessment trait in this meeting."""
    return meeting.trait_ids.index(trait_id) + 1 if trait_id in meeting.trait_ids else None


def move_to(meeting: Meeting, step: int) -> Meeting:
    """Make `step` the meeting's current step, for every screen that follows it: 0 the
    overview, 1…n the traits in the meeting's order, n + 1 the summary."""
    _check_running(meeting)
    if not 0 <= step <= meeting.last_step:
        raise ServiceError(_l("There is no such step in this meeting."), "step")
    if step == meeting.step:
        return meeting
    meeting.step = step
    trait_id = trait_at(meeting, step)
    if trait_id is not None and trait_id not in meeting.discussed:
        meeting.discussed = [*meeting.discussed, trait_id]
    _touch(meeting)
    db.session.commit()
    return meeting


def _touch(meeting: Meeting) -> None:
    # In SQL, not from the value read: two screens changing the meeting at once each
    # count, so a screen that saw one change still sees that there was another.
    meeting.revision = Meeting.revision + 1


@contextmanager
def _linked_to(meeting: Meeting) -> Iterator[None]:
    """Inside the block, a commitment added to the session is linked to `meeting` in the
    same flush. `commitments.add_commitment` commits its own transaction; with this, the
    link and the meeting's new revision are part of that one commit, so a commitment made
    in a meeting never exists without its link, nor a link without its commitment.

    The listener is on this request's session only (not the session class, which every
    thread's session shares) and leaves with the block."""
    session = db.session()
    meeting_id, workspace_id = meeting.id, meeting.workspace_id

    def link(flushing: Session, _context: Any, _instances: Any) -> None:
        linked = {
            id(item.commitment) for item in flushing.new if isinstance(item, MeetingCommitment)
        }
        for item in list(flushing.new):
            if isinstance(item, Commitment) and id(item) not in linked:
                flushing.add(
                    MeetingCommitment(
                        workspace_id=workspace_id, meeting_id=meeting_id, commitment=item
                    )
                )

    event.listen(session, "before_flush", link)
    try:
        yield
    finally:
        event.remove(session, "before_flush", link)


def record_commitment(
    meeting: Meeting,
    *,
    trait_id: int,
    side: Side,
    action: str,
    owner: str = "",
    due_on: date | None = None,
    created_by_id: int | None = None,
) -> Commitment:
    """Record a side's promise on one of the round's traits during the meeting: a
    commitment of the round like any other (on its results page at once), linked to the
    meeting. The rules and messages are those of `commitments.add_commitment`, which also
    moves the revision of the round's running meeting on, in the same commit."""
    _check_running(meeting)
    try:
        with _linked_to(meeting):
            return commitment_service.add_commitment(
                meeting.assessment,
                trait_id=trait_id,
                side=side,
                action=action,
                owner=owner,
                due_on=due_on,
                created_by_id=created_by_id,
            )
    except ServiceError:
        db.session.rollback()  # nothing changed
        raise


# --------------------------------------------------------------------------------------------
# Reading a meeting: the presenter, the remote, the summary
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class TraitStep:
    """A trait's step: its number (1…n), the frozen trait and the engine's row for it."""

    number: int
    trait: AssessmentTrait
    row: TraitResult


@dataclass(frozen=True)
class MeetingRound:
    """What the presenter shows: the round as the results page reads it, the trait steps
    in the meeting's order, and the round's commitments, those made in this meeting known.
    """

    meeting: Meeting
    round: Round
    steps: list[TraitStep]
    commitments: list[RoundCommitment]
    made_here: frozenset[int]

    def commitments_on(self, trait_id: int) -> list[RoundCommitment]:
        return on_trait(self.commitments, trait_id, self.made_here)

    @property
    def agreed(self) -> dict[Side, list[Commitment]]:
        return agreed_by_side(
            [
                entry.commitment
                for entry in self.commitments
                if entry.commitment.id in self.made_here
            ],
            self.meeting,
        )

    @property
    def discussed(self) -> list[AssessmentTrait]:
        return discussed_traits(self.meeting, [step.trait for step in self.steps])


def on_trait(
    entries: Iterable[RoundCommitment], trait_id: int, made_here: frozenset[int]
) -> list[RoundCommitment]:
    """The commitments that stand in the round on a trait, those made in this meeting first
    (the room is looking for what it just agreed), each group in the round's order."""
    standing = [entry for entry in entries if entry.here and entry.trait.id == trait_id]
    return sorted(standing, key=lambda entry: entry.commitment.id not in made_here)


def agreed_by_side(
    commitments: Iterable[Commitment], meeting: Meeting
) -> dict[Side, list[Commitment]]:
    """Commitments by the side that promised them, each side's in the meeting's step order."""
    by_side: dict[Side, list[Commitment]] = {side: [] for side in Side}
    for commitment in commitments:
        by_side[commitment.side].append(commitment)
    for side in Side:
        by_side[side].sort(
            key=lambda c: (step_of(meeting, c.trait_id) or len(meeting.trait_ids) + 1, c.id)
        )
    return by_side


def discussed_traits(meeting: Meeting, traits: Iterable[AssessmentTrait]) -> list[AssessmentTrait]:
    """The traits whose step the meeting showed, in the meeting's step order."""
    by_id = {trait.id: trait for trait in traits}
    shown = set(meeting.discussed)
    return [
        by_id[trait_id] for trait_id in meeting.trait_ids if trait_id in shown and trait_id in by_id
    ]


def _made_in(meeting: Meeting) -> frozenset[int]:
    return frozenset(
        db.session.scalars(
            select(MeetingCommitment.commitment_id).where(
                MeetingCommitment.meeting_id == meeting.id,
                MeetingCommitment.workspace_id == meeting.workspace_id,
            )
        )
    )


def commitments_of(meeting: Meeting) -> tuple[list[RoundCommitment], frozenset[int]]:
    """The round's commitments (as its results page lists them) and the ids of those made
    in this meeting. Two queries."""
    return commitment_service.list_commitments(meeting.assessment), _made_in(meeting)


def load_meeting_round(meeting: Meeting) -> MeetingRound:
    """Everything the presenter shows of a meeting. The queries of `rounds.load_round` and
    two for the commitments, however many traits, respondents and comments."""
    results = load_round(meeting.assessment)
    traits = {trait.id: trait for trait in meeting.assessment.traits}
    steps = [
        TraitStep(
            number=number, trait=traits[trait_id], row=results.fit.trait(traits[trait_id].key)
        )
        for number, trait_id in enumerate(meeting.trait_ids, start=1)
        if trait_id in traits
    ]
    listed, made_here = commitments_of(meeting)
    return MeetingRound(
        meeting=meeting, round=results, steps=steps, commitments=listed, made_here=made_here
    )


@dataclass(frozen=True)
class MeetingSummary:
    """What was agreed: the traits discussed, the commitments made in the meeting by side,
    and who took part (respondents by side, and members)."""

    meeting: Meeting
    discussed: list[AssessmentTrait]
    agreed: dict[Side, list[Commitment]]
    respondents: dict[Side, list[Respondent]] = field(default_factory=dict)
    members: list[User] = field(default_factory=list)


def load_participants(meeting: Meeting) -> list[MeetingParticipant]:
    """The meeting's participants with their respondent or user. One query."""
    return list(
        db.session.scalars(
            select(MeetingParticipant)
            .options(joinedload(MeetingParticipant.respondent), joinedload(MeetingParticipant.user))
            .where(
                MeetingParticipant.meeting_id == meeting.id,
                MeetingParticipant.workspace_id == meeting.workspace_id,
            )
            .order_by(MeetingParticipant.id)
        )
    )


def load_summary(meeting: Meeting) -> MeetingSummary:
    """The summary of a meeting, ended or not: three queries (its round's traits, the
    commitments made in it with their traits, its participants)."""
    made = db.session.scalars(
        select(Commitment)
        .options(joinedload(Commitment.trait))
        .join(MeetingCommitment, MeetingCommitment.commitment_id == Commitment.id)
        .where(
            MeetingCommitment.meeting_id == meeting.id,
            MeetingCommitment.workspace_id == meeting.workspace_id,
        )
    )
    respondents: dict[Side, list[Respondent]] = {side: [] for side in Side}
    members: list[User] = []
    for participant in load_participants(meeting):
        if participant.respondent is not None:
            respondents[participant.respondent.side].append(participant.respondent)
        elif participant.user is not None:
            members.append(participant.user)
    return MeetingSummary(
        meeting=meeting,
        discussed=discussed_traits(meeting, meeting.assessment.traits),
        agreed=agreed_by_side(made, meeting),
        respondents={
            side: sorted(people, key=lambda r: r.name) for side, people in respondents.items()
        },
        members=sorted(members, key=lambda user: user.name),
    )


def find_meeting(assessment_id: int, meeting_id: int, workspace_id: int) -> Meeting | None:
    """A meeting of this round in this workspace. One query."""
    return db.session.scalar(
        select(Meeting).where(
            Meeting.id == meeting_id,
            Meeting.assessment_id == assessment_id,
            Meeting.workspace_id == workspace_id,
        )
    )


# --------------------------------------------------------------------------------------------
# Ending it: the summary, mailed to every participant
# --------------------------------------------------------------------------------------------


def _close(meeting: Meeting, moment: datetime, *, mailed: bool) -> None:
    """End the meeting unless another request just did: a conditional update, so two
    screens ending it at once end it (and mail its summary) once."""
    ended: Any = db.session.execute(
        update(Meeting)
        .where(Meeting.id == meeting.id, Meeting.ended_at.is_(None))
        .values(
            ended_at=moment,
            summary_queued_at=moment if mailed else None,
            revision=Meeting.revision + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if not ended.rowcount:
        db.session.rollback()
        raise ServiceError(ENDED)


def end_meeting(meeting: Meeting, *, actor: User | None = None, now: datetime | None = None) -> int:
    """End the meeting and queue its summary to every participant with an address, each in
    their own language if known, else the meeting's; in one transaction, once. Returns how
    many mails were queued."""
    moment = now or utcnow()
    _close(meeting, moment, mailed=True)
    count = queue_summary(meeting, now=moment)
    _record_end(meeting, actor=actor, at=now, mails=count)
    db.session.commit()
    db.session.expire(meeting)
    return count


def _record_end(meeting: Meeting, *, actor: User | None, at: datetime | None, mails: int) -> None:
    made = _made_in(meeting)
    audit.record(
        audit.Kind.MEETING_ENDED,
        workspace_id=meeting.workspace_id,
        actor=actor,
        subject=meeting.assessment.partner.name,
        at=at,
        assessment_id=meeting.assessment_id,
        meeting_id=meeting.id,
        commitments=len(made),
        mails=mails,
    )


def _recipient(participant: MeetingParticipant, meeting: Meeting) -> tuple[str, str | None] | None:
    """The address and known language of a participant who still gets the summary."""
    respondent, user = participant.respondent, participant.user
    if respondent is not None:
        if not respondent.email or not respondent_may_see(respondent):
            return None
        return respondent.email, respondent.locale
    if user is not None and user.workspace_id == meeting.workspace_id:
        return user.email, user.locale
    return None


def queue_summary(meeting: Meeting, *, now: datetime) -> int:
    """Queue the summary mail to the participants, in the caller's transaction."""
    count = 0
    for participant in load_participants(meeting):
        recipient = _recipient(participant, meeting)
        if recipient is None:
            continue
        address, locale = recipient
        outbox.enqueue(
            SUMMARY_MAIL,
            to=address,
            locale=locale if locale in MEETING_LANGUAGES else meeting.language,
            workspace_id=meeting.workspace_id,
            payload={"meeting_id": meeting.id, "participant_id": participant.id},
            respondent_id=participant.respondent_id,
            dedupe_key=f"meeting-summary:{meeting.id}:{participant.id}",
            now=now,
        )
        count += 1
    return count


def render_summary_mail(message: OutboxMessage) -> Rendered | None:
    """The summary as one participant reads it, in the message's language; None when the
    meeting, or the participant's right to see the results, is gone."""
    from .mailings import render_templates

    meeting = db.session.get(Meeting, message.payload.get("meeting_id", -1))
    participant = db.session.get(MeetingParticipant, message.payload.get("participant_id", -1))
    if meeting is None or meeting.running or participant is None:
        return None
    if participant.meeting_id != meeting.id or _recipient(participant, meeting) is None:
        return None
    assessment = meeting.assessment
    respondent = participant.respondent
    if respondent is not None:
        name, url = (
            respondent.name,
            external_url(RESPONDENT_RESULTS_ENDPOINT, token=link_token(respondent)),
        )
    else:
        assert participant.user is not None
        name, url = (
            participant.user.name,
            external_url(SUMMARY_ENDPOINT, assessment_id=assessment.id, meeting_id=meeting.id),
        )
    locale = message.locale if message.locale in MEETING_LANGUAGES else meeting.language
    summary = load_summary(meeting)
    return render_templates(
        "meeting_summary",
        {
            "locale": locale,
            "name": name,
            "respondent": respondent is not None,
            "company": assessment.partner.workspace.name,
            "partner": assessment.partner.name,
            "date": format_date(meeting.started_at, "long"),
            "discussed": [trait.label(locale) for trait in summary.discussed],
            "agreed": {
                side: [
                    {
                        "trait": commitment.trait.label(locale),
                        "action": commitment.action,
                        "owner": commitment.owner,
                        "due_on": format_date(commitment.due_on, "long")
                        if commitment.due_on
                        else None,
                    }
                    for commitment in made
                ]
                for side, made in summary.agreed.items()
            },
            "Side": Side,
            "url": url,
        },
    )


# --------------------------------------------------------------------------------------------
# The demo's meeting
# --------------------------------------------------------------------------------------------


def demo_meeting(
    assessment: Assessment,
    facilitator: User,
    *,
    language: str = "en",
    started_at: datetime | None = None,
    promises: Sequence[Promise] = MEETING_PROMISES,
    minutes: int = 90,
) -> Meeting:
    """A finished review meeting of a revealed round, for the demo: started a week after
    the reveal (unless `started_at`), every trait discussed in the order of the gap, every
    respondent who may see the results and the facilitator taking part, `promises` made,
    ended `minutes` later. No mail is queued: the demo's people are invented."""
    assert assessment.revealed_at is not None, "the demo's meeting follows a reveal"
    start = started_at or assessment.revealed_at + timedelta(days=7)
    meeting = start_meeting(
        assessment,
        facilitator=facilitator,
        language=language,
        order=MeetingOrder.GAP,
        respondent_ids=[respondent.id for respondent in candidates(assessment).respondents],
        user_ids=[facilitator.id],
        now=start,
    )
    traits = {trait.key: trait.id for trait in assessment.traits}
    for promise in (promise for promise in promises if promise.trait in traits):
        commitment = record_commitment(
            meeting,
            trait_id=traits[promise.trait],
            side=promise.side,
            action=promise.action.text(language),
            owner=promise.owner.text(language),
            due_on=(start + timedelta(days=promise.due_after_days)).date(),
            created_by_id=facilitator.id,
        )
        # Made in the meeting, years ago; kept or not since. Committed with the end.
        commitment.status = promise.status
        commitment.created_at = commitment.updated_at = start
    meeting.discussed = list(meeting.trait_ids)
    meeting.step = meeting.last_step
    db.session.commit()
    end = start + timedelta(minutes=minutes)
    _close(meeting, end, mailed=False)
    _record_end(meeting, actor=facilitator, at=end, mails=0)
    db.session.commit()
    db.session.expire(meeting)
    return meeting


# --------------------------------------------------------------------------------------------
# Reading meetings for the API
# --------------------------------------------------------------------------------------------


def meetings_of(assessment: Assessment) -> list[Meeting]:
    """Every meeting of a round, the running one (if any) first, then the latest first,
    with who started each. One query."""
    return list(
        db.session.scalars(
            select(Meeting)
            .options(joinedload(Meeting.started_by))
            .where(
                Meeting.assessment_id == assessment.id,
                Meeting.workspace_id == assessment.workspace_id,
            )
            .order_by(Meeting.ended_at.is_not(None), Meeting.started_at.desc(), Meeting.id.desc())
        )
    )


def meeting_documents(assessment: Assessment, meetings: Sequence[Meeting]) -> list[dict[str, Any]]:
    """Meetings of one round in the API's words (docs/api.md): their steps and the traits
    discussed by key, their participants, and the commitments made in each as the round's
    page lists them. Three queries however many meetings: the round's traits, the
    participants, the commitments with their history."""
    if not meetings:
        return []
    keys = {trait.id: trait.key for trait in assessment.traits}
    ids = [meeting.id for meeting in meetings]
    people: dict[int, list[MeetingParticipant]] = {meeting_id: [] for meeting_id in ids}
    for participant in db.session.scalars(
        select(MeetingParticipant)
        .options(joinedload(MeetingParticipant.respondent), joinedload(MeetingParticipant.user))
        .where(
            MeetingParticipant.meeting_id.in_(ids),
            MeetingParticipant.workspace_id == assessment.workspace_id,
        )
        .order_by(MeetingParticipant.id)
    ):
        people[participant.meeting_id].append(participant)
    made: dict[int, list[Commitment]] = {meeting_id: [] for meeting_id in ids}
    for commitment, meeting_id in db.session.execute(
        select(Commitment, MeetingCommitment.meeting_id)
        .join(MeetingCommitment, MeetingCommitment.commitment_id == Commitment.id)
        .options(*commitment_service.with_history())
        .where(
            MeetingCommitment.meeting_id.in_(ids),
            MeetingCommitment.workspace_id == assessment.workspace_id,
        )
        .order_by(Commitment.id)
    ).unique():
        made[meeting_id].append(commitment)
    return [
        {
            "id": meeting.id,
            "assessment_id": meeting.assessment_id,
            "language": meeting.language,
            "order": meeting.step_order,
            "running": meeting.running,
            "step": meeting.step,
            "steps": [keys[trait_id] for trait_id in meeting.trait_ids if trait_id in keys],
            "discussed": [
                keys[trait_id]
                for trait_id in meeting.trait_ids
                if trait_id in keys and trait_id in meeting.discussed
            ],
            "facilitator": None
            if meeting.started_by is None
            else {"id": meeting.started_by.id, "name": meeting.started_by.name},
            "participants": [_participant_document(p) for p in people[meeting.id]],
            "commitments": [
                commitment_document(
                    commitment_service.round_commitment(commitment, meeting.assessment_id)
                )
                for commitment in made[meeting.id]
            ],
            "started_at": meeting.started_at,
            "ended_at": meeting.ended_at,
            "summary_queued_at": meeting.summary_queued_at,
        }
        for meeting in meetings
    ]


def _participant_document(participant: MeetingParticipant) -> dict[str, Any]:
    if participant.respondent is not None:
        return {
            "kind": "respondent",
            "id": participant.respondent.id,
            "name": participant.respondent.name,
            "side": participant.respondent.side,
        }
    assert participant.user is not None
    return {
        "kind": "member",
        "id": participant.user.id,
        "name": participant.user.name,
        "side": Side.COMPANY,
    }
