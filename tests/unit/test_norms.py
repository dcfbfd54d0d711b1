"""The two readings beside the mirror (`fitcheck.norms`) against computations of our own.

The distinctive profile correlation is checked against numpy on profiles built by hand (and
against exact fractions in a property test); the response-style index against
FIT_MODEL.md's worked example and against hand-made rounds at the R/8 edges. No app, no
database.
"""

from __future__ import annotations

import ast
import statistics
import sys
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from fitcheck import fit, norms
from fitcheck.fit import Rating, Scale, Side
from fitcheck.norms import Leaning, Missing, Profiles

from ..worked_example import worked_fit

approx = pytest.approx
LIKERT = Scale(1, 5)
KEYS = ("a", "b", "c", "d", "e")

# --------------------------------------------------------------------------------------------
# Builders
# --------------------------------------------------------------------------------------------


def _profiles(us: Sequence[float | None], them: Sequence[float | None], keys=KEYS) -> Profiles:
    return Profiles(us=dict(zip(keys, us, strict=True)), them=dict(zip(keys, them, strict=True)))


def _random_rounds(count: int, *, seed: int, keys=KEYS) -> list[Profiles]:
    """`count` rounds whose profiles are means of a few ratings: multiples of ½ on 1..5."""
    rng = np.random.default_rng(seed)
    return [
        _profiles(
            list(rng.integers(2, 11, len(keys)) / 2), list(rng.integers(2, 11, len(keys)) / 2), keys
        )
        for _ in range(count)
    ]


def _matrix(rounds: Sequence[Profiles], perspective: str, keys=KEYS) -> np.ndarray:
    """Rounds × traits, NaN where a round gives no value."""
    return np.array(
        [
            [
                np.nan if getattr(p, perspective).get(k) is None else getattr(p, perspective)[k]
                for k in keys
            ]
            for p in rounds
        ],
        dtype=float,
    )


def _numpy_r(current: Profiles, rounds: Sequence[Profiles], keys: Sequence[str]) -> float:
    """Pearson r of (current − norm) over `keys`, the norm the mean over `rounds`."""
    us_norm = np.nanmean(_matrix(rounds, "us", keys), axis=0)
    them_norm = np.nanmean(_matrix(rounds, "them", keys), axis=0)
    us_left = np.array([current.us[k] for k in keys]) - us_norm
    them_left = np.array([current.them[k] for k in keys]) - them_norm
    return float(np.corrcoef(us_left, them_left)[0, 1])


# --------------------------------------------------------------------------------------------
# The distinctive profile correlation
# --------------------------------------------------------------------------------------------


def test_distinctive_r_is_the_correlation_of_both_profiles_minus_the_workspace_norm():
    rounds = _random_rounds(12, seed=1)
    current = rounds[4]
    found = norms.distinctive_correlation(current, rounds)
    expected = _numpy_r(current, rounds, KEYS)
    assert found == norms.Distinctive(
        r=approx(expected, abs=1e-12), traits=5, rounds=12, missing=None
    )
    # The norm matters here: the raw shape r of the two profiles is another number.
    raw = np.corrcoef([current.us[k] for k in KEYS], [current.them[k] for k in KEYS])[0, 1]
    assert abs(raw - expected) > 0.05


def test_the_norm_includes_the_current_round():
    current = _profiles([5, 1, 5, 1, 3], [1, 5, 2, 5, 3])
    # Some rounds lack a view on d and e (withheld, or can't judge), so the traits' norms
    # rest on different numbers of rounds: including the current round then changes the
    # shape of what is left, not only its size.
    others = [
        Profiles(
            us={k: None if k == "e" and i < 4 else v for k, v in p.us.items()},
            them={k: None if k == "d" and i >= 10 else v for k, v in p.them.items()},
        )
        for i, p in enumerate(_random_rounds(13, seed=2))
    ]
    found = norms.distinctive_correlation(current, [current, *others])
    assert found.missing is None and found.rounds == 14 and found.traits == 5
    assert found.r == approx(_numpy_r(current, [current, *others], KEYS), abs=1e-12)
    # (by 2e-5 here, far beyond the 1e-12 the norm with the current round agrees to)
    assert abs(found.r - _numpy_r(current, others, KEYS)) > 1e-6
    # And the current round counts towards the ten: with nine others, it makes ten.
    nine = _random_rounds(9, seed=9)
    found = norms.distinctive_correlation(current, [current, *nine])
    assert (found.missing, found.rounds, found.traits) == (None, 10, 5)
    assert found.r == approx(_numpy_r(current, [current, *nine], KEYS), abs=1e-12)
    alone = norms.distinctive_correlation(current, nine)
    assert (alone.r, alone.missing, alone.rounds) == (None, Missing.FEW_ROUNDS, 9)


