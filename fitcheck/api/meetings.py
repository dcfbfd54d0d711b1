"""A round's review meetings over the API: the meeting (running, else the latest) and
every meeting of the round, each with its steps, the traits it discussed, who took part and
the commitments made in it (`services.meetings`). Read only: a meeting is run from the
presenter view and the phone remote; its commitments are the round's
(`/assessments/{id}/commitments`), where their status is changed.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from flask_babel import gettext as _
from flask_smorest import Blueprint
from marshmallow import fields

from ..models import Assessment, MeetingOrder, Side
from ..services import listings
from ..services import meetings as service
from .access import fail, protect
from .errors import ErrorSchema
from .schemas.common import enum_field
from .schemas.reads import CommitmentSchema, PageQuerySchema, PageSchema, page_document
from .scoping import owned_or_404

blp = Blueprint(
    "api-meetings",
    __name__,
    url_prefix="/api/v1",
    description="A round's review meetings: what both sides went through together after the "
    "reveal, and the commitments they made in it.",
)
protect(blp, bearer=True)

ASSESSMENT = "/assessments/<int(min=1, max=2147483647):assessment_id>"


class FacilitatorSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class ParticipantSchema(ma.Schema):
    kind = fields.String(
        required=True,
        validate=ma.validate.OneOf(["respondent", "member"]),
        metadata={
            "description": "respondent: one of the round's respondents; member: a member "
            "of the workspace."
        },
    )
    id = fields.Integer(
        required=True, metadata={"description": "The respondent's or the member's id."}
    )
    name = fields.String(required=True)
    side = enum_field(Side, "The side they belong to; members are the company's.", required=True)


class MeetingSchema(ma.Schema):
    id = fields.Integer(required=True)
    assessment_id = fields.Integer(required=True)
    language = fields.String(
        required=True,
        validate=ma.validate.OneOf(["en", "ja"]),
        metadata={"description": "The language it was held in: en or ja."},
    )
    order = enum_field(
        MeetingOrder,
        "The order of its trait steps: gap (the largest first), importance, or trait_set.",
        required=True,
    )
    running = fields.Boolean(required=True, metadata={"description": "Not ended yet."})
    step = fields.Integer(
        required=True,
        metadata={
            "description": "Its current step: 0 the overview, 1…n the traits of `steps`, "
            "n + 1 the summary."
        },
    )
    steps = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The trait keys of its steps 1…n, in its order."},
    )
    discussed = fields.List(
        fields.String(),
        required=True,
        metadata={"description": "The trait keys whose step it showed, in its order."},
    )
    facilitator = fields.Nested(
        FacilitatorSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The member who started it; null once they left."},
    )
    participants = fields.List(fields.Nested(ParticipantSchema), required=True)
    commitments = fields.List(
        fields.Nested(CommitmentSchema),
        required=True,
        metadata={"description": "The commitments made in it, as the round lists them."},
    )
    started_at = fields.DateTime(required=True, format="iso")
    ended_at = fields.DateTime(required=True, allow_none=True, format="iso")
    summary_queued_at = fields.DateTime(
        required=True,
        allow_none=True,
        format="iso",
        metadata={"description": "When its summary was queued to the participants by email."},
    )


class MeetingPageSchema(PageSchema):
    items = fields.List(fields.Nested(MeetingSchema), required=True)


def _assessment(assessment_id: int) -> Assessment:
    return owned_or_404(Assessment, assessment_id, _("No assessment with this id."))


@blp.get(f"{ASSESSMENT}/meeting")
@blp.response(200, MeetingSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment, or no meeting.")
def current_meeting(assessment_id: int) -> dict[str, Any]:
    """The round's review meeting

    The one running, else the latest; with its steps, the traits discussed, who takes
    part and the commitments made in it.
    """
    assessment = _assessment(assessment_id)
    meetings = service.meetings_of(assessment)
    if not meetings:
        fail(404, _("This assessment has no review meeting."))
    return service.meeting_documents(assessment, meetings[:1])[0]


@blp.get(f"{ASSESSMENT}/meetings")
@blp.arguments(PageQuerySchema, location="query", as_kwargs=True, unknown=ma.RAISE)
@blp.response(200, MeetingPageSchema)
@blp.alt_response(404, schema=ErrorSchema, description="No such assessment.")
def list_meetings(assessment_id: int, **query: Any) -> dict[str, Any]:
    """List a round's review meetings

    The running one first, then the latest first, a page at a time.
    """
    assessment = _assessment(assessment_id)
    page = listings.page_of_list(
        service.meetings_of(assessment), page=query["page"], per_page=query["per_page"]
    )
    return page_document(page, service.meeting_documents(assessment, page.items))
