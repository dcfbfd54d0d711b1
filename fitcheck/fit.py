"""The fit model: every number fitcheck shows about a partnership, computed in one place.

This module owns the formulas of ``FIT_MODEL.md`` and nothing else. Pages, charts, exports,
the API and the printed report all read a :class:`FitResult` built here, so the same
partnership shows the same numbers everywhere. Sections of the document are cited as
§"Section title" so the code can be audited against it line by line.

It is pure on purpose: standard library only (no Flask, SQLAlchemy, plotly or numpy), frozen
dataclasses in and out, no I/O and no user-facing text. Labels ("mutual fit", "blind spot")
are chosen at render time from the enum values carried in the results.

Entry points:

- :func:`compare` — §"Comparing two profiles": one function for every comparison.
- :func:`assess` — §"The four profiles" … §"Agreement within a side": a whole round.
- :func:`compare_rounds` — §"Annual review": one round against the previous one.
- :func:`portfolio_point` — §"Portfolio": the (X, Y) of a round for the portfolio chart and
  the response-surface regression (fitted elsewhere).
"""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, is_dataclass
from enum import Enum, StrEnum
from typing import Any, ClassVar, Literal, Protocol, TypeAlias

__all__ = [
    "Band",
    "Change",
    "Comparison",
    "Comparisons",
    "Decomposition",
    "FitResult",
    "Rating",
    "RoundChange",
    "Scale",
    "Side",
    "SideSummary",
    "SideTrait",
    "Stats",
    "Thresholds",
    "TraitChange",
    "TraitGap",
    "TraitResult",
    "TraitStatus",
    "Verdict",
    "assess",
    "compare",
    "compare_rounds",
    "gap_band",
    "portfolio_point",
    "reaches",
]

JSONValue: TypeAlias = bool | int | float | str | list["JSONValue"] | dict[str, "JSONValue"] | None

#: Two-sided 95% normal quantile for the Fisher-z interval of the shape r.
Z_95 = 1.96
#: rwg below this: the side disagrees, so its spread is shown and not only its mean.
RWG_DISAGREES_BELOW = 0.5
#: A change of R/8 in the gap is the "no change" step of §"Annual review". S is
#: 100·(1 − RMS gap / R), so that step is 100/8 = 12.5 points of S on any scale.
SIMILARITY_NO_CHANGE_BELOW = 100 / 8
#: Likewise, a change of R/8 scale points in a weighted mean is 1/8 of a level (L is 0..1).
LEVEL_NO_CHANGE_BELOW = 1 / 8


# --------------------------------------------------------------------------------------------
# Inputs (§"Inputs")
# --------------------------------------------------------------------------------------------


class Side(StrEnum):
    """The two sides of a partnership: the workspace's own ("us") and its client ("them")."""

    COMPANY = "company"
    CLIENT = "client"


class Band(StrEnum):
    """Size of a gap: aligned ``|g| < R/8``, notable ``< R/4``, major ``≥ R/4``."""

    ALIGNED = "aligned"
    NOTABLE = "notable"
    MAJOR = "major"


class Verdict(StrEnum):
    """The mirror's verdict, §"Verdict of the mirror"."""

    MUTUAL_FIT = "mutual_fit"
    ALIKE_BUT_WEAK = "alike_but_weak"
    ONE_SIDED = "one_sided"
    MISFIT = "misfit"
    NOT_ENOUGH_DATA = "not_enough_data"


class TraitStatus(StrEnum):
    """How a trait key relates two rounds in :func:`compare_rounds`."""

    KEPT = "kept"
    ADDED = "added"
    RETIRED = "retired"


@dataclass(frozen=True, slots=True)
class Scale:
    """Integer rating points ``lo..hi``; the same class serves ratings and importance."""

    lo: int = 1
    hi: int = 5

    def __post_init__(self) -> None:
        if self.hi <= self.lo:
            raise ValueError(f"a scale needs lo < hi, got {self.lo}..{self.hi}")

    @property
    def points(self) -> int:
        """``A``: the number of points."""
        return self.hi - self.lo + 1

    @property
    def range(self) -> int:
        """``R``: the distance between the ends."""
        return self.hi - self.lo

    @property
    def mid(self) -> float:
        """The midpoint, used to centre the portfolio coordinates."""
        return (self.lo + self.hi) / 2

    def contains(self, value: float) -> bool:
        return self.lo <= value <= self.hi


