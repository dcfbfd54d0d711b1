"""Outcomes over the API: read a partner's outcomes, record one period's outcome."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint

from ..models import Outcome, Partner
from ..services import Conflict, ServiceError, outcome_rules
from ..services import outcomes as service
from .access import current_user_id, fail, protect
from .errors import ErrorSchema
from .schemas.requests import OutcomeSchema, OutcomeWriteSchema
from .scoping import owned_or_404

blp = Blueprint(
    "api-outcomes",
    __name__,
    url_prefix="/api/v1",
    description="What became of each relationship, per partner and period.",
)
protect(blp, bearer=True)

PARTNER = "/partners/<int(min=1, max=2147483647):partner_id>"
PERIOD_PARAMETER = {
    "in": "path",
    "name": "period",
    "required": True,
    "description": "A short label such as 2025 or 2025-H1; unique per partner.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": outcome_rules.MAX_PERIOD,
        "pattern": outcome_rules.PERIOD_PATTERN,
    },
}


def _partner(partner_id: int) -> Partner:
    return owned_or_404(Partner, partner_id, _("No partner with this id."))


def _document(outcome: Outcome, currency: str) -> dict[str, Any]:
    """An outcome; `revenue` is in `currency`, the workspace's (ISO 4217)."""
    return {
        "id": outcome.id,
        "partner_id": outcome.partner_id,
        "period": outcome.period,
        "observed_on": outcome.observed_on,
        "contract_signed": outcome.contract_signed,
        "renewed": outcome.renewed,
        "satisfaction": outcome.satisfaction,
        "revenue": outcome.revenue,
        "currency": currency,
        "note": outcome.note,
        "is_demo": outcome.is_demo,
    }


@blp.get(f"{PARTNER}/outcomes")
@blp.response(200, OutcomeSchema(many=True))
@blp.alt_response(404, schema=ErrorSchema, description="No such partner.")
def list_outcomes(partner_id: int) -> list[dict[str, Any]]:
    """List a partner's outcomes

    The latest observation first.
    """
    partner = _partner(partner_id)
    currency = partner.workspace.currency
    return [_document(outcome, currency) for outcome in service.list_outcomes(partner)]


@blp.put(f"{PARTNER}/outcomes/<string(maxlength=160):period>")
@blp.doc(parameters=[PERIOD_PARAMETER])
@blp.arguments(OutcomeWriteSchema)
@blp.response(200, OutcomeSchema, description="The period's outcome is updated.")
@blp.alt_response(201, schema=OutcomeSchema, description="The period's outcome is recorded.")
@blp.alt_response(404, schema=ErrorSchema, description="No such partner.")
@blp.alt_response(409, schema=ErrorSchema, description="Another request recorded it first.")
def record_outcome(body: dict[str, Any], partner_id: int, period: str) -> Any:
    """Record a period's outcome

    Creates the partner's outcome for the period (201), or replaces the one recorded already
    (200): absent fields become null (not known). When another request creates the same
    period at the same moment, the later one is a 409 Conflict and writes nothing.
    """
    partner = _partner(partner_id)
    try:
        # The URL segment exactly as sent: a space around it would be part of the period.
        outcome_rules.check_period(period, strip=False)
        outcome, created = service.record_outcome(
            partner, period=period, recorded_by_id=current_user_id(), **body
        )
    except Conflict as error:
        fail(409, str(error.message))
    except ServiceError as error:
        fail(422, str(error.message), fields={error.field or "period": [str(error.message)]})
    return _document(outcome, partner.workspace.currency), 201 if created else 200
