"""Schemas of the API's reads: the query strings of its lists, the page every list is
answered in, and the documents of partners, assessments, respondents and commitments.

Every list has one shape, `{"items", "page", "per_page", "total", "pages"}`, and takes
`page` and `per_page` (at most `MAX_PER_PAGE`) from the query string (docs/api.md,
"Pages"). Request bodies build on `schemas.RequestSchema` (null means omitted for an
optional field) and text is checked by `schemas.PlainText`, as everywhere in the API.
"""

from __future__ import annotations

from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ... import limits, text, vocabulary
from ...fit import Side
from ...models import CommitmentStatus, Kind, RevealPolicy, State
from ...services.listings import DEFAULT_PER_PAGE, MAX_PER_PAGE, MAX_SEARCH, Page
from ...services.paging import MAX_PAGE
from .common import (
    MAX_ID,
    PlainText,
    RequestSchema,
    ScaleSchema,
    enum_field,
    terms_schema,
)

# What a respondent's `status` can be (fitcheck.models.Respondent.status), latest step last.
RESPONDENT_STATUSES = ("added", "invited", "opened", "draft", "submitted", "declined", "withdrawn")
# Free text with at least one visible character (an action cannot be blank); a person's
# name on one line, or nothing.
ACTION_PATTERN = (
    rf"^[^{text.CONTROL_IN_LINES}]*[^\s{text.CONTROL_IN_LINES}][^{text.CONTROL_IN_LINES}]*$"
)
OWNER_PATTERN = rf"^[^{text.CONTROL}]*$"


# --------------------------------------------------------------------------------------------
# Query strings. Unknown parameters are refused (the blueprints load them with RAISE): a
# misspelt `per_pgae=` must not quietly return the default page.
# --------------------------------------------------------------------------------------------


class PageQuerySchema(ma.Schema):
    page = fields.Integer(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_PAGE),
        metadata={"description": "The page, from 1. Past the last page: no items."},
    )
    per_page = fields.Integer(
        load_default=DEFAULT_PER_PAGE,
        validate=validate.Range(min=1, max=MAX_PER_PAGE),
        metadata={
            "description": f"Items per page, 1 to {MAX_PER_PAGE}. Default {DEFAULT_PER_PAGE}."
        },
    )


class PartnerQuerySchema(PageQuerySchema):
    q = fields.String(
        load_default="",
        validate=validate.Length(max=MAX_SEARCH),
        metadata={"description": "Only partners whose name contains this (any case)."},
    )


class AssessmentQuerySchema(PageQuerySchema):
    # No load_default=None: it would document them as nullable, and a query string has no
    # null. Absent is absent.
    partner_id = fields.Integer(
        validate=validate.Range(min=1, max=MAX_ID),
        metadata={"description": "Only this partner's assessments."},
    )
    state = enum_field(State, "Only assessments in this state.")


# --------------------------------------------------------------------------------------------
# Request bodies
# --------------------------------------------------------------------------------------------


class CommitmentCreateSchema(RequestSchema):
    trait_key = fields.String(
        required=True,
        validate=validate.Length(min=1, max=limits.TRAIT_KEY),
        metadata={"description": "The key of one of the assessment's traits."},
    )
    side = enum_field(Side, "Who promises: company (your side) or client.", required=True)
    action = fields.String(
        required=True,
        validate=[
            validate.Length(min=1, max=limits.COMMITMENT_ACTION),
            PlainText(ACTION_PATTERN, lines=True),
        ],
        metadata={"description": "What will be done."},
    )
    owner = fields.String(
        load_default="",
        allow_none=True,
        validate=[validate.Length(max=limits.COMMITMENT_OWNER), PlainText(OWNER_PATTERN)],
        metadata={
            "description": "The person responsible; a member's name or email for your side "
            "gets them the weekly digest. Optional."
        },
    )
    due_on = fields.Date(
        load_default=None,
        allow_none=True,
        metadata={"description": "YYYY-MM-DD, from 2000-01-01 to 5 years ahead; optional."},
    )


class CommitmentStatusSchema(RequestSchema):
    status = enum_field(CommitmentStatus, required=True)


# --------------------------------------------------------------------------------------------
# Documents (every key is always present: `required` documents that)
# --------------------------------------------------------------------------------------------


class PageSchema(ma.Schema):
    page = fields.Integer(required=True, metadata={"description": "This page, from 1."})
    per_page = fields.Integer(required=True, metadata={"description": "Items per page."})
    total = fields.Integer(required=True, metadata={"description": "Items on every page."})
    pages = fields.Integer(
        required=True, metadata={"description": "How many pages there are (0: no items)."}
    )


LatestRoundSchema = terms_schema(
    "LatestRoundSchema",
    vocabulary.STORED_HEADLINE_TERMS,
    assessment_id=fields.Integer(required=True),
    kind=enum_field(Kind, required=True),
    title=fields.String(required=True, metadata={"description": "Empty when it has none."}),
    revealed_at=fields.DateTime(required=True, allow_none=True, format="iso"),
)


class PartnerReadSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    website = fields.String(required=True, metadata={"description": "Empty when none."})
    created_at = fields.DateTime(required=True, format="iso")
    archived_at = fields.DateTime(
        required=True,
        allow_none=True,
        format="iso",
        metadata={"description": "When it was archived (hidden from the web list); null: active."},
    )
    assessments = fields.Integer(
        required=True, metadata={"description": "Its assessments, in every state."}
    )
    latest_round = fields.Nested(
        LatestRoundSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Its latest revealed round; null when none is revealed."},
    )


def page_document(page: Page[Any], items: list[dict[str, Any]]) -> dict[str, Any]:
    """A page of documents in the one shape of every list (`PageSchema`)."""
    return {
        "items": items,
        "page": page.page,
        "per_page": page.per_page,
        "total": page.total,
        "pages": page.pages,
    }


class PartnerPageSchema(PageSchema):
    items = fields.List(fields.Nested(PartnerReadSchema), required=True)


class AssessmentReadSchema(ma.Schema):
    id = fields.Integer(required=True)
    partner_id = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"description": "Empty when it has none."})
    kind = enum_field(Kind, required=True)
    state = enum_field(State, required=True)
    scale = fields.Nested(
        ScaleSchema,
        required=True,
        metadata={"description": "The rating scale; frozen at the launch, with the traits."},
    )
    deadline = fields.DateTime(required=True, allow_none=True, format="iso")
    reveal_policy = enum_field(RevealPolicy, required=True)
    min_responses_per_side = fields.Integer(required=True)
    share_with_client = fields.Boolean(required=True)
    reminder_days = fields.List(fields.Integer(), required=True)
    previous_id = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The round this one continues (an annual review); or null."},
    )
    created_at = fields.DateTime(required=True, format="iso")
    launched_at = fields.DateTime(required=True, allow_none=True, format="iso")
    revealed_at = fields.DateTime(required=True, allow_none=True, format="iso")
    archived_at = fields.DateTime(required=True, allow_none=True, format="iso")


class AssessmentPageSchema(PageSchema):
    items = fields.List(fields.Nested(AssessmentReadSchema), required=True)


class SideProgressSchema(ma.Schema):
    invited = fields.Integer(
        required=True, metadata={"description": "Respondents of the side, withdrawn ones aside."}
    )
    opened = fields.Integer(required=True, metadata={"description": "Opened their link."})
    draft = fields.Integer(required=True, metadata={"description": "Saved a draft, not submitted."})
    submitted = fields.Integer(required=True, metadata={"description": "Submitted."})
    declined = fields.Integer(required=True, metadata={"description": "Declined to answer."})


class ProgressSchema(ma.Schema):
    company = fields.Nested(SideProgressSchema, required=True)
    client = fields.Nested(SideProgressSchema, required=True)


class AssessmentDetailSchema(AssessmentReadSchema):
    progress = fields.Nested(
        ProgressSchema,
        required=True,
        metadata={"description": "How far each side is; counts only, never answers."},
    )


class RespondentReadSchema(ma.Schema):
    id = fields.Integer(required=True)
    side = enum_field(Side, required=True)
    name = fields.String(required=True)
    email = fields.String(required=True, allow_none=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf(RESPONDENT_STATUSES),
        metadata={"description": "Where the respondent stands, the latest step."},
    )
    invited_at = fields.DateTime(required=True, allow_none=True, format="iso")
    opened_at = fields.DateTime(required=True, allow_none=True, format="iso")
    submitted_at = fields.DateTime(required=True, allow_none=True, format="iso")
    declined_at = fields.DateTime(required=True, allow_none=True, format="iso")
    withdrawn_at = fields.DateTime(required=True, allow_none=True, format="iso")
    invite_url = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "The personal link (its last segment is the invitation token); "
            "null once the respondent is withdrawn."
        },
    )


class RespondentPageSchema(PageSchema):
    items = fields.List(fields.Nested(RespondentReadSchema), required=True)


class CarriedFromSchema(ma.Schema):
    assessment_id = fields.Integer(required=True)
    status = enum_field(CommitmentStatus, "Its status when it was carried on.", required=True)


class CommitmentSchema(ma.Schema):
    id = fields.Integer(required=True)
    assessment_id = fields.Integer(
        required=True, metadata={"description": "The round it stands in now."}
    )
    trait_key = fields.String(required=True, metadata={"description": "Its trait in this round."})
    side = enum_field(Side, "Who promised.", required=True)
    action = fields.String(required=True)
    owner = fields.String(required=True, metadata={"description": "Empty when none."})
    due_on = fields.Date(required=True, allow_none=True)
    status = enum_field(
        CommitmentStatus,
        "Its status in this round: now, if it stands here; else when it was carried on.",
        required=True,
    )
    here = fields.Boolean(
        required=True,
        metadata={"description": "It stands in this round (false: carried on to a later one)."},
    )
    carried_from = fields.Nested(
        CarriedFromSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The round it was carried into this one from; or null."},
    )
    carried_to = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "The round it was carried on to from this one; or null."},
    )
    created_at = fields.DateTime(required=True, format="iso")
    updated_at = fields.DateTime(required=True, format="iso")


class CommitmentPageSchema(PageSchema):
    items = fields.List(fields.Nested(CommitmentSchema), required=True)
