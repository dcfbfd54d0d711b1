"""Marshmallow schemas of the API: they validate requests, shape responses, and are what
flask-smorest turns into the OpenAPI document. Names and shapes are those of docs/api.md.

JSON is strict here: an integer is never a boolean or a string, a boolean is only `true` or
`false`, unknown keys are refused. `null` for an optional field means what leaving the field
out means (see `RequestSchema`). What a schema can express it states (so the OpenAPI
document promises no more than the API accepts); rules that need the database (the
assessment's scale, its trait keys, a unique name) are the services' and come back as 422
or 409.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import Any, overload

import marshmallow as ma
from marshmallow import fields, validate

from .. import limits, norms, text, vocabulary
from ..fit import Side, Verdict
from ..models import DEFAULT_REMINDER_DAYS, Kind, RevealPolicy, State
from ..portfolio import (
    MIN_BOOTSTRAP_USED,
    FailedCondition,
    NotFitted,
    PortfolioVerdict,
    StandardErrors,
    View,
)
from ..services import ServiceError, outcome_rules
from ..services.analysis import Measure
from ..services.assessments import MAX_REMINDER_DAYS

MAX_ID = 2**31 - 1
MAX_ANSWERS = 500

# The text rule of fitcheck.text, as the OpenAPI document states it (a JSON Schema pattern
# cannot express lone surrogates, which the rule refuses too). A name is one line with at
# least one visible character; free text keeps its line breaks and tabs.
NAME_PATTERN = rf"^[^{text.CONTROL}]*[^\s{text.CONTROL}][^{text.CONTROL}]*$"
TEXT_PATTERN = rf"^[^{text.CONTROL_IN_LINES}]*$"


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


class PlainText(validate.Regexp):
    """The text rule of fitcheck.text, answered with the same message as on the web pages;
    then `pattern`, which the OpenAPI document shows, for the rest (a visible character)."""

    def __init__(self, pattern: str, *, lines: bool = False) -> None:
        super().__init__(pattern)
        self.lines = lines

    @overload
    def __call__(self, value: str) -> str: ...

    @overload
    def __call__(self, value: bytes) -> bytes: ...

    def __call__(self, value: str | bytes) -> str | bytes:
        if isinstance(value, str) and (message := text.problem(value, lines=self.lines)):
            raise ma.ValidationError(str(message))
        return super().__call__(value)


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
        validate=[validate.Length(min=1, max=max_length), PlainText(NAME_PATTERN)],
        metadata={"description": description},
    )


# --------------------------------------------------------------------------------------------
# Requests
# --------------------------------------------------------------------------------------------


class RequestSchema(ma.Schema):
    """A request body, where JSON null for an optional field means the same as leaving the
    field out: integrators send null for "nothing".

    An optional field is one with a `load_default`; it is declared `allow_none=True` (so the
    OpenAPI document shows it as nullable), and a null for it is dropped before loading, so
    the default applies. Where null means something else (an answer's `other` and `self`:
    "can't judge"), the field has no default and null is loaded as it is.
    """

    @ma.pre_load
    def _null_means_absent(self, data: Any, **kwargs: Any) -> Any:
        if not isinstance(data, dict):
            return data  # the schema's own check refuses it
        optional = {
            field.data_key or name
            for name, field in self.load_fields.items()
            if field.load_default is not ma.missing
        }
        return {
            key: value for key, value in data.items() if value is not None or key not in optional
        }


class PartnerCreateSchema(RequestSchema):
    name = _name(limits.PARTNER_NAME, "The partner's name, unique in the workspace.")


class AssessmentCreateSchema(RequestSchema):
    partner_id = _id("A partner of your workspace.", required=True)
    trait_set_id = _id("A trait set of your workspace.", required=True)
    kind = _enum(Kind, required=True)
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
    reveal_policy = _enum(
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
    side = _enum(Side, required=True)
    name = _name(limits.PERSON_NAME, "The respondent's name.")
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


class AssessmentCreatedSchema(AssessmentStateSchema):
    kind = _enum(Kind, required=True)
    deadline = fields.AwareDateTime(required=True, allow_none=True, format="iso")
    reveal_policy = _enum(RevealPolicy, required=True)
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


_TERM_FIELDS: dict[type, type[fields.Field[Any]]] = {
    float: fields.Float,
    int: fields.Integer,
    bool: fields.Boolean,
    str: fields.String,
}


def _term_field(term: vocabulary.Term[Any]) -> fields.Field[Any]:
    """A public term of `fitcheck.vocabulary` as a field, with its description."""
    kwargs: dict[str, Any] = {}
    if term.choices:
        kwargs["validate"] = validate.OneOf([str(choice) for choice in term.choices])
    return _TERM_FIELDS[term.kind](
        required=True, allow_none=True, metadata={"description": term.description}, **kwargs
    )


def _terms_schema(
    name: str, terms: Sequence[vocabulary.Term[Any]], **extra: fields.Field[Any]
) -> type[ma.Schema]:
    """A schema of the vocabulary's terms (and `extra` fields first), named for the
    OpenAPI document."""
    declared = {**extra, **{term.name: _term_field(term) for term in terms}}
    return type(name, (ma.Schema,), declared)


TraitResultSchema = _terms_schema(
    "TraitResultSchema",
    vocabulary.TRAIT_TERMS,
    key=fields.String(required=True),
    label=fields.String(required=True, metadata={"description": "In the request's language."}),
    label_en=fields.String(required=True),
    label_ja=fields.String(required=True),
)
FitSchema = _terms_schema("FitSchema", vocabulary.ROUND_TERMS)


def _choice(values: Sequence[str]) -> fields.String:
    """One of a few strings (an enum's value the vocabulary already wrote out)."""
    return fields.String(required=True, validate=validate.OneOf([str(v) for v in values]))


class PreviousRoundSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"description": "Empty when it has none."})
    kind = _choice(tuple(Kind))
    revealed_at = fields.DateTime(required=True, format="iso")


