"""Reading over the API what it creates: partners with their latest round, assessments with
their settings and progress, a round's respondents with their links; and deleting a draft.

Every list is a page (`schemas.reads.PageSchema`) of the token's workspace, read by
`services.listings` in a fixed number of queries. Nothing here reads an answer: progress
comes from the respondents' own columns (`services.respondents.progress`).
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint

from .. import vocabulary
from ..models import Assessment, Partner, Respondent
from ..services import ServiceError, deletion, invitations, listings
from ..services.respondents import SideProgress, progress
from .access import current_user, current_workspace_id, fail, protect
from .errors import ErrorSchema
from .schemas.reads import (
    AssessmentDetailSchema,
    AssessmentPageSchema,
    AssessmentQuerySchema,
    PageQuerySchema,
    PartnerPageSchema,
    PartnerQuerySchema,
    PartnerReadSchema,
    RespondentPageSchema,
    page_document,
)
from .scoping import owned_or_404

blp = Blueprint(
    "api-listings",
    __name__,
    url_prefix="/api/v1",
    description="Read what the workspace holds, a page at a time: partners, assessments and "
    "their respondents.",
)
protect(blp, bearer=True)

PARTNER = "/partners/<int(min=1, max=2147483647):partner_id>"
ASSESSMENT = "/assessments/<int(min=1, max=2147483647):assessment_id>"


def _assessment(assessment_id: int) -> Assessment:
    return owned_or_404(Assessment, assessment_id, _("No assessment with this id."))


# Partners ------------------------------------------------------------------------------


def _partner_document(listed: listings.PartnerListing) -> dict[str, Any]:
    partner, latest = listed.partner, listed.latest_round
    return {
        "id": partner.id,
        "name": partner.name,
        "website": partner.website,
        "created_at": partner.created_at,
        "archived_at": partner.archived_at,
        "assessments": listed.assessments,
        "latest_round": None
        if latest is None
        else {
            "assessment_id": latest.assessment_id,
            "kind": latest.kind,
            "title": latest.title,
            "revealed_at": latest.revealed_at,
            **vocabulary.stored_headline(latest.summary, latest.verdict),
        },
    }


@blp.get("/partners")
@blp.arguments(PartnerQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, PartnerPageSchema)
def list_partners(**query: Any) -> dict[str, Any]:
    """List partners

    The workspace's partners (archived ones too), by name, a page at a time; `q` keeps
    those whose name contains it. Each with its number of assessments and its latest
    revealed round (S, both levels and the verdict). A fixed number of queries per page.
    """
    page = listings.partners_page(
        current_workspace_id(), search=query["q"], page=query["page"], per_page=query["per_page"]
    )
    return page_document(page, [_partner_document(listed) for listed in page.items])


@blp.get(PARTNER)
@blp.response(200, PartnerReadSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such partner.")
def get_partner(partner_id: int) -> dict[str, Any]:
    """Read a partner

    As in the list: its number of assessments and its latest revealed round.
    """
    partner = owned_or_404(Partner, partner_id, _("No partner with this id."))
    (listed,) = listings.listed_partners(current_workspace_id(), [partner])
    return _partner_document(listed)


# Assessments ---------------------------------------------------------------------------


def _assessment_document(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.id,
        "partner_id": assessment.partner_id,
        "title": assessment.title,
        "kind": assessment.kind,
        "state": assessment.state,
        "scale": {"lo": assessment.scale_lo, "hi": assessment.scale_hi},
        "deadline": assessment.deadline,
        "reveal_policy": assessment.reveal_policy,
        "min_responses_per_side": assessment.min_responses_per_side,
        "share_with_client": assessment.share_with_client,
        "reminder_days": list(assessment.reminder_days),
        "previous_id": assessment.previous_id,
        "created_at": assessment.created_at,
        "launched_at": assessment.launched_at,
        "revealed_at": assessment.revealed_at,
        "archived_at": assessment.archived_at,
    }


def _side_counts(side: SideProgress) -> dict[str, int]:
    return {
        "invited": side.invited,
        "opened": side.opened,
        "draft": side.draft,
        "submitted": side.submitted,
        "declined": side.declined,
    }


@blp.get("/assessments")
@blp.arguments(AssessmentQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, AssessmentPageSchema)
def list_assessments(**query: Any) -> dict[str, Any]:
    """List assessments

    The workspace's assessments, the latest created first, a page at a time: of one
    partner (`partner_id`), in one state (`state`), or all. Their settings; the progress of
    each side is in GET /api/v1/assessments/{id}.
    """
    page = listings.assessments_page(
        current_workspace_id(),
        partner_id=query.get("partner_id"),
        state=query.get("state"),
        page=query["page"],
        per_page=query["per_page"],
    )
    return page_document(page, [_assessment_document(assessment) for assessment in page.items])


@blp.get(ASSESSMENT)
@blp.response(200, AssessmentDetailSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
def get_assessment(assessment_id: int) -> dict[str, Any]:
    """Read an assessment

    Its settings and state, and per side how many respondents were invited, opened their
    link, saved a draft, submitted or declined: counts only, never what anyone answered.
    """
    assessment = _assessment(assessment_id)
    sides = progress(assessment).sides
    return {
        **_assessment_document(assessment),
        "progress": {side.value: _side_counts(counts) for side, counts in sides.items()},
    }


def _respondent_document(respondent: Respondent) -> dict[str, Any]:
    return {
        "id": respondent.id,
        "side": respondent.side,
        "name": respondent.name,
        "email": respondent.email,
        "status": respondent.status,
        "invited_at": respondent.invited_at,
        "opened_at": respondent.opened_at,
        "submitted_at": respondent.submitted_at,
        "declined_at": respondent.declined_at,
        "withdrawn_at": respondent.withdrawn_at,
        "invite_url": None
        if respondent.withdrawn_at is not None
        else invitations.invitation_url(respondent),
    }


@blp.get(f"{ASSESSMENT}/respondents")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, RespondentPageSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
def list_respondents(assessment_id: int, **query: Any) -> dict[str, Any]:
    """List an assessment's respondents

    By side and name, a page at a time: each one's status and personal link. Never their
    answers.
    """
    assessment = _assessment(assessment_id)
    page = listings.page_of_list(
        progress(assessment).respondents, page=query["page"], per_page=query["per_page"]
    )
    return page_document(page, [_respondent_document(respondent) for respondent in page.items])


@blp.delete(ASSESSMENT)
@blp.response(204)
@blp.alt_response(403, schema=ErrorSchema, description="The token's user is not an owner.")
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
@blp.alt_response(409, schema=ErrorSchema, description="Not a draft.")
def delete_assessment(assessment_id: int) -> None:
    """Delete a draft assessment

    Only a draft (never launched) can be deleted, with its respondents; a launched round
    stays in the partner's history. As on the web pages, deleting is for the workspace's
    owners: a member's token gets 403.
    """
    user = current_user()
    if not user.is_owner:
        fail(403, _("Only the workspace's owners can delete."))
    assessment = _assessment(assessment_id)
    try:
        deletion.delete_draft_assessment(assessment, actor=user)
    except ServiceError as error:
        fail(409, str(error.message))