def test_a_norm_computed_once_gives_every_round_exactly_its_own_number():
    """An export reads a thousand rounds against one `Norm` of the workspace instead of
    averaging the thousand rounds again for each: every round gets the very Distinctive
    its own list gives it (exact sums: not approximately, equal), whatever the order."""
    rounds = [
        Profiles(
            us={k: None if k == "e" and i % 3 == 0 else v for k, v in p.us.items()},
            them={k: None if k == "a" and i % 4 == 1 else v for k, v in p.them.items()},
        )
        for i, p in enumerate(_random_rounds(14, seed=5))
    ]
    # A round on other traits, sharing one of them: counted among the rounds of "a" only.
    rounds.append(_profiles([2.5, 4.0], [3.0, 1.5], keys=("a", "z")))
    norm = norms.Norm.of(reversed(rounds))
    for index, current in enumerate(rounds):
        others = rounds[:index] + rounds[index + 1 :]
        own = norms.distinctive_correlation(current, [current, *others])
        assert norms.distinctive_against(current, norm) == own
    assert norm.sharing(["z"]) == 1 and norm.sharing(["a", "q"]) == 15
    assert norm.sharing(["q"]) == 0
    assert norms.distinctive_against(rounds[-1], norm).missing is Missing.FEW_TRAITS


def test_traits_with_values_from_fewer_than_ten_rounds_are_left_out():
    keys = ("a", "b", "c", "d", "e", "f", "g")
    rounds = _random_rounds(11, seed=3, keys=keys)
    rounds = [
        Profiles(
            # e: the client's view of the company withheld in two rounds (9 us values left);
            # g: a trait two rounds never had (another trait set's rounds).
            us={
                k: (None if k == "e" and i in (3, 7) else v)
                for k, v in p.us.items()
                if not (k == "g" and i in (1, 2))
            },
            # d: the company's view of the client missing in two rounds (9 them values left).
            them={
                k: (None if k == "d" and i in (5, 6) else v)
                for k, v in p.them.items()
                if not (k == "g" and i in (1, 2))
            },
        )
        for i, p in enumerate(rounds)
    ]
    current = rounds[0]
    found = norms.distinctive_correlation(current, rounds)
    kept = ("a", "b", "c", "f")
    assert (found.traits, found.rounds, found.missing) == (4, 11, None)
    assert found.r == approx(_numpy_r(current, rounds, kept), abs=1e-12)
    # With a tenth us value for e, e comes in (its norm from the 10 values there are).
    rounds[3] = Profiles(us={**rounds[3].us, "e": 2.0}, them=rounds[3].them)
    with_e = norms.distinctive_correlation(current, rounds)
    assert with_e.traits == 5
    assert with_e.r == approx(_numpy_r(current, rounds, (*kept, "e")), abs=1e-12)


def test_few_rounds_when_no_trait_has_ten_rounds_and_says_how_many_share_its_traits():
    rounds = _random_rounds(9, seed=4)
    # Rounds on other traits only (another trait set) are not part of this round's norm.
    elsewhere = _random_rounds(5, seed=5, keys=("x", "y", "z"))
    found = norms.distinctive_correlation(rounds[0], [*rounds, *elsewhere])
    assert found == norms.Distinctive(r=None, traits=0, rounds=9, missing=Missing.FEW_ROUNDS)


