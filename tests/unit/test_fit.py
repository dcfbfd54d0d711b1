"""The fit model against FIT_MODEL.md: its worked example, its properties, its purity.

No app, no database: plain pytest and hypothesis on ``fitcheck.fit``.
"""

from __future__ import annotations

import ast
import json
import math
import statistics
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fitcheck import fit
from fitcheck.fit import (
    Band,
    Rating,
    Scale,
    Side,
    Thresholds,
    TraitStatus,
    Verdict,
    assess,
    compare,
    compare_rounds,
    gap_band,
    portfolio_point,
)

COMPANY, CLIENT = Side.COMPANY, Side.CLIENT
LIKERT = Scale(1, 5)
approx = pytest.approx
quick = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------

# FIT_MODEL.md §"Worked example": (respondent, side, other, self, importance) per trait.
WORKED_EXAMPLE: dict[str, list[tuple[str, Side, int | None, int | None, int | None]]] = {
    "passion": [("C1", COMPANY, 4, 5, 5), ("C2", COMPANY, 5, 4, 4), ("K1", CLIENT, 4, 4, 3)],
    "response": [("C1", COMPANY, 3, 5, 4), ("C2", COMPANY, 2, 5, 5), ("K1", CLIENT, 4, 3, 4)],
    "dialogue": [("C1", COMPANY, 5, 4, 3), ("C2", COMPANY, 4, 3, 3), ("K1", CLIENT, 3, 5, None)],
    "growth": [("C1", COMPANY, 2, 4, 3), ("C2", COMPANY, None, 3, 2), ("K1", CLIENT, 4, 1, 3)],
}
TRAITS = list(WORKED_EXAMPLE)


def worked_example_ratings() -> list[Rating]:
    return [
        Rating(respondent, side, trait, other, self_, importance)
        for trait, cells in WORKED_EXAMPLE.items()
        for respondent, side, other, self_, importance in cells
    ]


@pytest.fixture
def example() -> fit.FitResult:
    return assess(TRAITS, worked_example_ratings(), scale=LIKERT, min_responses=1)


def answers(
    side: Side,
    respondent: str,
    other: Mapping[str, int | None],
    self_: Mapping[str, int | None] | None = None,
    importance: Mapping[str, int | None] | None = None,
) -> list[Rating]:
    """One submitted response: ``other`` rates the other side, ``self_`` one's own side."""
    return [
        Rating(
            respondent,
            side,
            trait,
            value,
            (self_ or {}).get(trait),
            (importance or {}).get(trait),
        )
        for trait, value in other.items()
    ]


def mirror_round(
    us: Sequence[int],
    them: Sequence[int],
    *,
    scale: Scale = LIKERT,
    thresholds: Thresholds = fit.DEFAULT_THRESHOLDS,
) -> fit.FitResult:
    """A round whose mirror is exactly ``us`` (the client's view) vs ``them``."""
    traits = [f"t{i}" for i in range(len(us))]
    ratings = answers(CLIENT, "k1", dict(zip(traits, us, strict=True))) + answers(
        COMPANY, "c1", dict(zip(traits, them, strict=True))
    )
    return assess(traits, ratings, scale=scale, thresholds=thresholds)


def leaves(tree: object) -> list[object]:
    if isinstance(tree, dict):
        return [leaf for value in tree.values() for leaf in leaves(value)]
    if isinstance(tree, list):
        return [leaf for value in tree for leaf in leaves(value)]
    return [tree]


# --------------------------------------------------------------------------------------------
# Strategies
# --------------------------------------------------------------------------------------------

KEYS = [f"t{i}" for i in range(6)]


@st.composite
def scales(draw: st.DrawFn) -> Scale:
    lo = draw(st.integers(-2, 3))
    return Scale(lo, lo + draw(st.integers(1, 9)))


