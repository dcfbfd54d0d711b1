"""The portfolio analysis ("does like attract like here?"): its query and the plain export
of `fitcheck.portfolio.Analysis`, field by field."""

from __future__ import annotations

import re
from typing import Any

import marshmallow as ma
from marshmallow import fields, validate

from ...models import Kind
from ...portfolio import (
    MIN_BOOTSTRAP_USED,
    FailedCondition,
    NotFitted,
    PortfolioVerdict,
    StandardErrors,
    View,
)
from ...services.analysis import Measure
from .common import (
    ScaleSchema,
    enum_field,
    number_field,
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
    measure = enum_field(
        Measure,
        "The outcome that is Z: satisfaction (0..10), renewed or contract_signed (1 yes, 0 "
        "no), or revenue. Default satisfaction.",
        load_default=Measure.SATISFACTION,
    )
    # No load_default=None for these two: it would document them as nullable, and a query
    # string has no null. Absent is absent.
    kind = enum_field(Kind, "Only rounds of this kind; both kinds when absent.")
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
    se = number_field(
        "Standard error (of the kind `regression.standard_errors` names); null for a perfect "
        "fit (nothing to test with)."
    )
    t = number_field("t statistic; null for a perfect fit.")
    p = number_field(
        "Two-sided p-value (t with `regression.df_inference` df); null for a perfect fit."
    )
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
    r_squared_adj = number_field("Adjusted R²; null for a perfect fit.")
    f_p = number_field("p-value of the overall F-test; null for a perfect fit.")
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
    value = number_field("The point estimate; null when undefined.")
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
    r = number_field("Pearson's r of S with Z; null below 4 rounds or when S or Z is flat.")
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
    pending = fields.Integer(
        required=True,
        metadata={
            "description": "Rounds not summarised yet (after an upgrade): the worker computes "
            "them within a minute or so; ask again."
        },
    )


class PairedRoundSchema(ma.Schema):
    partner_id = fields.Integer(required=True)
    assessment_id = fields.Integer(required=True)
    period = fields.String(required=True, metadata={"description": "The outcome's period."})
    x = fields.Float(required=True, metadata={"description": "X = wmean(us) − mid."})
    y = fields.Float(required=True, metadata={"description": "Y = wmean(them) − mid."})
    z = fields.Float(required=True, metadata={"description": "Z: the outcome's measure."})
    s = number_field("The round's mirror score S.")


class PortfolioAnalysisSchema(ma.Schema):
    measure = enum_field(Measure, required=True)
    currency = fields.String(
        required=True,
        allow_none=True,
        metadata={
            "description": "For the measure revenue, the ISO 4217 code of the workspace's "
            "currency, which Z is in; null for the other measures.",
            "example": "JPY",
        },
    )
    kind = enum_field(Kind, "The kind analysed; null: both.", required=True, allow_none=True)
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
