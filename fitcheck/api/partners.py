"""Partners over the API: add a client organization, read its timeline of revealed rounds."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint

from .. import vocabulary
from ..models import Partner
from ..services import Conflict, ServiceError, rounds
from ..services import partners as service
from .access import current_workspace_id, fail, protect
from .errors import ErrorSchema
from .schemas.requests import PartnerCreateSchema, PartnerSchema
from .schemas.rounds import TimelineSchema
from .scoping import owned_or_404

blp = Blueprint("api-partners", __name__, url_prefix="/api/v1", description="Client organizations.")
protect(blp, bearer=True)

PARTNER = "/partners/<int(min=1, max=2147483647):partner_id>"


@blp.post("/partners")
@blp.arguments(PartnerCreateSchema)
@blp.response(201, PartnerSchema)
@blp.alt_response(409, schema=ErrorSchema, description="A partner with this name exists.")
def create_partner(body: dict[str, Any]) -> dict[str, Any]:
    """Add a partner

    Names are unique within the workspace (surrounding spaces are ignored): a name that is
    taken already, or taken by another request at the same moment, is a 409 Conflict.
    """
    try:
        partner = service.create_partner(current_workspace_id(), name=body["name"])
    except Conflict as error:
        fail(409, str(error.message))
    except ServiceError as error:
        fail(
            422,
            _("Some fields are not valid."),
            fields={error.field or "name": [str(error.message)]},
        )
    return {"id": partner.id, "name": partner.name}


@blp.get(f"{PARTNER}/timeline")
@blp.response(200, TimelineSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such partner.")
def timeline(partner_id: int) -> dict[str, Any]:
    """Read a partner's timeline

    Every revealed round of the partner, oldest first, with the numbers of its mirror and
    its verdict (the table of the timeline page), and the change since its last round: the
    round it continues when that one is revealed, else the partner's latest round revealed
    before it on the same rating scale (`previous_assessment_id`). A fixed number of
    queries however many rounds there are.
    """
    partner = owned_or_404(Partner, partner_id, _("No partner with this id."))
    return {
        "partner": {"id": partner.id, "name": partner.name},
        "rounds": [_round(row) for row in rounds.timeline(partner.id, current_workspace_id())],
    }


def _round(row: rounds.TimelineRound) -> dict[str, Any]:
    assessment, result = row.assessment, row.fit
    return {
        "assessment_id": assessment.id,
        "kind": assessment.kind,
        "title": assessment.title,
        "revealed_at": assessment.revealed_at,
        "scale": {"lo": result.scale.lo, "hi": result.scale.hi},
        **vocabulary.headline(result),
        "previous_assessment_id": row.previous.id if row.previous else None,
        "change": vocabulary.change_document(row.change, traits=False),
    }
