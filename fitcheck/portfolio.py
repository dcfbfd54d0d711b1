"""The portfolio test: across a company's partners, does like attract like?

This module owns FIT_MODEL.md §"Portfolio: does like attract like here?" and nothing else.
Each round of a partner with an outcome recorded after it is one :class:`Observation`
``(X, Y, Z)``; :func:`analyse` fits the polynomial regression

    Z = b0 + b1·X + b2·Y + b3·X² + b4·X·Y + b5·Y² + e

with statsmodels, derives the response-surface parameters of Shanock et al. (2010), the
stationary point and first principal axis (with bootstrap CIs), and applies the criteria of
Humberg, Nestler & Back (2019) for "like attracts like".

It is pure on purpose: numpy, statsmodels and the standard library (plus the pure fit model
for :meth:`Observation.from_result`); no Flask, SQLAlchemy or plotly, no I/O and no
user-facing text. Results carry codes (:class:`PortfolioVerdict`, :class:`FailedCondition`,
:class:`NotFitted`); labels are chosen at render time.

Entry points:

- :func:`analyse` — the whole test, from observations to a verdict.
- :func:`surface_parameters`, :func:`stationary_point`, :func:`first_principal_axis` — the
  formulas of §"Portfolio" from given coefficients b1..b5.
- :func:`surface_grid` — the fitted surface on a grid, for a chart to draw.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum, StrEnum
from typing import Any, TypeAlias

import numpy as np
from numpy.typing import NDArray
from statsmodels.regression.linear_model import OLS

from fitcheck.fit import FitResult, portfolio_point

__all__ = [
    "Analysis",
    "Bootstrapped",
    "Coefficients",
    "Correlation",
    "Estimate",
    "FailedCondition",
    "NotFitted",
    "Observation",
    "PortfolioVerdict",
    "PrincipalAxis",
    "Regression",
    "StandardErrors",
    "SurfaceParameters",
    "View",
    "analyse",
    "first_principal_axis",
    "stationary_point",
    "surface_grid",
    "surface_parameters",
]

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None
FloatArray: TypeAlias = NDArray[np.float64]
IntArray: TypeAlias = NDArray[np.int64]

#: §"Portfolio": nothing is fitted below this many rounds (six coefficients).
MIN_ROUNDS = 6
#: §"Portfolio": below this many rounds a small-sample warning stands beside every number.
SMALL_SAMPLE_BELOW = 30
#: Significance level of every test and 1 − coverage of every CI.
ALPHA = 0.05
#: Two-sided 95% normal quantile for the Fisher-z interval (the same as ``fit.Z_95``).
Z_95 = 1.96
#: Pearson's r of S with Z needs n ≥ 4 for its Fisher-z CI (1/sqrt(n − 3)).
MIN_SIMILARITY_ROUNDS = 4
#: Percentile CIs from fewer usable bootstrap resamples are not reported: their 2.5% and
#: 97.5% quantiles would rest on two or three values.
MIN_BOOTSTRAP_USED = 100
#: §"Portfolio": the axis counts as defined only when at least this share of the bootstrap
#: resamples gave one; a CI over the few resamples that happen to work says little.
MIN_BOOTSTRAP_SHARE = 0.9

# A design (columns scaled to unit RMS) with a condition number above 1e6 cannot separate
# the six terms: rank-deficient up to rounding, e.g. every round on the diagonal X = Y.
# Compared on the Gram matrix, whose condition number is the square.
_GRAM_CONDITION_LIMIT = 1e12
# "~0" for b4 and for 4·b3·b5 − b4², relative to the size of the terms they are made of.
_NEAR_ZERO = 1e-10
# R² within this of 1: the residuals are rounding noise, so SEs, t and p would be noise too.
_PERFECT_FIT = 1e-12
# Bootstrap resamples drawn per batch; fixed, because it is part of what the seed reproduces.
_BATCH = 256

# Rows c with a = c·b (b0..b5), §"Portfolio" after Shanock et al. (2010).
_CONTRASTS = np.array(
    [
        [0.0, 1.0, 1.0, 0.0, 0.0, 0.0],  # a1 = b1 + b2
        [0.0, 0.0, 0.0, 1.0, 1.0, 1.0],  # a2 = b3 + b4 + b5
        [0.0, 1.0, -1.0, 0.0, 0.0, 0.0],  # a3 = b1 − b2
        [0.0, 0.0, 0.0, 1.0, -1.0, 1.0],  # a4 = b3 − b4 + b5
    ]
)


# --------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------


class PortfolioVerdict(StrEnum):
    """Are the data consistent with like attracting like? The verdict table of §"Portfolio"
    (after Humberg, Nestler & Back 2019), first match wins."""

    TOO_FEW = "too_few"  # n < 30: the numbers are preliminary, no direction is claimed
    SUPPORTED = "supported"  # no failing condition (and the axis from ≥ 90 % of resamples)
    LEVEL_ONLY = "level_only"  # a4 not significant, a1 significant, the CI of a3 holds 0
    ONE_SIDE_MATTERS = "one_side_matters"  # a4 not significant, the CI of a3 excludes 0
    NOT_SUPPORTED = "not_supported"  # otherwise; see the failures
    UNTESTABLE = "untestable"  # fitted exactly: no residual variance or df to test with
    NOT_ENOUGH_DATA = "not_enough_data"  # nothing fitted; see the NotFitted reason


class FailedCondition(StrEnum):
    """A condition of "like attracts like" that the data do not meet."""

    NO_INCONGRUENCE_EFFECT = "no_incongruence_effect"  # not (a4 < 0 and p < .05)
    ASYMMETRIC = "asymmetric"  # the 95% CI of a3 excludes 0
    # p10/p11 or their CIs cannot be computed, or < 90 % of the resamples gave an axis
    AXIS_UNDEFINED = "axis_undefined"
    AXIS_NOT_THROUGH_ORIGIN = "axis_not_through_origin"  # the CI of p10 excludes 0
    AXIS_NOT_DIAGONAL = "axis_not_diagonal"  # the CI of p11 excludes 1


class View(StrEnum):
    """One side's view, as an axis of the portfolio (for `one_side_matters`)."""

    US = "us"  # X: the company as the client sees it
    THEM = "them"  # Y: the client as the company sees it


