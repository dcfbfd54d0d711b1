"""Each revealed round's mirror in a few stored numbers (`RoundSummary`).

The portfolio page and the "like attracts like" analysis need S, both levels and the
portfolio point of every round of the workspace; recomputing thousands of rounds from
their answers on every visit is what made those pages slow. The answers of a revealed round
never change, so the summary is written at the reveal. A round without one (revealed
before summaries existed) or with one of an older `ENGINE` is computed by the worker
(its minute tick, woken early by a page that missed one) and by `flask db upgrade`, in a
fixed number of queries per workspace — never during a page visit, where thousands of
rounds would pass the server's timeout. Until then the pages leave such a round out and
say how many are pending.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import asdict, dataclass, fields
from typing import TYPE_CHECKING, Any

from flask import current_app
from sqlalchemy import Executable, Select, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from .. import fit, norms
from ..extensions import db
from ..models import (
    Answer,
    Assessment,
    AssessmentTrait,
    Partner,
    RoundSummary,
    Side,
    Workspace,
    utcnow,
)
from .results import VISIBLE_STATES, answers_query, compute_fit

if TYPE_CHECKING:
    from .results import AnswerRow

#: Raise when the engine's numbers change, so that stored summaries are computed afresh.
#: 2: the profiles by trait key, for the norms (`fitcheck.norms`).
ENGINE = 2


@dataclass(frozen=True)
class Summary:
    """The numbers of one round's mirror that the portfolio uses."""

    assessment_id: int
    withheld: bool
    similarity: float | None
    level_us: float | None
    level_them: float | None
    x: float | None
    y: float | None
    company_responses: int
    client_responses: int
    # {trait key: [us, them, us_self, them_self]}, as `RoundSummary.profiles`.
    profiles: dict[str, list[float | None]] | None = None

    @property
    def respondents(self) -> int:
        return self.company_responses + self.client_responses

    def verdict(self, workspace: Workspace) -> fit.Verdict:
        """The mirror's verdict under the workspace's current thresholds."""
        verdict, _short = fit.mirror_verdict(
            self.similarity,
            self.level_us,
            self.level_them,
            withheld=self.withheld,
            thresholds=fit.Thresholds(
                similar=workspace.similarity_threshold, level=workspace.level_threshold
            ),
        )
        return verdict

    @classmethod
    def of(cls, assessment_id: int, result: fit.FitResult) -> Summary:
        """The summary of a round's engine result."""
        mirror = result.mirror
        point = fit.portfolio_point(result)
        return cls(
            assessment_id=assessment_id,
            withheld=result.company.withheld or result.client.withheld,
            similarity=mirror.similarity,
            level_us=mirror.level_x,
            level_them=mirror.level_y,
            x=None if point is None else point[0],
            y=None if point is None else point[1],
            company_responses=result.side(Side.COMPANY).responses,
            client_responses=result.side(Side.CLIENT).responses,
            profiles={
                row.trait: [row.us, row.them, row.us_self, row.them_self] for row in result.traits
            },
        )

    def mirror_profiles(self) -> norms.Profiles:
        """The round's `us` and `them` profiles by trait key, for the workspace's norm."""
        profiles = self.profiles or {}
        return norms.Profiles(
            us={key: values[0] for key, values in profiles.items()},
            them={key: values[1] for key, values in profiles.items()},
        )

    def self_minus_seen(self, side: Side) -> list[float]:
        """Per trait, this side's self-view − the other side's view of it, where both exist."""
        seen, own = (0, 2) if side is Side.COMPANY else (1, 3)
        return [
            values[own] - values[seen]  # type: ignore[operator]
            for values in (self.profiles or {}).values()
            if values[own] is not None and values[seen] is not None
        ]


# Read as plain rows in the order of Summary's fields: thousands of ORM objects would cost
# more than the page's statistics.
_SUMMARY_COLUMNS = tuple(getattr(RoundSummary, f.name) for f in fields(Summary))


def _upsert(
    summaries: Sequence[Summary], workspace_id: int
) -> tuple[Executable, list[dict[str, Any]]]:
    """Insert or replace, in one statement; a concurrent writer of the same round wrote the
    same numbers, so the last one simply wins."""
    rows = [
        asdict(summary) | {"workspace_id": workspace_id, "engine": ENGINE, "computed_at": utcnow()}
        for summary in summaries
    ]
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RoundSummary)
    replaced = [column for column in rows[0] if column not in ("assessment_id", "workspace_id")]
    upsert = statement.on_conflict_do_update(
        index_elements=["assessment_id"],
        set_={column: statement.excluded[column] for column in replaced},
    )
    return upsert, rows


def store_summary(assessment: Assessment, result: fit.FitResult) -> Summary:
    """Record a round's summary (at its reveal); the caller commits."""
    summary = Summary.of(assessment.id, result)
    db.session.execute(*_upsert([summary], assessment.workspace_id))
    return summary


#: Summaries computed on a read are written this many at a time, each batch in its own
#: transaction, so that work done before an interrupted request is kept.
BATCH = 500


