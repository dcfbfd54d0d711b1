"""How the portfolio test infers, against FIT_MODEL.md §"Portfolio: does like attract like here?".

The standard errors (classical OLS, HC3 for a 0/1 outcome, CR1 by partner when partners
repeat), what the bootstrap resamples, the 90 % share of usable resamples, and the verdict
table. Every expected number is computed here with numpy and scipy from the document's
formulas, never with ``fitcheck.portfolio``'s helpers, so a slip on either side shows. The
data come from known surfaces with fixed seeds; no app, no database.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from scipy import stats

from fitcheck import portfolio
from fitcheck.portfolio import (
    Analysis,
    Estimate,
    FailedCondition,
    Observation,
    PortfolioVerdict,
    Regression,
    StandardErrors,
    SurfaceParameters,
    View,
    analyse,
)

approx = pytest.approx
Surface = Callable[[np.ndarray, np.ndarray], np.ndarray]
K = 6  # b0..b5

# The rows c of a = c·b (b0..b5), written out from §"Portfolio": a1 = b1 + b2,
# a2 = b3 + b4 + b5, a3 = b1 − b2, a4 = b3 − b4 + b5.
CONTRASTS = np.array(
    [
        [0, 1, 1, 0, 0, 0],
        [0, 0, 0, 1, 1, 1],
        [0, 1, -1, 0, 0, 0],
        [0, 0, 0, 1, -1, 1],
    ],
    dtype=float,
)


# --------------------------------------------------------------------------------------------
# Surfaces and data
# --------------------------------------------------------------------------------------------


def congruence(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return -((x - y) ** 2)


def dissimilarity(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return (x - y) ** 2


def level(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return x + y


def client_view_only(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 5 + 2 * x


def company_view_only(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    return 5 + 2 * y


def asymmetric(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """A ridge along Y = X − 1: b = (0, 0.5, −0.5, −0.25, 0.5, −0.25), so a3 = 1, a4 = −1.

    It has the curvature of a fit effect but is best where the client sees more of the
    company than the company sees of the client: not "like attracts like"."""
    return 0.5 * (x - y) - 0.25 * (x - y) ** 2


def observations(
    surface: Surface,
    *,
    n: int,
    noise: float,
    seed: int,
    partners: Sequence[int] | None = None,
    partner_effect: float = 0.0,
    binary: bool = False,
) -> list[Observation]:
    """``n`` rounds with X, Y uniform on −2..2 (a 1..5 scale centred at 3).

    ``partners`` gives each round's partner (default: one partner per round);
    ``partner_effect`` adds a shared random shift per partner, so that a partner's rounds
    are not independent; ``binary`` turns the outcome into 0/1 (logistic in the surface).
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(-2, 2, n)
    y = rng.uniform(-2, 2, n)
    groups = np.arange(n) if partners is None else np.asarray(partners)
    shift = rng.normal(0, partner_effect, int(groups.max()) + 1)[groups]
    latent = surface(x, y) + shift + rng.normal(0, noise, n)
    z = (rng.uniform(size=n) < 1 / (1 + np.exp(-latent))).astype(float) if binary else latent
    return [
        Observation(x=float(xi), y=float(yi), z=float(zi), partner=int(g))
        for xi, yi, zi, g in zip(x, y, z, groups, strict=True)
    ]


