""" "Does like attract like here?": the portfolio test on the workspace's own rounds.

Each revealed round is paired with the partner's first outcome observed on or after the day
of its reveal and before the partner's next reveal, that has a value for the chosen
measure; the round gives X and Y (FIT_MODEL.md §"Portfolio"), the outcome gives Z. Rounds
on different rating scales are not comparable, so only the rounds on one scale (the most
common one unless chosen) are analysed; the others are counted as left out.

Three queries whatever the size of the portfolio: the rounds with their partners, the
outcomes, and the rounds' stored summaries (`services.summaries`).
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
from .results import VISIBLE_STATES
from .summaries import summaries_for


class Measure(StrEnum):
    """What of an outcome is Z."""

    SATISFACTION = "satisfaction"  # 0..10
    RENEWED = "renewed"  # 1 renewed, 0 not
    CONTRACT_SIGNED = "contract_signed"  # 1 signed, 0 not
    REVENUE = "revenue"  # in the workspace's currency


@dataclass(frozen=True, slots=True)
class OutcomeRow:
    """What the analysis reads of an outcome: plain values from one query, not ORM rows
    (thousands of them are read for a large portfolio)."""

    id: int
    partner_id: int
    period: str
    observed_on: date
    satisfaction: int | None
    renewed: bool | None
    contract_signed: bool | None
    revenue: Decimal | None


_OUTCOME_COLUMNS = tuple(getattr(Outcome, f.name) for f in fields(OutcomeRow))


def outcome_value(outcome: Outcome | OutcomeRow, measure: Measure) -> float | None:
    """Z of an outcome for the measure; ``None`` when the outcome does not record it."""
    value = getattr(outcome, measure.value)
    if value is None:
        return None
    return float(value)  # bool → 1.0 / 0.0, Decimal → float


@dataclass(frozen=True, slots=True)
class PartnerRef:
    id: int
    name: str


@dataclass(frozen=True, slots=True)
class RoundRow:
    """What the analysis reads of a revealed round (plain values, like OutcomeRow)."""

    id: int
    partner_id: int
    kind: Kind
    revealed_at: datetime
    scale_lo: int
    scale_hi: int


_ROUND_COLUMNS = tuple(getattr(Assessment, f.name) for f in fields(RoundRow))


@dataclass(frozen=True)
class PairedRound:
    """A revealed round, the outcome after it and the point it gives the regression."""

    partner: PartnerRef
    assessment: RoundRow
    outcome: OutcomeRow
    observation: stats.Observation


@dataclass(frozen=True)
class LeftOut:
    """Revealed rounds that are not in the analysis, by reason."""

    no_outcome: int = 0  # no outcome with this measure between this reveal and the next
    other_scale: int = 0  # rated on another scale than the one analysed
    no_mirror: int = 0  # a side withheld (too few answers) or no trait both sides rated


@dataclass(frozen=True)
class PortfolioAnalysis:
    measure: Measure
    kind: Kind | None
    scale: tuple[int, int] | None  # (lo, hi) of the rounds analysed
    scales: tuple[tuple[int, int], ...]  # every scale the revealed rounds use, most used first
    rounds: tuple[PairedRound, ...]
    left_out: LeftOut
    analysis: stats.Analysis


def _first_after(
    outcomes: list[OutcomeRow], start: date, end: date | None, measure: Measure
) -> OutcomeRow | None:
    """The earliest outcome in ``start ≤ observed_on < end`` that records the measure."""
    for outcome in outcomes:  # sorted by observed_on
        if outcome.observed_on < start:
            continue
        if end is not None and outcome.observed_on >= end:
            return None
        if outcome_value(outcome, measure) is not None:
            return outcome
    return None


def analyse_portfolio(
    workspace_id: int,
    *,
    measure: Measure = Measure.SATISFACTION,
    kind: Kind | None = None,
    scale: tuple[int, int] | None = None,
    bootstrap: int = 2000,
    seed: int = 20261123,
) -> PortfolioAnalysis:
    """Pair the workspace's revealed rounds with their outcomes and run the regression."""
    every_round: list[RoundRow] = []
    names: dict[int, str] = {}
    for row in db.session.execute(
        select(*_ROUND_COLUMNS, Partner.name)
        .join(Partner, Partner.id == Assessment.partner_id)
        .where(Assessment.workspace_id == workspace_id, Assessment.state.in_(VISIBLE_STATES))
        .order_by(Assessment.partner_id, Assessment.revealed_at, Assessment.id)
    ):
        every_round.append(RoundRow(*row[:-1]))
        names[row.partner_id] = row.name
    outcomes: dict[int, list[OutcomeRow]] = defaultdict(list)
    for row in db.session.execute(
        select(*_OUTCOME_COLUMNS)
        .where(Outcome.workspace_id == workspace_id)
        .order_by(Outcome.partner_id, Outcome.observed_on, Outcome.id)
    ):
        outcomes[row.partner_id].append(OutcomeRow(**row._mapping))

    # The next reveal of the same partner ends the window of a round, whatever its kind:
    # an outcome after it is the later round's.
    paired: list[tuple[RoundRow, OutcomeRow]] = []
    no_outcome = 0
    for index, assessment in enumerate(every_round):
        following = every_round[index + 1] if index + 1 < len(every_round) else None
        if following is not None and following.partner_id != assessment.partner_id:
            following = None
        if kind is not None and assessment.kind != kind:
            continue
        end = following.revealed_at.date() if following else None
        match = _first_after(
            outcomes[assessment.partner_id], assessment.revealed_at.date(), end, measure
        )
        if match is None:
            no_outcome += 1
        else:
            paired.append((assessment, match))

    scales = tuple(s for s, _ in Counter((a.scale_lo, a.scale_hi) for a, _ in paired).most_common())
    chosen = scale if scale in scales else (scales[0] if scales else None)
    on_scale = [(a, o) for a, o in paired if (a.scale_lo, a.scale_hi) == chosen]

    summaries = summaries_for(workspace_id, [a.id for a, _ in on_scale])
    rounds: list[PairedRound] = []
    no_mirror = 0
    for assessment, outcome in on_scale:
        summary = summaries[assessment.id]
        z = outcome_value(outcome, measure)
        assert z is not None  # _first_after only pairs outcomes that record the measure
        if summary.x is None or summary.y is None:
            no_mirror += 1
            continue
        observation = stats.Observation(
            x=summary.x,
            y=summary.y,
            z=z,
            partner=assessment.partner_id,
            label=f"{names[assessment.partner_id]} · {outcome.period}",
            s=summary.similarity,
        )
        partner = PartnerRef(assessment.partner_id, names[assessment.partner_id])
        rounds.append(PairedRound(partner, assessment, outcome, observation))

    return PortfolioAnalysis(
        measure=measure,
        kind=kind,
        scale=chosen,
        scales=scales,
        rounds=tuple(rounds),
        left_out=LeftOut(
            no_outcome=no_outcome, other_scale=len(paired) - len(on_scale), no_mirror=no_mirror
        ),
        analysis=stats.analyse((r.observation for r in rounds), bootstrap=bootstrap, seed=seed),
    )
