"""The portfolio test against FIT_MODEL.md §"Portfolio: does like attract like here?".

No app, no database: plain pytest on ``fitcheck.portfolio`` with data generated from known
surfaces (fixed seeds). Expected values are recomputed here from the document's formulas,
not from the module's helpers, so a slip in either shows.
"""

from __future__ import annotations

import ast
import json
import math
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from fitcheck import portfolio
from fitcheck.fit import Rating, Scale, Side, assess
from fitcheck.portfolio import (
    FailedCondition,
    NotFitted,
    Observation,
    PortfolioVerdict,
    analyse,
    first_principal_axis,
    stationary_point,
    surface_grid,
    surface_parameters,
)

approx = pytest.approx
Surface = Callable[[np.ndarray, np.ndarray], np.ndarray]

# The contrast rows c of a = c·b, written out again from §"Portfolio".
A1, A2, A3, A4 = (
    np.array([0, 1, 1, 0, 0, 0.0]),
    np.array([0, 0, 0, 1, 1, 1.0]),
    np.array([0, 1, -1, 0, 0, 0.0]),
    np.array([0, 0, 0, 1, -1, 1.0]),
)


def rounds(
    surface: Surface, *, n: int, noise: float, seed: int = 7, per_partner: int = 1
) -> list[Observation]:
    """``n`` rounds on a 1..5 scale centred at 3 (X, Y in −2..2), Z = surface + noise."""
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    y = rng.uniform(-2, 2, n)
    z = surface(x, y) + rng.normal(0, noise, n)
    s = 100 * (1 - np.abs(x - y) / 4)
    return [
        Observation(x=float(xi), y=float(yi), z=float(zi), partner=i // per_partner, s=float(si))
        for i, (xi, yi, zi, si) in enumerate(zip(x, y, z, s, strict=True))
    ]


def congruence(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -((x - y) ** 2)


def level(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x + y


KNOWN_B = (0.5, 0.3, -0.2, -0.4, 0.6, -0.3)


def known(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    b0, b1, b2, b3, b4, b5 = KNOWN_B
    return b0 + b1 * x + b2 * y + b3 * x**2 + b4 * x * y + b5 * y**2


def design_of(observations: list[Observation]) -> tuple[np.ndarray, np.ndarray]:
    x = np.array([o.x for o in observations])
    y = np.array([o.y for o in observations])
    z = np.array([o.z for o in observations])
    return np.column_stack([np.ones_like(x), x, y, x**2, x * y, y**2]), z


# --------------------------------------------------------------------------------------------
# The formulas from given coefficients
# --------------------------------------------------------------------------------------------


def test_shanock_example_surface_parameters() -> None:
    a1, a2, a3, a4 = surface_parameters(-0.23, 0.77, -0.07, 0.27, -0.10)
    assert (a1, a2, a3, a4) == approx((0.54, 0.10, -1.00, -0.44), abs=1e-12)


def fit_model_axis(b1: float, b2: float, b3: float, b4: float, b5: float) -> tuple[float, ...]:
    """X0, Y0, p11, p10 exactly as FIT_MODEL.md writes them."""
    denominator = 4 * b3 * b5 - b4**2
    x0 = (b2 * b4 - 2 * b1 * b5) / denominator
    y0 = (b1 * b4 - 2 * b2 * b3) / denominator
    p11 = (b5 - b3 + math.sqrt((b3 - b5) ** 2 + b4**2)) / b4
    return x0, y0, p11, y0 - p11 * x0


@pytest.mark.parametrize(
    "b",
    [
        (-0.23, 0.77, -0.07, 0.27, -0.10),  # Shanock et al.: b5 − b3 < 0
        (0.3, -0.2, -0.4, 0.6, -0.3),  # b5 − b3 > 0
        (0.1, 0.1, -1.0, 1.9, -1.0),  # near the congruence ridge
        (0.0, 0.0, 0.5, -0.2, 0.5),  # b5 = b3
    ],
)
def test_stationary_point_and_axis_follow_fit_model(b: tuple[float, ...]) -> None:
    x0, y0, p11, p10 = fit_model_axis(*b)
    assert stationary_point(*b) == approx((x0, y0), rel=1e-9)
    assert first_principal_axis(*b) == approx((p11, p10), rel=1e-9)


def test_axis_is_undefined_when_b4_or_the_denominator_is_zero() -> None:
    # b4 = 0: the axes run along X and Y, and p11 = …/b4 has no value.
    assert first_principal_axis(0.1, 0.2, -1.0, 0.0, -0.5) is None
    assert stationary_point(0.1, 0.2, -1.0, 0.0, -0.5) is not None
    # 4·b3·b5 − b4² = 0: a ridge with no single stationary point.
    assert stationary_point(0.1, 0.2, -1.0, 2.0, -1.0) is None
    assert first_principal_axis(0.1, 0.2, -1.0, 2.0, -1.0) is None


# --------------------------------------------------------------------------------------------
# Fitting: known coefficients, definitions of every reported number
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def known_data() -> list[Observation]:
    return rounds(known, n=400, noise=0.1)


@pytest.fixture(scope="module")
def known_fit(known_data: list[Observation]) -> portfolio.Analysis:
    return analyse(known_data)


def test_known_coefficients_are_recovered(known_fit: portfolio.Analysis) -> None:
    assert known_fit.fitted and known_fit.reason is None
    assert known_fit.regression is not None
    assert known_fit.regression.b.values() == approx(KNOWN_B, abs=0.03)
    assert known_fit.regression.r_squared > 0.95
    assert known_fit.regression.f_p is not None and known_fit.regression.f_p < 1e-10
    assert known_fit.n == 400 and not known_fit.small_sample


def test_regression_numbers_match_their_definitions(
    known_data: list[Observation], known_fit: portfolio.Analysis
) -> None:
    design, z = design_of(known_data)
    b, *_ = np.linalg.lstsq(design, z, rcond=None)
    residuals = z - design @ b
    df = len(z) - 6
    ssr, tss = float(residuals @ residuals), float(((z - z.mean()) ** 2).sum())
    covariance = ssr / df * np.linalg.inv(design.T @ design)
    regression = known_fit.regression
    assert regression is not None and regression.df_resid == df
    assert regression.r_squared == approx(1 - ssr / tss, rel=1e-9)
    assert regression.r_squared_adj == approx(1 - (1 - (1 - ssr / tss)) * (400 - 1) / df)
    t_crit = float(stats.t.ppf(0.975, df))
    coefficients = regression.b
    for i, estimate in enumerate(
        (
            coefficients.b0,
            coefficients.b1,
            coefficients.b2,
            coefficients.b3,
            coefficients.b4,
            coefficients.b5,
        )
    ):
        se = math.sqrt(covariance[i, i])
        assert estimate.value == approx(b[i], rel=1e-9, abs=1e-12)
        assert estimate.se == approx(se, rel=1e-9)
        assert estimate.t == approx(b[i] / se, rel=1e-9)
        assert estimate.p == approx(2 * stats.t.sf(abs(b[i] / se), df), rel=1e-6, abs=1e-300)
        assert estimate.ci == approx((b[i] - t_crit * se, b[i] + t_crit * se), rel=1e-9)


def test_surface_parameters_equal_their_definitions_from_the_fitted_bs(
    known_data: list[Observation], known_fit: portfolio.Analysis
) -> None:
    design, z = design_of(known_data)
    b, *_ = np.linalg.lstsq(design, z, rcond=None)
    residuals = z - design @ b
    df = len(z) - 6
    covariance = float(residuals @ residuals) / df * np.linalg.inv(design.T @ design)
    t_crit = float(stats.t.ppf(0.975, df))
    surface = known_fit.surface
    assert surface is not None and known_fit.regression is not None
    fitted = known_fit.regression.b.values()
    assert (surface.a1.value, surface.a2.value, surface.a3.value, surface.a4.value) == approx(
        surface_parameters(*fitted[1:]), rel=1e-9
    )
    assert surface.a1.value == approx(fitted[1] + fitted[2], rel=1e-9)
    assert surface.a4.value == approx(fitted[3] - fitted[4] + fitted[5], rel=1e-9)
    for estimate, c in zip(
        (surface.a1, surface.a2, surface.a3, surface.a4), (A1, A2, A3, A4), strict=True
    ):
        value = float(c @ b)
        se = math.sqrt(float(c @ covariance @ c))
        assert estimate.value == approx(value, rel=1e-9)
        assert estimate.se == approx(se, rel=1e-9)
        assert estimate.t == approx(value / se, rel=1e-9)
        assert estimate.p == approx(2 * stats.t.sf(abs(value / se), df), rel=1e-6, abs=1e-300)
        assert estimate.ci == approx((value - t_crit * se, value + t_crit * se), rel=1e-9)
    # The known surface: a1 = 0.1, a2 = −0.1, a3 = 0.5, a4 = −1.3.
    assert (surface.a1.value, surface.a2.value, surface.a3.value, surface.a4.value) == approx(
        (0.1, -0.1, 0.5, -1.3), abs=0.05
    )


def test_axis_point_estimates_follow_fit_model_from_the_fitted_bs(
    known_fit: portfolio.Analysis,
) -> None:
    assert known_fit.regression is not None and known_fit.axis is not None
    x0, y0, p11, p10 = fit_model_axis(*known_fit.regression.b.values()[1:])
    axis = known_fit.axis
    assert (axis.x0.value, axis.y0.value, axis.p11.value, axis.p10.value) == approx(
        (x0, y0, p11, p10), rel=1e-9
    )
    for estimate in (axis.x0, axis.y0, axis.p11, axis.p10):
        assert estimate.ci is not None and estimate.value is not None
        assert estimate.ci[0] <= estimate.value <= estimate.ci[1]
    assert axis.rounds == 2000 and axis.used == 2000


# --------------------------------------------------------------------------------------------
# The verdict (Humberg, Nestler & Back 2019)
# --------------------------------------------------------------------------------------------


def test_congruence_data_support_like_attracts_like() -> None:
    result = analyse(rounds(congruence, n=400, noise=0.5))
    assert result.verdict is PortfolioVerdict.SUPPORTED
    assert result.failures == ()
    assert result.surface is not None and result.axis is not None
    assert result.surface.a4.value < 0 and result.surface.a4.significant
    assert result.axis.p11.ci is not None and result.axis.p11.ci[0] <= 1 <= result.axis.p11.ci[1]
    assert result.axis.p10.ci is not None and result.axis.p10.ci[0] <= 0 <= result.axis.p10.ci[1]


def test_level_data_give_level_only() -> None:
    result = analyse(rounds(level, n=400, noise=0.5))
    assert result.verdict is PortfolioVerdict.LEVEL_ONLY
    assert FailedCondition.NO_INCONGRUENCE_EFFECT in result.failures
    assert result.surface is not None
    assert result.surface.a1.significant and not result.surface.a4.significant
    assert result.surface.a1.value == approx(2, abs=0.1)


def test_dissimilarity_data_say_which_conditions_fail() -> None:
    # Opposites attract, off-centre: a4 > 0 and the surface tilts towards high X.
    result = analyse(rounds(lambda x, y: (x - y) ** 2 + x, n=400, noise=0.5))
    assert result.verdict is PortfolioVerdict.NOT_SUPPORTED
    assert result.failures[:2] == (
        FailedCondition.NO_INCONGRUENCE_EFFECT,
        FailedCondition.ASYMMETRIC,
    )


def test_an_off_diagonal_ridge_fails_the_axis_conditions() -> None:
    # Best when Y = 1 + 0.5·X: a ridge, but neither through the origin nor along X = Y.
    result = analyse(rounds(lambda x, y: -((y - 1 - 0.5 * x) ** 2), n=400, noise=0.3))
    assert FailedCondition.AXIS_NOT_THROUGH_ORIGIN in result.failures
    assert FailedCondition.AXIS_NOT_DIAGONAL in result.failures
    assert result.verdict is PortfolioVerdict.NOT_SUPPORTED


def test_without_bootstrap_the_axis_is_undefined() -> None:
    result = analyse(rounds(congruence, n=100, noise=0.5), bootstrap=0)
    assert result.axis is not None and result.axis.used == 0
    assert result.axis.p11.value is not None and result.axis.p11.ci is None
    assert result.failures == (FailedCondition.AXIS_UNDEFINED,)
    assert result.verdict is PortfolioVerdict.NOT_SUPPORTED


# --------------------------------------------------------------------------------------------
# Sample size and degenerate data
# --------------------------------------------------------------------------------------------


def test_five_rounds_fit_nothing_but_report_n() -> None:
    result = analyse(rounds(congruence, n=5, noise=0.5))
    assert result.n == 5 and not result.fitted
    assert result.reason is NotFitted.TOO_FEW_ROUNDS
    assert result.verdict is PortfolioVerdict.TOO_FEW
    assert result.regression is None and result.surface is None and result.axis is None
    assert result.small_sample


def test_twelve_rounds_are_a_small_sample() -> None:
    result = analyse(rounds(congruence, n=12, noise=0.5))
    assert result.fitted and result.n == 12 and result.small_sample
    assert not analyse(rounds(congruence, n=30, noise=0.5), bootstrap=0).small_sample


def test_six_rounds_fit_exactly_and_test_nothing() -> None:
    result = analyse(rounds(congruence, n=6, noise=0.5))
    assert result.fitted and result.regression is not None and result.surface is not None
    assert result.regression.df_resid == 0 and result.regression.perfect_fit
    assert result.regression.b.b4.se is None and result.surface.a4.p is None
    assert result.regression.f_p is None and result.regression.r_squared_adj is None
    assert result.verdict is PortfolioVerdict.TOO_FEW  # below 30 rounds, first of all
    assert result.failures == ()
    assert result.axis is not None and result.axis.used < result.axis.rounds


def test_an_exact_surface_is_fitted_without_inference() -> None:
    exact = rounds(lambda x, y: 1 + x - y, n=50, noise=0.0)
    result = analyse(exact)
    assert result.regression is not None and result.regression.perfect_fit
    assert result.regression.b.values() == approx((1, 1, -1, 0, 0, 0), abs=1e-9)
    assert result.verdict is PortfolioVerdict.UNTESTABLE and result.failures == ()


def test_a_constant_outcome_fits_nothing() -> None:
    flat = [
        Observation(x=o.x, y=o.y, z=2.0, partner=o.partner) for o in rounds(level, n=40, noise=0)
    ]
    result = analyse(flat)
    assert not result.fitted and result.reason is NotFitted.CONSTANT_OUTCOME
    assert result.verdict is PortfolioVerdict.NOT_ENOUGH_DATA


def test_rounds_on_the_diagonal_cannot_separate_the_terms() -> None:
    diagonal = [
        Observation(x=o.x, y=o.x, z=o.z, partner=o.partner) for o in rounds(level, n=40, noise=1)
    ]
    result = analyse(diagonal)
    assert not result.fitted and result.reason is NotFitted.SINGULAR_DESIGN


def test_few_distinct_rounds_skip_singular_resamples() -> None:
    result = analyse(rounds(congruence, n=8, noise=0.5))
    assert result.axis is not None
    assert 0 < result.axis.used < result.axis.rounds


# --------------------------------------------------------------------------------------------
# Bootstrap reproducibility and speed
# --------------------------------------------------------------------------------------------


def test_bootstrap_is_reproducible_with_the_same_seed() -> None:
    data = rounds(congruence, n=60, noise=0.7)
    first, again = analyse(data, seed=11), analyse(data, seed=11)
    other = analyse(data, seed=12)
    assert first.axis == again.axis
    assert first.axis is not None and other.axis is not None
    assert first.axis.p11.value == other.axis.p11.value
    assert first.axis.p11.ci != other.axis.p11.ci


def test_two_thousand_partners_with_three_rounds_analyse_in_seconds() -> None:
    data = rounds(congruence, n=6000, noise=1.0, per_partner=3)
    started = time.perf_counter()
    result = analyse(data, bootstrap=2000)
    elapsed = time.perf_counter() - started
    assert result.n == 6000 and result.partners == 2000
    assert result.axis is not None and result.axis.used == 2000
    assert elapsed < 10


# --------------------------------------------------------------------------------------------
# Pearson's r of S with Z
# --------------------------------------------------------------------------------------------


def test_similarity_correlation_and_its_fisher_ci() -> None:
    data = rounds(congruence, n=50, noise=0.5)
    result = analyse(data, bootstrap=0)
    s = [o.s for o in data if o.s is not None]
    z = [o.z for o in data]
    r = statistics.correlation(s, z)
    half = 1.96 / math.sqrt(50 - 3)
    assert result.similarity.n == 50
    assert result.similarity.r == approx(r, rel=1e-9)
    assert result.similarity.ci == approx(
        (math.tanh(math.atanh(r) - half), math.tanh(math.atanh(r) + half)), rel=1e-9
    )


def test_similarity_correlation_needs_four_rounds_and_spread() -> None:
    few = analyse(rounds(congruence, n=3, noise=0.5))
    assert few.similarity.n == 3 and few.similarity.r is None and few.similarity.ci is None
    flat = [
        Observation(x=o.x, y=o.y, z=o.z, partner=o.partner, s=70.0)
        for o in rounds(congruence, n=20, noise=0.5)
    ]
    assert analyse(flat, bootstrap=0).similarity.r is None
    missing = [Observation(x=o.x, y=o.y, z=o.z, partner=o.partner) for o in flat]
    assert analyse(missing, bootstrap=0).similarity.n == 0


# --------------------------------------------------------------------------------------------
# Inputs, grid and export
# --------------------------------------------------------------------------------------------


def test_observation_rejects_non_finite_numbers() -> None:
    with pytest.raises(ValueError, match="z must be"):
        Observation(x=0.0, y=0.0, z=math.nan, partner=1)
    with pytest.raises(ValueError, match="s must be"):
        Observation(x=0.0, y=0.0, z=1.0, partner=1, s=math.inf)


def test_observation_from_a_round_uses_its_portfolio_point_and_mirror_score() -> None:
    ratings = [
        Rating("c", Side.COMPANY, "passion", 4, 5, None),
        Rating("c", Side.COMPANY, "growth", 2, 4, None),
        Rating("k", Side.CLIENT, "passion", 5, 3, None),
        Rating("k", Side.CLIENT, "growth", 3, 2, None),
    ]
    result = assess(["passion", "growth"], ratings, scale=Scale(1, 5))
    observation = Observation.from_result(result, outcome=0.8, partner=7, label="2026")
    assert observation is not None
    # us = the client's view of the company (5, 3), them = the company's view (4, 2).
    assert (observation.x, observation.y) == approx((1.0, 0.0))
    assert observation.s == result.mirror.similarity
    assert (observation.z, observation.partner, observation.label) == (0.8, 7, "2026")


def test_surface_grid_evaluates_the_fitted_surface(known_fit: portfolio.Analysis) -> None:
    xs, ys, zs = surface_grid(known_fit, lo=-2, hi=2, steps=5)
    assert xs == approx([-2, -1, 0, 1, 2]) and ys == xs
    assert len(zs) == 5 and all(len(row) == 5 for row in zs)
    assert known_fit.regression is not None
    b0, b1, b2, b3, b4, b5 = known_fit.regression.b.values()
    x, y = xs[4], ys[0]  # zs[j][i] is the surface at (xs[i], ys[j])
    assert zs[0][4] == approx(b0 + b1 * x + b2 * y + b3 * x**2 + b4 * x * y + b5 * y**2)
    with pytest.raises(ValueError, match="nothing was fitted"):
        surface_grid(analyse(rounds(level, n=5, noise=1)), lo=-2, hi=2)


def test_analysis_exports_plain_json(known_fit: portfolio.Analysis) -> None:
    exported = known_fit.to_dict()
    assert exported["verdict"] == known_fit.verdict.value
    assert json.loads(json.dumps(exported)) == exported


# --------------------------------------------------------------------------------------------
# Purity
# --------------------------------------------------------------------------------------------


def test_portfolio_module_is_pure_statistics() -> None:
    tree = ast.parse(Path(portfolio.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0
            imported.add(node.module or "")
    assert imported, "the parser found the imports"
    roots = {name.partition(".")[0] for name in imported}
    assert not roots & {"flask", "flask_sqlalchemy", "sqlalchemy", "plotly"}
    assert roots <= sys.stdlib_module_names | {"numpy", "statsmodels", "fitcheck"}
    # From the app, only the pure fit model.
    assert {name for name in imported if name.startswith("fitcheck")} <= {"fitcheck.fit"}
