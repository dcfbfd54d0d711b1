"""Marshmallow schemas of the API: they validate requests, shape responses, and are what
flask-smorest turns into the OpenAPI document. Names and shapes are those of docs/api.md.

JSON is strict here: an integer is never a boolean or a string, a boolean is only `true` or
`false`, unknown keys are refused. What a schema can express it states (so the OpenAPI
document promises no more than the API accepts); rules that need the database (the
assessment's scale, its trait keys, a unique name) are the services' and come back as 422
or 409.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ..fit import Side, Verdict
from ..models import Kind, RevealPolicy, State

MAX_ID = 2**31 - 1
MAX_ANSWERS = 500
MAX_COMMENT = 2000  # as the survey form
MAX_RESPONSES_PER_SIDE = 50  # as the assessment form

# One line, no control character (PostgreSQL refuses NUL), at least one visible character.
NAME_PATTERN = r"^[^\x00-\x1f\x7f]*[^\s\x00-\x1f\x7f][^\x00-\x1f\x7f]*$"
# Free text: line breaks and tabs allowed, other control characters not.
TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"


class StrictInteger(fields.Integer):
    """An integer, and only that: JSON `true` is not 1, `"5"` is not 5."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise self.make_error("invalid")
        return int(super()._deserialize(value, attr, data, **kwargs))


