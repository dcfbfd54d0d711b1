"""The brand-partner workshops over the API: read them, their notes, clusters, votes,
promises and the trait set they ended with. Read only: a workshop is run in the room.

The room's rules hold here as on its pages, read by the same functions
(`services.workshop_views`): a note names its writer only when it was signed, and the dots
(and the team's self-view) appear only once the vote has closed; before that the votes
answer 409.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import TraitSet, Workshop, WorkshopAction, WorkshopCluster
from ..models.workshops import Phase
from ..services import listings
from ..services import workshops as service
from ..services.workshop_views import ClusterView, list_workshops, load_board
from .access import current_workspace_id, fail, protect
from .errors import ErrorSchema
from .schemas.reads import PageQuerySchema, page_document
from .schemas.workshops import (
    ActionPageSchema,
    ClusterPageSchema,
    NotePageSchema,
    ResultSchema,
    VotesSchema,
    WorkshopPageSchema,
    WorkshopSchema,
)
from .scoping import owned_or_404

blp = Blueprint(
    "api-workshops",
    __name__,
    url_prefix="/api/v1",
    description="Brand-partner workshops: the notes a team wrote about its ideal partner, "
    "how it grouped and voted on them, the traits it chose and what it promised.",
)
protect(blp, bearer=True)

WORKSHOP = "/workshops/<int(min=1, max=2147483647):workshop_id>"
DRAFT_KEYS = (
    "label_en",
    "label_ja",
    "description_en",
    "description_ja",
    "question_other_en",
    "question_other_ja",
    "question_self_en",
    "question_self_ja",
)


def _workshop(workshop_id: int) -> Workshop:
    return owned_or_404(Workshop, workshop_id, _("No workshop with this id."))


def _document(workshop: Workshop, participants: int, notes: int) -> dict[str, Any]:
    return {
        "id": workshop.id,
        "question": workshop.question,
        "language": workshop.language,
        "phase": workshop.phase,
        "dots": workshop.dots,
        "participants": participants,
        "notes": notes,
        "created_at": workshop.created_at,
        "finished_at": workshop.finished_at,
        "trait_set_id": workshop.trait_set_id,
    }


@blp.get("/workshops")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, WorkshopPageSchema)
def list_all(**query: Any) -> dict[str, Any]:
    """List the workshops

    The workspace's workshops, newest first, with their numbers of participants and notes.
    """
    listed = list_workshops(current_workspace_id())
    page = listings.page_of_list(listed, page=query["page"], per_page=query["per_page"])
    return page_document(
        page, [_document(row.workshop, row.participants, row.notes) for row in page.items]
    )


@blp.get(WORKSHOP)
@blp.response(200, WorkshopSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such workshop.")
def read(workshop_id: int) -> dict[str, Any]:
    """Read a workshop"""
    board = load_board(_workshop(workshop_id))
    return _document(board.workshop, board.participants, len(board.notes))


@blp.get(f"{WORKSHOP}/notes")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, NotePageSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such workshop.")
def notes(workshop_id: int, **query: Any) -> dict[str, Any]:
    """List a workshop's notes

    In the order they were written. A note names its writer only when it was signed; an
    anonymous note says nothing of who wrote it, and nobody's rating of their own side is
    given note by note (see the clusters' `self_view`).
    """
    board = load_board(_workshop(workshop_id))
    page = listings.page_of_list(board.notes, page=query["page"], per_page=query["per_page"])
    return page_document(
        page,
        [
            {
                "id": note.id,
                "text": note.text,
                "example": note.example,
                "signed": note.signed,
                "writer": note.writer(),
                "side": note.participant.side,
                "cluster_id": note.cluster_id,
                "created_at": note.created_at,
            }
            for note in page.items
        ],
    )


def _draft(cluster: WorkshopCluster) -> dict[str, str] | None:
    if not cluster.chosen or not cluster.draft:
        return None
    return {key: str(cluster.draft.get(key) or "") for key in DRAFT_KEYS}


def _cluster_document(view: ClusterView, closed: bool) -> dict[str, Any]:
    cluster = view.cluster
    return {
        "id": cluster.id,
        "name": cluster.name,
        "position": cluster.position,
        "chosen": cluster.chosen,
        "note_ids": [note.id for note in view.notes],
        "dots": view.dots,
        "voters": view.voters,
        "self_view": {
            side.value: self_view.as_dict() for side, self_view in view.self_views.items()
        }
        if closed
        else None,
        "draft": _draft(cluster),
        "trait_id": cluster.trait_id,
    }


@blp.get(f"{WORKSHOP}/clusters")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, ClusterPageSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such workshop.")
def clusters(workshop_id: int, **query: Any) -> dict[str, Any]:
    """List a workshop's clusters

    In the board's order; none while the room writes. Their dots and the team's self-view
    on each appear once the vote has closed.
    """
    board = load_board(_workshop(workshop_id))
    page = listings.page_of_list(board.clusters, page=query["page"], per_page=query["per_page"])
    return page_document(page, [_cluster_document(view, board.tally_shown) for view in page.items])


@blp.get(f"{WORKSHOP}/votes")
@blp.response(200, VotesSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such workshop.")
@blp.alt_response(409, schema=ErrorSchema, description="The vote has not closed yet.")
def votes(workshop_id: int) -> dict[str, Any]:
    """Read a workshop's votes

    The dots on each cluster and how many people gave them, most dots first: only once
    the vote has closed (409 before, whoever asks). Who gave which dot is never told.
    """
    workshop = _workshop(workshop_id)
    try:
        tally = service.votes_tally(workshop)
    except service.VotesHidden as hidden:
        fail(409, str(hidden.message))
    ids = db.session.scalars(
        select(WorkshopCluster.id)
        .where(WorkshopCluster.workshop_id == workshop.id)
        .order_by(WorkshopCluster.position, WorkshopCluster.id)
    )
    rows = [
        {"cluster_id": i, "dots": tally.get(i, (0, 0))[0], "voters": tally.get(i, (0, 0))[1]}
        for i in ids
    ]
    return {
        "dots_per_participant": workshop.dots or 0,
        "clusters": sorted(rows, key=lambda row: -row["dots"]),
    }


@blp.get(f"{WORKSHOP}/actions")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, ActionPageSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such workshop.")
def actions(workshop_id: int, **query: Any) -> dict[str, Any]:
    """List a workshop's promises

    What the team promised to do more of, on each chosen trait, in the order written.
    """
    workshop = _workshop(workshop_id)
    rows = list(
        db.session.scalars(
            select(WorkshopAction)
            .where(WorkshopAction.workshop_id == workshop.id)
            .order_by(WorkshopAction.id)
        )
    )
    page = listings.page_of_list(rows, page=query["page"], per_page=query["per_page"])
    return page_document(
        page,
        [
            {
                "id": action.id,
                "cluster_id": action.cluster_id,
                "text": action.text,
                "owner": action.owner,
                "due_on": action.due_on,
                "commitment_id": action.commitment_id,
            }
            for action in page.items
        ],
    )


@blp.get(f"{WORKSHOP}/trait-set")
@blp.response(200, ResultSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such workshop.")
@blp.alt_response(409, schema=ErrorSchema, description="The workshop has no result yet.")
def result(workshop_id: int) -> dict[str, Any]:
    """Read the trait set a workshop ended with

    Its traits as they are now, each with where it came from, frozen when the workshop
    ended: the notes (a writer only on a signed note), the dots and voters, the team's
    self-view and the workshop's date.
    """
    workshop = _workshop(workshop_id)
    trait_set = (
        db.session.scalar(
            select(TraitSet)
            .options(selectinload(TraitSet.traits))
            .where(
                TraitSet.id == workshop.trait_set_id,
                TraitSet.workspace_id == current_workspace_id(),
            )
        )
        if workshop.phase is Phase.RESULT and workshop.trait_set_id is not None
        else None
    )
    if trait_set is None:
        fail(409, _("This workshop has no trait set: it has not ended, or its set was deleted."))
    provenance = {
        trait_id: frozen
        for trait_id, frozen in db.session.execute(
            select(WorkshopCluster.trait_id, WorkshopCluster.provenance).where(
                WorkshopCluster.workshop_id == workshop.id,
                WorkshopCluster.trait_id.is_not(None),
            )
        )
    }
    return {
        "trait_set_id": trait_set.id,
        "name": trait_set.name,
        "description": trait_set.description,
        "traits": [
            {
                "id": trait.id,
                "key": trait.key,
                "position": trait.position,
                **{key: getattr(trait, key) for key in DRAFT_KEYS},
                "provenance": provenance.get(trait.id),
            }
            for trait in trait_set.active_traits
        ],
    }
