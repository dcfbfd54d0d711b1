"""The documents of a revealed round — its results with the last round and the change,
each side's response style and the norms — and of a partner's timeline, with the fields of
`fitcheck.vocabulary`: the names and descriptions the exports use too."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ... import norms, vocabulary
from ...fit import Verdict
from ...models import Kind, State
from .common import (
    ScaleSchema,
    enum_field,
    flag_field,
    number_field,
    terms_schema,
)
from .requests import PartnerSchema


class AssessmentSummarySchema(ma.Schema):
    id = fields.Integer(required=True)
    state = enum_field(State, required=True)
    kind = enum_field(Kind, required=True)


class ResponseCountsSchema(ma.Schema):
    company = fields.Integer(required=True, metadata={"description": "Submitted responses."})
    client = fields.Integer(required=True, metadata={"description": "Submitted responses."})


TraitResultSchema = terms_schema(
    "TraitResultSchema",
    vocabulary.TRAIT_TERMS,
    key=fields.String(required=True),
    label=fields.String(required=True, metadata={"description": "In the request's language."}),
    label_en=fields.String(required=True),
    label_ja=fields.String(required=True),
)
FitSchema = terms_schema("FitSchema", vocabulary.ROUND_TERMS)


def choice_field(values: Sequence[str]) -> fields.String:
    """One of a few strings (an enum's value the vocabulary already wrote out)."""
    return fields.String(required=True, validate=validate.OneOf([str(v) for v in values]))


class PreviousRoundSchema(ma.Schema):
    id = fields.Integer(required=True)
    title = fields.String(required=True, metadata={"description": "Empty when it has none."})
    kind = choice_field(tuple(Kind))
    revealed_at = fields.DateTime(required=True, format="iso")


class ChangeSchema(ma.Schema):
    previous = number_field("The last round's value.")
    current = number_field("This round's value.")
    delta = number_field("current − previous; null unless both exist.")
    no_change = flag_field(
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
    declared["previous_verdict"] = choice_field(tuple(Verdict))
    declared["verdict"] = choice_field(tuple(Verdict))
    if with_traits:
        declared["traits"] = fields.List(fields.Nested(TraitChangeSchema), required=True)
    return declared


RoundChangeSchema = type("RoundChangeSchema", (ma.Schema,), _changed(with_traits=True))


class ResponseStyleSchema(ma.Schema):
    mean = number_field(
        "Mean over the traits of (this side's self-view − the other side's view of it): "
        "below 0 modest, above 0 self-enhancing; null without such a trait."
    )
    sd = number_field("Its spread (SD) over the traits; null below two traits.")
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
    distinctive_r = number_field(
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
# A partner's timeline
# --------------------------------------------------------------------------------------------


RoundChangeSummarySchema = type(
    "RoundChangeSummarySchema", (ma.Schema,), _changed(with_traits=False)
)

TimelineRoundSchema = terms_schema(
    "TimelineRoundSchema",
    vocabulary.HEADLINE_TERMS,
    assessment_id=fields.Integer(required=True),
    kind=enum_field(Kind, required=True),
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
