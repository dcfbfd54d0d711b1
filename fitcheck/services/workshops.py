"""The brand-partner workshop's use cases, one transaction each: open a workshop, join it
by its link, write a note and rate ourselves on it, group, vote, decide, promise, and end
with a trait set. `launch` (services.assessments) turns the promises into commitments.

Every change the room can see raises the workshop's `version`, which the screens poll
(`room_state`, `board_state`: one query each). Phases move forward, or one step back until
the promises begin, by a conditional update: two clicks of "next" or "back" move it once.
What the room and the board show is read by `fitcheck.services.workshop_views`, in a fixed
number of queries.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, delete, func, select, update
from sqlalchemy.orm import joinedload

from .. import limits
from ..defaults import BRAND_PARTNER
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import (
    Assessment,
    AssessmentTrait,
    Commitment,
    Side,
    Trait,
    TraitSet,
    User,
    Workshop,
    WorkshopAction,
    WorkshopCluster,
    WorkshopNote,
    WorkshopParticipant,
    WorkshopVote,
    utcnow,
)
from ..models.workshops import (
    DEFAULT_QUESTION,
    DEFAULT_TEMPLATES,
    DRAFT_FIELDS,
    PHASES,
    SCALE_HI,
    SCALE_LO,
    WORKSHOP_LANGUAGES,
    Phase,
    default_dots,
    draft_trait,
    self_view,
    tally,
    template_problem,
)
from ..tokens import derived_token, hash_token, new_nonce, new_token
from . import Conflict, ServiceError, audit, check_length, commit_unique, dates
from .commitments import member_named
from .traits import TRAIT_FIELDS, TraitText, checked_text, trait_key_from

TOKEN_PURPOSE = "workshop"  # noqa: S105 - the join links' purpose, no secret


class VotesHidden(ServiceError):
    """The tally was asked for before voting closed."""


class NoteNotFound(ServiceError):
    """No note of the workshop with this id (for a participant: none of their own)."""


def _message_votes_hidden() -> Any:
    return _l("The votes are counted when voting closes.")


# ----------------------------------------------------------------------------------------
# Opening and joining
# ----------------------------------------------------------------------------------------


def join_token(workshop: Workshop) -> str:
    """The token of the workshop's join link, rebuilt from its nonce (never stored)."""
    return derived_token(current_app.config["SECRET_KEY"], TOKEN_PURPOSE, workshop.token_nonce)


def _checked_dots(dots: int | None) -> int | None:
    if dots is None:
        return None
    if isinstance(dots, bool) or not 1 <= dots <= limits.WORKSHOP_DOTS:
        raise ServiceError(
            _l("Give each participant from %(lo)d to %(hi)d dots.", lo=1, hi=limits.WORKSHOP_DOTS),
            "dots",
        )
    return dots


def open_workshop(
    workspace_id: int,
    *,
    question: str = "",
    language: str = "en",
    dots: int | None = None,
    created_by: User | None = None,
    now: datetime | None = None,
) -> Workshop:
    """A workshop in its write phase. An empty question: the default one, in `language`."""
    if language not in WORKSHOP_LANGUAGES:
        raise ServiceError(_l("Choose English or Japanese."), "language")
    question = question.strip() or DEFAULT_QUESTION[language]
    check_length(question, limits.WORKSHOP_QUESTION, "question", _l("The question"))
    nonce = new_nonce()
    moment = now or utcnow()
    workshop = Workshop(
        workspace_id=workspace_id,
        question=question,
        language=language,
        phase=Phase.WRITE,
        token_nonce=nonce,
        token_hash=hash_token(
            derived_token(current_app.config["SECRET_KEY"], TOKEN_PURPOSE, nonce)
        ),
        dots=_checked_dots(dots),
        templates=dict(DEFAULT_TEMPLATES),
        created_by_id=created_by.id if created_by is not None else None,
        created_at=moment,
        phase_changed_at=moment,
    )
    db.session.add(workshop)
    db.session.flush()
    audit.record(
        audit.Kind.WORKSHOP_OPENED,
        workspace_id=workspace_id,
        actor=created_by,
        subject=question,
        at=now,
        workshop_id=workshop.id,
        language=language,
    )
    db.session.commit()
    return workshop


def find_workshop(token: str) -> Workshop | None:
    """The workshop of a join link, or None for any other token."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(select(Workshop).where(Workshop.token_hash == hash_token(token)))


def join(
    workshop: Workshop, *, name: str = "", side: Side = Side.COMPANY, user: User | None = None
) -> tuple[WorkshopParticipant, str]:
    """A new participant and the token their cookie keeps (returned once, stored hashed).

    A signed-in member of the workshop's workspace is recorded as such; anyone else joins
    as a guest, with a name only if they give one."""
    if workshop.phase is Phase.RESULT:
        raise ServiceError(_l("This workshop has ended; its result is with the facilitator."))
    name = " ".join(name.split())
    check_length(name, limits.PERSON_NAME, "name", _l("The name"))
    token = new_token()
    participant = WorkshopParticipant(
        workspace_id=workshop.workspace_id,
        workshop_id=workshop.id,
        name=name,
        side=Side(side),
        user_id=user.id
        if user is not None and user.workspace_id == workshop.workspace_id
        else None,
        token_hash=hash_token(token),
    )
    db.session.add(participant)
    _touch(workshop)
    db.session.commit()
    return participant, token


def find_participant(workshop: Workshop, token: str | None) -> WorkshopParticipant | None:
    """The participant of this workshop whose cookie holds `token`; None for any other."""
    if not token or len(token) > 100:
        return None
    return db.session.scalar(
        select(WorkshopParticipant).where(
            WorkshopParticipant.workshop_id == workshop.id,
            WorkshopParticipant.token_hash == hash_token(token),
        )
    )


@dataclass(frozen=True)
class PollState:
    """What a screen compares to know whether to fetch anything: one query per poll."""

    workshop_id: int
    phase: Phase
    version: int
    participant_id: int | None = None

    @property
    def etag(self) -> str:
        return f"w{self.workshop_id}-{self.version}-{self.phase.value}-{self.participant_id or 0}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "phase": self.phase.value,
            "version": self.version,
            "joined": self.participant_id is not None,
        }


def find_link(
    token: str, participant_token: str | None
) -> tuple[Workshop, WorkshopParticipant | None] | None:
    """The workshop of a join link and the participant whose cookie holds
    `participant_token` (None if it holds no participant of it), in one query: what every
    request of a phone starts with, its polls included. None for an unknown link."""
    if not token or len(token) > 100:
        return None
    participant = and_(
        WorkshopParticipant.workshop_id == Workshop.id,
        WorkshopParticipant.token_hash == hash_token(participant_token or ""),
    )
    row = db.session.execute(
        select(Workshop, WorkshopParticipant)
        .outerjoin(WorkshopParticipant, participant)
        .where(Workshop.token_hash == hash_token(token))
    ).first()
    if row is None:
        return None
    return row[0], row[1] if participant_token else None


def poll_state(workshop: Workshop, participant: WorkshopParticipant | None = None) -> PollState:
    return PollState(
        workshop.id, workshop.phase, workshop.version, participant.id if participant else None
    )


def board_state(workspace_id: int, workshop_id: int) -> PollState | None:
    """The state the facilitator's board polls; None outside the workspace."""
    row = db.session.execute(
        select(Workshop.id, Workshop.phase, Workshop.version).where(
            Workshop.id == workshop_id, Workshop.workspace_id == workspace_id
        )
    ).first()
    return None if row is None else PollState(row[0], row[1], row[2])


