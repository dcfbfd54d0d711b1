"""Assessments over the API: create one, invite both sides, launch, reveal, read results.

Each handler loads its rows within the token's workspace, calls the service the web UI
calls, and maps a broken rule to a status: a guarded transition is a 409 Conflict.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_smorest import Blueprint

from ..models import Assessment, Partner, TraitSet
from ..services import ServiceError, invitations, respondents
from ..services import assessments as service
from ..services.results import ResultsSealed
from ..services.rounds import load_round
from .access import current_user, current_user_id, fail, protect, request_locale
from .errors import ErrorSchema
from .results import results_document
from .schemas.requests import (
    AssessmentCreatedSchema,
    AssessmentCreateSchema,
    AssessmentStateSchema,
    RespondentCreatedSchema,
    RespondentCreateSchema,
)
from .schemas.rounds import ResultsSchema
from .scoping import owned_or_404

blp = Blueprint(
    "api-assessments",
    __name__,
    url_prefix="/api/v1",
    description="Assessment rounds: one partner, both sides, sealed until the reveal.",
)
protect(blp, bearer=True)

ASSESSMENT = "/assessments/<int(min=1, max=2147483647):assessment_id>"


def _assessment(assessment_id: int) -> Assessment:
    return owned_or_404(Assessment, assessment_id, _("No assessment with this id."))


def _state(assessment: Assessment) -> dict[str, Any]:
    return {"id": assessment.id, "state": assessment.state}


@blp.post("/assessments")
@blp.arguments(AssessmentCreateSchema)
@blp.response(201, AssessmentCreatedSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such partner or trait set.")
def create_assessment(body: dict[str, Any]) -> dict[str, Any]:
    """Create an assessment

    A draft for one partner on one trait set. Invite respondents of both sides, then
    launch it: the launch freezes the set's traits and scale into the assessment.
    """
    partner = owned_or_404(Partner, body["partner_id"], _("No partner with this id."))
    trait_set = owned_or_404(TraitSet, body["trait_set_id"], _("No trait set with this id."))
    try:
        assessment = service.create_assessment(
            partner,
            trait_set,
            kind=body["kind"],
            deadline=body["deadline"],
            reveal_policy=body["reveal_policy"],
            min_responses_per_side=body["min_responses_per_side"],
            share_with_client=body["share_with_client"],
            reminder_days=body["reminder_days"],
            created_by_id=current_user_id(),
        )
    except ServiceError as error:
        _fail_for(error)
    return {
        **_state(assessment),
        "kind": assessment.kind,
        "deadline": assessment.deadline,
        "reveal_policy": assessment.reveal_policy,
        "min_responses_per_side": assessment.min_responses_per_side,
        "share_with_client": assessment.share_with_client,
        "reminder_days": assessment.reminder_days,
    }


@blp.post(f"{ASSESSMENT}/respondents")
@blp.arguments(RespondentCreateSchema)
@blp.response(201, RespondentCreatedSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
@blp.alt_response(
    409, schema=ErrorSchema, description="Already revealed, or this email is invited already."
)
def add_respondent(body: dict[str, Any], assessment_id: int) -> dict[str, Any]:
    """Invite a respondent

    Adds a person to one side and returns their personal link. Nothing is mailed: send the
    link yourself, or use the invitations of the web UI. The link is shown again on the
    assessment's page.
    """
    assessment = _assessment(assessment_id)
    try:
        respondent, _token = respondents.add_respondent(
            assessment, side=body["side"], name=body["name"], email=body["email"]
        )
    except ServiceError as error:
        fail(409, str(error.message))
    return {"id": respondent.id, "invite_url": invitations.invitation_url(respondent)}


@blp.post(f"{ASSESSMENT}/launch")
@blp.response(200, AssessmentStateSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
@blp.alt_response(
    409,
    schema=ErrorSchema,
    description="Not a draft, no active traits, a side without respondents, or a round "
    "revealed at its deadline that has no deadline.",
)
def launch(assessment_id: int) -> dict[str, Any]:
    """Launch an assessment

    draft → collecting: freezes the traits and the scale, and opens the personal links.
    Nothing is mailed: share each respondent's link yourself (the launch of the web UI
    also queues their invitations).
    """
    assessment = _assessment(assessment_id)
    try:
        service.launch(assessment, invite=False, actor=current_user())
    except ServiceError as error:
        fail(409, str(error.message))
    return _state(assessment)


@blp.post(f"{ASSESSMENT}/reveal")
@blp.response(200, AssessmentStateSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
@blp.alt_response(409, schema=ErrorSchema, description="A draft, or revealed already.")
def reveal(assessment_id: int) -> dict[str, Any]:
    """Reveal the results

    collecting → revealed: both sides may see the results (the client's respondents only
    when the assessment shares them). Answers can no longer change.
    """
    assessment = _assessment(assessment_id)
    try:
        service.reveal(assessment, actor=current_user())
    except ServiceError as error:
        fail(409, str(error.message))
    return _state(assessment)


@blp.get(f"{ASSESSMENT}/results")
@blp.response(200, ResultsSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
@blp.alt_response(409, schema=ErrorSchema, description="Sealed: not revealed yet.")
def results(assessment_id: int) -> dict[str, Any]:
    """Read the results

    The numbers of the results page, after the reveal, with its last round and the change
    since. A side below the anonymity threshold has every value it contributes withheld
    (null). `label` is in the language of `Accept-Language`. See docs/api.md for each
    field and docs/fit-model.md for the formulas.
    """
    assessment = _assessment(assessment_id)
    try:
        loaded = load_round(assessment)
    except ResultsSealed as error:
        fail(409, str(error.message))
    return results_document(loaded, request_locale())


def _fail_for(error: ServiceError) -> None:
    """A rule about one field is that field's 422; any other a conflict with the state."""
    if error.field:
        fail(422, _("Some fields are not valid."), fields={error.field: [str(error.message)]})
    fail(409, str(error.message))