class ChangeSchema(ma.Schema):
    previous = _number("The last round's value.")
    current = _number("This round's value.")
    delta = _number("current − previous; null unless both exist.")
    no_change = _flag(
        "The change is below the annual review's step (R/8: 12.5 points of S, 1/8 of a "
        "level; docs/fit-model.md §10), so it reads as no change."
    )


class TraitChangeSchema(ma.Schema):
    key = fields.String(required=True)
    status = fields.String(
        required=True,
        validate=validate.OneOf([str(status) for status in vocabulary.TRAIT_STATUSES]),
        metadata={
            "description": "kept, added (not in the last round) or retired (not in this one)."
        },
    )
    us = fields.Nested(ChangeSchema, required=True)
    them = fields.Nested(ChangeSchema, required=True)
    gap = fields.Nested(ChangeSchema, required=True)


def _changed(with_traits: bool) -> dict[str, fields.Field[Any]]:
    declared: dict[str, fields.Field[Any]] = {
        name: fields.Nested(ChangeSchema, required=True) for name in vocabulary.CHANGED
    }
    declared["previous_verdict"] = _choice(tuple(Verdict))
    declared["verdict"] = _choice(tuple(Verdict))
    if with_traits:
        declared["traits"] = fields.List(fields.Nested(TraitChangeSchema), required=True)
    return declared


RoundChangeSchema = type("RoundChangeSchema", (ma.Schema,), _changed(with_traits=True))


class ResponseStyleSchema(ma.Schema):
    mean = _number(
        "Mean over the traits of (this side's self-view − the other side's view of it): "
        "below 0 modest, above 0 self-enhancing; null without such a trait."
    )
    sd = _number("Its spread (SD) over the traits; null below two traits.")
    traits = fields.Integer(required=True, metadata={"description": "Traits it is taken over."})
    leaning = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf([str(leaning) for leaning in norms.Leaning]),
        metadata={"description": "modest or self_enhancing when |mean| ≥ R/8, else neutral."},
    )


class ResponseStylesSchema(ma.Schema):
    company = fields.Nested(ResponseStyleSchema, required=True)
    client = fields.Nested(ResponseStyleSchema, required=True)


class NormsSchema(ma.Schema):
    distinctive_r = _number(
        "Furr's distinctive profile correlation: us and them each minus the workspace's "
        "normative profile, then correlated. Null when missing."
    )
    traits = fields.Integer(required=True, metadata={"description": "Traits correlated."})
    rounds = fields.Integer(
        required=True,
        metadata={"description": "Revealed rounds of the workspace sharing a trait with it."},
    )
    missing = fields.String(
        required=True,
        allow_none=True,
        validate=validate.OneOf([str(missing) for missing in norms.Missing]),
        metadata={
            "description": f"few_rounds (no trait has a norm from {norms.MIN_NORM_ROUNDS} "
            f"rounds), few_traits (fewer than {norms.MIN_DISTINCTIVE_TRAITS}), flat; null "
            "when given."
        },
    )