def _touch(workshop: Workshop) -> None:
    """Tell every screen that something changed (in the caller's transaction)."""
    db.session.execute(
        update(Workshop)
        .where(Workshop.id == workshop.id)
        .values(version=Workshop.version + 1)
        .execution_options(synchronize_session=False)
    )


def _in_phase(workshop: Workshop, *phases: Phase, message: Any) -> None:
    if workshop.phase not in phases:
        raise ServiceError(message)


# ----------------------------------------------------------------------------------------
# Write: a note and, in the same gesture, "are we like that?"
# ----------------------------------------------------------------------------------------

WRITING_CLOSED = _l("Writing has closed: the facilitator has moved on.")


def _checked_rating(rating: int | None) -> int | None:
    if rating is None:
        return None
    if isinstance(rating, bool) or not SCALE_LO <= rating <= SCALE_HI:
        raise ServiceError(
            _l("Choose a rating from %(lo)d to %(hi)d.", lo=SCALE_LO, hi=SCALE_HI), "self_rating"
        )
    return rating


def write_note(
    participant: WorkshopParticipant,
    *,
    text: str,
    example: str = "",
    signed: bool = False,
    self_rating: int | None = None,
) -> WorkshopNote:
    """A note of the participant's, with their rating of their own side on its mirror
    question ("are we like that?") if given now; it can be given afterwards."""
    workshop = db.session.get(Workshop, participant.workshop_id)
    assert workshop is not None
    _in_phase(workshop, Phase.WRITE, message=WRITING_CLOSED)
    text, example = " ".join(text.split()), example.strip()
    if not text:
        raise ServiceError(_l("Write a short phrase on the note."), "text")
    check_length(text, limits.WORKSHOP_NOTE, "text", _l("The note"))
    check_length(example, limits.WORKSHOP_EXAMPLE, "example", _l("The example"))
    note = WorkshopNote(
        workspace_id=participant.workspace_id,
        workshop_id=participant.workshop_id,
        participant_id=participant.id,
        text=text,
        example=example,
        signed=bool(signed),
        self_rating=_checked_rating(self_rating),
    )
    db.session.add(note)
    _touch(workshop)
    db.session.commit()
    return note


RATING_CLOSED = _l("Ratings close when the decisions begin.")


def rate_note(participant: WorkshopParticipant, note_id: int, rating: int | None) -> WorkshopNote:
    """The writer's answer to a note's mirror question, until the decide phase."""
    workshop = db.session.get(Workshop, participant.workshop_id)
    assert workshop is not None
    _in_phase(workshop, Phase.WRITE, Phase.GROUP, Phase.VOTE, message=RATING_CLOSED)
    note: WorkshopNote | None = db.session.scalar(
        select(WorkshopNote).where(
            WorkshopNote.id == note_id,
            WorkshopNote.participant_id == participant.id,
            WorkshopNote.workshop_id == participant.workshop_id,
        )
    )
    if note is None:
        raise ServiceError(_l("You can rate only your own notes."))
    if rating is None:
        raise ServiceError(
            _l("Choose a rating from %(lo)d to %(hi)d.", lo=SCALE_LO, hi=SCALE_HI), "self_rating"
        )
    note.self_rating = _checked_rating(rating)
    db.session.commit()
    return note


REMOVING_CLOSED = _l("Notes can be removed only while the room writes or groups.")


def _removable(
    workshop: Workshop, note_id: int, participant: WorkshopParticipant | None
) -> list[Any]:
    """The conditions of a note that may be removed: the facilitator (no participant) any
    note of the workshop while the room writes or groups, a participant their own while it
    writes. Raises ServiceError when the phase does not allow it."""
    if participant is None:
        _in_phase(workshop, Phase.WRITE, Phase.GROUP, message=REMOVING_CLOSED)
    else:
        _in_phase(workshop, Phase.WRITE, message=WRITING_CLOSED)
    if isinstance(note_id, bool) or not 1 <= note_id <= MAX_ID:
        raise NoteNotFound(_message_note_not_found(participant))
    conditions = [WorkshopNote.id == note_id, WorkshopNote.workshop_id == workshop.id]
    if participant is not None:
        conditions.append(WorkshopNote.participant_id == participant.id)
    return conditions


def _message_note_not_found(participant: WorkshopParticipant | None) -> Any:
    if participant is None:
        return _l("That note has been removed already.")
    return _l("This note is no longer on the wall, or it is not yours.")