class StrictBoolean(fields.Boolean):
    """`true` or `false`; marshmallow would also take 1, "yes" and "on"."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise self.make_error("invalid")
        return value


def _enum(enum: type[Any], description: str = "", **kwargs: Any) -> fields.Enum[Any]:
    """An enum sent and shown by its value, documented as a string."""
    metadata: dict[str, Any] = {"type": "string"}
    if description:
        metadata["description"] = description
    return fields.Enum(enum, by_value=True, metadata=metadata, **kwargs)


def _id(description: str, **kwargs: Any) -> StrictInteger:
    return StrictInteger(
        validate=validate.Range(min=1, max=MAX_ID), metadata={"description": description}, **kwargs
    )


def _name(max_length: int, description: str) -> fields.String:
    return fields.String(
        required=True,
        validate=[validate.Length(min=1, max=max_length), validate.Regexp(NAME_PATTERN)],
        metadata={"description": description},
    )


# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------


class PartnerCreateSchema(ma.Schema):
    name = _name(200, "The partner's name, unique in the workspace.")


class AssessmentCreateSchema(ma.Schema):
    partner_id = _id("A partner of your workspace.", required=True)
    trait_set_id = _id("A trait set of your workspace.", required=True)
    kind = _enum(Kind, required=True)
    min_responses_per_side = StrictInteger(
        load_default=1,
        validate=validate.Range(min=1, max=MAX_RESPONSES_PER_SIDE),
        metadata={
            "description": "The anonymity threshold k: a side's averages are shown only once "
            "this many of its respondents have submitted. Default 1."
        },
    )
    share_with_client = StrictBoolean(
        load_default=True,
        metadata={"description": "Whether the client's respondents see the results. Default true."},
    )
    deadline = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        format="iso",
        metadata={"description": "ISO 8601 with a UTC offset; none when omitted."},
    )
    reveal_policy = _enum(
        RevealPolicy,
        "manual (default), or automatic once both sides reach the threshold.",
        load_default=RevealPolicy.MANUAL,
    )


class RespondentCreateSchema(ma.Schema):
    side = _enum(Side, required=True)
    name = _name(120, "The respondent's name.")
    email = fields.Email(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=254),
        metadata={"description": "Optional; unique within the assessment."},
    )


class AnswerSchema(ma.Schema):
    trait_key = fields.String(
        required=True,
        validate=validate.Length(min=1, max=64),
        metadata={"description": "The trait's key, as in the trait set."},
    )
    other = StrictInteger(
        allow_none=True,
        metadata={
            "description": "Rating of the other side on the assessment's scale; null: can't "
            "judge; absent: not answered yet."
        },
    )
    self_ = StrictInteger(
        data_key="self",
        allow_none=True,
        metadata={
            "description": "Rating of the respondent's own side; null: can't judge; absent: "
            "not answered yet."
        },
    )
    importance = StrictInteger(
        allow_none=True,
        metadata={"description": "How important the trait is, 1 to 5; null or absent: not given."},
    )
    comment = fields.String(
        load_default="",
        validate=[validate.Length(max=MAX_COMMENT), validate.Regexp(TEXT_PATTERN)],
        metadata={"description": "Optional; both sides read comments after the reveal."},
    )


class ResponseSaveSchema(ma.Schema):
    answers = fields.List(
        fields.Nested(AnswerSchema),
        required=True,
        validate=validate.Length(max=MAX_ANSWERS),
        metadata={"description": "One item per trait; each trait at most once."},
    )
    submit = StrictBoolean(
        load_default=False,
        metadata={
            "description": "true submits: every trait must then have both ratings (a point or "
            "null). false saves a draft."
        },
    )

    @ma.validates_schema
    def _each_trait_once(self, data: dict[str, Any], **kwargs: Any) -> None:
        keys = [answer["trait_key"] for answer in data.get("answers", ())]
        if len(keys) != len(set(keys)):
            raise ma.ValidationError("Each trait may appear only once.", "answers")


# --------------------------------------------------------------------------------------------
# Responses (every key is always present: `required` documents that)
# --------------------------------------------------------------------------------------------


class ScaleSchema(ma.Schema):
    lo = fields.Integer(required=True, metadata={"description": "The lowest point."})
    hi = fields.Integer(required=True, metadata={"description": "The highest point."})


class TraitLabelSchema(ma.Schema):
    key = fields.String(required=True, metadata={"description": "Stable key of the trait."})
    label = fields.String(required=True, metadata={"description": "In the request's language."})


class TraitSetSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    scale = fields.Nested(ScaleSchema, required=True)
    traits = fields.List(
        fields.Nested(TraitLabelSchema),
        required=True,
        metadata={"description": "The set's active traits, in order."},
    )


class PartnerSchema(ma.Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)


class AssessmentStateSchema(ma.Schema):
    id = fields.Integer(required=True)
    state = _enum(State, required=True)


class RespondentCreatedSchema(ma.Schema):
    id = fields.Integer(required=True)
    invite_url = fields.String(
        required=True,
        metadata={
            "description": "The respondent's personal link; its last path segment is the "
            "token of PUT /api/v1/responses/{token}. Shown only now."
        },
    )


class ResponseSavedSchema(ma.Schema):
    submitted = fields.Boolean(
        required=True, metadata={"description": "Whether the response is submitted."}
    )
    state = _enum(
        State, "The assessment's state: revealed when this submit revealed it.", required=True
    )


class AssessmentSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    state = _enum(State, required=True)
    kind = _enum(Kind, required=True)


class ResponseCountsSchema(ma.Schema):
    company = fields.Integer(required=True, metadata={"description": "Submitted responses."})
    client = fields.Integer(required=True, metadata={"description": "Submitted responses."})


def _number(description: str) -> fields.Float:
    return fields.Float(required=True, allow_none=True, metadata={"description": description})


def _flag(description: str) -> fields.Boolean:
    return fields.Boolean(required=True, allow_none=True, metadata={"description": description})


class TraitResultSchema(ma.Schema):
    key = fields.String(required=True)
    label = fields.String(required=True, metadata={"description": "In the request's language."})
    us = _number("The company as seen by the client: mean of the client's other-ratings.")
    them = _number("The client as seen by the company: mean of the company's other-ratings.")
    us_self = _number("The company's self-view.")
    them_self = _number("The client's self-view.")
    gap = _number("The mirror gap them − us.")
    weight = fields.Float(
        required=True, metadata={"description": "w_t: the sides' mean importance (1 if none)."}
    )
    blind_spot_us = _flag("The company's self-view exceeds the client's view of it by ≥ R/4.")
    blind_spot_them = _flag("The client's self-view exceeds the company's view of it by ≥ R/4.")
    rwg_company = _number("Agreement of the company's other-ratings (0..1; needs 2 ratings).")
    rwg_client = _number("Agreement of the client's other-ratings (0..1; needs 2 ratings).")


class DecompositionSchema(ma.Schema):
    elevation = _number("Elevation part of D², T'·(mean_y − mean_x)².")
    scatter = _number("Scatter part of D², T'·(sd_y − sd_x)².")
    shape = _number("Shape part of D², 2T'·sd_x·sd_y·(1 − r).")
    d2 = _number("D² = Σ gap²: the sum of the three parts.")
    elevation_share = _number("Elevation part ÷ D² (null when D² = 0).")
    scatter_share = _number("Scatter part ÷ D² (null when D² = 0).")
    shape_share = _number("Shape part ÷ D² (null when D² = 0).")


class FitSchema(ma.Schema):
    mirror_score = _number("S of the mirror (us → them), 0..100.")
    elevation = _number("E = wmean(them) − wmean(us), in scale points.")
    shape_r = _number("Pearson r of us and them; null below 3 traits or for a flat profile.")
    level_us = _number("L_us: the company's level as the client sees it, 0..1.")
    level_them = _number("L_them: the client's level as the company sees it, 0..1.")
    verdict = _enum(Verdict, required=True)
    falls_short = _enum(
        Side, "For one_sided: the side with the lower level.", required=True, allow_none=True
    )
    decomposition = fields.Nested(DecompositionSchema, required=True)


class ResultsSchema(ma.Schema):
    assessment = fields.Nested(AssessmentSummarySchema, required=True)
    scale = fields.Nested(ScaleSchema, required=True)
    responses = fields.Nested(ResponseCountsSchema, required=True)
    traits = fields.List(fields.Nested(TraitResultSchema), required=True)
    fit = fields.Nested(FitSchema, required=True)


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------

MAX_REVENUE = 999999999999.99  # Numeric(14, 2)


class StrictAmount(fields.Float):
    """A JSON number, and only that (`"5"` and `true` are not amounts), as a Decimal of cents."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return super()._deserialize(value, attr, data, **kwargs)