class ResultsSchema(ma.Schema):
    assessment = fields.Nested(AssessmentSummarySchema, required=True)
    scale = fields.Nested(ScaleSchema, required=True)
    responses = fields.Nested(ResponseCountsSchema, required=True)
    traits = fields.List(fields.Nested(TraitResultSchema), required=True)
    fit = fields.Nested(FitSchema, required=True)
    previous_round = fields.Nested(
        PreviousRoundSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The round compared with; null for a partner's first round."},
    )
    change = fields.Nested(
        RoundChangeSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The change since `previous_round`; null without one."},
    )
    response_style = fields.Nested(ResponseStylesSchema, required=True)
    norms = fields.Nested(NormsSchema, required=True)


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
    revenue = fields.Float(required=True, allow_none=True)
    note = fields.String(required=True)
    is_demo = fields.Boolean(
        required=True,
        metadata={"description": "Generated for the demo workspace, not observed."},
    )


# --------------------------------------------------------------------------------------------
# A partner's timeline
# --------------------------------------------------------------------------------------------


RoundChangeSummarySchema = type(
    "RoundChangeSummarySchema", (ma.Schema,), _changed(with_traits=False)
)

TimelineRoundSchema = _terms_schema(
    "TimelineRoundSchema",
    vocabulary.HEADLINE_TERMS,
    assessment_id=fields.Integer(required=True),
    kind=_enum(Kind, required=True),
    title=fields.String(
        required=True,
        metadata={"description": "The round's title; empty when it has none."},
    ),
    revealed_at=fields.DateTime(required=True, format="iso"),
    scale=fields.Nested(ScaleSchema, required=True),
    previous_assessment_id=fields.Integer(
        required=True,
        allow_none=True,
        metadata={
            "description": "The round this one is compared with (its last round): the round "
            "it continues when that one is revealed, else the partner's latest round revealed "
            "before it on the same rating scale; null when there is none."
        },
    ),
    change=fields.Nested(
        RoundChangeSummarySchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "Since the round `previous_assessment_id`, as in its results "
            "(without the traits); null when there is none (the first round, or no earlier "
            "round on the same rating scale)."
        },
    ),
)


class TimelineSchema(ma.Schema):
    partner = fields.Nested(PartnerSchema, required=True)
    rounds = fields.List(
        fields.Nested(TimelineRoundSchema),
        required=True,
        metadata={"description": "Every revealed (or archived) round, oldest first."},
    )


# --------------------------------------------------------------------------------------------
# The portfolio analysis ("does like attract like here?")
# --------------------------------------------------------------------------------------------

SCALE_PARAMETER = r"^[0-9]{1,2}-[0-9]{1,2}$"


class ScaleParameter(fields.String):
    """`lo-hi` in a query string, e.g. `1-5`, loaded as the tuple `(lo, hi)`."""

    def _deserialize(self, value: Any, attr: str | None, data: Any, **kwargs: Any) -> Any:
        text = super()._deserialize(value, attr, data, **kwargs)
        if not re.match(SCALE_PARAMETER, text):
            raise ma.ValidationError("Not a valid scale: lo-hi, e.g. 1-5.")
        lo, _dash, hi = text.partition("-")
        return (int(lo), int(hi))


class AnalysisQuerySchema(ma.Schema):
    measure = _enum(
        Measure,
        "The outcome that is Z: satisfaction (0..10), renewed or contract_signed (1 yes, 0 "
        "no), or revenue. Default satisfaction.",
        load_default=Measure.SATISFACTION,
    )
    # No load_default=None for these two: it would document them as nullable, and a query
    # string has no null. Absent is absent.
    kind = _enum(Kind, "Only rounds of this kind; both kinds when absent.")
    scale = ScaleParameter(
        metadata={
            "pattern": SCALE_PARAMETER,
            "description": "The rating scale `lo-hi` whose rounds are analysed, e.g. `1-5`. "
            "Absent, or a scale no paired round uses: the most used one.",
        },
    )