def note_to_remove(
    workshop: Workshop, note_id: int, *, participant: WorkshopParticipant | None = None
) -> WorkshopNote:
    """The note `remove_note` would remove, for its confirmation; the same rules, nothing
    changed."""
    note: WorkshopNote | None = db.session.scalar(
        select(WorkshopNote)
        .options(joinedload(WorkshopNote.participant))
        .where(*_removable(workshop, note_id, participant))
    )
    if note is None:
        raise NoteNotFound(_message_note_not_found(participant))
    return note


def remove_note(
    workshop: Workshop, note_id: int, *, participant: WorkshopParticipant | None = None
) -> None:
    """Take a note off the wall with its writer's rating on it (a joke, a note typed twice):
    the facilitator any note while the room writes or groups, a participant only their own
    while it writes. A cluster left without notes goes."""
    removed: Any = db.session.execute(
        delete(WorkshopNote)
        .where(*_removable(workshop, note_id, participant))
        .execution_options(synchronize_session=False)
    )
    if not removed.rowcount:
        db.session.rollback()
        raise NoteNotFound(_message_note_not_found(participant))
    _drop_empty_clusters(workshop)
    _touch(workshop)
    db.session.commit()


# ----------------------------------------------------------------------------------------
# Moving on
# ----------------------------------------------------------------------------------------

ALREADY_MOVED = _l("The workshop has already moved on.")


def next_phase(phase: Phase) -> Phase | None:
    index = PHASES.index(phase)
    return PHASES[index + 1] if index + 1 < len(PHASES) else None


def _move(workshop: Workshop, expected: Phase, *, now: datetime, to: Phase | None = None) -> Phase:
    """Move from `expected` to `to` (by default the next phase), unless someone already
    moved it."""
    following = next_phase(expected) if to is None else to
    if workshop.phase is not expected or following is None:
        raise ServiceError(ALREADY_MOVED)
    changed: Any = db.session.execute(
        update(Workshop)
        .where(Workshop.id == workshop.id, Workshop.phase == expected)
        .values(phase=following, phase_changed_at=now, version=Workshop.version + 1)
        .execution_options(synchronize_session=False)
    )
    if not changed.rowcount:
        db.session.rollback()
        raise ServiceError(ALREADY_MOVED)
    return following


def advance(
    workshop: Workshop,
    *,
    expected: Phase,
    dots: int | None = None,
    now: datetime | None = None,
) -> Workshop:
    """The facilitator's "next": write → group (each note its own cluster), group → vote
    (the dots fixed: `dots`, else the workshop's, else 3 per 10 clusters), vote → decide
    (the tally shown), decide → act (at least one trait chosen). The last step, act →
    result, is `finish`: it needs the trait set's name."""
    moment = now or utcnow()
    if expected is Phase.ACT:
        raise ServiceError(_l("Name the trait set to finish the workshop."), "name")
    workshop_id = workshop.id
    if expected is Phase.WRITE:
        notes = list(
            db.session.scalars(
                select(WorkshopNote)
                .where(WorkshopNote.workshop_id == workshop_id)
                .order_by(WorkshopNote.id)
            )
        )
        if workshop.phase is Phase.WRITE and not notes:
            raise ServiceError(_l("Wait for at least one note before grouping."))
        _move(workshop, expected, now=moment)
        # After a step back to writing the clusters made stay; each note written since gets
        # a cluster of its own after them.
        last = db.session.scalar(
            select(func.max(WorkshopCluster.position)).where(
                WorkshopCluster.workshop_id == workshop_id
            )
        )
        start = 0 if last is None else int(last) + 1
        new = [note for note in notes if note.cluster_id is None]
        for position, note in enumerate(new, start=start):
            cluster = WorkshopCluster(
                workspace_id=workshop.workspace_id,
                workshop_id=workshop_id,
                name=note.text[: limits.WORKSHOP_CLUSTER],
                position=position,
            )
            db.session.add(cluster)
            db.session.flush()
            note.cluster_id = cluster.id
    elif expected is Phase.GROUP:
        chosen_dots = _checked_dots(dots)
        clusters = db.session.scalar(
            select(func.count(WorkshopCluster.id)).where(WorkshopCluster.workshop_id == workshop_id)
        )
        _move(workshop, expected, now=moment)
        workshop.dots = chosen_dots or workshop.dots or default_dots(int(clusters or 0))
    elif expected is Phase.DECIDE:
        chosen = db.session.scalar(
            select(func.count(WorkshopCluster.id)).where(
                WorkshopCluster.workshop_id == workshop_id, WorkshopCluster.chosen.is_(True)
            )
        )
        if workshop.phase is Phase.DECIDE and not chosen:
            raise ServiceError(_l("Choose at least one cluster to become a trait."))
        _move(workshop, expected, now=moment)
    else:
        _move(workshop, expected, now=moment)
    db.session.commit()
    db.session.refresh(workshop)
    return workshop


# Where the facilitator may go back to: not from act or result, whose promises and trait
# set are made from the choices.
STEPS_BACK: dict[Phase, Phase] = {
    Phase.GROUP: Phase.WRITE,
    Phase.VOTE: Phase.GROUP,
    Phase.DECIDE: Phase.VOTE,
}


def previous_phase(phase: Phase) -> Phase | None:
    """The phase the facilitator may step back to from `phase`, if any."""
    return STEPS_BACK.get(phase)


def check_step_back(workshop: Workshop, expected: Phase) -> Phase:
    """The phase `step_back` would go back to, for its confirmation; nothing changed."""
    previous = previous_phase(expected)
    if previous is None:
        raise ServiceError(_l("The workshop cannot go back from this phase."))
    if workshop.phase is not expected:
        raise ServiceError(ALREADY_MOVED)
    return previous