@st.composite
def profile_pairs(
    draw: st.DrawFn, *, allow_none: bool = True
) -> tuple[Scale, dict[str, float | None], dict[str, float | None], dict[str, float]]:
    scale = draw(scales())
    keys = KEYS[: draw(st.integers(1, len(KEYS)))]
    value = st.floats(scale.lo, scale.hi, allow_nan=False)
    cell = (st.none() | value) if allow_none else value
    x = {key: draw(cell) for key in keys}
    y = {key: draw(cell) for key in keys}
    weights = {key: draw(st.floats(0.1, 10)) for key in keys}
    return scale, x, y, weights


answer = st.none() | st.integers(1, 5)


@st.composite
def surveys(
    draw: st.DrawFn,
    *,
    company: tuple[int, int] = (0, 3),
    client: tuple[int, int] = (0, 3),
) -> tuple[list[str], list[Rating]]:
    """Whole grids of submitted answers on 1..5 with "can't judge" anywhere."""
    traits = KEYS[: draw(st.integers(1, 5))]
    ratings = []
    for side, (fewest, most) in ((COMPANY, company), (CLIENT, client)):
        for index in range(draw(st.integers(fewest, most))):
            ratings += [
                Rating(f"{side}{index}", side, t, draw(answer), draw(answer), draw(answer))
                for t in traits
            ]
    return traits, ratings


# --------------------------------------------------------------------------------------------
# The worked example of FIT_MODEL.md, every number
# --------------------------------------------------------------------------------------------


def test_worked_example_profiles_and_weights(example: fit.FitResult) -> None:
    assert example.them == approx({"passion": 4.5, "response": 2.5, "dialogue": 4.5, "growth": 2})
    assert example.us == approx({"passion": 4, "response": 4, "dialogue": 3, "growth": 4})
    assert example.us_self == approx(
        {"passion": 4.5, "response": 5, "dialogue": 3.5, "growth": 3.5}
    )
    assert example.them_self == approx({"passion": 4, "response": 3, "dialogue": 5, "growth": 1})
    # dialogue: the client gave no importance, so the company's mean alone is w_t.
    assert example.weights == approx(
        {"passion": 3.75, "response": 4.25, "dialogue": 3, "growth": 2.75}
    )
    assert [row.trait for row in example.traits] == TRAITS


def test_worked_example_mirror_gaps_and_bands(example: fit.FitResult) -> None:
    assert [row.gap for row in example.traits] == approx([0.5, -1.5, 1.5, -2])
    assert [row.band for row in example.traits] == [
        Band.NOTABLE,
        Band.MAJOR,
        Band.MAJOR,
        Band.MAJOR,
    ]
    assert [g.gap for g in example.mirror.gaps] == approx([0.5, -1.5, 1.5, -2])


def test_worked_example_mirror_scores(example: fit.FitResult) -> None:
    mirror = example.mirror
    assert mirror.t_prime == 4
    assert mirror.similarity == approx(64.1658, abs=1e-4)
    assert mirror.elevation == approx(-0.4, abs=1e-4)
    assert mirror.shape == approx(-0.5704, abs=1e-4)
    assert mirror.shape_ci == approx((-0.9892, 0.8648), abs=1e-4)
    assert mirror.inconclusive is True
    assert mirror.icc == approx(-0.4070, abs=1e-4)
    parts = mirror.decomposition
    assert parts is not None
    assert parts.d2 == approx(8.75, abs=1e-4)
    assert (parts.elevation, parts.scatter, parts.shape) == approx(
        (0.5625, 1.9926, 6.1949), abs=1e-4
    )
    assert mirror.level_x == approx(0.6955, abs=1e-4)  # L_us
    assert mirror.level_y == approx(0.5955, abs=1e-4)  # L_them


def test_worked_example_is_one_sided_and_the_client_falls_short(example: fit.FitResult) -> None:
    assert example.verdict is Verdict.ONE_SIDED
    assert example.falls_short is Side.CLIENT