@dataclass(frozen=True, slots=True)
class Thresholds:
    """``S*`` and ``L*`` of the verdict; a workspace may change them."""

    similar: float = 80.0
    level: float = 0.6

    def __post_init__(self) -> None:
        if not 0 <= self.similar <= 100:
            raise ValueError(f"S* must lie in 0..100, got {self.similar}")
        if not 0 <= self.level <= 1:
            raise ValueError(f"L* must lie in 0..1, got {self.level}")


@dataclass(frozen=True, slots=True)
class Rating:
    """One submitted response's answers on one trait.

    ``other`` rates the other side, ``self_`` the respondent's own side. ``None`` is "can't
    judge" (or not answered) and is never treated as a number. Only submitted responses are
    passed in: the caller drops drafts. A respondent who answered "can't judge" everywhere
    still counts towards the anonymity threshold, so pass their rows too.
    """

    respondent: str | int
    side: Side
    trait: str
    other: int | None
    self_: int | None
    importance: int | None

    def __post_init__(self) -> None:
        # Sides arrive as plain strings from the database; normalising here keeps
        # `rating.side is Side.COMPANY` reliable downstream and rejects unknown sides early.
        object.__setattr__(self, "side", Side(self.side))


DEFAULT_IMPORTANCE_SCALE = Scale(1, 5)
DEFAULT_THRESHOLDS = Thresholds()


# --------------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Stats:
    """One side's answers on one trait from one perspective (§"The four profiles").

    ``sd`` is the sample SD (n − 1), defined from n ≥ 2. ``distribution`` counts the answers
    at each scale point, ``lo`` first, so the spread can be drawn. Every field is ``None``
    when the side is withheld by the anonymity threshold.
    """

    n: int | None
    mean: float | None
    sd: float | None
    distribution: tuple[int, ...] | None


WITHHELD_STATS = Stats(n=None, mean=None, sd=None, distribution=None)


@dataclass(frozen=True, slots=True)
class SideTrait:
    """What one side said on one trait, and what follows from it.

    - ``other``, ``self_``, ``importance``: the side's answers per perspective.
    - ``rwg``: agreement of the side's other-ratings (§"Agreement within a side"), ``None``
      below two ratings; ``disagrees`` when it is below 0.5.
    - ``self_minus_seen``: this side's self-view minus the other side's view of it;
      ``blind_spot`` when it is ≥ R/4, ``hidden_strength`` when it is ≤ −R/4
      (§"The named comparisons").
    """

    other: Stats
    self_: Stats
    importance: Stats
    rwg: float | None
    disagrees: bool | None
    self_minus_seen: float | None
    blind_spot: bool | None
    hidden_strength: bool | None


@dataclass(frozen=True, slots=True)
class TraitResult:
    """One row of the mirror gap table, in trait-set order.

    ``us``, ``them``, ``us_self``, ``them_self`` are the four profiles at this trait and
    ``weight`` is ``w_t``. ``gap`` is the mirror's ``them − us`` with its ``band``.
    ``importance_mismatch``: the sides' mean importance differ by at least a quarter of the
    importance range (``None`` unless both sides gave importance).
    """

    trait: str
    weight: float
    us: float | None
    them: float | None
    us_self: float | None
    them_self: float | None
    gap: float | None
    band: Band | None
    importance_mismatch: bool | None
    company: SideTrait
    client: SideTrait

    def side(self, side: Side) -> SideTrait:
        return self.company if side is Side.COMPANY else self.client


@dataclass(frozen=True, slots=True)
class TraitGap:
    """Per-trait row of a :class:`Comparison`: ``gap = y − x`` when both are defined."""

    trait: str
    x: float | None
    y: float | None
    gap: float | None
    band: Band | None


@dataclass(frozen=True, slots=True)
class Decomposition:
    """Cronbach & Gleser: ``D² = elevation + scatter + shape`` (unweighted, population SDs).

    The ``*_share`` fields are the parts as fractions of ``D²`` (``None`` when ``D² = 0``).
    """

    d2: float
    elevation: float
    scatter: float
    shape: float
    elevation_share: float | None
    scatter_share: float | None
    shape_share: float | None
    sd_x: float
    sd_y: float