def _code(enum: type[Any], description: str, **kwargs: Any) -> fields.String:
    """A code of the portfolio test, exported as its plain string by `Analysis.to_dict`."""
    return fields.String(
        validate=validate.OneOf([member.value for member in enum]),
        metadata={"description": description},
        **kwargs,
    )


def _interval(description: str) -> fields.List[float]:
    return fields.List(
        fields.Float(),
        required=True,
        allow_none=True,
        validate=validate.Length(equal=2),
        metadata={"description": description},
    )


class EstimateSchema(ma.Schema):
    value = fields.Float(required=True, metadata={"description": "The point estimate."})
    se = _number(
        "Standard error (of the kind `regression.standard_errors` names); null for a perfect "
        "fit (nothing to test with)."
    )
    t = _number("t statistic; null for a perfect fit.")
    p = _number("Two-sided p-value (t with `regression.df_inference` df); null for a perfect fit.")
    ci = _interval("The 95% CI [low, high]; null for a perfect fit.")


def _estimate(description: str) -> fields.Nested:
    return fields.Nested(EstimateSchema, required=True, metadata={"description": description})


class CoefficientsSchema(ma.Schema):
    b0 = _estimate("Intercept.")
    b1 = _estimate("Coefficient of X.")
    b2 = _estimate("Coefficient of Y.")
    b3 = _estimate("Coefficient of X².")
    b4 = _estimate("Coefficient of X·Y.")
    b5 = _estimate("Coefficient of Y².")


class RegressionSchema(ma.Schema):
    n = fields.Integer(required=True, metadata={"description": "Rounds in the fit."})
    df_resid = fields.Integer(required=True, metadata={"description": "Residual df, n − 6."})
    r_squared = fields.Float(required=True)
    r_squared_adj = _number("Adjusted R²; null for a perfect fit.")
    f_p = _number("p-value of the overall F-test; null for a perfect fit.")
    perfect_fit = fields.Boolean(
        required=True,
        metadata={
            "description": "No residual df or R² = 1: the estimates stand, every SE, t, p and "
            "CI is null."
        },
    )
    b = fields.Nested(
        CoefficientsSchema,
        required=True,
        metadata={"description": "Z = b0 + b1·X + b2·Y + b3·X² + b4·X·Y + b5·Y² + e."},
    )
    standard_errors = _code(
        StandardErrors,
        "Where every SE, t, p and CI comes from: classical (OLS), hc3 (a 0/1 outcome) or "
        "cluster (CR1 by partner, when a partner contributes several rounds). R² and the F "
        "test are the classical ones in every case.",
        required=True,
    )
    linear_probability = fields.Boolean(
        required=True,
        metadata={"description": "The outcome is 0/1, fitted as a linear probability model."},
    )
    clusters = fields.Integer(
        required=True,
        allow_none=True,
        metadata={"description": "G, the partners clustered by; null unless cluster."},
    )
    df_inference = fields.Integer(
        required=True,
        metadata={"description": "df of the t reference: n − 6, or G − 1 when clustered."},
    )


class SurfaceParametersSchema(ma.Schema):
    a1 = _estimate("b1 + b2: slope along the line of congruence X = Y.")
    a2 = _estimate("b3 + b4 + b5: curvature along X = Y.")
    a3 = _estimate("b1 − b2: slope along the line of incongruence X = −Y.")
    a4 = _estimate("b3 − b4 + b5: curvature along X = −Y.")


class BootstrappedSchema(ma.Schema):
    value = _number("The point estimate; null when undefined.")
    ci = _interval(
        "The 95% percentile bootstrap CI [low, high]; null when undefined or when fewer than "
        f"{MIN_BOOTSTRAP_USED} resamples could be used."
    )


def _bootstrapped(description: str) -> fields.Nested:
    return fields.Nested(BootstrappedSchema, required=True, metadata={"description": description})


class PrincipalAxisSchema(ma.Schema):
    x0 = _bootstrapped("X0 of the stationary point.")
    y0 = _bootstrapped("Y0 of the stationary point.")
    p11 = _bootstrapped("Slope of the first principal axis Y = p10 + p11·X.")
    p10 = _bootstrapped("Intercept of the first principal axis.")
    rounds = fields.Integer(required=True, metadata={"description": "Bootstrap resamples drawn."})
    used = fields.Integer(
        required=True, metadata={"description": "Resamples whose axis is defined."}
    )
    seed = fields.Integer(required=True, metadata={"description": "Seed of the resampling."})
    by_partner = fields.Boolean(
        required=True,
        metadata={
            "description": "Each resample draws whole partners (all their rounds), as the "
            "cluster-robust SEs assume; otherwise rounds."
        },
    )


