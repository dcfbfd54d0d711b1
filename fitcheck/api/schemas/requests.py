"""The request bodies that write (partners, assessments, respondents, answers, outcomes)
and the documents that answer them."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ... import limits
from ...fit import Side
from ...models import DEFAULT_REMINDER_DAYS, Kind, RevealPolicy, State
from ...services import ServiceError, outcome_rules
from ...services.assessments import MAX_REMINDER_DAYS
from .common import (
    MAX_ANSWERS,
    TEXT_PATTERN,
    PlainText,
    RequestSchema,
    ScaleSchema,
    StrictBoolean,
    StrictInteger,
    enum_field,
    id_field,
    name_field,
)


class PartnerCreateSchema(RequestSchema):
    name = name_field(limits.PARTNER_NAME, "The partner's name, unique in the workspace.")


class AssessmentCreateSchema(RequestSchema):
    partner_id = id_field("A partner of your workspace.", required=True)
    trait_set_id = id_field("A trait set of your workspace.", required=True)
    kind = enum_field(Kind, required=True)
    min_responses_per_side = StrictInteger(
        load_default=1,
        allow_none=True,
        validate=validate.Range(min=1, max=limits.THRESHOLD),
        metadata={
            "description": "The anonymity threshold k: a side's averages are shown only once "
            "this many of its respondents have submitted. Default 1."
        },
    )
    share_with_client = StrictBoolean(
        load_default=True,
        allow_none=True,
        metadata={"description": "Whether the client's respondents see the results. Default true."},
    )
    deadline = fields.AwareDateTime(
        load_default=None,
        allow_none=True,
        format="iso",
        metadata={"description": "ISO 8601 with a UTC offset; none when omitted."},
    )
    reveal_policy = enum_field(
        RevealPolicy,
        "manual (default); automatic once both sides reach the threshold; or deadline: at "
        "the deadline, if both sides reach the threshold (else it stays sealed and its "
        "owner is mailed). deadline needs a deadline before the launch.",
        load_default=RevealPolicy.MANUAL,
        allow_none=True,
    )
    reminder_days = fields.List(
        StrictInteger(validate=validate.Range(min=1, max=MAX_REMINDER_DAYS)),
        load_default=lambda: list(DEFAULT_REMINDER_DAYS),
        allow_none=True,
        validate=validate.Length(max=10),
        metadata={
            "description": "Automatic reminders to those who have not answered, in days "
            "before the deadline. Default [3, 1]; [] for none."
        },
    )


class RespondentCreateSchema(RequestSchema):
    side = enum_field(Side, required=True)
    name = name_field(limits.PERSON_NAME, "The respondent's name.")
    email = fields.Email(
        load_default=None,
        allow_none=True,
        validate=validate.Length(max=limits.EMAIL),
        metadata={"description": "Optional; unique within the assessment."},
    )


class AnswerSchema(RequestSchema):
    trait_key = fields.String(
        required=True,
        validate=validate.Length(min=1, max=limits.TRAIT_KEY),
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
        allow_none=True,
        validate=[validate.Length(max=limits.COMMENT), PlainText(TEXT_PATTERN, lines=True)],
        metadata={"description": "Optional; both sides read comments after the reveal."},
    )


class ResponseSaveSchema(RequestSchema):
    answers = fields.List(
        fields.Nested(AnswerSchema),
        required=True,
        validate=validate.Length(max=MAX_ANSWERS),
        metadata={"description": "One item per trait; each trait at most once."},
    )
    submit = StrictBoolean(
        load_default=False,
        allow_none=True,
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
    state = enum_field(State, required=True)


class AssessmentCreatedSchema(AssessmentStateSchema):
    kind = enum_field(Kind, required=True)
    deadline = fields.AwareDateTime(required=True, allow_none=True, format="iso")
    reveal_policy = enum_field(RevealPolicy, required=True)
    min_responses_per_side = fields.Integer(required=True)
    share_with_client = fields.Boolean(required=True)
    reminder_days = fields.List(
        fields.Integer(),
        required=True,
        metadata={"description": "Days before the deadline, the earliest first."},
    )


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
    state = enum_field(
        State, "The assessment's state: revealed when this submit revealed it.", required=True
    )


# --------------------------------------------------------------------------------------------
# Outcomes
# --------------------------------------------------------------------------------------------


def _rule(check: Callable[[Any], Any], value: Any) -> Any:
    try:
        check(value)
    except ServiceError as error:
        raise ma.ValidationError(str(error.message)) from None
    return value


class OutcomeRule(validate.Validator):
    """A rule of `fitcheck.services.outcome_rules`, answered with its message: the words
    the outcome form and the CSV import use."""

    def __init__(self, check: Callable[[Any], Any]) -> None:
        self.check = check

    def __call__(self, value: Any) -> Any:
        return _rule(self.check, value)


class OutcomeRange(validate.Range):
    """An `OutcomeRule` with bounds, which the OpenAPI document states."""

    def __init__(self, check: Callable[[Any], Any], *, min: Any, max: Any) -> None:
        super().__init__(min=min, max=max)
        self.check = check

    def __call__(self, value: Any) -> Any:
        return _rule(self.check, value)


class OutcomeLength(validate.Length):
    """An `OutcomeRule` with a longest length, which the OpenAPI document states."""

    def __init__(self, check: Callable[[Any], Any], *, max: int) -> None:
        super().__init__(max=max)
        self.check = check

    def __call__(self, value: Any) -> Any:
        return _rule(self.check, value)


class StrictAmount(fields.Float):
    """A JSON number, and only that (`"5"` and `true` are not amounts), as a Decimal; the
    service rounds it to cents."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.make_error("invalid")
        return Decimal(repr(super()._deserialize(value, attr, data, **kwargs)))


