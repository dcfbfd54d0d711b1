"""Each revealed round's mirror in a few stored numbers (`RoundSummary`).

The portfolio page and the "like attracts like" analysis need S, both levels and the
portfolio point of every round of the workspace; recomputing thousands of rounds from
their answers on every visit is what made those pages slow. The answers of a revealed round
never change, so the summary is written at the reveal; a round without one (revealed
before summaries existed) or with one of an older `ENGINE` is computed once, in a fixed
number of queries, and stored for the next reader.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import inspect, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm.attributes import set_committed_value

from .. import fit
from ..extensions import db
from ..models import (
    Answer,
    Assessment,
    AssessmentTrait,
    RoundSummary,
    Side,
    Workspace,
    utcnow,
)
from .results import VISIBLE_STATES, answers_query, compute_fit

if TYPE_CHECKING:
    from .results import AnswerRow

#: Raise when the engine's numbers change, so that stored summaries are computed afresh.
ENGINE = 1


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

    @property
    def respondents(self) -> int:
        return self.company_responses + self.client_responses

    @property
    def point(self) -> tuple[float, float] | None:
        """(X, Y) of FIT_MODEL.md §"Portfolio", ``None`` when the mirror has no data."""
        return None if self.x is None or self.y is None else (self.x, self.y)

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
        )

    @classmethod
    def from_row(cls, row: RoundSummary) -> Summary:
        return cls(
            assessment_id=row.assessment_id,
            withheld=row.withheld,
            similarity=row.similarity,
            level_us=row.level_us,
            level_them=row.level_them,
            x=row.x,
            y=row.y,
            company_responses=row.company_responses,
            client_responses=row.client_responses,
        )


def _values(summary: Summary, workspace_id: int) -> dict[str, Any]:
    return {
        "assessment_id": summary.assessment_id,
        "workspace_id": workspace_id,
        "engine": ENGINE,
        "withheld": summary.withheld,
        "similarity": summary.similarity,
        "level_us": summary.level_us,
        "level_them": summary.level_them,
        "x": summary.x,
        "y": summary.y,
        "company_responses": summary.company_responses,
        "client_responses": summary.client_responses,
        "computed_at": utcnow(),
    }


def _store(summaries: Sequence[Summary], workspace_id: int) -> None:
    """Insert or replace, in one statement; a concurrent writer of the same round wrote the
    same numbers, so the last one simply wins."""
    if not summaries:
        return
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    statement = dialect.insert(RoundSummary)
    columns = (
        "engine", "withheld", "similarity", "level_us", "level_them", "x", "y",
        "company_responses", "client_responses", "computed_at",
    )  # fmt: skip
    db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["assessment_id"],
            set_={column: statement.excluded[column] for column in columns},
        ),
        [_values(summary, workspace_id) for summary in summaries],
    )


def store_summary(assessment: Assessment, result: fit.FitResult) -> Summary:
    """Record a round's summary (at its reveal); the caller commits."""
    summary = Summary.of(assessment.id, result)
    _store([summary], assessment.workspace_id)
    return summary


def summaries_for(workspace_id: int, rounds: Sequence[Assessment]) -> dict[int, Summary]:
    """The summary of each of these revealed rounds of the workspace, by assessment id.

    One query reads the stored ones; if any is missing or outdated, one more reads the
    answers of the workspace's revealed rounds that lack one, and they are stored.
    """
    if not rounds:
        return {}
    if any(a.state not in VISIBLE_STATES or a.workspace_id != workspace_id for a in rounds):
        raise ValueError("only the workspace's revealed rounds have a summary")
    wanted = {assessment.id: assessment for assessment in rounds}
    stored = db.session.scalars(
        select(RoundSummary).where(
            RoundSummary.workspace_id == workspace_id, RoundSummary.engine == ENGINE
        )
    )
    found = {
        row.assessment_id: Summary.from_row(row) for row in stored if row.assessment_id in wanted
    }
    missing = [a for a in rounds if a.id not in found]
    if not missing:
        return found
    # Narrowed in SQL rather than by a list of ids, which could outgrow the databases'
    # limits on bound parameters.
    fresh = select(RoundSummary.assessment_id).where(
        RoundSummary.workspace_id == workspace_id, RoundSummary.engine == ENGINE
    )
    revealed = select(Assessment.id).where(
        Assessment.workspace_id == workspace_id, Assessment.state.in_(VISIBLE_STATES)
    )
    answers: dict[int, list[AnswerRow]] = defaultdict(list)
    for row in db.session.execute(
        answers_query().where(
            Answer.workspace_id == workspace_id,
            Answer.assessment_id.in_(revealed),
            Answer.assessment_id.not_in(fresh),
        )
    ):
        answers[row.assessment_id].append(row)
    unloaded = [a for a in missing if "traits" in inspect(a).unloaded]
    if unloaded:  # one query for all their traits, not one per round
        traits: dict[int, list[AssessmentTrait]] = defaultdict(list)
        for trait in db.session.scalars(
            select(AssessmentTrait)
            .where(
                AssessmentTrait.workspace_id == workspace_id,
                AssessmentTrait.assessment_id.in_(revealed),
                AssessmentTrait.assessment_id.not_in(fresh),
            )
            .order_by(AssessmentTrait.position, AssessmentTrait.id)
        ):
            traits[trait.assessment_id].append(trait)
        for assessment in unloaded:
            set_committed_value(assessment, "traits", traits[assessment.id])
    computed = [Summary.of(a.id, compute_fit(a, answers[a.id])) for a in missing]
    _store(computed, workspace_id)
    db.session.commit()
    return found | {summary.assessment_id: summary for summary in computed}