def test_worked_example_blind_spot_and_hidden_strength(example: fit.FitResult) -> None:
    blind_spots = [
        (side, row.trait) for row in example.traits for side in Side if row.side(side).blind_spot
    ]
    hidden_strengths = [
        (side, row.trait)
        for row in example.traits
        for side in Side
        if row.side(side).hidden_strength
    ]
    assert blind_spots == [(COMPANY, "response")]
    assert hidden_strengths == [(CLIENT, "growth")]
    assert example.trait("response").company.self_minus_seen == approx(1.0, abs=1e-4)
    assert example.trait("growth").client.self_minus_seen == approx(-1.0, abs=1e-4)
    # The same gaps, read from the named comparisons (self-view minus the other's view).
    assert example.comparisons.company_blind_spots.gap_for("response").gap == approx(1.0)
    assert example.comparisons.client_blind_spots.gap_for("growth").gap == approx(-1.0)


def test_worked_example_other_named_similarities(example: fit.FitResult) -> None:
    comparisons = example.comparisons
    assert comparisons.self_described.similarity == approx(56.3719, abs=1e-4)
    assert comparisons.company_perceived.similarity == approx(59.6887, abs=1e-4)
    assert comparisons.client_perceived.similarity == approx(56.8301, abs=1e-4)


def test_worked_example_rwg_of_company_other_ratings(example: fit.FitResult) -> None:
    rwg = {row.trait: row.company.rwg for row in example.traits}
    assert rwg == {
        "passion": approx(0.75, abs=1e-4),
        "response": approx(0.75, abs=1e-4),
        "dialogue": approx(0.75, abs=1e-4),
        "growth": None,  # one value: C2 could not judge
    }
    assert [row.company.disagrees for row in example.traits] == [False, False, False, None]
    assert all(row.client.rwg is None for row in example.traits)  # one client respondent


def test_worked_example_side_stats_and_importance(example: fit.FitResult) -> None:
    growth = example.trait("growth").company
    assert (growth.other.n, growth.other.mean, growth.other.sd) == (1, 2.0, None)
    assert growth.other.distribution == (0, 1, 0, 0, 0)
    passion = example.trait("passion")
    assert passion.company.other.sd == approx(math.sqrt(0.5))
    # importance 4.5 vs 3 differs by ≥ a quarter of the importance range (1.0)
    assert [row.importance_mismatch for row in example.traits] == [True, False, None, False]
    assert (example.company.responses, example.client.responses) == (2, 1)


def test_worked_example_portfolio_point(example: fit.FitResult) -> None:
    assert portfolio_point(example) == approx((52 / 13.75 - 3, 46.5 / 13.75 - 3))


def test_result_to_dict_is_plain_json(example: fit.FitResult) -> None:
    exported: Any = example.to_dict()
    assert json.loads(json.dumps(exported)) == exported
    assert exported["verdict"] == "one_sided"
    assert exported["falls_short"] == "client"
    row = exported["traits"][0]
    assert row["trait"] == "passion"
    assert row["company"]["self"]["mean"] == 4.5


def test_results_hold_no_labels_only_keys_and_codes(example: fit.FitResult) -> None:
    codes = {member.value for enum in (Band, Side, Verdict) for member in enum}
    strings = {leaf for leaf in leaves(example.to_dict()) if isinstance(leaf, str)}
    assert strings <= codes | set(TRAITS)


# --------------------------------------------------------------------------------------------
# compare(): properties of §"Comparing two profiles"
# --------------------------------------------------------------------------------------------


@given(profile_pairs(allow_none=False))
def test_identical_profiles_score_100_with_zero_gaps(
    case: tuple[Scale, dict[str, float | None], dict[str, float | None], dict[str, float]],
) -> None:
    scale, x, _, weights = case
    same = compare(x, dict(x), scale=scale, weights=weights)
    assert same.similarity == 100
    assert same.elevation == 0
    assert all(g.gap == 0 and g.band is Band.ALIGNED for g in same.gaps)
    assert same.decomposition is not None
    assert same.decomposition.d2 == 0