def step_back(workshop: Workshop, expected: Phase, *, now: datetime | None = None) -> Workshop:
    """The facilitator's "back", one phase from `expected`: group → write (notes can be
    added again; the clusters stay, and each new note gets its own when grouping resumes),
    vote → group (the dots given so far are dropped, since the clusters may change),
    decide → vote (the choices and their wording kept, the tally hidden again until the
    vote closes). Two clicks go back once."""
    previous = check_step_back(workshop, expected)
    _move(workshop, expected, now=now or utcnow(), to=previous)
    if expected is Phase.VOTE:
        db.session.execute(
            delete(WorkshopVote)
            .where(WorkshopVote.workshop_id == workshop.id)
            .execution_options(synchronize_session=False)
        )
    db.session.commit()
    db.session.refresh(workshop)
    return workshop


# ----------------------------------------------------------------------------------------
# Group
# ----------------------------------------------------------------------------------------

GROUPING_CLOSED = _l("Clusters can be changed only while grouping.")


# Ids are the databases' 32-bit integers; a number past them names nothing (and SQLite
# could not even bind it).
MAX_ID = 2**31 - 1


def _valid_ids(ids: Iterable[int]) -> set[int]:
    return {int(i) for i in ids if 1 <= int(i) <= MAX_ID}


def _clusters_of(workshop: Workshop, ids: Iterable[int]) -> list[WorkshopCluster]:
    wanted = _valid_ids(ids)
    if not wanted:
        return []
    return list(
        db.session.scalars(
            select(WorkshopCluster)
            .where(WorkshopCluster.workshop_id == workshop.id, WorkshopCluster.id.in_(wanted))
            .order_by(WorkshopCluster.position, WorkshopCluster.id)
        )
    )


def _checked_cluster_name(name: str) -> str:
    name = " ".join(name.split())
    if not name:
        raise ServiceError(_l("Give the cluster a name."), "name")
    check_length(name, limits.WORKSHOP_CLUSTER, "name", _l("The name"))
    return name


def _drop_empty_clusters(workshop: Workshop) -> None:
    has_notes = select(WorkshopNote.id).where(WorkshopNote.cluster_id == WorkshopCluster.id)
    db.session.execute(
        delete(WorkshopCluster)
        .where(WorkshopCluster.workshop_id == workshop.id, ~has_notes.exists())
        .execution_options(synchronize_session=False)
    )


def merge_clusters(
    workshop: Workshop, cluster_ids: Sequence[int], *, name: str = ""
) -> WorkshopCluster:
    """Gather the notes of several clusters into the first of them (in board order), under
    `name` if given, else under the first one's name."""
    _in_phase(workshop, Phase.GROUP, message=GROUPING_CLOSED)
    clusters = _clusters_of(workshop, cluster_ids)
    if len(clusters) < 2:
        raise ServiceError(_l("Select at least two clusters to merge."), "cluster_ids")
    target, others = clusters[0], clusters[1:]
    if name.strip():
        target.name = _checked_cluster_name(name)
    db.session.execute(
        update(WorkshopNote)
        .where(
            WorkshopNote.workshop_id == workshop.id,
            WorkshopNote.cluster_id.in_([cluster.id for cluster in others]),
        )
        .values(cluster_id=target.id)
        .execution_options(synchronize_session=False)
    )
    _drop_empty_clusters(workshop)
    _touch(workshop)
    db.session.commit()
    return target


def move_notes(
    workshop: Workshop, note_ids: Sequence[int], *, to_cluster_id: int | None
) -> WorkshopCluster:
    """Move notes into a cluster, or (`to_cluster_id` None) into a new one named after the
    first of them. A cluster left empty goes."""
    _in_phase(workshop, Phase.GROUP, message=GROUPING_CLOSED)
    wanted = _valid_ids(note_ids)
    notes = (
        list(
            db.session.scalars(
                select(WorkshopNote)
                .where(WorkshopNote.workshop_id == workshop.id, WorkshopNote.id.in_(wanted))
                .order_by(WorkshopNote.id)
            )
        )
        if wanted
        else []
    )
    if not notes:
        raise ServiceError(_l("Select the notes to move."), "note_ids")
    if to_cluster_id is None:
        last = db.session.scalar(
            select(func.coalesce(func.max(WorkshopCluster.position), -1)).where(
                WorkshopCluster.workshop_id == workshop.id
            )
        )
        target = WorkshopCluster(
            workspace_id=workshop.workspace_id,
            workshop_id=workshop.id,
            name=notes[0].text[: limits.WORKSHOP_CLUSTER],
            position=(-1 if last is None else int(last)) + 1,
        )
        db.session.add(target)
        db.session.flush()
    else:
        found = _clusters_of(workshop, [to_cluster_id])
        if not found:
            raise ServiceError(_l("That cluster is gone; choose another."), "to_cluster")
        target = found[0]
    for note in notes:
        note.cluster_id = target.id
    db.session.flush()
    _drop_empty_clusters(workshop)
    _touch(workshop)
    db.session.commit()
    return target


def rename_cluster(workshop: Workshop, cluster_id: int, name: str) -> WorkshopCluster:
    _in_phase(workshop, Phase.GROUP, message=GROUPING_CLOSED)
    found = _clusters_of(workshop, [cluster_id])
    if not found:
        raise ServiceError(_l("That cluster is gone; choose another."), "name")
    found[0].name = _checked_cluster_name(name)
    _touch(workshop)
    db.session.commit()
    return found[0]


# ----------------------------------------------------------------------------------------
# Vote
# ----------------------------------------------------------------------------------------


