""" "Does like attract like here?": the portfolio test on the workspace's own rounds.

Each revealed round is paired with the partner's first outcome observed on or after the day
of its reveal and before the partner's next reveal (of any kind), that has a value for the
chosen measure; days are those the pages show (the app's timezone), like the outcomes'. The round
gives X and Y (FIT_MODEL.md §"Portfolio"), the outcome gives Z. Rounds on different rating
scales are not comparable, so only the rounds on one scale (the most common one unless
chosen) are analysed; the others are counted as left out.

Three queries whatever the size of the portfolio: the rounds with their partners' names,
the outcomes, and the rounds' stored summaries (`services.summaries`); a round not
summarised yet is left out and counted as pending.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, fields
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import select

from .. import portfolio as stats
from ..extensions import db
from ..models import Assessment, Kind, Outcome, Partner
from .results import VISIBLE_STATES, local_date
from .summaries import summaries_for


class Measure(StrEnum):
    """What of an outcome is Z."""

    SATISFACTION = "satisfaction"  # 0..10
    RENEWED = "renewed"  # 1 renewed, 0 not
    CONTRACT_SIGNED = "contract_signed"  # 1 signed, 0 not
    REVENUE = "revenue"  # in the workspace's currency

    @property
    def binary(self) -> bool:
        """A 0/1 outcome: fitted as a linear probability model (FIT_MODEL.md §"Portfolio")."""
        return self in (Measure.RENEWED, Measure.CONTRACT_SIGNED)


# Rounds and outcomes are read as plain values from one query each, not as ORM objects:
# a large portfolio has thousands of them, and the objects would cost more than the maths.


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """What the analysis reads of an outcome."""

    id: int
    partner_id: int
    period: str
    observed_on: date
    satisfaction: int | None
    renewed: bool | None
    contract_signed: bool | None
    revenue: Decimal | None
    is_demo: bool

    def value(self, measure: Measure) -> float | None:
        """Z for the measure; ``None`` when this outcome does not record it."""
        value = getattr(self, measure.value)
        return None if value is None else float(value)  # bool → 1.0 / 0.0, Decimal → float


@dataclass(frozen=True, slots=True)
class RoundRow:
    """What the analysis reads of a revealed round."""

    id: int
    partner_id: int
    kind: Kind
    revealed_at: datetime
    scale_lo: int
    scale_hi: int
    partner_name: str


_OUTCOME_COLUMNS = tuple(getattr(Outcome, f.name) for f in fields(OutcomeRow))
_ROUND_COLUMNS = (
    *(getattr(Assessment, f.name) for f in fields(RoundRow) if f.name != "partner_name"),
    Partner.name,
)


@dataclass(frozen=True)
class PairedRound:
    """A revealed round, the outcome after it and the point it gives the regression."""

    assessment: RoundRow
    outcome: OutcomeRow
    observation: stats.Observation


@dataclass(frozen=True)
class LeftOut:
    """Revealed rounds that are not in the analysis, by reason."""

    no_outcome: int = 0  # no outcome with this measure between this reveal and the next
    other_scale: int = 0  # rated on another scale than the one analysed
    no_mirror: int = 0  # a side withheld (too few answers) or no trait both sides rated
    pending: int = 0  # not summarised yet (after an upgrade): the worker is on it


@dataclass(frozen=True)
class PortfolioAnalysis:
    """The rounds that went into the test, those left out, and what the test found."""

    measure: Measure
    kind: Kind | None
    scale: tuple[int, int] | None  # (lo, hi) of the rounds analysed
    scales: tuple[tuple[int, int], ...]  # every scale the paired rounds use, most used first
    rounds: tuple[PairedRound, ...]
    left_out: LeftOut
    analysis: stats.Analysis

    @property
    def demo_outcomes(self) -> int:
        """How many of the rounds' outcomes were generated for the demo, not observed."""
        return sum(paired.outcome.is_demo for paired in self.rounds)


def _first_after(
    outcomes: list[OutcomeRow], start: date, end: date | None, measure: Measure
) -> OutcomeRow | None:
    """The earliest outcome in ``start ≤ observed_on < end`` that records the measure."""
    for outcome in outcomes:  # sorted by observed_on
        if outcome.observed_on < start:
            continue
        if end is not None and outcome.observed_on >= end:
            return None
        if outcome.value(measure) is not None:
            return outcome
    return None


def analyse_portfolio(
    workspace_id: int,
    *,
    measure: Measure = Measure.SATISFACTION,
    kind: Kind | None = None,
    scale: tuple[int, int] | None = None,
) -> PortfolioAnalysis:
    """Pair the workspace's revealed rounds with their outcomes and run the regression."""
    every_round = [
        RoundRow(*row)
        for row in db.session.execute(
            select(*_ROUND_COLUMNS)
            # The partner's workspace named in the join: the planner reads this
            # workspace's partners, not every workspace's.
            .join(
                Partner,
                (Partner.id == Assessment.partner_id)
                & (Partner.workspace_id == Assessment.workspace_id),
            )
            .where(Assessment.workspace_id == workspace_id, Assessment.state.in_(VISIBLE_STATES))
            .order_by(Assessment.partner_id, Assessment.revealed_at, Assessment.id)
        )
    ]
    outcomes: dict[int, list[OutcomeRow]] = defaultdict(list)
    for row in db.session.execute(
        select(*_OUTCOME_COLUMNS)
        .where(Outcome.workspace_id == workspace_id)
        .order_by(Outcome.partner_id, Outcome.observed_on, Outcome.id)
    ):
        outcomes[row.partner_id].append(OutcomeRow(*row))

    # The next reveal of the same partner ends a round's window, whatever its kind: an
    # outcome after it belongs to the later round.
    paired: list[tuple[RoundRow, OutcomeRow]] = []
    no_outcome = 0
    for index, this in enumerate(every_round):
        following = every_round[index + 1] if index + 1 < len(every_round) else None
        if following is not None and following.partner_id != this.partner_id:
            following = None
        if kind is not None and this.kind != kind:
            continue
        end = local_date(following.revealed_at) if following else None
        match = _first_after(outcomes[this.partner_id], local_date(this.revealed_at), end, measure)
        if match is None:
            no_outcome += 1
        else:
            paired.append((this, match))

    scales = tuple(s for s, _ in Counter((a.scale_lo, a.scale_hi) for a, _ in paired).most_common())
    chosen = scale if scale in scales else (scales[0] if scales else None)
    on_scale = [(a, o) for a, o in paired if (a.scale_lo, a.scale_hi) == chosen]

    summaries = summaries_for(workspace_id, [a.id for a, _ in on_scale])
    rounds: list[PairedRound] = []
    no_mirror = 0
    pending = 0
    for this, outcome in on_scale:
        summary = summaries.get(this.id)
        if summary is None:  # the worker has not summarised it yet
            pending += 1
            continue
        z = outcome.value(measure)
        assert z is not None  # _first_after pairs only outcomes that record the measure
        if summary.x is None or summary.y is None:
            no_mirror += 1
            continue
        point = stats.Observation(
            x=summary.x, y=summary.y, z=z, partner=this.partner_id, s=summary.similarity
        )
        rounds.append(PairedRound(this, outcome, point))

    return PortfolioAnalysis(
        measure=measure,
        kind=kind,
        scale=chosen,
        scales=scales,
        rounds=tuple(rounds),
        left_out=LeftOut(
            no_outcome=no_outcome,
            other_scale=len(paired) - len(on_scale),
            no_mirror=no_mirror,
            pending=pending,
        ),
        analysis=stats.analyse((r.observation for r in rounds), binary=measure.binary),
    )