class StandardErrors(StrEnum):
    """Which covariance the SEs, t, p and CIs of b and a come from (§"Portfolio")."""

    CLASSICAL = "classical"  # OLS; every partner contributes one round at most
    HC3 = "hc3"  # a 0/1 outcome, fitted as a linear probability model
    CLUSTER = "cluster"  # CR1 by partner, t(G − 1): some partner contributes several rounds


class NotFitted(StrEnum):
    """Why :func:`analyse` fitted nothing."""

    TOO_FEW_ROUNDS = "too_few_rounds"  # n < MIN_ROUNDS
    CONSTANT_OUTCOME = "constant_outcome"  # every Z is equal: nothing to explain
    SINGULAR_DESIGN = "singular_design"  # the rounds cannot separate the six terms


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


def _finite(name: str, value: float) -> None:
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")


@dataclass(frozen=True, slots=True)
class Observation:
    """One round of one partner, §"Portfolio".

    ``x = wmean(us) − mid`` and ``y = wmean(them) − mid`` (the mirror's weighted means,
    see :func:`fitcheck.fit.portfolio_point`), ``z`` the outcome recorded after the round,
    ``s`` the round's similarity score S (optional; only Pearson's r of S with Z uses it).
    ``partner`` and ``label`` identify the round for the caller; the statistics ignore them
    except to count partners.
    """

    x: float
    y: float
    z: float
    partner: str | int
    label: str = ""
    s: float | None = None

    def __post_init__(self) -> None:
        _finite("x", self.x)
        _finite("y", self.y)
        _finite("z", self.z)
        if self.s is not None:
            _finite("s", self.s)

    @classmethod
    def from_result(
        cls, result: FitResult, *, outcome: float, partner: str | int, label: str = ""
    ) -> Observation | None:
        """The observation of a round's :class:`~fitcheck.fit.FitResult`, ``None`` when the
        mirror has no data (a side withheld, or T' = 0)."""
        point = portfolio_point(result)
        if point is None:
            return None
        x, y = point
        s = result.mirror.similarity
        return cls(x=x, y=y, z=outcome, partner=partner, label=label, s=s)


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Estimate:
    """An estimate with its SE, t, two-sided p (t with the residual df) and 95% CI.

    The inferential fields are ``None`` when the fit leaves nothing to test with
    (:attr:`Regression.perfect_fit`).
    """

    value: float
    se: float | None
    t: float | None
    p: float | None
    ci: tuple[float, float] | None

    @property
    def significant(self) -> bool:
        """``p < .05``; ``False`` when there is no p."""
        return self.p is not None and self.p < ALPHA