class CorrelationSchema(ma.Schema):
    n = fields.Integer(required=True, metadata={"description": "Rounds with an S."})
    r = _number("Pearson's r of S with Z; null below 4 rounds or when S or Z is flat.")
    ci = _interval("Its 95% CI by Fisher z [low, high]; null with r.")


class AnalysisSchema(ma.Schema):
    n = fields.Integer(required=True, metadata={"description": "Rounds analysed."})
    partners = fields.Integer(required=True, metadata={"description": "Partners among them."})
    small_sample = fields.Boolean(
        required=True,
        metadata={"description": "n < 30: every number is preliminary; the verdict is too_few."},
    )
    fitted = fields.Boolean(required=True, metadata={"description": "Whether anything is fitted."})
    reason = _code(
        NotFitted,
        "Why nothing is fitted (too_few_rounds: n < 6); null when fitted.",
        required=True,
        allow_none=True,
    )
    verdict = _code(
        PortfolioVerdict,
        "What the data are consistent with, by the verdict table of docs/fit-model.md §11: "
        "too_few, supported, level_only, one_side_matters, not_supported; untestable (an "
        "exact fit) or not_enough_data (nothing fitted).",
        required=True,
    )
    view = _code(
        View,
        "For one_side_matters: whose view goes with the outcome — us (X: the company as the "
        "client sees it) or them (Y: the client as the company sees it); else null.",
        required=True,
        allow_none=True,
    )
    failures = fields.List(
        _code(FailedCondition, "A condition that does not hold."),
        required=True,
        metadata={"description": "The conditions of “like attracts like” that do not hold."},
    )
    regression = fields.Nested(
        RegressionSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The OLS fit; null when nothing is fitted."},
    )
    surface = fields.Nested(
        SurfaceParametersSchema,
        required=True,
        allow_none=True,
        metadata={"description": "Response-surface parameters; null when nothing is fitted."},
    )
    axis = fields.Nested(
        PrincipalAxisSchema,
        required=True,
        allow_none=True,
        metadata={
            "description": "Stationary point and first principal axis; null when nothing is fitted."
        },
    )
    similarity = fields.Nested(CorrelationSchema, required=True)


class LeftOutSchema(ma.Schema):
    no_outcome = fields.Integer(
        required=True,
        metadata={
            "description": "Rounds with no outcome recording the measure between their "
            "reveal and the partner's next one."
        },
    )
    other_scale = fields.Integer(
        required=True, metadata={"description": "Rounds rated on another scale."}
    )
    no_mirror = fields.Integer(
        required=True,
        metadata={"description": "Rounds with a side withheld or no trait both sides rated."},
    )


class PairedRoundSchema(ma.Schema):
    partner_id = fields.Integer(required=True)
    assessment_id = fields.Integer(required=True)
    period = fields.String(required=True, metadata={"description": "The outcome's period."})
    x = fields.Float(required=True, metadata={"description": "X = wmean(us) − mid."})
    y = fields.Float(required=True, metadata={"description": "Y = wmean(them) − mid."})
    z = fields.Float(required=True, metadata={"description": "Z: the outcome's measure."})
    s = _number("The round's mirror score S.")


class PortfolioAnalysisSchema(ma.Schema):
    measure = _enum(Measure, required=True)
    kind = _enum(Kind, "The kind analysed; null: both.", required=True, allow_none=True)
    scale = fields.Nested(
        ScaleSchema,
        required=True,
        allow_none=True,
        metadata={"description": "The scale analysed; null when no round has an outcome."},
    )
    scales = fields.List(
        fields.Nested(ScaleSchema),
        required=True,
        metadata={"description": "Every scale of the paired rounds, most used first."},
    )
    left_out = fields.Nested(LeftOutSchema, required=True)
    rounds = fields.List(
        fields.Nested(PairedRoundSchema),
        required=True,
        metadata={"description": "The rounds analysed, by partner, oldest first."},
    )
    analysis = fields.Nested(AnalysisSchema, required=True)