def set_dots(participant: WorkshopParticipant, cluster_id: int, dots: int) -> int:
    """Put `dots` of the participant's dots on a cluster (0 takes them off). Returns the
    dots they have left. Their other clusters keep theirs; the total never passes the
    workshop's dots per participant."""
    workshop = db.session.get(Workshop, participant.workshop_id)
    assert workshop is not None
    _in_phase(workshop, Phase.VOTE, message=_l("Voting is not open."))
    allowed = workshop.dots or 1
    if isinstance(dots, bool) or not 0 <= dots <= allowed:
        raise ServiceError(_l("You have %(count)d dots in all.", count=allowed), "dots")
    if not _clusters_of(workshop, [cluster_id]):
        raise ServiceError(_l("That cluster is gone; choose another."), "cluster_id")
    # One participant's taps, one at a time: lock their row (PostgreSQL; SQLite has one
    # writer anyway), then count what they gave elsewhere.
    db.session.execute(
        select(WorkshopParticipant.id)
        .where(WorkshopParticipant.id == participant.id)
        .with_for_update()
    )
    elsewhere = db.session.scalar(
        select(func.coalesce(func.sum(WorkshopVote.dots), 0)).where(
            WorkshopVote.participant_id == participant.id, WorkshopVote.cluster_id != cluster_id
        )
    )
    if int(elsewhere or 0) + dots > allowed:
        db.session.rollback()
        raise ServiceError(_l("You have no dots left; take one off another cluster."), "dots")
    vote = db.session.scalar(
        select(WorkshopVote).where(
            WorkshopVote.participant_id == participant.id, WorkshopVote.cluster_id == cluster_id
        )
    )
    if dots == 0:
        if vote is not None:
            db.session.delete(vote)
    elif vote is None:
        db.session.add(
            WorkshopVote(
                workspace_id=participant.workspace_id,
                workshop_id=participant.workshop_id,
                participant_id=participant.id,
                cluster_id=cluster_id,
                dots=dots,
            )
        )
    else:
        vote.dots = dots
    _touch(workshop)
    db.session.commit()
    return allowed - int(elsewhere or 0) - dots


def votes_tally(workshop: Workshop) -> dict[int, tuple[int, int]]:
    """`{cluster_id: (dots, voters)}`, once voting has closed; VotesHidden before."""
    if not workshop.reached(Phase.DECIDE):
        raise VotesHidden(_message_votes_hidden())
    rows = db.session.execute(
        select(WorkshopVote.participant_id, WorkshopVote.cluster_id, WorkshopVote.dots).where(
            WorkshopVote.workshop_id == workshop.id
        )
    )
    return tally((row[0], row[1], row[2]) for row in rows)


# ----------------------------------------------------------------------------------------
# Decide: chosen clusters become drafted traits
# ----------------------------------------------------------------------------------------

DECIDING_CLOSED = _l("Traits are chosen and worded in the decide phase.")


def _labels(workshop: Workshop, cluster: WorkshopCluster) -> dict[str, str]:
    """The labels a fresh draft starts from: the cluster's name in both languages (the
    facilitator translates), or what the draft says already."""
    name = cluster.name[: limits.TRAIT_LABEL]
    return {
        locale: (cluster.draft or {}).get(f"label_{locale}") or name
        for locale in WORKSHOP_LANGUAGES
    }


def _notes_text(cluster_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(WorkshopNote.text)
            .where(WorkshopNote.cluster_id == cluster_id)
            .order_by(WorkshopNote.id)
        )
    )


def choose_clusters(workshop: Workshop, cluster_ids: Iterable[int]) -> list[WorkshopCluster]:
    """The clusters that become traits; each newly chosen one gets its draft from the
    templates (a draft already edited is kept when a cluster is unchosen and chosen
    again)."""
    _in_phase(workshop, Phase.DECIDE, message=DECIDING_CLOSED)
    wanted = _valid_ids(cluster_ids)
    clusters = list(
        db.session.scalars(
            select(WorkshopCluster)
            .where(WorkshopCluster.workshop_id == workshop.id)
            .order_by(WorkshopCluster.position, WorkshopCluster.id)
        )
    )
    for cluster in clusters:
        cluster.chosen = cluster.id in wanted
        if cluster.chosen and not cluster.draft:
            cluster.draft = draft_trait(
                workshop.templates, _labels(workshop, cluster), _notes_text(cluster.id)
            )
    _touch(workshop)
    db.session.commit()
    return [cluster for cluster in clusters if cluster.chosen]


def _check_braces(values: dict[str, str]) -> None:
    for field in ("question_other_en", "question_other_ja", "question_self_en", "question_self_ja"):
        rest = values[field].replace("{partner}", "")
        if "{" in rest or "}" in rest:
            raise ServiceError(_l("Only {partner} may appear in braces."), field)


def _checked_draft(text: TraitText) -> dict[str, str]:
    values = checked_text(text)
    for field in ("label_en", "label_ja", "question_other_en", "question_other_ja"):
        if not values[field]:
            raise ServiceError(_l("Fill in this wording in both languages."), field)
    for field in ("question_self_en", "question_self_ja"):
        if not values[field]:
            raise ServiceError(_l("Fill in this wording in both languages."), field)
    _check_braces(values)
    return values


def update_draft(
    workshop: Workshop, cluster_id: int, text: TraitText, *, redraft: bool = False
) -> WorkshopCluster:
    """Save the facilitator's wording of a chosen cluster's trait. `redraft`: rebuild the
    description and both questions from the templates, for the labels given."""
    _in_phase(workshop, Phase.DECIDE, message=DECIDING_CLOSED)
    found = _clusters_of(workshop, [cluster_id])
    if not found or not found[0].chosen:
        raise ServiceError(_l("Choose the cluster before wording its trait."))
    cluster = found[0]
    if redraft:
        labels = {
            locale: getattr(text, f"label_{locale}").strip() or cluster.name
            for locale in WORKSHOP_LANGUAGES
        }
        text = TraitText(**draft_trait(workshop.templates, labels, _notes_text(cluster.id)))
    cluster.draft = _checked_draft(text)
    _touch(workshop)
    db.session.commit()
    return cluster


