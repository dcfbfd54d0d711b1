"""What the facilitator's board, a participant's phone and the printed summary show of a
workshop, read in a fixed number of queries however many notes the room wrote.

Two rules of the room hold here, for every page and the API alike: a note names its writer
only when signed (`WorkshopNote.writer`), and the dots on each cluster are counted only
once voting has closed; while the room votes, only how many have voted is known.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..models import (
    Side,
    TraitSet,
    Workshop,
    WorkshopAction,
    WorkshopCluster,
    WorkshopNote,
    WorkshopParticipant,
    WorkshopVote,
)
from ..models.workshops import Phase, SelfView, self_view, tally


@dataclass(frozen=True)
class ClusterView:
    cluster: WorkshopCluster
    notes: list[WorkshopNote]
    # Counted once voting has closed; None before.
    dots: int | None = None
    voters: int | None = None
    # How each side of the room rated itself on these notes ("are we like that?").
    self_views: dict[Side, SelfView] = field(default_factory=dict)
    actions: list[WorkshopAction] = field(default_factory=list)

    @property
    def our_view(self) -> SelfView:
        return self.self_views[Side.COMPANY]

    @property
    def their_view(self) -> SelfView:
        return self.self_views[Side.CLIENT]


@dataclass(frozen=True)
class Board:
    workshop: Workshop
    people: dict[Side, int]
    notes: list[WorkshopNote]
    clusters: list[ClusterView]
    # While the room votes: how many have voted, and how many dots they gave in all.
    voted: int = 0
    dots_given: int = 0

    @property
    def tally_shown(self) -> bool:
        return self.workshop.reached(Phase.DECIDE)

    @property
    def chosen(self) -> list[ClusterView]:
        """The chosen clusters, most dots first, then in board order."""
        chosen = [view for view in self.clusters if view.cluster.chosen]
        return sorted(chosen, key=lambda view: -(view.dots or 0))

    @property
    def participants(self) -> int:
        return sum(self.people.values())

    @property
    def clients(self) -> int:
        return self.people[Side.CLIENT]

    @property
    def unrated(self) -> int:
        return sum(1 for note in self.notes if note.self_rating is None)


def load_board(workshop: Workshop) -> Board:
    """The whole room as the board shows it: five queries at most, whatever its size."""
    people = dict.fromkeys(Side, 0)
    people.update(
        {
            side: count
            for side, count in db.session.execute(
                select(WorkshopParticipant.side, func.count(WorkshopParticipant.id))
                .where(WorkshopParticipant.workshop_id == workshop.id)
                .group_by(WorkshopParticipant.side)
            )
        }
    )
    notes = list(
        db.session.scalars(
            select(WorkshopNote)
            .options(joinedload(WorkshopNote.participant))
            .where(WorkshopNote.workshop_id == workshop.id)
            .order_by(WorkshopNote.id)
        )
    )
    clusters: list[WorkshopCluster] = []
    if workshop.reached(Phase.GROUP):
        clusters = list(
            db.session.scalars(
                select(WorkshopCluster)
                .where(WorkshopCluster.workshop_id == workshop.id)
                .order_by(WorkshopCluster.position, WorkshopCluster.id)
            )
        )
    votes: dict[int, tuple[int, int]] = {}
    voted = dots_given = 0
    if workshop.reached(Phase.DECIDE):
        votes = tally(
            (row[0], row[1], row[2])
            for row in db.session.execute(
                select(
                    WorkshopVote.participant_id, WorkshopVote.cluster_id, WorkshopVote.dots
                ).where(WorkshopVote.workshop_id == workshop.id)
            )
        )
    elif workshop.phase is Phase.VOTE:
        row = db.session.execute(
            select(
                func.count(func.distinct(WorkshopVote.participant_id)),
                func.coalesce(func.sum(WorkshopVote.dots), 0),
            ).where(WorkshopVote.workshop_id == workshop.id)
        ).one()
        voted, dots_given = int(row[0]), int(row[1])
    actions: dict[int, list[WorkshopAction]] = defaultdict(list)
    if workshop.reached(Phase.ACT):
        for action in db.session.scalars(
            select(WorkshopAction)
            .where(WorkshopAction.workshop_id == workshop.id)
            .order_by(WorkshopAction.id)
        ):
            actions[action.cluster_id].append(action)
    by_cluster: dict[int, list[WorkshopNote]] = defaultdict(list)
    for note in notes:
        if note.cluster_id is not None:
            by_cluster[note.cluster_id].append(note)
    views = []
    for cluster in clusters:
        gathered = by_cluster[cluster.id]
        counted = votes.get(cluster.id, (0, 0)) if workshop.reached(Phase.DECIDE) else None
        views.append(
            ClusterView(
                cluster=cluster,
                notes=gathered,
                dots=counted[0] if counted else None,
                voters=counted[1] if counted else None,
                self_views={
                    side: self_view(
                        (note.participant_id, note.self_rating)
                        for note in gathered
                        if note.participant.side is side
                    )
                    for side in Side
                },
                actions=actions[cluster.id],
            )
        )
    return Board(workshop, people, notes, views, voted, dots_given)


@dataclass(frozen=True)
class Room:
    """A participant's phone: the board, their own notes and where their dots are."""

    board: Board
    participant: WorkshopParticipant
    my_notes: list[WorkshopNote]
    my_dots: dict[int, int]

    @property
    def dots_left(self) -> int:
        return (self.board.workshop.dots or 0) - sum(self.my_dots.values())