@given(profile_pairs())
def test_swapping_profiles_negates_gaps_and_elevation_and_keeps_similarity(
    case: tuple[Scale, dict[str, float | None], dict[str, float | None], dict[str, float]],
) -> None:
    scale, x, y, weights = case
    forward = compare(x, y, scale=scale, weights=weights)
    backward = compare(y, x, scale=scale, weights=weights)
    assert [g.gap for g in backward.gaps] == [
        None if g.gap is None else -g.gap for g in forward.gaps
    ]
    assert [g.band for g in backward.gaps] == [g.band for g in forward.gaps]
    assert backward.similarity == forward.similarity
    assert backward.elevation == (None if forward.elevation is None else -forward.elevation)
    assert backward.t_prime == forward.t_prime
    assert backward.shape == approx(forward.shape)
    assert backward.icc == approx(forward.icc)
    assert (backward.level_x, backward.level_y) == (forward.level_y, forward.level_x)


@given(profile_pairs())
def test_decomposition_parts_add_up_to_d2(
    case: tuple[Scale, dict[str, float | None], dict[str, float | None], dict[str, float]],
) -> None:
    scale, x, y, weights = case
    parts = compare(x, y, scale=scale, weights=weights).decomposition
    if parts is None:
        return
    assert parts.elevation + parts.scatter + parts.shape == approx(parts.d2, rel=1e-9, abs=1e-9)
    assert min(parts.elevation, parts.scatter, parts.shape) >= 0


@given(profile_pairs())
def test_scores_stay_in_their_ranges(
    case: tuple[Scale, dict[str, float | None], dict[str, float | None], dict[str, float]],
) -> None:
    scale, x, y, weights = case
    result = compare(x, y, scale=scale, weights=weights)
    if result.t_prime == 0:
        assert result.similarity is None and result.decomposition is None
        return
    assert result.similarity is not None and 0 <= result.similarity <= 100
    assert result.level_x is not None and 0 <= result.level_x <= 1
    assert result.level_y is not None and 0 <= result.level_y <= 1
    for r in (result.shape, result.icc, *(result.shape_ci or ())):
        assert r is None or -1 <= r <= 1


def test_no_shared_traits_means_no_numbers() -> None:
    nothing = compare({"a": 3.0, "b": None}, {"b": 4.0, "c": 2.0}, scale=LIKERT)
    assert nothing.t_prime == 0
    assert [g.trait for g in nothing.gaps] == ["a", "b", "c"]
    assert all(g.gap is None for g in nothing.gaps)
    assert (nothing.similarity, nothing.shape, nothing.icc, nothing.decomposition) == (
        None,
        None,
        None,
        None,
    )


def test_no_shared_traits_gives_not_enough_data() -> None:
    ratings = answers(CLIENT, "k1", {"a": 4, "b": None}) + answers(
        COMPANY, "c1", {"a": None, "b": 2}
    )
    result = assess(["a", "b"], ratings, scale=LIKERT)
    assert result.mirror.t_prime == 0
    assert result.verdict is Verdict.NOT_ENOUGH_DATA
    assert portfolio_point(result) is None


@given(
    level=st.integers(1, 5),
    them=st.lists(st.integers(1, 5), min_size=3, max_size=6),
)
def test_flat_profile_has_no_shape(level: int, them: list[int]) -> None:
    keys = KEYS[: len(them)]
    flat = compare(
        dict.fromkeys(keys, float(level)), dict(zip(keys, them, strict=True)), scale=LIKERT
    )
    assert flat.shape is None and flat.shape_ci is None and flat.inconclusive is None
    assert flat.decomposition is not None and flat.decomposition.shape == 0