@dataclass(frozen=True, slots=True)
class Coefficients:
    """b0..b5 of ``Z = b0 + b1·X + b2·Y + b3·X² + b4·X·Y + b5·Y² + e``."""

    b0: Estimate
    b1: Estimate
    b2: Estimate
    b3: Estimate
    b4: Estimate
    b5: Estimate

    def values(self) -> tuple[float, float, float, float, float, float]:
        """The point estimates ``(b0, …, b5)``."""
        return (
            self.b0.value,
            self.b1.value,
            self.b2.value,
            self.b3.value,
            self.b4.value,
            self.b5.value,
        )


@dataclass(frozen=True, slots=True)
class Regression:
    """The OLS fit of §"Portfolio".

    ``standard_errors`` says where every SE, t, p and CI comes from; ``df_inference`` is the
    df of their t reference (n − 6, or G − 1 with ``clusters`` = G partners).
    ``linear_probability``: the outcome is 0/1, fitted as a linear probability model. R²,
    adjusted R² and the F test are the classical ones whatever the SEs.

    ``perfect_fit``: no residual df (n = 6) or R² equal to 1 up to rounding; the estimates
    stand, but every SE, t, p and CI is ``None``, and so are adjusted R² and the F-test p.
    Every round from one partner leaves the estimates without inference too (``tested`` is
    False), while R², adjusted R² and the F test stay.
    """

    n: int
    df_resid: int
    r_squared: float
    r_squared_adj: float | None
    f_p: float | None
    perfect_fit: bool
    b: Coefficients
    standard_errors: StandardErrors
    linear_probability: bool
    clusters: int | None
    df_inference: int

    @property
    def tested(self) -> bool:
        """Whether the estimates carry SEs, p-values and CIs: not for a perfect fit, nor
        when every round comes from one partner (a clustered t has no df then)."""
        return self.b.b0.se is not None


@dataclass(frozen=True, slots=True)
class SurfaceParameters:
    """Shanock et al. (2010), §"Portfolio", each with SE ``sqrt(c'·V·c)`` from the
    coefficient covariance V.

    Along the line of congruence X = Y: slope ``a1 = b1 + b2``, curvature
    ``a2 = b3 + b4 + b5``; along the line of incongruence X = −Y: slope ``a3 = b1 − b2``,
    curvature ``a4 = b3 − b4 + b5``.
    """

    a1: Estimate
    a2: Estimate
    a3: Estimate
    a4: Estimate


@dataclass(frozen=True, slots=True)
class Bootstrapped:
    """A point estimate with its 95% percentile bootstrap CI; ``None`` when undefined."""

    value: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class PrincipalAxis:
    """Stationary point (X0, Y0) and first principal axis ``Y = p10 + p11·X``, §"Portfolio".

    CIs are percentiles over ``used`` of the ``rounds`` bootstrap resamples, each drawing
    rounds with replacement, or whole partners (all their rounds) when ``by_partner``. A
    resample is skipped when its fit is singular or b4 or ``4·b3·b5 − b4²`` is ~0; a CI
    needs at least :data:`MIN_BOOTSTRAP_USED` resamples, and the axis counts as defined
    (``enough``) only with :data:`MIN_BOOTSTRAP_SHARE` of them usable.
    """

    x0: Bootstrapped
    y0: Bootstrapped
    p11: Bootstrapped
    p10: Bootstrapped
    rounds: int
    used: int
    seed: int
    by_partner: bool

    @property
    def enough(self) -> bool:
        return self.rounds > 0 and self.used >= MIN_BOOTSTRAP_SHARE * self.rounds


@dataclass(frozen=True, slots=True)
class Correlation:
    """Pearson's r of S with Z over the ``n`` rounds that have S, with its 95% CI by
    Fisher z, ``tanh(atanh(r) ± 1.96/sqrt(n − 3))``; ``None`` when n < 4 or S or Z is flat.
    """

    n: int
    r: float | None
    ci: tuple[float, float] | None