def update_templates(workshop: Workshop, templates: dict[str, str]) -> Workshop:
    """The facilitator's wording of the drafts to come (`{trait}`, `{notes}`, `{partner}`);
    drafts made already keep theirs until redrafted."""
    if workshop.reached(Phase.ACT):
        raise ServiceError(DECIDING_CLOSED)
    values = {}
    for field in DRAFT_FIELDS:
        value = (templates.get(field) or "").strip() or DEFAULT_TEMPLATES[field]
        limit = (
            limits.TRAIT_DESCRIPTION if field.startswith("description") else (limits.TRAIT_QUESTION)
        )
        check_length(value, limit, field, _l("The template"))
        problem = template_problem(field, value)
        if problem == "braces":
            raise ServiceError(
                _l("Only {partner}, {trait} and {notes} may appear in braces."), field
            )
        if problem == "partner":
            raise ServiceError(_l("Write {partner} where the partner's name goes."), field)
        values[field] = value
    workshop.templates = values
    db.session.commit()
    return workshop


# ----------------------------------------------------------------------------------------
# Act: what we must do more of, on each chosen trait
# ----------------------------------------------------------------------------------------

ACTING_CLOSED = _l("Promises are written in the act phase.")


CLIENTS_DO_NOT_PROMISE = _l(
    "The promises are the team's own: what we will do more of to meet such a partner."
)


def add_action(
    workshop: Workshop,
    cluster_id: int,
    *,
    text: str,
    owner: str = "",
    due_on: date | None = None,
    participant: WorkshopParticipant | None = None,
) -> WorkshopAction:
    """A promise of the team on a chosen trait, by the facilitator or one of our side's
    participants. The client's people in the room do not promise here: the promises become
    our side's commitments at the first launch on the set (`carry_actions`)."""
    _in_phase(workshop, Phase.ACT, message=ACTING_CLOSED)
    if participant is not None and participant.side is not Side.COMPANY:
        raise ServiceError(CLIENTS_DO_NOT_PROMISE)
    found = _clusters_of(workshop, [cluster_id])
    if not found or not found[0].chosen:
        raise ServiceError(_l("Choose one of the traits."), "cluster_id")
    text, owner = text.strip(), " ".join(owner.split())
    if not text:
        raise ServiceError(_l("Say what we will do more of."), "text")
    check_length(text, limits.COMMITMENT_ACTION, "text", _l("The action"))
    check_length(owner, limits.COMMITMENT_OWNER, "owner", _l("The person responsible"))
    action = WorkshopAction(
        workspace_id=workshop.workspace_id,
        workshop_id=workshop.id,
        cluster_id=found[0].id,
        participant_id=participant.id if participant is not None else None,
        text=text,
        owner=owner,
        due_on=dates.check_day(due_on, "due_on"),
    )
    db.session.add(action)
    _touch(workshop)
    db.session.commit()
    return action


def remove_action(
    workshop: Workshop, action_id: int, *, participant: WorkshopParticipant | None = None
) -> None:
    """Take back a promise: the facilitator any, a participant only their own."""
    _in_phase(workshop, Phase.ACT, message=ACTING_CLOSED)
    query = delete(WorkshopAction).where(
        WorkshopAction.id == action_id, WorkshopAction.workshop_id == workshop.id
    )
    if participant is not None:
        query = query.where(WorkshopAction.participant_id == participant.id)
    removed: Any = db.session.execute(query.execution_options(synchronize_session=False))
    if not removed.rowcount:
        db.session.rollback()
        raise ServiceError(_l("You can take back only your own promises."))
    _touch(workshop)
    db.session.commit()


# ----------------------------------------------------------------------------------------
# Result: the trait set, with where each trait came from
# ----------------------------------------------------------------------------------------

SET_DESCRIPTION = {
    "en": "From the brand-partner workshop of {day}: {question}",
    "ja": "{day}のブランド・パートナー・ワークショップから:{question}",
}
SET_NAME = {
    "en": "Brand partner workshop {day}",
    "ja": "ブランド・パートナー・ワークショップ {day}",
}


def held_on(workshop: Workshop) -> date:
    """The workshop's day where the team is: in the app's time zone (TIMEZONE)."""
    zone = ZoneInfo(str(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "UTC"))
    return workshop.created_at.astimezone(zone).date()


def default_set_name(workshop: Workshop) -> str:
    return SET_NAME[workshop.language].format(day=held_on(workshop).isoformat())


def _check_set_name(workspace_id: int, name: str) -> None:
    if db.session.scalar(
        select(TraitSet.id).where(TraitSet.workspace_id == workspace_id, TraitSet.name == name)
    ):
        raise Conflict(_l("A trait set with this name already exists."), "name")


def ranked_chosen(workshop: Workshop) -> list[tuple[WorkshopCluster, int, int]]:
    """The chosen clusters with their dots and voters, most dots first, then board order."""
    votes = votes_tally(workshop)
    clusters = db.session.scalars(
        select(WorkshopCluster)
        .where(WorkshopCluster.workshop_id == workshop.id, WorkshopCluster.chosen.is_(True))
        .order_by(WorkshopCluster.position, WorkshopCluster.id)
    )
    ranked = [(cluster, *votes.get(cluster.id, (0, 0))) for cluster in clusters]
    return sorted(ranked, key=lambda row: -row[1])


def _provenance(
    workshop: Workshop, cluster: WorkshopCluster, dots: int, voters: int
) -> dict[str, Any]:
    notes = list(
        db.session.scalars(
            select(WorkshopNote)
            .options(joinedload(WorkshopNote.participant))
            .where(WorkshopNote.cluster_id == cluster.id)
            .order_by(WorkshopNote.id)
        )
    )
    by_side = {
        side.value: self_view(
            (note.participant_id, note.self_rating)
            for note in notes
            if note.participant.side is side
        ).as_dict()
        for side in Side
    }
    return {
        "workshop_id": workshop.id,
        "held_on": held_on(workshop).isoformat(),
        "question": workshop.question,
        "cluster": cluster.name,
        "notes": [
            {"id": note.id, "text": note.text, "example": note.example, "writer": note.writer()}
            for note in notes
        ],
        "dots": dots,
        "voters": voters,
        "self_view": by_side,
    }