@dataclass(frozen=True, slots=True)
class Comparison:
    """Result of :func:`compare` (§"Comparing two profiles").

    ``t_prime`` is ``T'``, the traits where both profiles are defined; every statistic is
    ``None`` when it is 0. ``similarity`` is S (0..100), ``elevation`` is E, ``wmean_x`` and
    ``wmean_y`` the weighted means over T', ``level_x``/``level_y`` are L_x/L_y (0..1).
    ``shape`` is Pearson's r (``None`` when T' < 3 or a profile is flat), ``shape_ci`` its
    Fisher-z 95% CI (T' ≥ 4), ``inconclusive`` whether that CI contains 0. ``icc`` is the
    double-entry ICC. Weighted statistics are also ``None`` if every weight in T' is 0.
    """

    gaps: tuple[TraitGap, ...]
    t_prime: int
    similarity: float | None
    elevation: float | None
    wmean_x: float | None
    wmean_y: float | None
    level_x: float | None
    level_y: float | None
    shape: float | None
    shape_ci: tuple[float, float] | None
    inconclusive: bool | None
    icc: float | None
    decomposition: Decomposition | None

    def gap_for(self, trait: str) -> TraitGap:
        for row in self.gaps:
            if row.trait == trait:
                return row
        raise KeyError(trait)


@dataclass(frozen=True, slots=True)
class Comparisons:
    """The six named comparisons of §"The named comparisons", as ``compare(x, y)``."""

    mirror: Comparison  # us → them
    self_described: Comparison  # us_self → them_self
    company_perceived: Comparison  # us_self → them
    client_perceived: Comparison  # them_self → us
    company_blind_spots: Comparison  # us → us_self
    client_blind_spots: Comparison  # them → them_self


@dataclass(frozen=True, slots=True)
class SideSummary:
    """Submitted responses of a side and whether the anonymity threshold withholds it.

    The count stays visible when the side is withheld: it says nothing about the answers
    and is what explains the withholding ("2 of 3 responses").
    """

    responses: int
    withheld: bool


@dataclass(frozen=True, slots=True)
class FitResult:
    """Everything about one round, as every page, chart, export and the API show it.

    ``traits`` holds one :class:`TraitResult` per trait in trait-set order. A withheld side
    has every aggregate ``None``: its stats, rwg, importance, the profiles it rates and every
    comparison that needs them; ``verdict`` is then ``not_enough_data``. ``falls_short`` is
    set only for ``one_sided`` (``None`` when both levels are equal).
    """

    scale: Scale
    importance_scale: Scale
    thresholds: Thresholds
    min_responses: int
    company: SideSummary
    client: SideSummary
    traits: tuple[TraitResult, ...]
    comparisons: Comparisons
    verdict: Verdict
    falls_short: Side | None

    @property
    def mirror(self) -> Comparison:
        return self.comparisons.mirror

    @property
    def us(self) -> Mapping[str, float | None]:
        return {row.trait: row.us for row in self.traits}

    @property
    def them(self) -> Mapping[str, float | None]:
        return {row.trait: row.them for row in self.traits}

    @property
    def us_self(self) -> Mapping[str, float | None]:
        return {row.trait: row.us_self for row in self.traits}

    @property
    def them_self(self) -> Mapping[str, float | None]:
        return {row.trait: row.them_self for row in self.traits}

    @property
    def weights(self) -> Mapping[str, float]:
        return {row.trait: row.weight for row in self.traits}

    def side(self, side: Side) -> SideSummary:
        return self.company if side is Side.COMPANY else self.client

    def trait(self, key: str) -> TraitResult:
        for row in self.traits:
            if row.trait == key:
                return row
        raise KeyError(key)

    def to_dict(self) -> dict[str, JSONValue]:
        """JSON-ready plain types; enums become their values, withheld values ``None``."""
        return _plain_dataclass(self)


@dataclass(frozen=True, slots=True)
class Change:
    """``previous → current`` with ``delta``; ``no_change`` when ``|delta|`` is below the step.

    ``delta`` and ``no_change`` are ``None`` unless both values exist.
    """

    previous: float | None
    current: float | None
    delta: float | None
    no_change: bool | None


@dataclass(frozen=True, slots=True)
class TraitChange:
    """Change of one trait, matched by its stable key; ``gap`` is the mirror's them − us."""

    trait: str
    status: TraitStatus
    us: Change
    them: Change
    gap: Change


@dataclass(frozen=True, slots=True)
class RoundChange:
    """§"Annual review": the current round against the previous one.

    ``traits`` lists the current round's traits in order, then the retired ones.
    """

    traits: tuple[TraitChange, ...]
    similarity: Change
    level_us: Change
    level_them: Change
    previous_verdict: Verdict
    current_verdict: Verdict

    def to_dict(self) -> dict[str, JSONValue]:
        return _plain_dataclass(self)