@dataclass(frozen=True, slots=True)
class Analysis:
    """Everything :func:`analyse` found, §"Portfolio".

    ``n`` is the number of rounds, reported even when nothing is fitted (``fitted`` is
    ``False`` and ``reason`` says why). ``small_sample`` (n < 30) marks every number as
    preliminary, and the verdict is then ``too_few``. ``verdict`` sums up ``failures``, the
    conditions of "like attracts like" that do not hold, in the order of §"Portfolio";
    ``view`` names the side whose view goes with the outcome for ``one_side_matters``.
    """

    n: int
    partners: int
    small_sample: bool
    fitted: bool
    reason: NotFitted | None
    verdict: PortfolioVerdict
    failures: tuple[FailedCondition, ...]
    view: View | None
    regression: Regression | None
    surface: SurfaceParameters | None
    axis: PrincipalAxis | None
    similarity: Correlation

    def to_dict(self) -> dict[str, JSONValue]:
        """Plain types for JSON exports and the API (enums as their codes)."""
        plain = _plain(self)
        assert isinstance(plain, dict)
        return plain


# --------------------------------------------------------------------------------------------
# Formulas from given coefficients
# --------------------------------------------------------------------------------------------


def surface_parameters(
    b1: float, b2: float, b3: float, b4: float, b5: float
) -> tuple[float, float, float, float]:
    """``(a1, a2, a3, a4)`` of §"Portfolio" (Shanock et al. 2010)."""
    return (b1 + b2, b3 + b4 + b5, b1 - b2, b3 - b4 + b5)


def stationary_point(
    b1: float, b2: float, b3: float, b4: float, b5: float
) -> tuple[float, float] | None:
    """``(X0, Y0)`` of §"Portfolio"; ``None`` when ``4·b3·b5 − b4²`` is ~0 (no single
    stationary point: a plane, or a ridge running to infinity)."""
    x0, y0, _, _ = _axis(np.array([[0.0, b1, b2, b3, b4, b5]]))
    return (float(x0[0]), float(y0[0])) if math.isfinite(x0[0]) else None


def first_principal_axis(
    b1: float, b2: float, b3: float, b4: float, b5: float
) -> tuple[float, float] | None:
    """``(p11, p10)`` of §"Portfolio": slope ``(b5 − b3 + sqrt((b3 − b5)² + b4²))/b4`` and
    intercept ``Y0 − p11·X0``; ``None`` when b4 or ``4·b3·b5 − b4²`` is ~0."""
    _, _, p11, p10 = _axis(np.array([[0.0, b1, b2, b3, b4, b5]]))
    return (float(p11[0]), float(p10[0])) if math.isfinite(p10[0]) else None