def test_few_traits_when_fewer_than_three_traits_have_a_norm_and_both_views():
    rounds = _random_rounds(10, seed=6)
    # Only a and b are in every round; c, d, e are missing from one round each.
    thinned = [
        Profiles(
            us={k: v for k, v in p.us.items() if k in ("a", "b") or KEYS.index(k) != i - 2},
            them={k: v for k, v in p.them.items() if k in ("a", "b") or KEYS.index(k) != i - 2},
        )
        for i, p in enumerate(rounds)
    ]
    found = norms.distinctive_correlation(thinned[0], thinned)
    assert found == norms.Distinctive(r=None, traits=2, rounds=10, missing=Missing.FEW_TRAITS)
    # Every trait has its norm, but this round has both views on two traits only.
    current = _profiles([4, 3, None, 2, 5], [2, 4, 3, None, None])
    found = norms.distinctive_correlation(current, [current, *rounds[1:]])
    assert (found.r, found.traits, found.missing) == (None, 2, Missing.FEW_TRAITS)


def test_flat_when_what_is_left_of_one_profile_does_not_vary():
    # Every round describes the company alike: nothing distinctive is left of `us`.
    same_us = [4.0, 3.0, 2.0, 5.0, 3.5]
    rounds = [_profiles(same_us, list(p.them.values())) for p in _random_rounds(10, seed=7)]
    found = norms.distinctive_correlation(rounds[0], rounds)
    assert (found.r, found.traits, found.missing) == (None, 5, Missing.FLAT)
    # Likewise for `them`.
    swapped = [Profiles(us=p.them, them=p.us) for p in rounds]
    assert norms.distinctive_correlation(swapped[0], swapped).missing is Missing.FLAT


def test_flat_when_a_round_sees_the_company_one_point_higher_on_every_trait():
    """The partners agree on the company, and this round says one point more of it on
    every trait: each trait's distinctive value is 1 − 1/10 = 0.9 exactly, so the
    distinctive `us` profile does not vary. A mean of ten ratings is not exact in binary
    (4.1), and rounding noise of 1e-16 must not come out as a correlation."""
    us = [4.0, 3.0, 2.0, 1.0, 3.0]
    others = [_profiles(us, list(p.them.values())) for p in _random_rounds(9, seed=8)]
    current = _profiles([u + 1 for u in us], [3, 2, 5, 1, 4])
    left = [Fraction(u + 1) - (9 * Fraction(u) + Fraction(u + 1)) / 10 for u in us]
    assert len(set(left)) == 1  # 9/10 on every trait, exactly
    found = norms.distinctive_correlation(current, [current, *others])
    assert (found.r, found.traits, found.missing) == (None, 5, Missing.FLAT)


# Profiles as rounds give them: means of a few ratings on 1..5, in halves; None for a
# withheld side or a trait no one rated.
_VALUE = st.integers(2, 10).map(lambda twice: twice / 2)
# None one time in twelve: most traits still reach ten rounds in both perspectives.
_MAYBE = st.tuples(st.integers(0, 11), _VALUE).map(lambda drawn: drawn[1] if drawn[0] else None)


def _exact_left(
    current: Profiles, rounds: Sequence[Profiles], perspective: str
) -> dict[str, Fraction]:
    """(current − norm) in exact fractions, on the traits the correlation uses."""
    left = {}
    for key in current.us:
        us = [p.us[key] for p in rounds if p.us.get(key) is not None]
        them = [p.them[key] for p in rounds if p.them.get(key) is not None]
        if min(len(us), len(them)) < norms.MIN_NORM_ROUNDS:
            continue
        if current.us[key] is None or current.them[key] is None:
            continue
        values = us if perspective == "us" else them
        mine = getattr(current, perspective)[key]
        left[key] = Fraction(mine) - sum(map(Fraction, values)) / len(values)
    return left


def _exact_r(left_us: Mapping[str, Fraction], left_them: Mapping[str, Fraction]) -> float | None:
    xs, ys = list(left_us.values()), list(left_them.values())
    if len(xs) < norms.MIN_DISTINCTIVE_TRAITS:
        return None
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return float(sxy) / float(sxx * syy) ** 0.5


@st.composite
def _workspaces(draw: st.DrawFn) -> tuple[list[Profiles], str, float]:
    traits = draw(st.integers(3, 6))
    keys = [f"t{i}" for i in range(traits)]
    count = draw(st.integers(norms.MIN_NORM_ROUNDS, 16))
    rounds = []
    for index in range(count):
        values = _VALUE if index == 0 else _MAYBE  # the current round has both views
        rounds.append(
            Profiles(
                us={k: draw(values) for k in keys},
                them={k: draw(values) for k in keys},
            )
        )
    shifted = draw(st.sampled_from(keys))
    constant = draw(st.sampled_from([-2.0, -1.5, -0.5, 0.5, 1.0, 2.5]))
    return rounds, shifted, constant


