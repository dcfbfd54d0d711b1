"""Reading what the workspace holds, a page at a time: partners with their latest revealed
round, assessments with their settings. The API's lists read them here.

Every list is a `Page` of `page` and `per_page` with the `total`, and runs a fixed number
of queries however long the page is. A partner's latest round comes from the stored round
summaries (`services.summaries`), never from its answers.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, func, select

from .. import fit, limits
from ..extensions import db
from ..models import Assessment, Kind, Partner, State, Workspace
from . import paging
from .partners import name_search  # the web list's search, the same rule
from .results import VISIBLE_STATES
from .scheduler import collecting as collecting_state
from .summaries import Summary, summaries_for

Item = TypeVar("Item")

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_SEARCH = limits.PARTNER_NAME  # as a partner's name


@dataclass(frozen=True)
class Page(Generic[Item]):
    """One page of a list: its items, where it stands, and how many there are in all."""

    items: list[Item]
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return math.ceil(self.total / self.per_page) if self.total else 0


def _page_of(query: Select[Any], *, page: int, per_page: int) -> Page[Any]:
    """Two queries: the rows of the page and their total."""
    found = paging.paginate(query, page=page, per_page=per_page)
    return Page(items=list(found.items), page=found.page, per_page=per_page, total=found.total or 0)


def page_of_list(items: Sequence[Item], *, page: int, per_page: int) -> Page[Item]:
    """A page of a list already in memory (a round's respondents or commitments)."""
    page = paging.page_number(page)
    start = (page - 1) * per_page
    return Page(
        items=list(items[start : start + per_page]), page=page, per_page=per_page, total=len(items)
    )


# Partners ------------------------------------------------------------------------------


@dataclass(frozen=True)
class LatestRound:
    """A partner's latest revealed round, in the numbers of its stored summary."""

    assessment_id: int
    kind: Kind
    title: str
    revealed_at: datetime | None
    summary: Summary  # its mirror's numbers, under the engine's names
    verdict: fit.Verdict  # under the workspace's current thresholds


@dataclass(frozen=True)
class PartnerListing:
    partner: Partner
    assessments: int
    latest_round: LatestRound | None


def partners_page(
    workspace_id: int, *, search: str = "", page: int = 1, per_page: int = DEFAULT_PER_PAGE
) -> Page[PartnerListing]:
    """A page of the workspace's partners (archived ones too), by name, whose name holds
    `search` (any case). Six queries at most, whatever the page's length."""
    query = (
        select(Partner)
        .where(Partner.workspace_id == workspace_id)
        .order_by(func.lower(Partner.name), Partner.id)
    )
    matches = name_search(search)
    if matches is not None:
        query = query.where(matches)
    found = _page_of(query, page=page, per_page=per_page)
    return Page(
        items=listed_partners(workspace_id, found.items),
        page=found.page,
        per_page=found.per_page,
        total=found.total,
    )


def listed_partners(workspace_id: int, partners: Sequence[Partner]) -> list[PartnerListing]:
    """Each partner with its number of assessments and its latest revealed round."""
    ids = [partner.id for partner in partners]
    if not ids:
        return []
    counts = dict(
        db.session.execute(
            select(Assessment.partner_id, func.count(Assessment.id))
            .where(Assessment.workspace_id == workspace_id, Assessment.partner_id.in_(ids))
            .group_by(Assessment.partner_id)
        ).all()
    )
    latest = latest_rounds(workspace_id, ids)
    return [
        PartnerListing(
            partner=partner,
            assessments=counts.get(partner.id, 0),
            latest_round=latest.get(partner.id),
        )
        for partner in partners
    ]


def latest_rounds(workspace_id: int, partner_ids: Sequence[int]) -> dict[int, LatestRound]:
    """The latest revealed round of each of these partners (the last of their timeline),
    by partner id: one query for the rounds, one for their summaries (which computes and
    stores any missing one), one for the workspace's verdict thresholds."""
    ranked = (
        select(
            Assessment.id,
            Assessment.partner_id,
            Assessment.kind,
            Assessment.title,
            Assessment.revealed_at,
            func.row_number()
            .over(
                partition_by=Assessment.partner_id,
                order_by=(Assessment.revealed_at.desc().nulls_last(), Assessment.id.desc()),
            )
            .label("rank"),
        )
        .where(
            Assessment.workspace_id == workspace_id,
            Assessment.partner_id.in_(partner_ids),
            Assessment.state.in_(VISIBLE_STATES),
        )
        .subquery()
    )
    rounds = db.session.execute(select(ranked).where(ranked.c.rank == 1)).all()
    if not rounds:
        return {}
    summaries = summaries_for(workspace_id, [row.id for row in rounds])
    workspace = db.session.get(Workspace, workspace_id)
    assert workspace is not None  # the rounds are the workspace's
    latest = {}
    for row in rounds:
        summary = summaries.get(row.id)
        if summary is None:  # not summarised yet (after an upgrade): the worker is on it
            continue
        latest[row.partner_id] = LatestRound(
            assessment_id=row.id,
            kind=row.kind,
            title=row.title,
            revealed_at=row.revealed_at,
            summary=summary,
            verdict=summary.verdict(workspace),
        )
    return latest


@dataclass(frozen=True)
class NextReview:
    """When a partner is next reviewed: the deadline of its round under way (`under_way`),
    else a year after its latest revealed round (the annual review's rhythm)."""

    on: datetime
    under_way: bool


#: The rhythm of the annual partnership review.
REVIEW_INTERVAL = timedelta(days=365)


def next_reviews(
    workspace_id: int, latest: dict[int, LatestRound], partner_ids: Sequence[int]
) -> dict[int, NextReview]:
    """Each partner's next review, by partner id, from `latest` (see `latest_rounds`) and one
    query for the deadlines of rounds collecting answers. A partner with neither is absent."""
    collecting = dict(
        db.session.execute(
            select(Assessment.partner_id, func.min(Assessment.deadline))
            .where(
                Assessment.workspace_id == workspace_id,
                Assessment.partner_id.in_(partner_ids),
                collecting_state(),
                Assessment.deadline.is_not(None),
            )
            .group_by(Assessment.partner_id)
        ).all()
    )
    reviews = {
        partner_id: NextReview(on=round_.revealed_at + REVIEW_INTERVAL, under_way=False)
        for partner_id, round_ in latest.items()
        if round_.revealed_at is not None
    }
    reviews.update(
        {
            partner_id: NextReview(on=deadline, under_way=True)
            for partner_id, deadline in collecting.items()
            if deadline is not None
        }
    )
    return reviews


# Assessments ---------------------------------------------------------------------------


def assessments_page(
    workspace_id: int,
    *,
    partner_id: int | None = None,
    state: State | None = None,
    page: int = 1,
    per_page: int = DEFAULT_PER_PAGE,
) -> Page[Assessment]:
    """A page of the workspace's assessments, the latest created first, of one partner or
    in one state if asked: two queries."""
    query = (
        select(Assessment)
        .where(Assessment.workspace_id == workspace_id)
        .order_by(Assessment.created_at.desc(), Assessment.id.desc())
    )
    if partner_id is not None:
        query = query.where(Assessment.partner_id == partner_id)
    if state is not None:
        query = query.where(Assessment.state == state)
    return _page_of(query, page=page, per_page=per_page)