def test_shape_needs_three_traits_and_a_ci_needs_four() -> None:
    two = compare({"a": 1.0, "b": 5.0}, {"a": 2.0, "b": 4.0}, scale=LIKERT)
    assert two.shape is None
    three = compare({"a": 1.0, "b": 3.0, "c": 5.0}, {"a": 2.0, "b": 3.0, "c": 4.0}, scale=LIKERT)
    assert three.shape == approx(1.0)
    assert three.shape_ci is None
    assert three.inconclusive is True  # no interval can be computed from three points


def test_a_gap_of_exactly_an_eighth_of_the_range_is_notable_despite_rounding() -> None:
    # 13/3 − 23/6 is R/8 = 0.5 on paper, one rounding below it in floating point.
    gap = statistics.fmean([4, 4, 5]) - statistics.fmean([3, 4, 4, 4, 4, 4])
    assert gap < 0.5
    assert gap_band(gap, LIKERT) is Band.NOTABLE
    assert gap_band(0.49, LIKERT) is Band.ALIGNED
    assert gap_band(-1.0, LIKERT) is Band.MAJOR


def test_compare_rejects_values_off_the_scale_and_missing_weights() -> None:
    with pytest.raises(ValueError, match="outside"):
        compare({"a": 0.0}, {"a": 3.0}, scale=LIKERT)
    with pytest.raises(ValueError, match="no weight"):
        compare({"a": 2.0}, {"a": 3.0}, scale=LIKERT, weights={"b": 1.0})


# --------------------------------------------------------------------------------------------
# assess(): "can't judge", anonymity, verdict, agreement
# --------------------------------------------------------------------------------------------


@quick
@given(surveys())
def test_cant_judge_never_counts_as_a_number(survey: tuple[list[str], list[Rating]]) -> None:
    traits, ratings = survey
    # The same survey without the rows where a respondent could judge nothing (keeping one
    # row per respondent so they still count as submitted) must give the same result.
    kept: set[tuple[Side, str | int]] = set()
    sparse = []
    for rating in ratings:
        blank = rating.other is None and rating.self_ is None and rating.importance is None
        if not blank or (rating.side, rating.respondent) not in kept:
            sparse.append(rating)
            kept.add((rating.side, rating.respondent))
    full = assess(traits, ratings, scale=LIKERT)
    assert assess(traits, sparse, scale=LIKERT).to_dict() == full.to_dict()
    for row in full.traits:
        for side in Side:
            if full.side(side).withheld:  # no respondent of that side: nothing to count
                continue
            answered = [r.other for r in ratings if r.side is side and r.trait == row.trait]
            assert row.side(side).other.n == sum(value is not None for value in answered)


def test_cant_judge_does_not_pull_a_mean_down() -> None:
    ratings = answers(COMPANY, "c1", {"a": 4}) + answers(COMPANY, "c2", {"a": None})
    row = assess(["a"], ratings, scale=LIKERT).trait("a")
    assert (row.them, row.company.other.n, row.company.other.distribution) == (
        4.0,
        1,
        (0, 0, 0, 1, 0),
    )
    assert row.company.rwg is None  # one rating, not two


@pytest.mark.parametrize(
    ("us", "them", "verdict", "falls_short"),
    [
        ((5, 5, 4), (5, 5, 4), Verdict.MUTUAL_FIT, None),
        ((2, 2, 3), (2, 2, 3), Verdict.ALIKE_BUT_WEAK, None),
        ((2, 2, 2), (5, 5, 5), Verdict.ONE_SIDED, COMPANY),
        ((5, 5, 5), (2, 2, 2), Verdict.ONE_SIDED, CLIENT),
        ((5, 5, 1), (5, 1, 5), Verdict.ONE_SIDED, None),  # equal levels: neither falls short
        ((1, 1, 1), (2, 2, 2), Verdict.MISFIT, None),
    ],
)
def test_each_verdict_branch(
    us: tuple[int, ...], them: tuple[int, ...], verdict: Verdict, falls_short: Side | None
) -> None:
    result = mirror_round(us, them)
    assert (result.verdict, result.falls_short) == (verdict, falls_short)