@settings(deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_workspaces())
def test_what_every_partner_says_of_a_trait_is_absorbed_by_the_norm(workspace):
    """Adding the same constant to every round's `us` on one trait (every client sees the
    company higher there) changes the norm by that constant and nothing distinctive."""
    rounds, key, constant = workspace
    left_us, left_them = (
        _exact_left(rounds[0], rounds, "us"),
        _exact_left(rounds[0], rounds, "them"),
    )
    exact = _exact_r(left_us, left_them)
    # A profile flat but for rounding is tested on its own (test_flat_…); here r is defined.
    assume(exact is not None)
    shifted = [
        Profiles(
            us={k: (v + constant if k == key and v is not None else v) for k, v in p.us.items()},
            them=p.them,
        )
        for p in rounds
    ]
    before = norms.distinctive_correlation(rounds[0], rounds)
    after = norms.distinctive_correlation(shifted[0], shifted)
    assert before.r == approx(exact, abs=1e-9)
    assert after.r == approx(before.r, abs=1e-9)
    assert (
        (after.traits, after.rounds, after.missing)
        == (
            before.traits,
            before.rounds,
            before.missing,
        )
        == (len(left_us), len(rounds), None)
    )


def test_profiles_of_a_round_are_its_us_and_them_by_trait_key():
    result = _worked()
    profiles = Profiles.of(result)
    assert profiles.us == {"passion": 4, "response": 4, "dialogue": 3, "growth": 4}
    assert profiles.them == {"passion": 4.5, "response": 2.5, "dialogue": 4.5, "growth": 2}


# --------------------------------------------------------------------------------------------
# Response style
# --------------------------------------------------------------------------------------------

# FIT_MODEL.md's table of profiles: them, us, us_self, them_self per trait.
WORKED_PROFILES = {
    "passion": (4.5, 4, 4.5, 4),
    "response": (2.5, 4, 5, 3),
    "dialogue": (4.5, 3, 3.5, 5),
    "growth": (2, 4, 3.5, 1),
}


def _worked(min_responses: int = 1) -> fit.FitResult:
    return worked_fit(min_responses)


def test_response_style_of_the_worked_example():
    result = _worked()
    # The company's self-view minus the client's view of it; the client's likewise.
    company = [us_self - us for _, us, us_self, _ in WORKED_PROFILES.values()]
    client = [them_self - them for them, _, _, them_self in WORKED_PROFILES.values()]
    assert company == [0.5, 1.0, 0.5, -0.5] and client == [-0.5, 0.5, 0.5, -1.0]
    for side, differences in ((Side.COMPANY, company), (Side.CLIENT, client)):
        style = norms.response_style(result, side)
        assert style.side is side and style.traits == 4
        assert style.mean == approx(float(np.mean(differences)), abs=1e-12)
        assert style.sd == approx(float(np.std(differences, ddof=1)), abs=1e-12)
        # 0.375 and −0.125: both within R/8 = 0.5 of how the side is seen.
        assert style.leaning is Leaning.NEUTRAL
    assert norms.response_style(result, Side.COMPANY).mean == approx(0.375)
    assert norms.response_style(result, Side.CLIENT).mean == approx(-0.125)


def test_a_withheld_side_leaves_both_indices_empty():
    # With k = 2 the client (one response) is withheld: neither the client's self-view nor
    # its view of the company exists, so neither side has a difference to average.
    result = _worked(min_responses=2)
    for side in Side:
        style = norms.response_style(result, side)
        assert (style.mean, style.sd, style.traits, style.leaning) == (None, None, 0, None)


def _round(cells: Mapping[str, Mapping[str, tuple[int | None, int | None]]]) -> fit.FitResult:
    """A round from {trait: {respondent: (other, self)}}; respondents C… company, K… client."""
    ratings = [
        Rating(code, Side.COMPANY if code.startswith("C") else Side.CLIENT, trait, o, s, None)
        for trait, people in cells.items()
        for code, (o, s) in people.items()
    ]
    return fit.assess(list(cells), ratings, scale=LIKERT)


