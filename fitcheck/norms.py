"""Two readings beside the mirror: the field's norm, and each side's response style.

**The distinctive profile correlation** (Furr 2008). Two sides can look alike simply
because every partner describes every partner alike: "responds quickly" rated high and
"takes risks" rated low is what a workspace hears from almost everyone. Subtracting the
workspace's normative profile — the mean of each perspective's profile over the
workspace's revealed rounds, trait by trait (matched by key) — leaves what is distinctive
about this pair; the correlation of what is left answers: do these two sides resemble each
other beyond what every partner says? A trait counts only when at least
:data:`MIN_NORM_ROUNDS` revealed rounds give it a value in both perspectives, and the
correlation needs :data:`MIN_DISTINCTIVE_TRAITS` such traits.

**Response style.** Modest self-ratings are common in Japanese business settings; a side
that rates itself below how the other side sees it on every trait turns every trait into a
"hidden strength". The response-style index of a side is the mean over the traits both
views have of (self-view − the other side's view of it), with its spread (SD): below 0 a
modest side, above 0 a self-enhancing one. It is read as a note, beside the blind spots
and hidden strengths, when its size reaches the step of a notable gap (R/8).

Pure: no Flask, no database.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from .fit import FitResult, Scale, Side, reaches

#: Rounds that must give a trait a value before its norm counts (issue: "at least 10").
MIN_NORM_ROUNDS = 10
#: Traits a profile correlation needs (as the mirror's shape r).
MIN_DISTINCTIVE_TRAITS = 3
# A profile whose spread is below this (in scale points) is flat: see `_pearson`.
_FLAT = 1e-9


@dataclass(frozen=True, slots=True)
class Profiles:
    """One round's mirror profiles by trait key: `us` (the company as the client sees it)
    and `them` (the client as the company sees it); None where a side is withheld or no
    one rated the trait."""

    us: Mapping[str, float | None]
    them: Mapping[str, float | None]

    @classmethod
    def of(cls, result: FitResult) -> Profiles:
        return cls(
            us={row.trait: row.us for row in result.traits},
            them={row.trait: row.them for row in result.traits},
        )


class Missing(StrEnum):
    """Why there is no distinctive profile correlation."""

    FEW_ROUNDS = "few_rounds"  # no trait of this round has a norm from enough rounds
    FEW_TRAITS = "few_traits"  # fewer than three traits with a norm and both views
    FLAT = "flat"  # what is left after the norm does not vary on one side


@dataclass(frozen=True, slots=True)
class Distinctive:
    """The distinctive profile correlation of a round, or why it is missing.

    `rounds`: the revealed rounds behind the norm (those sharing a trait key with this
    round); `traits`: the traits correlated.
    """

    r: float | None
    traits: int
    rounds: int
    missing: Missing | None


def _mean(values: Sequence[float]) -> float:
    return math.fsum(values) / len(values)


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson r; None when either side is flat. What is left after the norm is a
    difference of means, so a profile flat on paper can differ by rounding noise
    (4.1 − 3.2 is not 0.9 in floating point): a spread below a billionth of a scale point
    counts as none, or the noise would be correlated."""
    mx, my = _mean(xs), _mean(ys)
    dx = [x - mx for x in xs]
    dy = [y - my for y in ys]
    sx = math.sqrt(math.fsum(d * d for d in dx) / len(dx))
    sy = math.sqrt(math.fsum(d * d for d in dy) / len(dy))
    if sx <= _FLAT or sy <= _FLAT:
        return None
    r = math.fsum(a * b for a, b in zip(dx, dy, strict=True)) / (len(dx) * sx * sy)
    return max(-1.0, min(1.0, r))