def load_room(workshop: Workshop, participant: WorkshopParticipant) -> Room:
    """Six queries at most: the board's and the participant's dots."""
    board = load_board(workshop)
    my_dots: dict[int, int] = {}
    if workshop.reached(Phase.VOTE):
        my_dots = {
            cluster: dots
            for cluster, dots in db.session.execute(
                select(WorkshopVote.cluster_id, WorkshopVote.dots).where(
                    WorkshopVote.participant_id == participant.id
                )
            )
        }
    mine = [note for note in board.notes if note.participant_id == participant.id]
    return Room(board, participant, mine, my_dots)


@dataclass(frozen=True)
class Listed:
    workshop: Workshop
    notes: int
    participants: int


def list_workshops(workspace_id: int) -> list[Listed]:
    """The workspace's workshops, newest first, with their numbers of notes and people: one
    query."""
    notes = (
        select(func.count(WorkshopNote.id))
        .where(WorkshopNote.workshop_id == Workshop.id)
        .correlate(Workshop)
        .scalar_subquery()
    )
    people = (
        select(func.count(WorkshopParticipant.id))
        .where(WorkshopParticipant.workshop_id == Workshop.id)
        .correlate(Workshop)
        .scalar_subquery()
    )
    rows = db.session.execute(
        select(Workshop, notes, people)
        .where(Workshop.workspace_id == workspace_id)
        .order_by(Workshop.created_at.desc(), Workshop.id.desc())
    )
    return [Listed(workshop, int(n), int(p)) for workshop, n, p in rows]


def trait_label(cluster: WorkshopCluster, locale: str) -> str:
    """A chosen cluster as a trait is named in `locale`: its drafted label, else its name."""
    return str((cluster.draft or {}).get(f"label_{locale}") or cluster.name)


def chosen_traits(board: Board, locale: str) -> list[tuple[int, str]]:
    """The chosen clusters' ids and labels, for a form's choice of trait."""
    return [(view.cluster.id, trait_label(view.cluster, locale)) for view in board.chosen]


# --------------------------------------------------------------------------------------------
# Where a trait set came from (its page)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SetOrigin:
    """The workshop a trait set was made in, and each trait's frozen provenance (the
    notes, dots and self-view it came from), by trait id."""

    workshop: Workshop
    provenance: dict[int, dict[str, object]]


def set_origin(trait_set: TraitSet) -> SetOrigin | None:
    """The workshop that made `trait_set`, if one did. Two queries, however many traits."""
    workshop = db.session.scalar(
        select(Workshop).where(
            Workshop.workspace_id == trait_set.workspace_id,
            Workshop.trait_set_id == trait_set.id,
        )
    )
    if workshop is None:
        return None
    clusters = db.session.execute(
        select(WorkshopCluster.trait_id, WorkshopCluster.provenance).where(
            WorkshopCluster.workshop_id == workshop.id,
            WorkshopCluster.trait_id.is_not(None),
        )
    )
    return SetOrigin(
        workshop=workshop,
        provenance={trait_id: provenance or {} for trait_id, provenance in clusters},
    )