def summaries_for(workspace_id: int, assessment_ids: Collection[int]) -> dict[int, Summary]:
    """The stored summary of each of these revealed rounds of the workspace, by assessment
    id, in one query. A round whose summary is missing or outdated has none here: no page
    visit computes one (`pending` says how many are still to come); the worker is woken to
    compute them (`request_fill`).
    """
    wanted = set(assessment_ids)
    if not wanted:
        return {}
    found = {summary.assessment_id: summary for summary in _stored(workspace_id, wanted)}
    if len(found) < len(wanted):
        request_fill()
    return found


def workspace_summaries(workspace_id: int) -> list[Summary]:
    """The stored summary of every revealed round of the workspace, in one query (rounds
    still to be summarised are left out, as in `summaries_for`)."""
    return _stored(workspace_id, None)


def _stored(workspace_id: int, wanted: Collection[int] | None) -> list[Summary]:
    query = select(*_SUMMARY_COLUMNS).where(
        RoundSummary.workspace_id == workspace_id, RoundSummary.engine == ENGINE
    )
    return [
        Summary(*row) for row in db.session.execute(query) if wanted is None or row[0] in wanted
    ]


def _lacking(workspace_id: int | None = None) -> Select[Any]:
    """Revealed rounds (of one workspace, or of all) without a summary of this ENGINE.

    NOT EXISTS, not NOT IN: PostgreSQL runs it as an anti-join, which probes the summary
    of each round by its key or hashes in batches; NOT IN over a subquery becomes a hashed
    subplan of every summary, which must fit in work_mem or is scanned once per round."""
    fresh = select(RoundSummary.assessment_id).where(
        RoundSummary.assessment_id == Assessment.id, RoundSummary.engine == ENGINE
    )
    query = select(Assessment.id).where(Assessment.state.in_(VISIBLE_STATES))
    if workspace_id is not None:
        fresh = fresh.where(RoundSummary.workspace_id == workspace_id)
        query = query.where(Assessment.workspace_id == workspace_id)
    return query.where(~fresh.correlate(Assessment).exists())


def pending(workspace_id: int) -> int:
    """How many revealed rounds of the workspace still wait for the worker to summarise
    them (after an upgrade, say): the pages say so instead of computing them."""
    count = db.session.scalar(select(func.count()).select_from(_lacking(workspace_id).subquery()))
    return int(count or 0)


def request_fill() -> None:
    """Wake the worker to compute missing summaries; its minute tick does it anyway."""
    wake = current_app.extensions.get("fitcheck.wake_summaries")
    if wake is not None:
        wake()


def fill_lacking() -> int:
    """Compute and store every missing or outdated summary, workspace by workspace: the
    worker's job (its tick and `request_fill`) and `flask db upgrade`'s. Returns how many
    were computed; a second run finds none."""
    workspaces = db.session.scalars(
        _lacking().with_only_columns(Assessment.workspace_id).distinct()
    ).all()
    return sum(len(_compute_lacking(workspace_id)) for workspace_id in workspaces)


def _compute_lacking(workspace_id: int) -> list[Summary]:
    """Compute and store the summary of every revealed round of the workspace that lacks
    one (or has one of an older ENGINE): four statements plus one insert per batch."""
    # Narrowed in SQL rather than by a list of ids, which could outgrow the databases'
    # limits on bound parameters.
    lacking = _lacking(workspace_id)
    rounds = list(
        db.session.scalars(
            select(Assessment)
            .options(
                joinedload(
                    Assessment.partner.and_(Partner.workspace_id == Assessment.workspace_id)
                ).joinedload(Partner.workspace)
            )
            .where(Assessment.id.in_(lacking))
            .order_by(Assessment.id)
        )
    )
    if not rounds:
        return []
    traits: dict[int, list[AssessmentTrait]] = defaultdict(list)
    for trait in db.session.scalars(
        select(AssessmentTrait)
        .where(
            AssessmentTrait.workspace_id == workspace_id,
            AssessmentTrait.assessment_id.in_(lacking),
        )
        .order_by(AssessmentTrait.position, AssessmentTrait.id)
    ):
        traits[trait.assessment_id].append(trait)
    answers: dict[int, list[AnswerRow]] = defaultdict(list)
    for row in db.session.execute(
        answers_query().where(
            Answer.workspace_id == workspace_id, Answer.assessment_id.in_(lacking)
        )
    ):
        answers[row.assessment_id].append(row)
    computed: list[Summary] = []
    for start in range(0, len(rounds), BATCH):
        batch = []
        for assessment in rounds[start : start + BATCH]:
            set_committed_value(assessment, "traits", traits[assessment.id])
            batch.append(Summary.of(assessment.id, compute_fit(assessment, answers[assessment.id])))
        # A cache write in its own transaction: committing the session instead would expire
        # every object the caller holds, and reloading them costs a query each.
        with db.engine.begin() as connection:
            connection.execute(*_upsert(batch, workspace_id))
        computed.extend(batch)
    return computed