@dataclass(frozen=True, slots=True)
class Norm:
    """The normative profile of a set of rounds, computed once for every round read
    against it: per trait key, the mean `us` and `them` over the rounds that give one,
    with how many do; and how many rounds have each set of trait keys (to count the rounds
    sharing a trait with a round).

    The means are `math.fsum` sums, which are exact whatever the order of the rounds: a
    round read against the norm of the whole workspace gets the very number it gets
    against its own list of the same rounds."""

    us: Mapping[str, tuple[float, int]]
    them: Mapping[str, tuple[float, int]]
    keysets: Mapping[frozenset[str], int]

    @classmethod
    def of(cls, workspace: Iterable[Profiles]) -> Norm:
        us: dict[str, list[float]] = {}
        them: dict[str, list[float]] = {}
        keysets: Counter[frozenset[str]] = Counter()
        for profiles in workspace:
            keysets[frozenset(profiles.us)] += 1
            for values, into in ((profiles.us, us), (profiles.them, them)):
                for key, value in values.items():
                    if value is not None:
                        into.setdefault(key, []).append(value)
        return cls(
            us={key: (_mean(values), len(values)) for key, values in us.items()},
            them={key: (_mean(values), len(values)) for key, values in them.items()},
            keysets=dict(keysets),
        )

    def sharing(self, keys: Iterable[str]) -> int:
        """How many of the rounds have at least one of these trait keys."""
        wanted = frozenset(keys)
        return sum(count for keyset, count in self.keysets.items() if keyset & wanted)


def distinctive_correlation(current: Profiles, workspace: Sequence[Profiles]) -> Distinctive:
    """Furr's distinctive profile correlation of `current` against the norm of
    `workspace` (every revealed round of the workspace, `current` included)."""
    return distinctive_against(current, Norm.of(workspace))


def distinctive_against(current: Profiles, norm: Norm) -> Distinctive:
    """Furr's distinctive profile correlation of `current` against `norm` (of every
    revealed round of the workspace, `current` included)."""
    us_left: list[float] = []
    them_left: list[float] = []
    normed = 0  # traits of this round whose norm rests on enough rounds
    nothing = (0.0, 0)
    for key in current.us:
        (mean_us, count_us), (mean_them, count_them) = (
            norm.us.get(key, nothing),
            norm.them.get(key, nothing),
        )
        if min(count_us, count_them) < MIN_NORM_ROUNDS:
            continue
        normed += 1
        us, them = current.us[key], current.them.get(key)
        if us is not None and them is not None:
            us_left.append(us - mean_us)
            them_left.append(them - mean_them)
    traits, rounds = len(us_left), norm.sharing(current.us)
    if not normed:
        return Distinctive(r=None, traits=0, rounds=rounds, missing=Missing.FEW_ROUNDS)
    if traits < MIN_DISTINCTIVE_TRAITS:
        return Distinctive(r=None, traits=traits, rounds=rounds, missing=Missing.FEW_TRAITS)
    r = _pearson(us_left, them_left)
    return Distinctive(
        r=r, traits=traits, rounds=rounds, missing=Missing.FLAT if r is None else None
    )


class Leaning(StrEnum):
    """How a side's self-ratings sit against the other side's view of it."""

    MODEST = "modest"  # below how it is seen, by at least R/8 on average
    SELF_ENHANCING = "self_enhancing"  # above how it is seen, by at least R/8 on average
    NEUTRAL = "neutral"  # within R/8 either way


@dataclass(frozen=True, slots=True)
class ResponseStyle:
    """A side's response-style index: the mean and SD over `traits` of (self-view − the
    other side's view of it); None below one trait (SD: below two)."""

    side: Side
    mean: float | None
    sd: float | None
    traits: int
    leaning: Leaning | None


def leaning(mean: float | None, scale: Scale) -> Leaning | None:
    """The leaning of an index on `scale`: at least R/8 (a notable gap) either way."""
    if mean is None:
        return None
    step = scale.range / 8
    # As every edge of the engine: exactly R/8 on paper counts, whatever the rounding.
    if reaches(-mean, step):
        return Leaning.MODEST
    if reaches(mean, step):
        return Leaning.SELF_ENHANCING
    return Leaning.NEUTRAL


def style_of(differences: Sequence[float], side: Side, scale: Scale) -> ResponseStyle:
    """The index of a side from its differences (self − seen), one per trait or round."""
    if not differences:
        return ResponseStyle(side=side, mean=None, sd=None, traits=0, leaning=None)
    mean = _mean(list(differences))
    sd = statistics.stdev(differences) if len(differences) > 1 else None
    return ResponseStyle(
        side=side, mean=mean, sd=sd, traits=len(differences), leaning=leaning(mean, scale)
    )


def response_style(result: FitResult, side: Side) -> ResponseStyle:
    """The response style of one side of a round, over the traits where both its self-view
    and the other side's view of it exist (none when either side is withheld)."""
    differences = [
        row.side(side).self_minus_seen
        for row in result.traits
        if row.side(side).self_minus_seen is not None
    ]
    return style_of([d for d in differences if d is not None], side, result.scale)
