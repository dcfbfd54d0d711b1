"""The portfolio: every partner's latest revealed round on one page.

Every number comes from the rounds' stored summaries (`services.summaries`), read with the
rounds in a fixed number of queries however many partners there are; the latest round of
each partner is compared with its last round, by the one rule of `services.rounds`.
"""

from __future__ import annotations

import math
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from .. import fit, norms
from ..extensions import db
from ..models import Assessment, Commitment, CommitmentStatus, Kind, Partner
from .results import VISIBLE_STATES, local_date
from .rounds import previous_among, similarity_change
from .summaries import Summary, summaries_for

SORTS = ("score", "change", "overdue", "name")


@dataclass(frozen=True)
class PortfolioRow:
    partner: Partner
    latest: Assessment
    summary: Summary
    verdict: fit.Verdict
    change: float | None  # of the mirror score since the latest round's last round
    # Open commitments past their due date, over all its rounds; each promise once (carrying
    # moves it, see services.commitments).
    overdue: int


def portfolio(
    workspace_id: int,
    *,
    kind: Kind | None = None,
    year: int | None = None,
    sort: str = "score",
    today: date | None = None,
) -> list[PortfolioRow]:
    """Each partner's latest revealed round (of `kind`, revealed in `year`), sorted; its
    change is since its last round (`rounds.previous_among`), whatever the filters."""
    revealed = list(
        db.session.scalars(
            select(Assessment)
            .options(
                # The partner's workspace named in the join: the planner reads this
                # workspace's partners, not every workspace's.
                joinedload(
                    Assessment.partner.and_(Partner.workspace_id == Assessment.workspace_id)
                ).joinedload(Partner.workspace)
            )
            .where(Assessment.workspace_id == workspace_id, Assessment.state.in_(VISIBLE_STATES))
            .order_by(Assessment.partner_id, Assessment.revealed_at, Assessment.id)
        )
    )
    every_round: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in revealed:
        every_round[assessment.partner_id].append(assessment)
    rounds = [a for a in revealed if kind is None or a.kind == kind]
    if year is not None:
        rounds = [a for a in rounds if a.revealed_at and local_date(a.revealed_at).year == year]
    if not rounds:
        return []
    by_partner: dict[int, list[Assessment]] = defaultdict(list)
    for assessment in rounds:
        by_partner[assessment.partner_id].append(assessment)
    latest_rounds = [partner_rounds[-1] for partner_rounds in by_partner.values()]
    before = {a.id: previous_among(a, every_round[a.partner_id]) for a in latest_rounds}
    summaries = summaries_for(
        workspace_id,
        [a.id for a in latest_rounds] + [b.id for b in before.values() if b is not None],
    )
    overdue: dict[int, int] = dict(
        db.session.execute(
            select(Assessment.partner_id, func.count(Commitment.id))
            .join(Assessment, Assessment.id == Commitment.assessment_id)
            .where(
                Commitment.workspace_id == workspace_id,
                Commitment.status.in_((CommitmentStatus.OPEN, CommitmentStatus.IN_PROGRESS)),
                Commitment.due_on < (today or date.today()),
            )
            .group_by(Assessment.partner_id)
        ).all()
    )
    rows = []
    for partner_rounds in by_partner.values():
        latest = partner_rounds[-1]
        summary = summaries.get(latest.id)
        if summary is None:  # not summarised yet: the page says how many are pending
            continue
        previous = before[latest.id]
        change = similarity_change(summaries.get(previous.id) if previous else None, summary)
        rows.append(
            PortfolioRow(
                partner=latest.partner,
                latest=latest,
                summary=summary,
                verdict=summary.verdict(latest.partner.workspace),
                change=change,
                overdue=overdue.get(latest.partner_id, 0),
            )
        )
    return _sorted(rows, sort)


# The response style of rounds on different scales is compared as a share of the scale's
# range (R): the index of each round ÷ R, on a "scale" of 0..1 whose R/8 is 1/8.
_SHARE = fit.Scale(lo=0, hi=1)


def response_styles(rows: list[PortfolioRow]) -> dict[fit.Side, norms.ResponseStyle]:
    """Each side's response style across the partners listed, one latest round each (so a
    partner with many reviews counts once): the mean and spread over the rounds of each
    round's index (`norms.response_style`), as a share of its scale's range."""
    styles = {}
    for side in fit.Side:
        shares = []
        for row in rows:
            differences = row.summary.self_minus_seen(side)
            if differences:
                scale = row.latest.scale_hi - row.latest.scale_lo
                shares.append(math.fsum(differences) / len(differences) / scale)
        styles[side] = norms.style_of(shares, side, _SHARE)
    return styles


def _sorted(rows: list[PortfolioRow], sort: str) -> list[PortfolioRow]:
    def score(row: PortfolioRow) -> float:
        value = row.summary.similarity
        return -1.0 if value is None else value

    if sort == "change":
        return sorted(rows, key=lambda r: (r.change is None, r.change or 0.0))
    if sort == "overdue":
        return sorted(rows, key=lambda r: (-r.overdue, r.partner.name.lower()))
    if sort == "name":
        return sorted(rows, key=lambda r: r.partner.name.lower())
    return sorted(rows, key=lambda r: (-score(r), r.partner.name.lower()))