def test_reaching_the_similarity_threshold_counts_as_similar() -> None:
    result = mirror_round((1, 1, 1), (2, 2, 2), thresholds=Thresholds(similar=75))
    assert result.mirror.similarity == approx(75)
    assert result.verdict is Verdict.ALIKE_BUT_WEAK


def test_a_side_without_responses_gives_not_enough_data() -> None:
    result = assess(["a"], answers(COMPANY, "c1", {"a": 4}, {"a": 5}), scale=LIKERT)
    assert result.client.withheld
    assert result.verdict is Verdict.NOT_ENOUGH_DATA
    assert result.falls_short is None


@quick
@given(surveys(company=(1, 3), client=(1, 3)), st.floats(50, 95), st.floats(0.3, 0.9))
def test_verdict_follows_the_table(
    survey: tuple[list[str], list[Rating]], similar: float, level: float
) -> None:
    traits, ratings = survey
    result = assess(traits, ratings, scale=LIKERT, thresholds=Thresholds(similar, level))
    s, l_us, l_them = result.mirror.similarity, result.mirror.level_x, result.mirror.level_y
    # Exact ties are the edge tests' business: here the table is read with plain ≥, which
    # rounding noise would flip, so values within 1e-6 of a threshold are not drawn.
    assume(all(v is None or abs(v - t) > 1e-6 for v, t in ((s, similar), (l_us, level))))
    assume(l_them is None or abs(l_them - level) > 1e-6)
    if s is None or l_us is None or l_them is None:
        assert result.verdict is Verdict.NOT_ENOUGH_DATA
    elif s >= similar:
        expected = Verdict.MUTUAL_FIT if min(l_us, l_them) >= level else Verdict.ALIKE_BUT_WEAK
        assert result.verdict is expected
    elif max(l_us, l_them) >= level:
        assert result.verdict is Verdict.ONE_SIDED
        lower = None if l_us == l_them else COMPANY if l_us < l_them else CLIENT
        assert result.falls_short is lower
    else:
        assert result.verdict is Verdict.MISFIT


CLIENT_PROFILES = ("us", "them_self", "gap", "band", "importance_mismatch")
NEEDS_CLIENT = (
    "mirror",
    "self_described",
    "client_perceived",
    "company_blind_spots",
    "client_blind_spots",
)


@quick
@given(surveys(company=(1, 3), client=(0, 2)), st.integers(0, 2))
def test_side_below_the_threshold_is_withheld_everywhere(
    survey: tuple[list[str], list[Rating]], extra: int
) -> None:
    traits, ratings = survey
    clients = len({r.respondent for r in ratings if r.side is CLIENT})
    k = clients + 1 + extra
    # Respondents who could judge nothing, so the company side reaches k whatever was drawn.
    padding = [r for i in range(k) for r in answers(COMPANY, f"pad{i}", dict.fromkeys(traits))]
    result = assess(traits, ratings + padding, scale=LIKERT, min_responses=k)
    exported: Any = result.to_dict()

    assert result.client.withheld and not result.company.withheld
    # The count stays: it is not an answer, and it explains the withholding.
    assert exported["client"] == {"responses": clients, "withheld": True}
    for row in exported["traits"]:
        assert set(leaves(row["client"])) == {None}
        assert all(row[name] is None for name in CLIENT_PROFILES)
        assert row["company"]["self_minus_seen"] is None
    for name in NEEDS_CLIENT:
        comparison = exported["comparisons"][name]
        assert comparison["t_prime"] == 0
        assert all(gap["gap"] is None for gap in comparison["gaps"])
        numbers = {
            key: value for key, value in comparison.items() if key not in ("gaps", "t_prime")
        }
        assert set(numbers.values()) == {None}
    assert result.verdict is Verdict.NOT_ENOUGH_DATA
    assert portfolio_point(result) is None