class OutcomeWriteSchema(ma.Schema):
    observed_on = fields.Date(
        required=True, metadata={"description": "When the outcome was observed (YYYY-MM-DD)."}
    )
    contract_signed = StrictBoolean(
        load_default=None, allow_none=True, metadata={"description": "null or absent: not known."}
    )
    renewed = StrictBoolean(
        load_default=None, allow_none=True, metadata={"description": "null or absent: not known."}
    )
    satisfaction = StrictInteger(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=10),
        metadata={"description": "0 to 10; null or absent: not known."},
    )
    revenue = StrictAmount(
        load_default=None,
        allow_none=True,
        validate=validate.Range(min=0, max=MAX_REVENUE),
        metadata={"description": "0 or more, rounded to 2 decimals; null or absent: not known."},
    )
    note = fields.String(
        load_default="",
        validate=[validate.Length(max=2000), validate.Regexp(TEXT_PATTERN)],
        metadata={"description": "Optional free text."},
    )

    @ma.post_load
    def _revenue_in_cents(self, data: dict[str, Any], **kwargs: Any) -> dict[str, Any]:
        if data.get("revenue") is not None:
            data["revenue"] = Decimal(str(data["revenue"])).quantize(Decimal("0.01"))
        return data


class OutcomeSchema(ma.Schema):
    id = fields.Integer(required=True)
    partner_id = fields.Integer(required=True)
    period = fields.String(required=True)
    observed_on = fields.Date(required=True)
    contract_signed = fields.Boolean(required=True, allow_none=True)
    renewed = fields.Boolean(required=True, allow_none=True)
    satisfaction = fields.Integer(required=True, allow_none=True)
    revenue = fields.Float(required=True, allow_none=True)
    note = fields.String(required=True)