class OutcomeWriteSchema(RequestSchema):
    observed_on = fields.Date(
        required=True,
        validate=OutcomeRule(outcome_rules.check_observed_on),
        metadata={"description": "When the outcome was observed (YYYY-MM-DD)."},
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
        validate=OutcomeRange(
            outcome_rules.check_satisfaction,
            min=outcome_rules.MIN_SATISFACTION,
            max=outcome_rules.MAX_SATISFACTION,
        ),
        metadata={"description": "A whole number; null or absent: not known."},
    )
    revenue = StrictAmount(
        load_default=None,
        allow_none=True,
        validate=OutcomeRange(outcome_rules.check_revenue, min=0, max=outcome_rules.MAX_REVENUE),
        metadata={"description": "Rounded to 2 decimals; null or absent: not known."},
    )
    note = fields.String(
        load_default="",
        allow_none=True,
        validate=[
            OutcomeLength(outcome_rules.check_note, max=outcome_rules.MAX_NOTE),
            PlainText(TEXT_PATTERN, lines=True),
        ],
        metadata={"description": "Optional free text; surrounding spaces are removed."},
    )


class OutcomeSchema(ma.Schema):
    id = fields.Integer(required=True)
    partner_id = fields.Integer(required=True)
    period = fields.String(required=True)
    observed_on = fields.Date(required=True)
    contract_signed = fields.Boolean(required=True, allow_none=True)
    renewed = fields.Boolean(required=True, allow_none=True)
    satisfaction = fields.Integer(required=True, allow_none=True)
    revenue = fields.Float(
        required=True,
        allow_none=True,
        metadata={"description": "An amount in `currency`; null: not known."},
    )
    currency = fields.String(
        required=True,
        metadata={
            "description": "The ISO 4217 code of the workspace's currency (its setting), "
            "which `revenue` is in.",
            "example": "JPY",
        },
    )
    note = fields.String(required=True)
    is_demo = fields.Boolean(
        required=True,
        metadata={"description": "Generated for the demo workspace, not observed."},
    )