@quick
@given(surveys(company=(1, 2), client=(1, 2)), st.data())
def test_a_withheld_side_leaks_nothing(
    survey: tuple[list[str], list[Rating]], data: st.DataObject
) -> None:
    traits, ratings = survey
    clients = len({r.respondent for r in ratings if r.side is CLIENT})
    other_answers = [
        Rating(r.respondent, r.side, r.trait, *data.draw(st.tuples(answer, answer, answer)))
        if r.side is CLIENT
        else r
        for r in ratings
    ]
    k = clients + 1
    padding = [r for i in range(k) for r in answers(COMPANY, f"pad{i}", dict.fromkeys(traits))]
    first = assess(traits, ratings + padding, scale=LIKERT, min_responses=k)
    second = assess(traits, other_answers + padding, scale=LIKERT, min_responses=k)
    assert first.to_dict() == second.to_dict()


def test_withheld_side_gives_no_weight() -> None:
    ratings = (
        answers(COMPANY, "c1", {"a": 4}, importance={"a": 2})
        + answers(COMPANY, "c2", {"a": 4}, importance={"a": 4})
        + answers(CLIENT, "k1", {"a": 3}, importance={"a": 5})
    )
    assert assess(["a"], ratings, scale=LIKERT, min_responses=1).weights == {"a": 4.0}
    assert assess(["a"], ratings, scale=LIKERT, min_responses=2).weights == {"a": 3.0}


def test_rwg_is_clamped_at_zero_and_flags_disagreement() -> None:
    ratings = answers(COMPANY, "c1", {"a": 1}) + answers(COMPANY, "c2", {"a": 5})
    company = assess(["a"], ratings, scale=LIKERT).trait("a").company
    assert company.rwg == 0.0  # s² = 8 against σ²_EU = 2
    assert company.disagrees is True
    assert company.other.distribution == (1, 0, 0, 0, 1)