def design_of(rows: Sequence[Observation]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The design ``1, X, Y, X², X·Y, Y²``, the outcome and a partner index per round."""
    x = np.array([o.x for o in rows])
    y = np.array([o.y for o in rows])
    z = np.array([o.z for o in rows])
    index: dict[object, int] = {}
    groups = np.array([index.setdefault(o.partner, len(index)) for o in rows])
    return np.column_stack([np.ones_like(x), x, y, x**2, x * y, y**2]), z, groups


# --------------------------------------------------------------------------------------------
# The covariances, by hand
# --------------------------------------------------------------------------------------------


def least_squares(design: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """b, the residuals e and (X'X)⁻¹."""
    bread = np.linalg.inv(design.T @ design)
    b = bread @ design.T @ z
    return b, z - design @ b, bread


def classical(design: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """b, s²(X'X)⁻¹ and the t df n − 6."""
    b, e, bread = least_squares(design, z)
    df = len(z) - K
    return b, float(e @ e) / df * bread, df


def hc3(design: np.ndarray, z: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """b, (X'X)⁻¹ X' diag(e_i²/(1 − h_ii)²) X (X'X)⁻¹ and the t df n − 6."""
    b, e, bread = least_squares(design, z)
    leverage = np.einsum("ij,jk,ik->i", design, bread, design)
    weights = e**2 / (1 - leverage) ** 2
    meat = design.T @ (design * weights[:, None])
    return b, bread @ meat @ bread, len(z) - K


def cr1(
    design: np.ndarray, z: np.ndarray, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray, int]:
    """b, (X'X)⁻¹ (Σ_g X_g' e_g e_g' X_g) (X'X)⁻¹ · G/(G − 1) · (n − 1)/(n − k), df G − 1."""
    b, e, bread = least_squares(design, z)
    n = len(z)
    meat = np.zeros((K, K))
    labels = np.unique(groups)
    for g in labels:
        score = design[groups == g].T @ e[groups == g]
        meat += np.outer(score, score)
    clusters = len(labels)
    correction = clusters / (clusters - 1) * (n - 1) / (n - K)
    return b, bread @ meat @ bread * correction, clusters - 1


def assert_estimate(estimate: Estimate, value: float, se: float, df: int) -> None:
    """value, SE, t, two-sided p and 95 % CI on a t with ``df`` degrees of freedom."""
    t = value / se
    half = float(stats.t.ppf(0.975, df)) * se
    assert estimate.value == approx(value, rel=1e-9, abs=1e-12)
    assert estimate.se == approx(se, rel=1e-7)
    assert estimate.t == approx(t, rel=1e-7, abs=1e-12)
    assert estimate.p == approx(2 * float(stats.t.sf(abs(t), df)), rel=1e-6, abs=1e-300)
    assert estimate.ci == approx((value - half, value + half), rel=1e-7, abs=1e-12)


def assert_inference(
    analysis: Analysis, expected: tuple[np.ndarray, np.ndarray, int]
) -> tuple[Regression, SurfaceParameters]:
    """Every b and every a of ``analysis`` carries the SEs of covariance V, on t(df)."""
    b, covariance, df = expected
    regression, surface = analysis.regression, analysis.surface
    assert regression is not None and surface is not None
    assert regression.df_inference == df
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
        assert_estimate(estimate, float(b[i]), math.sqrt(covariance[i, i]), df)
    for estimate, c in zip(
        (surface.a1, surface.a2, surface.a3, surface.a4), CONTRASTS, strict=True
    ):
        assert_estimate(estimate, float(c @ b), math.sqrt(float(c @ covariance @ c)), df)
    return regression, surface


def assert_classical_fit_statistics(
    regression: Regression, design: np.ndarray, z: np.ndarray
) -> None:
    """R², adjusted R² and the overall F test of plain OLS, whatever the SEs."""
    _, e, _ = least_squares(design, z)
    n = len(z)
    r_squared = 1 - float(e @ e) / float(((z - z.mean()) ** 2).sum())
    f = (r_squared / (K - 1)) / ((1 - r_squared) / (n - K))
    assert regression.r_squared == approx(r_squared, rel=1e-9)
    assert regression.f_p == approx(float(stats.f.sf(f, K - 1, n - K)), rel=1e-6, abs=1e-300)
    assert regression.r_squared_adj == approx(1 - (1 - r_squared) * (n - 1) / (n - K), rel=1e-9)


# --------------------------------------------------------------------------------------------
# Standard errors
# --------------------------------------------------------------------------------------------


def test_one_round_per_partner_uses_the_classical_ols_covariance() -> None:
    rows = observations(asymmetric, n=80, noise=0.8, seed=1)
    design, z, _ = design_of(rows)
    result = analyse(rows, bootstrap=0)
    regression, _ = assert_inference(result, classical(design, z))
    assert regression.standard_errors is StandardErrors.CLASSICAL
    assert regression.clusters is None and regression.df_inference == 80 - 6
    assert not regression.linear_probability
    assert_classical_fit_statistics(regression, design, z)


@pytest.mark.parametrize(
    "partners",
    [
        [i // 3 for i in range(90)],  # thirty partners, three annual reviews each
        [p for p in range(36) for _ in range(1 + p % 4)],  # 1 to 4 rounds, 36 partners
    ],
    ids=["three-each", "uneven"],
)
def test_repeated_partners_use_cr1_by_partner_on_t_with_g_minus_1_df(
    partners: list[int],
) -> None:
    rows = observations(
        asymmetric, n=len(partners), noise=0.6, seed=2, partners=partners, partner_effect=0.8
    )
    design, z, groups = design_of(rows)
    clusters = len(set(partners))
    result = analyse(rows, bootstrap=0)
    assert result.partners == clusters
    regression, _ = assert_inference(result, cr1(design, z, groups))
    assert regression.standard_errors is StandardErrors.CLUSTER
    assert regression.clusters == clusters and regression.df_inference == clusters - 1
    assert not regression.linear_probability
    assert_classical_fit_statistics(regression, design, z)
    # The shared partner effect makes rounds of a partner alike: the clustered SEs differ
    # from the classical ones, so the comparison above could not pass by accident.
    _, plain, _ = classical(design, z)
    assert regression.b.b1.se != approx(math.sqrt(plain[1, 1]), rel=0.01)


@pytest.mark.parametrize(
    ("zero_one", "binary"),
    [(True, None), (True, True), (False, True)],
    ids=["detected", "declared", "declared-on-a-scale"],
)
def test_a_zero_one_outcome_is_a_linear_probability_model_with_hc3(
    zero_one: bool, binary: bool | None
) -> None:
    rows = observations(level, n=120, noise=0.5, seed=3, binary=zero_one)
    design, z, _ = design_of(rows)
    if zero_one:
        assert set(z) == {0.0, 1.0}
    else:
        assert len(set(z)) == len(z)
    result = analyse(rows, binary=binary, bootstrap=0)
    regression, _ = assert_inference(result, hc3(design, z))
    assert regression.standard_errors is StandardErrors.HC3
    assert regression.linear_probability
    assert regression.clusters is None and regression.df_inference == 120 - 6
    assert_classical_fit_statistics(regression, design, z)
    _, plain, _ = classical(design, z)
    assert regression.b.b1.se != approx(math.sqrt(plain[1, 1]), rel=1e-3)


@pytest.mark.parametrize("binary", [None, True])
def test_a_zero_one_outcome_with_repeated_partners_is_clustered_by_partner(
    binary: bool | None,
) -> None:
    partners = [i // 2 for i in range(120)]
    rows = observations(
        level, n=120, noise=0.5, seed=4, partners=partners, partner_effect=1.0, binary=True
    )
    design, z, groups = design_of(rows)
    result = analyse(rows, binary=binary, bootstrap=0)
    regression, _ = assert_inference(result, cr1(design, z, groups))
    assert regression.standard_errors is StandardErrors.CLUSTER
    assert regression.linear_probability
    assert regression.clusters == 60 and regression.df_inference == 59
    assert_classical_fit_statistics(regression, design, z)


def test_one_partner_alone_keeps_the_classical_r_squared_and_f_test() -> None:
    # §"Portfolio": "R² and the F test stay the classical ones". With every round from one
    # partner the clustered t has no df (G − 1 = 0), so no b or a can be tested; the OLS fit
    # and its F test do not depend on the clusters and stand as they are.
    rows = [
        Observation(x=o.x, y=o.y, z=o.z, partner="the only partner")
        for o in observations(asymmetric, n=40, noise=0.5, seed=5)
    ]
    design, z, _ = design_of(rows)
    result = analyse(rows, bootstrap=0)
    assert result.regression is not None and result.surface is not None
    assert result.regression.standard_errors is StandardErrors.CLUSTER
    assert result.regression.clusters == 1
    assert result.surface.a4.p is None  # nothing to test a4 with
    assert result.verdict is not PortfolioVerdict.SUPPORTED
    assert_classical_fit_statistics(result.regression, design, z)


# --------------------------------------------------------------------------------------------
# The bootstrap
# --------------------------------------------------------------------------------------------


def ci_width(ci: tuple[float, float] | None) -> float:
    assert ci is not None
    return ci[1] - ci[0]


def test_bootstrap_draws_whole_partners_when_clustered_and_rounds_otherwise() -> None:
    # Sixty distinct rounds, then each of them three times as one partner's three rounds.
    # Drawing partners, the tripled data resample exactly like the sixty rounds (a partner's
    # three equal rows weigh like one), so the axis CIs keep their width. Drawing rounds
    # would treat the copies as 180 independent rounds: CIs about 1/√3 as wide.
    single = observations(congruence, n=60, noise=0.7, seed=6)
    tripled = [
        Observation(x=o.x, y=o.y, z=o.z, partner=o.partner) for o in single for _ in range(3)
    ]
    independent = [Observation(x=o.x, y=o.y, z=o.z, partner=i) for i, o in enumerate(tripled)]
    base, by_partner, by_round = (
        analyse(single, seed=1),
        analyse(tripled, seed=2),
        analyse(independent, seed=3),
    )
    assert base.axis is not None and by_partner.axis is not None and by_round.axis is not None
    assert by_partner.axis.by_partner and not by_round.axis.by_partner
    assert not base.axis.by_partner
    for name in ("p11", "p10"):
        width = ci_width(getattr(base.axis, name).ci)
        assert ci_width(getattr(by_partner.axis, name).ci) / width == approx(1, abs=0.15)
        assert ci_width(getattr(by_round.axis, name).ci) / width == approx(3**-0.5, abs=0.1)


def four_partners_on_lines(*, seed: int, noise: float = 0.05) -> list[Observation]:
    """Ten rounds each of four partners on a congruence surface; each partner's rounds lie
    on a line (X = −1.5, X = 1.5, Y = −1.5, Y = 1.5).

    A quadratic in X and Y vanishes on any two lines (their product), so rounds from only
    one or two partners cannot separate the six terms, while any three lines can. Drawing
    four partners with replacement gives at most two distinct ones with probability
    (4 + 6·14)/4⁴ = 88/256: only about 66 % of the resamples can give an axis.
    """
    rng = np.random.default_rng(seed)
    rows: list[Observation] = []
    for partner, (on_x, at) in enumerate([(True, -1.5), (True, 1.5), (False, -1.5), (False, 1.5)]):
        free = rng.uniform(-2, 2, 10)
        x, y = (np.full(10, at), free) if on_x else (free, np.full(10, at))
        z = congruence(x, y) + rng.normal(0, noise, 10)
        rows += [
            Observation(x=float(a), y=float(b), z=float(c), partner=partner)
            for a, b, c in zip(x, y, z, strict=True)
        ]
    return rows


def test_an_axis_from_fewer_than_90_percent_of_resamples_is_undefined_even_with_cis(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    rows = four_partners_on_lines(seed=0)
    result = analyse(rows)
    axis = result.axis
    assert axis is not None and axis.by_partner and axis.rounds == 2000
    assert axis.used / axis.rounds == approx(168 / 256, abs=0.04)
    assert axis.p10.ci is not None and axis.p11.ci is not None
    assert result.failures == (FailedCondition.AXIS_UNDEFINED,)
    assert result.verdict is PortfolioVerdict.NOT_SUPPORTED
    # Drawing rounds instead, 40 rounds on four lines practically never fall on two lines.
    rounds = analyse([Observation(x=o.x, y=o.y, z=o.z, partner=i) for i, o in enumerate(rows)])
    assert rounds.axis is not None and not rounds.axis.by_partner
    assert rounds.axis.used == rounds.axis.rounds
    # The share alone stood between these data and `supported`.
    monkeypatch.setattr(portfolio, "MIN_BOOTSTRAP_SHARE", 0.6)
    lenient = analyse(rows)
    assert lenient.axis == axis
    assert lenient.failures == () and lenient.verdict is PortfolioVerdict.SUPPORTED


@pytest.mark.parametrize(
    "rows",
    [
        observations(congruence, n=60, noise=0.7, seed=8, partners=[i // 2 for i in range(60)]),
        observations(level, n=60, noise=0.5, seed=9, binary=True),
    ],
    ids=["clustered", "zero-one"],
)
def test_the_same_seed_gives_the_same_cis(rows: list[Observation]) -> None:
    first, again, other = analyse(rows, seed=5), analyse(rows, seed=5), analyse(rows, seed=6)
    assert first.axis is not None and other.axis is not None
    assert first.axis == again.axis and first.failures == again.failures
    assert first.axis.p11.ci != other.axis.p11.ci


# --------------------------------------------------------------------------------------------
# The verdict table
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("n", [6, 12, 29])
@pytest.mark.parametrize(
    "surface", [congruence, level, client_view_only, dissimilarity, asymmetric]
)
def test_fewer_than_30_rounds_are_too_few_whatever_the_data(surface: Surface, n: int) -> None:
    result = analyse(observations(surface, n=n, noise=0.3, seed=10), bootstrap=200)
    assert result.verdict is PortfolioVerdict.TOO_FEW and result.view is None
    assert result.small_sample and result.fitted
    assert result.regression is not None and result.surface is not None
    assert result.axis is not None


def test_five_rounds_are_too_few_and_fit_nothing() -> None:
    result = analyse(observations(congruence, n=5, noise=0.3, seed=10))
    assert result.verdict is PortfolioVerdict.TOO_FEW and result.regression is None


def test_29_rounds_that_meet_every_condition_are_still_too_few() -> None:
    result = analyse(observations(congruence, n=29, noise=0.3, seed=11))
    assert result.failures == ()
    assert result.verdict is PortfolioVerdict.TOO_FEW


def test_a_congruence_surface_supports_like_attracts_like() -> None:
    result = analyse(observations(congruence, n=200, noise=0.5, seed=12))
    assert result.verdict is PortfolioVerdict.SUPPORTED and result.failures == ()
    assert result.view is None


def test_a_level_surface_is_level_only() -> None:
    result = analyse(observations(level, n=200, noise=0.5, seed=13))
    assert result.verdict is PortfolioVerdict.LEVEL_ONLY and result.view is None
    assert FailedCondition.NO_INCONGRUENCE_EFFECT in result.failures
    assert FailedCondition.ASYMMETRIC not in result.failures


@pytest.mark.parametrize(
    ("surface", "view"),
    [(client_view_only, View.US), (company_view_only, View.THEM)],
    ids=["X", "Y"],
)
def test_one_sides_view_is_one_side_matters_and_names_the_side(
    surface: Surface, view: View
) -> None:
    # The case: outcomes follow only how the client sees the company (Z = 5 + 2X,
    # Y has no effect, n = 200). a1 is significant and a4 is not, but the CI of a3 excludes
    # 0: not a level effect of both views.
    result = analyse(observations(surface, n=200, noise=0.5, seed=14))
    assert result.verdict is PortfolioVerdict.ONE_SIDE_MATTERS
    assert result.view is view
    assert FailedCondition.ASYMMETRIC in result.failures
    assert result.surface is not None and result.surface.a1.significant


def test_a_dissimilarity_surface_is_not_supported() -> None:
    result = analyse(observations(dissimilarity, n=200, noise=0.5, seed=15))
    assert result.verdict is PortfolioVerdict.NOT_SUPPORTED and result.view is None
    assert FailedCondition.NO_INCONGRUENCE_EFFECT in result.failures


@pytest.mark.parametrize("n", [12, 20])
def test_small_portfolios_of_an_asymmetric_surface_are_never_supported(n: int) -> None:
    rng = np.random.default_rng(n)
    verdicts = {
        analyse(
            observations(asymmetric, n=n, noise=0.5, seed=int(rng.integers(2**32))), bootstrap=200
        ).verdict
        for _ in range(200)
    }
    assert verdicts == {PortfolioVerdict.TOO_FEW}


def test_60_rounds_of_an_asymmetric_surface_are_rarely_supported() -> None:
    # With noise 0.5 the asymmetry (a3 = 1) and the axis off the origin (p10 = −1) are
    # plain at n = 60: trying 15 batches of 200 portfolios, none was `supported` (0 of
    # 3000; with noise 1.0, 1 of 3000). 4 of 200 (2 %) leaves a wide margin and still fails
    # if the conditions on a3 or p10 stop being applied.
    rng = np.random.default_rng(60)
    supported = sum(
        analyse(
            observations(asymmetric, n=60, noise=0.5, seed=int(rng.integers(2**32))), bootstrap=200
        ).verdict
        is PortfolioVerdict.SUPPORTED
        for _ in range(200)
    )
    assert supported <= 4, f"{supported} of 200 portfolios were supported"


# --------------------------------------------------------------------------------------------
# The table as a function of the reported fields
# --------------------------------------------------------------------------------------------


def holds(ci: tuple[float, float] | None, value: float) -> bool:
    assert ci is not None
    return ci[0] <= value <= ci[1]


def expected_failures(result: Analysis) -> set[FailedCondition]:
    """The four conditions of §"Portfolio", from the reported estimates and CIs."""
    surface, axis = result.surface, result.axis
    assert surface is not None and axis is not None and surface.a4.p is not None
    failures = set()
    if not (surface.a4.value < 0 and surface.a4.p < 0.05):
        failures.add(FailedCondition.NO_INCONGRUENCE_EFFECT)
    if not holds(surface.a3.ci, 0):
        failures.add(FailedCondition.ASYMMETRIC)
    if axis.p10.ci is None or axis.p11.ci is None or axis.used < 0.9 * axis.rounds:
        failures.add(FailedCondition.AXIS_UNDEFINED)
    else:
        if not holds(axis.p10.ci, 0):
            failures.add(FailedCondition.AXIS_NOT_THROUGH_ORIGIN)
        if not holds(axis.p11.ci, 1):
            failures.add(FailedCondition.AXIS_NOT_DIAGONAL)
    return failures


def table(result: Analysis) -> tuple[PortfolioVerdict, View | None]:
    """The verdict table of §"Portfolio", first matching row."""
    if result.n < 30:
        return PortfolioVerdict.TOO_FEW, None
    if not result.failures:
        return PortfolioVerdict.SUPPORTED, None
    surface = result.surface
    assert surface is not None and surface.a1.p is not None and surface.a4.p is not None
    a4_significant = surface.a4.p < 0.05
    a3_holds_zero = holds(surface.a3.ci, 0)
    if not a4_significant and surface.a1.p < 0.05 and a3_holds_zero:
        return PortfolioVerdict.LEVEL_ONLY, None
    if not a4_significant and not a3_holds_zero:
        return PortfolioVerdict.ONE_SIDE_MATTERS, View.US if surface.a3.value > 0 else View.THEM
    return PortfolioVerdict.NOT_SUPPORTED, None


NAMED_SURFACES = [
    (0.0, 0.0, -1.0, 2.0, -1.0),  # congruence
    (1.0, 1.0, 0.0, 0.0, 0.0),  # level
    (2.0, 0.0, 0.0, 0.0, 0.0),  # only X
    (0.0, 2.0, 0.0, 0.0, 0.0),  # only Y
    (0.0, 0.0, 1.0, -2.0, 1.0),  # dissimilarity
    (0.5, -0.5, -0.25, 0.5, -0.25),  # asymmetric ridge
    (0.0, 0.0, 0.0, 0.0, 0.0),  # noise only
]
coefficient = st.sampled_from([-1.0, -0.5, 0.0, 0.5, 1.0])


@settings(
    max_examples=150,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    b=st.one_of(st.sampled_from(NAMED_SURFACES), st.tuples(*[coefficient] * 5)),
    n=st.one_of(st.integers(6, 40), st.integers(41, 150)),
    rounds_per_partner=st.sampled_from([1, 1, 2, 3]),
    noise=st.sampled_from([0.1, 0.5, 1.5, 0.0]),
    zero_one=st.booleans(),
    bootstrap=st.sampled_from([0, 150]),
    seed=st.integers(0, 2**32 - 1),
)
# Random coefficients seldom make a surface that passes every condition: two sure examples
# of `supported`, with rounds and with partners drawn.
@example(
    b=NAMED_SURFACES[0],
    n=120,
    rounds_per_partner=1,
    noise=0.5,
    zero_one=False,
    bootstrap=150,
    seed=1,
)
@example(
    b=NAMED_SURFACES[0],
    n=120,
    rounds_per_partner=3,
    noise=0.5,
    zero_one=False,
    bootstrap=150,
    seed=2,
)
def test_the_verdict_follows_the_table_from_the_reported_fields(
    b: tuple[float, ...],
    n: int,
    rounds_per_partner: int,
    noise: float,
    zero_one: bool,
    bootstrap: int,
    seed: int,
) -> None:
    b1, b2, b3, b4, b5 = b

    def surface(x: np.ndarray, y: np.ndarray) -> np.ndarray:
        return b1 * x + b2 * y + b3 * x**2 + b4 * x * y + b5 * y**2

    rows = observations(
        surface,
        n=n,
        noise=noise,
        seed=seed,
        partners=[i // rounds_per_partner for i in range(n)],
        binary=zero_one,
    )
    result = analyse(rows, bootstrap=bootstrap, seed=seed)
    if not result.fitted:  # a constant 0/1 outcome
        assert result.verdict in {PortfolioVerdict.TOO_FEW, PortfolioVerdict.NOT_ENOUGH_DATA}
        return
    assert result.regression is not None
    if result.regression.perfect_fit:
        assert result.failures == ()
        assert result.verdict is (
            PortfolioVerdict.TOO_FEW if n < 30 else PortfolioVerdict.UNTESTABLE
        )
        return
    assert len(set(result.failures)) == len(result.failures)
    assert set(result.failures) == expected_failures(result)
    assert (result.verdict, result.view) == table(result)