def _axis(b: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
    """X0, Y0, p11, p10 for each row b0..b5 of ``b``; NaN where undefined.

    One vectorised implementation serves the point estimate and every bootstrap resample, so
    both apply the same "~0" rule. Only defined rows are divided, so numpy never warns.
    """
    b1, b2, b3, b4, b5 = (b[:, i] for i in range(1, 6))
    denominator = 4 * b3 * b5 - b4**2
    stationary = np.abs(denominator) > _NEAR_ZERO * (4 * np.abs(b3 * b5) + b4**2)
    sloped = np.abs(b4) > _NEAR_ZERO * (np.abs(b3) + np.abs(b4) + np.abs(b5))
    x0 = np.full(len(b), np.nan)
    y0 = np.full(len(b), np.nan)
    p11 = np.full(len(b), np.nan)
    s = stationary
    x0[s] = (b2[s] * b4[s] - 2 * b1[s] * b5[s]) / denominator[s]
    y0[s] = (b1[s] * b4[s] - 2 * b2[s] * b3[s]) / denominator[s]
    d = b5 - b3
    root = np.sqrt(d**2 + b4**2)
    # (d + root)/b4 equals b4/(root − d); each form avoids cancellation on its side of d = 0.
    up = sloped & (d >= 0)
    down = sloped & (d < 0)
    p11[up] = (d[up] + root[up]) / b4[up]
    p11[down] = b4[down] / (root[down] - d[down])
    p10 = y0 - p11 * x0  # NaN wherever either part is undefined
    return x0, y0, p11, p10


# --------------------------------------------------------------------------------------------
# Fitting
# --------------------------------------------------------------------------------------------


def _design(x: FloatArray, y: FloatArray) -> FloatArray:
    return np.column_stack([np.ones_like(x), x, y, x**2, x * y, y**2])


def _singular(gram: FloatArray) -> NDArray[np.bool_]:
    """Per Gram matrix (k × 6 × 6, columns scaled to unit RMS): can it not be inverted?"""
    eigenvalues = np.linalg.eigvalsh(gram)
    return eigenvalues[:, 0] * _GRAM_CONDITION_LIMIT <= eigenvalues[:, -1]


def _estimate(value: float, se: float, t: float, p: float, ci: FloatArray) -> Estimate:
    return Estimate(
        value=float(value), se=float(se), t=float(t), p=float(p), ci=(float(ci[0]), float(ci[1]))
    )


def _bare(value: float) -> Estimate:
    return Estimate(value=float(value), se=None, t=None, p=None, ci=None)


def _standard_errors(groups: IntArray, *, binary: bool) -> StandardErrors:
    """§"Portfolio": by partner whenever one contributes several rounds; HC3 for a 0/1
    outcome otherwise; else the classical OLS covariance."""
    if len(np.unique(groups)) < len(groups):
        return StandardErrors.CLUSTER
    return StandardErrors.HC3 if binary else StandardErrors.CLASSICAL


def _fit(design: FloatArray, z: FloatArray, groups: IntArray, kind: StandardErrors) -> Any:
    model = OLS(z, design)
    if kind is StandardErrors.CLUSTER:
        # CR1 (statsmodels' default small-sample correction), t with G − 1 df.
        return model.fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    if kind is StandardErrors.HC3:
        return model.fit(cov_type="HC3", use_t=True)
    return model.fit()


def _regression(
    design: FloatArray, z: FloatArray, groups: IntArray, *, binary: bool
) -> tuple[Regression, SurfaceParameters]:
    n = len(z)
    classical = OLS(z, design).fit()
    params = np.asarray(classical.params, dtype=float)
    df_resid = n - design.shape[1]
    r_squared = float(classical.rsquared)
    a_values = _CONTRASTS @ params
    kind = _standard_errors(groups, binary=binary)
    clusters = len(np.unique(groups)) if kind is StandardErrors.CLUSTER else None
    # Exact fits would divide by a zero residual variance inside statsmodels; one partner
    # alone leaves a clustered t no df. Either way the estimates stand without inference.
    perfect = df_resid == 0 or 1 - r_squared <= _PERFECT_FIT
    result = None
    if not perfect and clusters != 1:
        result = _fit(design, z, groups, kind)
        if not np.all(np.isfinite(result.bse)):  # HC3 at a point of leverage 1
            result = None
    df_inference = clusters - 1 if clusters is not None else df_resid

    def regression(b: Coefficients) -> Regression:
        return Regression(
            n=n,
            df_resid=df_resid,
            r_squared=r_squared,
            r_squared_adj=None if perfect else float(classical.rsquared_adj),
            f_p=None if perfect else float(classical.f_pvalue),
            perfect_fit=perfect,
            b=b,
            standard_errors=kind,
            linear_probability=binary,
            clusters=clusters,
            df_inference=df_inference,
        )

    if result is None:
        bare = regression(Coefficients(*(_bare(v) for v in params)))
        return bare, SurfaceParameters(*(_bare(v) for v in a_values))
    ci = np.asarray(result.conf_int(alpha=ALPHA), dtype=float)
    b = Coefficients(
        *(
            _estimate(params[i], result.bse[i], result.tvalues[i], result.pvalues[i], ci[i])
            for i in range(design.shape[1])
        )
    )
    # t_test computes each a = c·b with SE sqrt(c'·V·c), t and p on the inference df.
    contrast = result.t_test(_CONTRASTS)
    a_ci = np.asarray(contrast.conf_int(alpha=ALPHA), dtype=float)
    effect, sd = np.ravel(contrast.effect), np.ravel(contrast.sd)
    tvalue, pvalue = np.ravel(contrast.tvalue), np.ravel(contrast.pvalue)
    surface = SurfaceParameters(
        *(_estimate(effect[i], sd[i], tvalue[i], pvalue[i], a_ci[i]) for i in range(4))
    )
    return regression(b), surface


def _bootstrap(
    design: FloatArray, z: FloatArray, groups: IntArray | None, rounds: int, seed: int
) -> FloatArray:
    """b0..b5 of every non-singular resample, one row per resample.

    A resample is a vector of counts (how often each round was drawn), so its normal
    equations are count-weighted sums of per-round outer products: one matrix product per
    batch instead of one regression per resample. With `groups` (a partner index per
    round), whole partners are drawn and each round counts as often as its partner.
    """
    n, k = design.shape
    units = n if groups is None else int(groups.max()) + 1
    scale = np.sqrt(np.mean(design**2, axis=0))
    scaled = design / scale
    outer = (scaled[:, :, None] * scaled[:, None, :]).reshape(n, k * k)
    cross = scaled * z[:, None]
    rng = np.random.default_rng(seed)
    found: list[FloatArray] = []
    for start in range(0, rounds, _BATCH):
        size = min(_BATCH, rounds - start)
        drawn = rng.integers(0, units, size=(size, units))
        flat = (drawn + units * np.arange(size)[:, None]).ravel()
        counts = np.bincount(flat, minlength=size * units).reshape(size, units).astype(float)
        if groups is not None:
            counts = counts[:, groups]
        gram = (counts @ outer).reshape(size, k, k)
        rhs = counts @ cross
        usable = ~_singular(gram)
        solved = np.linalg.solve(gram[usable], rhs[usable][:, :, None])[:, :, 0]
        found.append(solved / scale)
    return np.concatenate(found) if found else np.empty((0, k))


def _bootstrapped(value: float, resampled: FloatArray, enough: bool) -> Bootstrapped:
    if not math.isfinite(value):
        return Bootstrapped(value=None, ci=None)
    if not enough:
        return Bootstrapped(value=value, ci=None)
    lo, hi = np.percentile(resampled, [100 * ALPHA / 2, 100 * (1 - ALPHA / 2)])
    return Bootstrapped(value=value, ci=(float(lo), float(hi)))


def _principal_axis(
    design: FloatArray,
    z: FloatArray,
    params: FloatArray,
    groups: IntArray | None,
    rounds: int,
    seed: int,
) -> PrincipalAxis:
    point = _axis(params[None, :])
    resampled = _axis(_bootstrap(design, z, groups, rounds, seed))
    defined = np.isfinite(resampled[3])  # p10 is finite exactly when all four are
    used = int(defined.sum())
    enough = used >= MIN_BOOTSTRAP_USED
    x0, y0, p11, p10 = (
        _bootstrapped(float(p[0]), r[defined], enough)
        for p, r in zip(point, resampled, strict=True)
    )
    return PrincipalAxis(
        x0=x0,
        y0=y0,
        p11=p11,
        p10=p10,
        rounds=rounds,
        used=used,
        seed=seed,
        by_partner=groups is not None,
    )


def _correlation(observations: tuple[Observation, ...]) -> Correlation:
    pairs = [(o.s, o.z) for o in observations if o.s is not None]
    n = len(pairs)
    if n < MIN_SIMILARITY_ROUNDS:
        return Correlation(n=n, r=None, ci=None)
    s = np.array([p[0] for p in pairs])
    z = np.array([p[1] for p in pairs])
    if np.all(s == s[0]) or np.all(z == z[0]):
        return Correlation(n=n, r=None, ci=None)
    ds, dz = s - s.mean(), z - z.mean()
    spread = math.sqrt(float(ds @ ds) * float(dz @ dz))
    if spread == 0:  # spreads below float resolution
        return Correlation(n=n, r=None, ci=None)
    r = min(1.0, max(-1.0, float(ds @ dz) / spread))
    if abs(r) == 1:
        # atanh(±1) is infinite: a perfect correlation has a degenerate interval.
        return Correlation(n=n, r=r, ci=(r, r))
    centre, half = math.atanh(r), Z_95 / math.sqrt(n - 3)
    return Correlation(n=n, r=r, ci=(math.tanh(centre - half), math.tanh(centre + half)))


def _contains(ci: tuple[float, float], value: float) -> bool:
    return ci[0] <= value <= ci[1]


def _failures(surface: SurfaceParameters, axis: PrincipalAxis) -> tuple[FailedCondition, ...]:
    """The conditions of §"Portfolio" that the data do not meet, in its order."""
    assert surface.a3.ci is not None
    failures: list[FailedCondition] = []
    a4 = surface.a4
    if not (a4.value < 0 and a4.significant):
        failures.append(FailedCondition.NO_INCONGRUENCE_EFFECT)
    if not _contains(surface.a3.ci, 0.0):
        failures.append(FailedCondition.ASYMMETRIC)
    if axis.p10.ci is None or axis.p11.ci is None or not axis.enough:
        failures.append(FailedCondition.AXIS_UNDEFINED)
    else:
        if not _contains(axis.p10.ci, 0.0):
            failures.append(FailedCondition.AXIS_NOT_THROUGH_ORIGIN)
        if not _contains(axis.p11.ci, 1.0):
            failures.append(FailedCondition.AXIS_NOT_DIAGONAL)
    return tuple(failures)


def _verdict(
    n: int, surface: SurfaceParameters, failures: tuple[FailedCondition, ...]
) -> tuple[PortfolioVerdict, View | None]:
    """The verdict table of §"Portfolio", first match wins; with the side whose view goes
    with the outcome for `one_side_matters` (a3 > 0: X, the company as the client sees it)."""
    if n < SMALL_SAMPLE_BELOW:
        return PortfolioVerdict.TOO_FEW, None
    if not failures:
        return PortfolioVerdict.SUPPORTED, None
    a3 = surface.a3
    assert a3.ci is not None
    if not surface.a4.significant:
        if _contains(a3.ci, 0.0):
            if surface.a1.significant:
                return PortfolioVerdict.LEVEL_ONLY, None
        else:
            return PortfolioVerdict.ONE_SIDE_MATTERS, View.US if a3.value > 0 else View.THEM
    return PortfolioVerdict.NOT_SUPPORTED, None


def analyse(
    observations: Iterable[Observation],
    *,
    binary: bool | None = None,
    bootstrap: int = 2000,
    seed: int = 20261123,
) -> Analysis:
    """The portfolio test of §"Portfolio: does like attract like here?".

    ``binary``: the outcome is 0/1 (renewed, contract signed), fitted as a linear
    probability model with HC3 standard errors; None: when every Z is 0 or 1. When a
    partner contributes several rounds, the SEs are cluster-robust by partner and the
    bootstrap draws partners. ``bootstrap`` resamples (drawn with ``seed``, so the same
    input gives the same CIs) give the CIs of X0, Y0, p11 and p10; 0 skips them, and the
    verdict then fails with ``axis_undefined``.
    """
    if bootstrap < 0:
        raise ValueError(f"bootstrap must be ≥ 0, got {bootstrap}")
    rows = tuple(observations)
    n = len(rows)
    index: dict[str | int, int] = {}
    groups = np.array([index.setdefault(o.partner, len(index)) for o in rows], dtype=np.int64)
    partners = len(index)
    small = n < SMALL_SAMPLE_BELOW
    too_few = PortfolioVerdict.TOO_FEW if small else None

    def analysis(verdict: PortfolioVerdict, **found: Any) -> Analysis:
        return Analysis(
            n=n,
            partners=partners,
            small_sample=small,
            fitted=found.get("regression") is not None,
            reason=found.get("reason"),
            verdict=verdict,
            failures=found.get("failures", ()),
            view=found.get("view"),
            regression=found.get("regression"),
            surface=found.get("surface"),
            axis=found.get("axis"),
            similarity=_correlation(rows),
        )

    if n < MIN_ROUNDS:
        return analysis(
            too_few or PortfolioVerdict.NOT_ENOUGH_DATA, reason=NotFitted.TOO_FEW_ROUNDS
        )
    z = np.array([o.z for o in rows])
    if np.all(z == z[0]):
        return analysis(
            too_few or PortfolioVerdict.NOT_ENOUGH_DATA, reason=NotFitted.CONSTANT_OUTCOME
        )
    design = _design(np.array([o.x for o in rows]), np.array([o.y for o in rows]))
    scaled = design / np.sqrt(np.mean(design**2, axis=0))
    if np.any(~np.isfinite(scaled)) or _singular((scaled.T @ scaled)[None])[0]:
        return analysis(
            too_few or PortfolioVerdict.NOT_ENOUGH_DATA, reason=NotFitted.SINGULAR_DESIGN
        )
    if binary is None:
        binary = bool(np.all((z == 0) | (z == 1)))
    regression, surface = _regression(design, z, groups, binary=binary)
    params = np.array(regression.b.values())
    clustered = regression.standard_errors is StandardErrors.CLUSTER
    axis = _principal_axis(design, z, params, groups if clustered else None, bootstrap, seed)
    found: dict[str, Any] = {"regression": regression, "surface": surface, "axis": axis}
    if not regression.tested:
        return analysis(too_few or PortfolioVerdict.UNTESTABLE, **found)
    failures = _failures(surface, axis)
    verdict, view = _verdict(n, surface, failures)
    return analysis(verdict, failures=failures, view=view, **found)


# --------------------------------------------------------------------------------------------
# Drawing aid and export
# --------------------------------------------------------------------------------------------


Line: TypeAlias = tuple[list[float], list[float], list[float]]


def plot_range(observations: Iterable[Observation], *, lo: float, hi: float) -> tuple[float, float]:
    """The stretch of both axes to draw the fitted surface over: the rounds' own X and Y,
    a little wider, within the scale's ``lo..hi``. Far from the data a quadratic fit says
    nothing, and its steep edges would hide the rest."""
    seen = [v for o in observations for v in (o.x, o.y)]
    if not seen:
        return lo, hi
    pad = max(0.25, (max(seen) - min(seen)) * 0.1)
    start, stop = max(lo, min(seen) - pad), min(hi, max(seen) + pad)
    return (start, stop) if start < stop else (lo, hi)


def _height(b: Sequence[float], x: FloatArray, y: FloatArray) -> FloatArray:
    """The fitted Z at each (x, y)."""
    b0, b1, b2, b3, b4, b5 = b
    return b0 + b1 * x + b2 * y + b3 * x * x + b4 * x * y + b5 * y * y


def surface_lines(analysis: Analysis, xs: Sequence[float]) -> tuple[Line, Line]:
    """The fitted surface along the line of congruence X = Y and of incongruence X = −Y,
    at the grid's ``xs`` (those whose −x lies within the grid too): ``(xs, ys, zs)`` each."""
    if analysis.regression is None:
        raise ValueError("nothing was fitted")
    b = analysis.regression.b.values()
    lo, hi = min(xs), max(xs)
    lines = []
    for sign in (1.0, -1.0):
        inside = np.array([x for x in xs if lo <= sign * x <= hi])
        zs = _height(b, inside, sign * inside)
        lines.append(
            ([float(x) for x in inside], [float(sign * x) for x in inside], [float(z) for z in zs])
        )
    return lines[0], lines[1]


def surface_grid(
    analysis: Analysis, *, lo: float, hi: float, steps: int = 25
) -> tuple[list[float], list[float], list[list[float]]]:
    """The fitted surface on a ``steps × steps`` grid over ``lo..hi`` on both axes.

    ``lo`` and ``hi`` are centred like X and Y (e.g. ±2 on a 1..5 scale). Returns
    ``(xs, ys, zs)`` with ``zs[j][i]`` the fitted Z at ``(xs[i], ys[j])``, the row-per-y
    layout of plotly's surface and contour traces.
    """
    if analysis.regression is None:
        raise ValueError("nothing was fitted")
    if steps < 2 or not lo < hi:
        raise ValueError(f"need steps ≥ 2 and lo < hi, got {steps} steps over {lo}..{hi}")
    axis = np.linspace(lo, hi, steps)
    grid_x, grid_y = np.meshgrid(axis, axis)  # grid_x[j][i] = axis[i], grid_y[j][i] = axis[j]
    zs = _height(analysis.regression.b.values(), grid_x, grid_y)
    values = [float(v) for v in axis]
    return values, list(values), [[float(v) for v in row] for row in zs]


def _plain(value: object) -> JSONValue:
    if isinstance(value, Enum):
        return _plain(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    raise TypeError(f"cannot export {type(value).__name__}")
