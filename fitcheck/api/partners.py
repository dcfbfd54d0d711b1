"""POST /api/v1/partners: add a client organization to the workspace."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..services import ServiceError
from ..services import partners as service
from .access import current_workspace_id, fail, protect
from .errors import ErrorSchema
from .schemas import PartnerCreateSchema, PartnerSchema

blp = Blueprint("api-partners", __name__, url_prefix="/api/v1", description="Client organizations.")
protect(blp, bearer=True)


@blp.post("/partners")
@blp.arguments(PartnerCreateSchema)
@blp.response(201, PartnerSchema)
@blp.alt_response(409, schema=ErrorSchema, description="A partner with this name exists.")
def create_partner(body: dict[str, Any]) -> dict[str, Any]:
    """Add a partner

    Names are unique within the workspace (surrounding spaces are ignored): a name that is
    taken already is a 409 Conflict.
    """
    try:
        partner = service.create_partner(current_workspace_id(), name=body["name"])
    except ServiceError as error:
        fail(409, str(error.message))
    except IntegrityError:
        # Two requests raced past the service's check; the unique key caught the second.
        db.session.rollback()
        fail(409, _("A partner with this name already exists."))
    return {"id": partner.id, "name": partner.name}