@pytest.mark.parametrize(
    ("rating", "message"),
    [
        (Rating("c1", COMPANY, "a", 6, None, None), "not a point"),
        (Rating("c1", COMPANY, "a", None, None, 0), "not a point"),
        (Rating("c1", COMPANY, "zzz", 3, None, None), "unknown trait"),
    ],
)
def test_assess_rejects_bad_ratings(rating: Rating, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        assess(["a"], [rating], scale=LIKERT)


def test_assess_rejects_a_rating_given_twice() -> None:
    twice = answers(COMPANY, "c1", {"a": 3}) * 2
    with pytest.raises(ValueError, match="two ratings"):
        assess(["a"], twice, scale=LIKERT)


def test_sides_from_the_database_may_be_plain_strings() -> None:
    assert Rating("k1", "client", "a", 3, None, None).side is CLIENT  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        Rating("k1", "partner", "a", 3, None, None)  # type: ignore[arg-type]


def test_scale_and_thresholds_validate_themselves() -> None:
    assert (LIKERT.points, LIKERT.range, LIKERT.mid) == (5, 4, 3.0)
    with pytest.raises(ValueError):
        Scale(3, 3)
    with pytest.raises(ValueError):
        Thresholds(similar=120)


# --------------------------------------------------------------------------------------------
# compare_rounds(): §"Annual review"
# --------------------------------------------------------------------------------------------

NINE = Scale(1, 9)  # R/8 = 1 point, so half-point changes are "no change"


def round_of(us: Mapping[str, Sequence[int]], them: Mapping[str, Sequence[int]]) -> fit.FitResult:
    traits = list(us)
    ratings: list[Rating] = []
    for i in range(max(len(v) for v in us.values())):
        ratings += answers(
            CLIENT, f"k{i}", {t: v[i] if i < len(v) else None for t, v in us.items()}
        )
    for i in range(max(len(v) for v in them.values())):
        ratings += answers(
            COMPANY, f"c{i}", {t: v[i] if i < len(v) else None for t, v in them.items()}
        )
    return assess(traits, ratings, scale=NINE)


def test_compare_rounds_matches_traits_by_key_with_added_and_retired_traits() -> None:
    previous = round_of(
        us={"passion": [5, 5], "response": [3, 3], "growth": [7, 7]},
        them={"passion": [6, 6], "response": [4, 4], "growth": [2, 2]},
    )
    current = round_of(  # reordered, growth retired, dialogue added
        us={"response": [3, 4], "passion": [6, 6], "dialogue": [8, 8]},
        them={"response": [4, 4], "passion": [6, 6], "dialogue": [5, 5]},
    )
    change = compare_rounds(previous, current)
    assert [(row.trait, row.status) for row in change.traits] == [
        ("response", TraitStatus.KEPT),
        ("passion", TraitStatus.KEPT),
        ("dialogue", TraitStatus.ADDED),
        ("growth", TraitStatus.RETIRED),
    ]
    response, passion, dialogue, growth = change.traits
    assert (response.us.previous, response.us.current, response.us.delta) == (3, 3.5, 0.5)
    assert response.us.no_change is True  # 0.5 < R/8 = 1
    assert (passion.us.delta, passion.us.no_change) == (1.0, False)  # exactly R/8 is a change
    assert (passion.them.delta, passion.them.no_change) == (0.0, True)
    assert (passion.gap.previous, passion.gap.current, passion.gap.delta) == (1.0, 0.0, -1.0)
    assert (dialogue.us.previous, dialogue.us.current, dialogue.us.delta) == (None, 8.0, None)
    assert dialogue.us.no_change is None
    assert (growth.them.previous, growth.them.current, growth.gap.delta) == (2.0, None, None)


def test_compare_rounds_overall_change_of_s_and_levels() -> None:
    previous = mirror_round((1, 1, 1), (5, 5, 5))
    current = mirror_round((4, 4, 4), (5, 5, 5))
    change = compare_rounds(previous, current)
    assert (change.similarity.previous, change.similarity.current) == approx((0.0, 75.0))
    assert change.similarity.no_change is False
    assert change.level_us.delta == approx(0.75)
    assert change.level_them.delta == 0 and change.level_them.no_change is True
    assert (change.previous_verdict, change.current_verdict) == (
        Verdict.ONE_SIDED,
        Verdict.ONE_SIDED,
    )
    assert json.loads(json.dumps(change.to_dict())) == change.to_dict()


def test_small_change_of_s_is_no_change() -> None:
    # S moves by 100/8 = 12.5 points when the RMS gap moves by R/8: below that, no change.
    previous = mirror_round((1, 1, 1, 1), (1, 1, 1, 1))
    current = mirror_round((1, 1, 1, 1), (1, 1, 1, 2))
    change = compare_rounds(previous, current)
    assert change.similarity.delta == approx(-12.5)
    assert change.similarity.no_change is False
    assert compare_rounds(current, current).similarity.no_change is True


def test_compare_rounds_refuses_rounds_on_different_scales() -> None:
    with pytest.raises(ValueError, match="different scales"):
        compare_rounds(mirror_round((1, 2), (2, 3)), mirror_round((1, 2), (2, 3), scale=NINE))


# --------------------------------------------------------------------------------------------
# Purity: the fit model imports only the standard library
# --------------------------------------------------------------------------------------------


def test_fit_module_imports_only_the_standard_library() -> None:
    tree = ast.parse(Path(fit.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            assert node.level == 0, "the fit model imports nothing from the app"
            imported.add((node.module or "").partition(".")[0])
    assert imported, "the parser found the imports"
    assert imported <= sys.stdlib_module_names
    assert not imported & {"flask", "sqlalchemy", "flask_sqlalchemy", "plotly", "numpy"}
