"""A round's commitments over the API: list them, record one, change one's status.

The same service functions as the results page (`services.commitments`): a promise is one
row for its whole life, carried into the next round at its launch, so a round lists those
that stand in it and those carried on from it, each with its status in that round.
"""

from __future__ import annotations

from typing import Any, NoReturn

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint

from ..models import Assessment, Commitment
from ..services import ServiceError, listings
from ..services import commitments as service
from ..services.documents import commitment_document
from .access import current_user_id, fail, protect
from .errors import ErrorSchema
from .schemas.reads import (
    CommitmentCreateSchema,
    CommitmentPageSchema,
    CommitmentSchema,
    CommitmentStatusSchema,
    PageQuerySchema,
    page_document,
)
from .scoping import owned_or_404

blp = Blueprint(
    "api-commitments",
    __name__,
    url_prefix="/api/v1",
    description="What each side promises after a round's reveal, reviewed the next round.",
)
protect(blp, bearer=True)

ASSESSMENT = "/assessments/<int(min=1, max=2147483647):assessment_id>"
COMMITMENT = "/commitments/<int(min=1, max=2147483647):commitment_id>"
# The request's names for the service's fields.
FIELDS = {"trait_id": "trait_key"}
# No trait has this id: the service then refuses the key with its own message.
NO_TRAIT = 0


def _assessment(assessment_id: int) -> Assessment:
    return owned_or_404(Assessment, assessment_id, _("No assessment with this id."))


def _where_it_stands(commitment: Commitment) -> dict[str, Any]:
    return commitment_document(service.round_commitment(commitment, commitment.assessment_id))


@blp.get(f"{ASSESSMENT}/commitments")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, CommitmentPageSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
def list_commitments(assessment_id: int, **query: Any) -> dict[str, Any]:
    """List a round's commitments

    Those that stand in the round and those carried on from it to a later round, by side
    and due date, a page at a time; each with its status in this round.
    """
    commitments = service.list_commitments(_assessment(assessment_id))
    page = listings.page_of_list(commitments, page=query["page"], per_page=query["per_page"])
    return page_document(page, [commitment_document(seen) for seen in page.items])


@blp.post(f"{ASSESSMENT}/commitments")
@blp.arguments(CommitmentCreateSchema)
@blp.response(201, CommitmentSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
@blp.alt_response(409, schema=ErrorSchema, description="Not revealed yet.")
def add_commitment(body: dict[str, Any], assessment_id: int) -> dict[str, Any]:
    """Record a commitment

    A promise of one side about one of the round's traits, after the reveal (as on the
    results page). The next round's launch carries it in while it is open or in progress.
    """
    assessment = _assessment(assessment_id)
    trait_id = next((t.id for t in assessment.traits if t.key == body["trait_key"]), NO_TRAIT)
    try:
        commitment = service.add_commitment(
            assessment,
            trait_id=trait_id,
            side=body["side"],
            action=body["action"],
            owner=body["owner"],
            due_on=body["due_on"],
            created_by_id=current_user_id(),
        )
    except ServiceError as error:
        _fail_for(error)
    return _where_it_stands(commitment)


@blp.patch(COMMITMENT)
@blp.arguments(CommitmentStatusSchema)
@blp.response(200, CommitmentSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such commitment.")
def set_status(body: dict[str, Any], commitment_id: int) -> dict[str, Any]:
    """Change a commitment's status

    open, in_progress, done or dropped, wherever the promise stands now. The answer shows
    it from the round it stands in.
    """
    commitment = owned_or_404(Commitment, commitment_id, _("No commitment with this id."))
    return _where_it_stands(service.set_status(commitment, body["status"]))


def _fail_for(error: ServiceError) -> NoReturn:
    """A rule about one field is that field's 422; any other a conflict with the state."""
    if error.field:
        field = FIELDS.get(error.field, error.field)
        fail(422, _("Some fields are not valid."), fields={field: [str(error.message)]})
    fail(409, str(error.message))