# --------------------------------------------------------------------------------------------
# Comparing two profiles (§"Comparing two profiles")
# --------------------------------------------------------------------------------------------


def reaches(value: float, threshold: float) -> bool:
    # Means of integer ratings are rational: a gap of exactly R/8 on paper can come out as
    # 0.49999999999999994 in floating point. It must still reach R/8, or the page would
    # disagree with a spreadsheet at every band and threshold edge.
    return value >= threshold or math.isclose(value, threshold, rel_tol=1e-9, abs_tol=1e-12)


def _clamp(value: float, lo: float, hi: float) -> float:
    return min(hi, max(lo, value))


def gap_band(gap: float, scale: Scale) -> Band:
    """Band of a gap: aligned ``|g| < R/8``, notable ``< R/4``, major ``≥ R/4``."""
    size = abs(gap)
    if reaches(size, scale.range / 4):
        return Band.MAJOR
    if reaches(size, scale.range / 8):
        return Band.NOTABLE
    return Band.ALIGNED


def _pearson(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    # pvariance works in exact fractions, so a flat profile is detected exactly: a rounded
    # mean of equal floats must not turn rounding noise into a correlation.
    if statistics.pvariance(xs) == 0 or statistics.pvariance(ys) == 0:
        return None
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sxy = math.fsum((a - mean_x) * (b - mean_y) for a, b in zip(xs, ys, strict=True))
    sx = math.sqrt(math.fsum((a - mean_x) ** 2 for a in xs))
    sy = math.sqrt(math.fsum((b - mean_y) ** 2 for b in ys))
    if sx == 0 or sy == 0:  # spreads below float resolution (only near 0 on a 0-based scale)
        return None
    # Rounding can push |r| a hair past 1, which atanh would reject.
    return _clamp(sxy / (sx * sy), -1.0, 1.0)


def _fisher_ci(r: float, t_prime: int) -> tuple[float, float]:
    if abs(r) == 1:
        # atanh(±1) is infinite: a perfect correlation has a degenerate interval.
        return (r, r)
    z = math.atanh(r)
    half = Z_95 / math.sqrt(t_prime - 3)
    return (math.tanh(z - half), math.tanh(z + half))


def _decompose(xs: Sequence[float], ys: Sequence[float]) -> Decomposition:
    t = len(xs)
    mean_x, mean_y = statistics.fmean(xs), statistics.fmean(ys)
    sd_x, sd_y = statistics.pstdev(xs), statistics.pstdev(ys)
    cov = math.fsum((a - mean_x) * (b - mean_y) for a, b in zip(xs, ys, strict=True)) / t
    d2 = math.fsum((b - a) ** 2 for a, b in zip(xs, ys, strict=True))
    elevation = t * (mean_y - mean_x) ** 2
    scatter = t * (sd_y - sd_x) ** 2
    # sd_x·sd_y·r is the covariance, so the shape term needs no r: it stays defined (and 0)
    # for a flat profile. Cauchy–Schwarz makes it ≥ 0; max() only absorbs rounding.
    shape = max(0.0, 2 * t * (sd_x * sd_y - cov))

    def share(part: float) -> float | None:
        return part / d2 if d2 > 0 else None

    return Decomposition(
        d2=d2,
        elevation=elevation,
        scatter=scatter,
        shape=shape,
        elevation_share=share(elevation),
        scatter_share=share(scatter),
        shape_share=share(shape),
        sd_x=sd_x,
        sd_y=sd_y,
    )


def _level(wmean: float | None, scale: Scale) -> float | None:
    if wmean is None:
        return None
    # Clamped because a weighted mean of on-scale values can round a hair off the scale.
    return _clamp((wmean - scale.lo) / scale.range, 0.0, 1.0)


def _difference(minuend: float | None, subtrahend: float | None) -> float | None:
    return None if minuend is None or subtrahend is None else minuend - subtrahend


def _checked(profile: Mapping[str, float | None], scale: Scale, name: str) -> None:
    for trait, value in profile.items():
        if value is None:
            continue
        if not math.isfinite(value) or not scale.contains(value):
            raise ValueError(f"{name}[{trait!r}] = {value} is outside {scale.lo}..{scale.hi}")


def _weight(weights: Mapping[str, float] | None, trait: str) -> float:
    if weights is None:
        return 1.0
    if trait not in weights:
        raise ValueError(f"no weight for trait {trait!r}")
    w = weights[trait]
    if not math.isfinite(w) or w < 0:
        raise ValueError(f"weight of {trait!r} must be finite and ≥ 0, got {w}")
    return float(w)


def compare(
    x: Mapping[str, float | None],
    y: Mapping[str, float | None],
    *,
    scale: Scale,
    weights: Mapping[str, float] | None = None,
) -> Comparison:
    """Compare profile ``y`` with profile ``x`` (§"Comparing two profiles").

    Profiles map trait keys to means on ``scale``; ``None`` (or a missing key) is undefined.
    Gaps are ``y − x``. ``weights`` are ``w_t`` (all 1 when ``None``); r, the ICC and the
    decomposition are unweighted, as the document specifies. ``gaps`` lists ``x``'s traits
    in order, then those only in ``y``.
    """
    _checked(x, scale, "x")
    _checked(y, scale, "y")
    keys = [*x, *(key for key in y if key not in x)]
    gaps: list[TraitGap] = []
    xs: list[float] = []
    ys: list[float] = []
    ws: list[float] = []
    for key in keys:
        a, b = x.get(key), y.get(key)
        if a is None or b is None:
            gaps.append(TraitGap(trait=key, x=a, y=b, gap=None, band=None))
            continue
        gap = b - a
        gaps.append(TraitGap(trait=key, x=a, y=b, gap=gap, band=gap_band(gap, scale)))
        xs.append(float(a))
        ys.append(float(b))
        ws.append(_weight(weights, key))

    t_prime = len(xs)
    if t_prime == 0:
        return Comparison(
            gaps=tuple(gaps),
            t_prime=0,
            similarity=None,
            elevation=None,
            wmean_x=None,
            wmean_y=None,
            level_x=None,
            level_y=None,
            shape=None,
            shape_ci=None,
            inconclusive=None,
            icc=None,
            decomposition=None,
        )

    similarity: float | None = None
    wmean_x: float | None = None
    wmean_y: float | None = None
    w_sum = math.fsum(ws)
    # All-zero weights (possible with an importance scale starting at 0) leave the weighted
    # statistics undefined rather than silently unweighted.
    if w_sum > 0:
        msd = math.fsum(w * (b - a) ** 2 for w, a, b in zip(ws, xs, ys, strict=True)) / w_sum
        # Clamped because rounding can put a maximal gap a hair beyond R.
        similarity = _clamp(100 * (1 - math.sqrt(msd) / scale.range), 0.0, 100.0)
        wmean_x = math.fsum(w * a for w, a in zip(ws, xs, strict=True)) / w_sum
        wmean_y = math.fsum(w * b for w, b in zip(ws, ys, strict=True)) / w_sum

    shape = _pearson(xs, ys) if t_prime >= 3 else None
    shape_ci = _fisher_ci(shape, t_prime) if shape is not None and t_prime >= 4 else None
    inconclusive: bool | None = None
    if shape is not None:
        # With T' = 3 no interval can be computed (1/sqrt(T' − 3)): the CI is all of
        # [−1, 1], which contains 0, so three traits never settle the shape.
        inconclusive = shape_ci is None or shape_ci[0] <= 0 <= shape_ci[1]

    return Comparison(
        gaps=tuple(gaps),
        t_prime=t_prime,
        similarity=similarity,
        elevation=_difference(wmean_y, wmean_x),
        wmean_x=wmean_x,
        wmean_y=wmean_y,
        level_x=_level(wmean_x, scale),
        level_y=_level(wmean_y, scale),
        shape=shape,
        shape_ci=shape_ci,
        inconclusive=inconclusive,
        icc=_pearson([*xs, *ys], [*ys, *xs]),
        decomposition=_decompose(xs, ys),
    )


# --------------------------------------------------------------------------------------------
# A whole round (§"The four profiles" … §"Agreement within a side")
# --------------------------------------------------------------------------------------------


def _sample_variance(values: Sequence[int]) -> float:
    """Sample variance (n − 1) in floats: `statistics.variance` works in exact fractions,
    which costs ten times as much on a large round and buys nothing for small integers."""
    mean = math.fsum(values) / len(values)
    return math.fsum((value - mean) ** 2 for value in values) / (len(values) - 1)


def _stats(values: Sequence[int], scale: Scale) -> Stats:
    counts = [0] * scale.points
    for value in values:
        counts[value - scale.lo] += 1
    n = len(values)
    return Stats(
        n=n,
        mean=math.fsum(values) / n if n else None,
        sd=math.sqrt(_sample_variance(values)) if n >= 2 else None,
        distribution=tuple(counts),
    )


def _rwg(values: Sequence[int], scale: Scale) -> float | None:
    if len(values) < 2:
        return None
    expected = (scale.points**2 - 1) / 12  # σ²_EU: variance of a uniform answer on A points
    return _clamp(1 - _sample_variance(values) / expected, 0.0, 1.0)


def _answer(value: int | None, scale: Scale, rating: Rating, field_name: str) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not scale.contains(value):
        raise ValueError(
            f"{rating.side}/{rating.respondent!r}/{rating.trait!r}: {field_name} = {value!r} "
            f"is not a point of {scale.lo}..{scale.hi}"
        )
    return value


@dataclass(frozen=True, slots=True)
class _Answers:
    """The submitted answers grouped by (side, trait), before any aggregation."""

    other: Mapping[tuple[Side, str], Sequence[int]]
    self_: Mapping[tuple[Side, str], Sequence[int]]
    importance: Mapping[tuple[Side, str], Sequence[int]]
    responses: Mapping[Side, int]


def _group(
    traits: Sequence[str], ratings: Iterable[Rating], scale: Scale, importance_scale: Scale
) -> _Answers:
    known = set(traits)
    if len(known) != len(traits):
        raise ValueError("trait keys must be unique")
    other: defaultdict[tuple[Side, str], list[int]] = defaultdict(list)
    self_: defaultdict[tuple[Side, str], list[int]] = defaultdict(list)
    importance: defaultdict[tuple[Side, str], list[int]] = defaultdict(list)
    respondents: dict[Side, set[str | int]] = {side: set() for side in Side}
    seen: set[tuple[Side, str | int, str]] = set()
    for rating in ratings:
        if rating.trait not in known:
            # A rating outside the snapshot means rounds were mixed up; ignoring it would
            # still count its respondent towards the anonymity threshold.
            raise ValueError(f"rating for unknown trait {rating.trait!r}")
        key = (rating.side, rating.respondent, rating.trait)
        if key in seen:
            raise ValueError(f"two ratings of {rating.trait!r} by {rating.respondent!r}")
        seen.add(key)
        respondents[rating.side].add(rating.respondent)
        cell = (rating.side, rating.trait)
        if (value := _answer(rating.other, scale, rating, "other")) is not None:
            other[cell].append(value)
        if (value := _answer(rating.self_, scale, rating, "self")) is not None:
            self_[cell].append(value)
        if (
            value := _answer(rating.importance, importance_scale, rating, "importance")
        ) is not None:
            importance[cell].append(value)
    return _Answers(
        other=other,
        self_=self_,
        importance=importance,
        responses={side: len(ids) for side, ids in respondents.items()},
    )


@dataclass(frozen=True, slots=True)
class _SideAnswers:
    other: Stats
    self_: Stats
    importance: Stats
    rwg: float | None


def _side_answers(
    answers: _Answers, side: Side, trait: str, withheld: bool, scale: Scale, imp: Scale
) -> _SideAnswers:
    if withheld:
        return _SideAnswers(WITHHELD_STATS, WITHHELD_STATS, WITHHELD_STATS, None)
    others = answers.other.get((side, trait), ())
    return _SideAnswers(
        other=_stats(others, scale),
        self_=_stats(answers.self_.get((side, trait), ()), scale),
        importance=_stats(answers.importance.get((side, trait), ()), imp),
        rwg=_rwg(others, scale),
    )


def _weight_of(company: _SideAnswers, client: _SideAnswers) -> float:
    # A withheld side has importance None here, so it cannot leak through the weights.
    means = [m for m in (company.importance.mean, client.importance.mean) if m is not None]
    return statistics.fmean(means) if means else 1.0


def _side_trait(answers: _SideAnswers, self_minus_seen: float | None, scale: Scale) -> SideTrait:
    step = scale.range / 4
    return SideTrait(
        other=answers.other,
        self_=answers.self_,
        importance=answers.importance,
        rwg=answers.rwg,
        disagrees=None if answers.rwg is None else not reaches(answers.rwg, RWG_DISAGREES_BELOW),
        self_minus_seen=self_minus_seen,
        blind_spot=None if self_minus_seen is None else reaches(self_minus_seen, step),
        hidden_strength=None if self_minus_seen is None else reaches(-self_minus_seen, step),
    )


def mirror_verdict(
    similarity: float | None,
    level_us: float | None,
    level_them: float | None,
    *,
    withheld: bool,
    thresholds: Thresholds,
) -> tuple[Verdict, Side | None]:
    """§"Verdict of the mirror" from S, L_us and L_them: the verdict and, when one-sided,
    the side that falls short. A function of these numbers alone, so a stored summary of a
    round gives the verdict under the workspace's current thresholds."""
    s, l_us, l_them = similarity, level_us, level_them
    if withheld or s is None or l_us is None or l_them is None:
        return Verdict.NOT_ENOUGH_DATA, None
    if reaches(s, thresholds.similar):
        weak = not reaches(min(l_us, l_them), thresholds.level)
        return (Verdict.ALIKE_BUT_WEAK if weak else Verdict.MUTUAL_FIT), None
    if not reaches(max(l_us, l_them), thresholds.level):
        return Verdict.MISFIT, None
    # L_us is how the client sees the company, so a lower L_us means the company falls short.
    if l_us == l_them:
        return Verdict.ONE_SIDED, None
    return Verdict.ONE_SIDED, Side.COMPANY if l_us < l_them else Side.CLIENT


def assess(
    traits: Sequence[str],
    ratings: Iterable[Rating],
    *,
    scale: Scale,
    importance_scale: Scale = DEFAULT_IMPORTANCE_SCALE,
    min_responses: int = 1,
    thresholds: Thresholds = DEFAULT_THRESHOLDS,
) -> FitResult:
    """Compute every number of one round from its submitted ratings.

    ``traits`` are the stable keys of the round's trait-set snapshot, in display order.
    ``min_responses`` is the anonymity threshold ``k``: a side with fewer submitted responses
    (distinct respondents among ``ratings``) is withheld everywhere (§"Inputs"). Raises
    ``ValueError`` for a rating off the scale, of an unknown trait, or given twice.
    """
    if min_responses < 1:
        raise ValueError(f"the anonymity threshold must be ≥ 1, got {min_responses}")
    answers = _group(traits, ratings, scale, importance_scale)
    summaries = {
        side: SideSummary(
            responses=answers.responses[side],
            withheld=answers.responses[side] < min_responses,
        )
        for side in Side
    }

    def side_answers(side: Side) -> dict[str, _SideAnswers]:
        withheld = summaries[side].withheld
        return {
            t: _side_answers(answers, side, t, withheld, scale, importance_scale) for t in traits
        }

    company, client = side_answers(Side.COMPANY), side_answers(Side.CLIENT)

    # §"The four profiles": each side rates the *other* side, hence the crossing.
    us = {t: client[t].other.mean for t in traits}
    them = {t: company[t].other.mean for t in traits}
    us_self = {t: company[t].self_.mean for t in traits}
    them_self = {t: client[t].self_.mean for t in traits}
    weights = {t: _weight_of(company[t], client[t]) for t in traits}

    def versus(x: Mapping[str, float | None], y: Mapping[str, float | None]) -> Comparison:
        return compare(x, y, scale=scale, weights=weights)

    comparisons = Comparisons(
        mirror=versus(us, them),
        self_described=versus(us_self, them_self),
        company_perceived=versus(us_self, them),
        client_perceived=versus(them_self, us),
        company_blind_spots=versus(us, us_self),
        client_blind_spots=versus(them, them_self),
    )

    rows = []
    importance_step = importance_scale.range / 4
    for t in traits:
        mirror_gap = comparisons.mirror.gap_for(t)
        importance_gap = _difference(company[t].importance.mean, client[t].importance.mean)
        rows.append(
            TraitResult(
                trait=t,
                weight=weights[t],
                us=us[t],
                them=them[t],
                us_self=us_self[t],
                them_self=them_self[t],
                gap=mirror_gap.gap,
                band=mirror_gap.band,
                importance_mismatch=(
                    None
                    if importance_gap is None
                    else reaches(abs(importance_gap), importance_step)
                ),
                company=_side_trait(company[t], _difference(us_self[t], us[t]), scale),
                client=_side_trait(client[t], _difference(them_self[t], them[t]), scale),
            )
        )

    withheld = any(summary.withheld for summary in summaries.values())
    mirror = comparisons.mirror
    verdict, falls_short = mirror_verdict(
        mirror.similarity,
        mirror.level_x,
        mirror.level_y,
        withheld=withheld,
        thresholds=thresholds,
    )
    return FitResult(
        scale=scale,
        importance_scale=importance_scale,
        thresholds=thresholds,
        min_responses=min_responses,
        company=summaries[Side.COMPANY],
        client=summaries[Side.CLIENT],
        traits=tuple(rows),
        comparisons=comparisons,
        verdict=verdict,
        falls_short=falls_short,
    )


# --------------------------------------------------------------------------------------------
# Annual review and portfolio (§"Annual review", §"Portfolio")
# --------------------------------------------------------------------------------------------


def _change(previous: float | None, current: float | None, no_change_below: float) -> Change:
    delta = _difference(current, previous)
    return Change(
        previous=previous,
        current=current,
        delta=delta,
        no_change=None if delta is None else not reaches(abs(delta), no_change_below),
    )


def _at(row: TraitResult | None, name: Literal["us", "them", "gap"]) -> float | None:
    if row is None:
        return None
    return row.us if name == "us" else row.them if name == "them" else row.gap


def compare_rounds(previous: FitResult, current: FitResult) -> RoundChange:
    """Change from ``previous`` to ``current``, trait by trait through the stable key.

    Per trait: us, them and the mirror gap, "no change" below R/8. Overall: S below 12.5
    points and L below 1/8 (the same R/8 step, expressed in their units). Raises
    ``ValueError`` when the rounds use different rating scales: their means are then not
    comparable.
    """
    if previous.scale != current.scale:
        raise ValueError(f"rounds on different scales: {previous.scale} vs {current.scale}")
    step = current.scale.range / 8
    before = {row.trait: row for row in previous.traits}
    after = {row.trait: row for row in current.traits}
    keys = [*after, *(key for key in before if key not in after)]
    rows = []
    for key in keys:
        old, new = before.get(key), after.get(key)
        if old is None:
            status = TraitStatus.ADDED
        elif new is None:
            status = TraitStatus.RETIRED
        else:
            status = TraitStatus.KEPT
        rows.append(
            TraitChange(
                trait=key,
                status=status,
                us=_change(_at(old, "us"), _at(new, "us"), step),
                them=_change(_at(old, "them"), _at(new, "them"), step),
                gap=_change(_at(old, "gap"), _at(new, "gap"), step),
            )
        )
    return RoundChange(
        traits=tuple(rows),
        similarity=_change(
            previous.mirror.similarity, current.mirror.similarity, SIMILARITY_NO_CHANGE_BELOW
        ),
        level_us=_change(previous.mirror.level_x, current.mirror.level_x, LEVEL_NO_CHANGE_BELOW),
        level_them=_change(previous.mirror.level_y, current.mirror.level_y, LEVEL_NO_CHANGE_BELOW),
        previous_verdict=previous.verdict,
        current_verdict=current.verdict,
    )


def portfolio_point(result: FitResult) -> tuple[float, float] | None:
    """``(X, Y) = (wmean(us) − mid, wmean(them) − mid)`` for §"Portfolio".

    The weighted means are the mirror's, over its T', so both axes average the same traits
    with the same weights and share one centring. ``None`` when the mirror has no data
    (a side withheld, or T' = 0).
    """
    mirror = result.mirror
    if result.company.withheld or result.client.withheld:
        return None
    if mirror.wmean_x is None or mirror.wmean_y is None:
        return None
    mid = result.scale.mid
    return (mirror.wmean_x - mid, mirror.wmean_y - mid)


# --------------------------------------------------------------------------------------------
# Plain-type export
# --------------------------------------------------------------------------------------------


def _plain(value: object) -> JSONValue:
    # Enum first: a StrEnum is also a str, but exports want its bare value.
    if isinstance(value, Enum):
        return _plain(value.value)
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if is_dataclass(value) and not isinstance(value, type):
        return _plain_dataclass(value)
    if isinstance(value, Mapping):
        return {str(_plain(key)): _plain(item) for key, item in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(item) for item in value]
    raise TypeError(f"cannot export {type(value).__name__}")


class _Dataclass(Protocol):
    __dataclass_fields__: ClassVar[dict[str, Any]]


def _plain_dataclass(value: _Dataclass) -> dict[str, JSONValue]:
    # `self_` is only a Python spelling (self is taken); exports say "self".
    return {f.name.rstrip("_"): _plain(getattr(value, f.name)) for f in fields(value)}