def test_response_style_counts_only_traits_with_both_views_and_has_no_sd_below_two():
    result = _round(
        {
            # The company: self 2 vs seen 4 (−2); on y the client can't judge the company.
            "x": {"C1": (3, 2), "K1": (4, 4)},
            "y": {"C1": (3, 5), "K1": (None, 3)},
        }
    )
    company = norms.response_style(result, Side.COMPANY)
    assert (company.mean, company.sd, company.traits, company.leaning) == (
        -2.0,
        None,
        1,
        Leaning.MODEST,
    )
    client = norms.response_style(result, Side.CLIENT)
    assert client.traits == 2 and client.mean == approx(statistics.mean([4 - 3, 3 - 3]))
    assert client.sd == approx(statistics.stdev([1, 0]))


@pytest.mark.parametrize(
    ("scale", "differences", "leaning"),
    [
        (Scale(1, 5), [-0.5], Leaning.MODEST),  # exactly −R/8
        (Scale(1, 5), [-1.0, 0.0], Leaning.MODEST),  # a mean of exactly −R/8
        (Scale(1, 5), [-0.49], Leaning.NEUTRAL),
        (Scale(1, 5), [0.49, 0.0, 0.98], Leaning.NEUTRAL),
        (Scale(1, 5), [0.5], Leaning.SELF_ENHANCING),  # exactly R/8
        (Scale(1, 5), [0.0, 1.0], Leaning.SELF_ENHANCING),
        (Scale(1, 7), [-0.75], Leaning.MODEST),  # R = 6
        (Scale(1, 7), [-0.7], Leaning.NEUTRAL),
        (Scale(1, 7), [0.75], Leaning.SELF_ENHANCING),
        (Scale(0, 10), [1.25, 1.25], Leaning.SELF_ENHANCING),  # R = 10
        (Scale(0, 10), [1.2], Leaning.NEUTRAL),
        (Scale(1, 5), [0.0], Leaning.NEUTRAL),
    ],
)
def test_the_leaning_starts_at_an_eighth_of_the_range(scale, differences, leaning):
    style = norms.style_of(differences, Side.CLIENT, scale)
    assert style.leaning is leaning
    assert style.mean == approx(statistics.fmean(differences))
    assert style.traits == len(differences)
    if len(differences) > 1:
        assert style.sd == approx(statistics.stdev(differences))
    else:
        assert style.sd is None


def test_an_index_of_exactly_r_over_8_counts_though_floating_point_falls_short():
    """As everywhere in the engine (`fit.reaches`), a value exactly at the edge on paper
    reaches it: 5/3 − 13/6 is −1/2 exactly, but −0.4999999999999998 in binary."""
    company = {f"C{i}": rating for i, rating in enumerate((1, 2, 2), 1)}  # 5/3 over three
    client = {f"K{i}": rating for i, rating in enumerate((2, 2, 2, 2, 2, 3), 1)}  # 13/6
    result = _round(
        {
            "t": {
                # The company rates itself 5/3 and is seen at 13/6: −1/2.
                # The client rates itself 13/6 and is seen at 5/3: +1/2.
                **{code: (rating, rating) for code, rating in company.items()},
                **{code: (rating, rating) for code, rating in client.items()},
            }
        }
    )
    row = result.trait("t")
    assert Fraction(row.us_self) - Fraction(row.us) != Fraction(-1, 2)  # rounded in binary
    assert Fraction(5, 3) - Fraction(13, 6) == Fraction(-1, 2)
    assert norms.response_style(result, Side.COMPANY).leaning is Leaning.MODEST
    assert norms.response_style(result, Side.CLIENT).leaning is Leaning.SELF_ENHANCING


# --------------------------------------------------------------------------------------------
# Purity
# --------------------------------------------------------------------------------------------


def test_norms_module_imports_only_the_standard_library_and_the_fit_model() -> None:
    tree = ast.parse(Path(norms.__file__).read_text(encoding="utf-8"))
    imported: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.partition(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                assert node.module == "fit", "norms imports nothing of the app but the model"
            else:
                imported.add((node.module or "").partition(".")[0])
    assert imported, "the parser found the imports"
    assert imported <= sys.stdlib_module_names