def finish(
    workshop: Workshop, *, name: str, actor: User | None = None, now: datetime | None = None
) -> TraitSet:
    """End the workshop: a new trait set of the chosen traits, most dots first, each
    cluster keeping the trait it became and its provenance frozen. One transaction."""
    moment = now or utcnow()
    _in_phase(workshop, Phase.ACT, message=ALREADY_MOVED)
    name = " ".join(name.split()) or default_set_name(workshop)
    check_length(name, limits.TRAIT_SET_NAME, "name", _l("The name"))
    _check_set_name(workshop.workspace_id, name)
    ranked = ranked_chosen(workshop)
    if not ranked:
        raise ServiceError(_l("Choose at least one cluster to become a trait."))
    drafts = []
    for cluster, _dots, _voters in ranked:
        try:
            drafts.append(_checked_draft(TraitText(**_draft_fields(cluster))))
        except ServiceError as error:
            raise ServiceError(
                _l("Word the trait “%(name)s” in both languages first.", name=cluster.name),
                error.field,
            ) from None
    _move(workshop, Phase.ACT, now=moment)
    day = held_on(workshop).isoformat()
    trait_set = TraitSet(
        workspace_id=workshop.workspace_id,
        name=name,
        description=SET_DESCRIPTION[workshop.language].format(day=day, question=workshop.question),
        scale_lo=BRAND_PARTNER.scale_lo,
        scale_hi=BRAND_PARTNER.scale_hi,
        point_labels={
            "en": list(BRAND_PARTNER.point_labels_en),
            "ja": list(BRAND_PARTNER.point_labels_ja),
        },
    )
    db.session.add(trait_set)
    db.session.flush()
    keys: set[str] = set()
    for position, ((cluster, dots, voters), values) in enumerate(zip(ranked, drafts, strict=True)):
        trait = Trait(
            workspace_id=workshop.workspace_id,
            trait_set_id=trait_set.id,
            key=_unique_key(trait_key_from(values["label_en"]), keys),
            position=position,
            **values,
        )
        db.session.add(trait)
        db.session.flush()
        cluster.trait_id = trait.id
        cluster.provenance = _provenance(workshop, cluster, dots, voters)
    workshop.trait_set_id = trait_set.id
    workshop.finished_at = moment
    audit.record(
        audit.Kind.WORKSHOP_FINISHED,
        workspace_id=workshop.workspace_id,
        actor=actor,
        subject=name,
        at=now,
        workshop_id=workshop.id,
        trait_set_id=trait_set.id,
        traits=len(ranked),
        participants=db.session.scalar(
            select(func.count())
            .select_from(WorkshopParticipant)
            .where(WorkshopParticipant.workshop_id == workshop.id)
        ),
    )
    commit_unique(lambda: _check_set_name(workshop.workspace_id, name))
    db.session.refresh(workshop)
    return trait_set


def _draft_fields(cluster: WorkshopCluster) -> dict[str, str]:
    draft = cluster.draft or {}
    return {field: str(draft.get(field) or "") for field in TRAIT_FIELDS}


def _unique_key(key: str, taken: set[str]) -> str:
    base, number, candidate = key, 2, key
    while candidate in taken:
        candidate = f"{base}_{number}"
        number += 1
    taken.add(candidate)
    return candidate


# ----------------------------------------------------------------------------------------
# The launch takes the promises on
# ----------------------------------------------------------------------------------------


def carry_actions(
    assessment: Assessment, traits: dict[str, AssessmentTrait], *, now: datetime
) -> list[Commitment]:
    """Make the open promises of every workshop whose result is the assessment's trait set
    our side's commitments in it, on the trait with the same key, in the launch's
    transaction. A promise is taken once: the first launch on the set takes it (a promise
    on a trait retired meanwhile stays open)."""
    if assessment.source_trait_set_id is None:
        return []
    rows = db.session.execute(
        select(WorkshopAction, Trait.key, Workshop.created_by_id)
        .join(WorkshopCluster, WorkshopCluster.id == WorkshopAction.cluster_id)
        .join(Workshop, Workshop.id == WorkshopAction.workshop_id)
        .join(Trait, Trait.id == WorkshopCluster.trait_id)
        .where(
            Workshop.workspace_id == assessment.workspace_id,
            Workshop.trait_set_id == assessment.source_trait_set_id,
            WorkshopAction.commitment_id.is_(None),
        )
        .order_by(WorkshopAction.id)
    ).all()
    made = []
    for action, key, facilitator in rows:
        trait = traits.get(key)
        if trait is None:
            continue
        commitment = Commitment(
            workspace_id=assessment.workspace_id,
            assessment_id=assessment.id,
            trait_id=trait.id,
            side=Side.COMPANY,
            action=action.text,
            owner=action.owner,
            owner_user_id=member_named(assessment.workspace_id, action.owner),
            due_on=action.due_on,
            created_by_id=facilitator,
            created_at=now,
        )
        db.session.add(commitment)
        db.session.flush()
        claimed: Any = db.session.execute(
            update(WorkshopAction)
            .where(WorkshopAction.id == action.id, WorkshopAction.commitment_id.is_(None))
            .values(commitment_id=commitment.id)
            .execution_options(synchronize_session=False)
        )
        if claimed.rowcount:
            made.append(commitment)
        else:  # another launch took it first
            db.session.delete(commitment)
            db.session.flush()
    return made


# ----------------------------------------------------------------------------------------
# The demo's workshop
# ----------------------------------------------------------------------------------------

# What the demo room wrote about each default trait (by key), in the room's language.
DEMO_NOTES: dict[str, dict[str, tuple[str, ...]]] = {
    "passion": {
        "en": (
            "Puts its heart into its own business",
            "Cares about the outcome, not the deliverable",
        ),
        "ja": ("自分たちの事業に本気で打ち込んでいる", "納品物より成果にこだわる"),
    },
    "quick_response": {
        "en": ("Answers quickly, so the work keeps moving", "Decides without weeks of waiting"),
        "ja": ("返事が早く、仕事が滞らない", "何週間も待たずに決めてくれる"),
    },
    "dialogue": {
        "en": ("Argues with us to make the work better", "Says openly what it thinks"),
        "ja": ("より良い仕事のために議論してくれる", "思ったことを率直に言ってくれる"),
    },
    "growth": {
        "en": ("Enjoys change and learning", "Finds the process itself worth it"),
        "ja": ("変化と学びを楽しんでいる", "過程そのものを楽しめる"),
    },
    "exceeding_expectations": {
        "en": ("Asks for more than the brief",),
        "ja": ("依頼以上のことを求めてくる",),
    },
    "accountability": {"en": ("Keeps its promises",), "ja": ("約束を守る",)},
    "long_term": {
        "en": ("Thinks in years, not quarters",),
        "ja": ("四半期ではなく年単位で考える",),
    },
    "shared_goals": {"en": ("Shares its goals with us",), "ja": ("目標を私たちと共有してくれる",)},
    "trust_respect": {
        "en": ("Treats us as partners, not vendors",),
        "ja": ("業者ではなくパートナーとして接してくれる",),
    },
    "autonomy": {"en": ("Takes the initiative on its side",), "ja": ("自ら動いてくれる",)},
}
# The demo room's promises (by trait key): what we must do more of.
DEMO_ACTIONS: dict[str, dict[str, str]] = {
    "quick_response": {
        "en": "Answer every client message within one working day",
        "ja": "お客様からの連絡には1営業日以内に返信する",
    },
    "dialogue": {
        "en": "Bring one honest challenge to every monthly review",
        "ja": "毎月の定例で、率直な提案を必ずひとつ持っていく",
    },
    "passion": {
        "en": "Visit each client's site once a quarter",
        "ja": "四半期に一度、お客様の現場を訪ねる",
    },
}


def demo_workshop(
    workspace_id: int,
    facilitator: User,
    trait_set: TraitSet,
    *,
    names: Sequence[str] = (),
    guests: int = 3,
    language: str = "en",
    held_at: datetime | None = None,
) -> Workshop:
    """A finished workshop whose result is `trait_set` (one that exists already, as the
    demo's): `facilitator` and `names` signed in the room, `guests` more anonymous; every
    active trait of the set one chosen cluster with its notes, self-ratings, dots and
    frozen provenance; three promises left open, for the first launch on the set to take.
    Deterministic. One transaction."""
    rng = random.Random(f"fitcheck-demo-workshop:{trait_set.id}")  # noqa: S311
    moment = held_at or utcnow()
    nonce = new_nonce()
    workshop = Workshop(
        workspace_id=workspace_id,
        question=DEFAULT_QUESTION[language],
        language=language,
        phase=Phase.RESULT,
        token_nonce=nonce,
        token_hash=hash_token(
            derived_token(current_app.config["SECRET_KEY"], TOKEN_PURPOSE, nonce)
        ),
        templates=dict(DEFAULT_TEMPLATES),
        created_by_id=facilitator.id,
        created_at=moment,
        phase_changed_at=moment,
        finished_at=moment,
        trait_set_id=trait_set.id,
    )
    db.session.add(workshop)
    db.session.flush()
    people = [
        WorkshopParticipant(
            workspace_id=workspace_id,
            workshop_id=workshop.id,
            name=name,
            user_id=facilitator.id if index == 0 else None,
            side=Side.COMPANY,
            token_hash=hash_token(new_token()),
            created_at=moment,
        )
        for index, name in enumerate([facilitator.name, *names, *[""] * guests])
    ]
    db.session.add_all(people)
    db.session.flush()
    traits = trait_set.active_traits
    clusters = []
    for position, trait in enumerate(traits):
        phrases = DEMO_NOTES.get(trait.key, {}).get(language) or (trait.label(language),)
        cluster = WorkshopCluster(
            workspace_id=workspace_id,
            workshop_id=workshop.id,
            name=phrases[0],
            position=position,
            chosen=True,
            trait_id=trait.id,
            draft={name: str(getattr(trait, name)) for name in TRAIT_FIELDS},
        )
        db.session.add(cluster)
        db.session.flush()
        clusters.append(cluster)
        for index, phrase in enumerate(phrases):
            writer = people[(position + index) % len(people)]
            db.session.add(
                WorkshopNote(
                    workspace_id=workspace_id,
                    workshop_id=workshop.id,
                    participant_id=writer.id,
                    text=phrase,
                    signed=bool(writer.name) and index == 0,
                    self_rating=rng.randint(2, 5),
                    cluster_id=cluster.id,
                    created_at=moment,
                )
            )
    workshop.dots = default_dots(len(clusters))
    for person in people:
        for cluster in rng.sample(clusters, k=min(len(clusters), workshop.dots)):
            db.session.add(
                WorkshopVote(
                    workspace_id=workspace_id,
                    workshop_id=workshop.id,
                    participant_id=person.id,
                    cluster_id=cluster.id,
                    dots=1,
                )
            )
    db.session.flush()
    for cluster, trait in zip(clusters, traits, strict=True):
        if trait.key in DEMO_ACTIONS:
            db.session.add(
                WorkshopAction(
                    workspace_id=workspace_id,
                    workshop_id=workshop.id,
                    cluster_id=cluster.id,
                    text=DEMO_ACTIONS[trait.key][language],
                    owner=facilitator.name,
                    created_at=moment,
                )
            )
    db.session.flush()
    votes = votes_tally(workshop)
    for cluster in clusters:
        cluster.provenance = _provenance(workshop, cluster, *votes.get(cluster.id, (0, 0)))
    audit.record(
        audit.Kind.WORKSHOP_OPENED,
        workspace_id=workspace_id,
        actor=facilitator,
        at=moment,
        subject=workshop.question,
        workshop_id=workshop.id,
        language=language,
    )
    audit.record(
        audit.Kind.WORKSHOP_FINISHED,
        workspace_id=workspace_id,
        actor=facilitator,
        at=moment,
        subject=trait_set.name,
        workshop_id=workshop.id,
        trait_set_id=trait_set.id,
        traits=len(clusters),
        participants=len(people),
    )
    db.session.commit()
    return workshop
