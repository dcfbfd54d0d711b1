"""Reading a round's answers: the one door every page, chart, export and API goes through.

The seal and the anonymity threshold are enforced here, where the data are read, never in
templates: before the reveal nothing leaves this module, and a side below its threshold k
reaches every view already withheld (see `fit.assess`). Comments follow the same rule.
What a page shows about a round beside its own numbers (its last round, the change since)
is `services.rounds`, built on these functions.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

from flask_babel import to_user_timezone
from sqlalchemy import Select, select
from sqlalchemy.orm import selectinload

from .. import fit
from ..extensions import db
from ..i18n import lazy_gettext as _l
from ..models import Answer, Assessment, Respondent, Side, State
from . import ServiceError

if TYPE_CHECKING:
    from sqlalchemy import Row

    # respondent id, side, trait id, other, self, importance, comment, assessment id,
    # other "can't judge", self "can't judge"
    AnswerRow = Row[int, Side, int, int | None, int | None, int | None, str, int, bool, bool]

VISIBLE_STATES = (State.REVEALED, State.ARCHIVED)


def local_date(moment: datetime) -> date:
    """The day of a stored (UTC) moment as the pages show it, in the app's timezone: the
    day to compare with an outcome's date or a year filter."""
    local: datetime = to_user_timezone(moment)
    return local.date()


class ResultsSealed(ServiceError):
    """The assessment is not revealed: no answer of anyone may be read yet."""


@dataclass(frozen=True)
class Results:
    assessment: Assessment
    fit: fit.FitResult
    # (trait key, side) -> comments of that side on that trait, in no attributable order.
    comments: dict[tuple[str, Side], list[str]]


def is_visible(assessment: Assessment) -> bool:
    return assessment.state in VISIBLE_STATES


def respondent_may_see(respondent: Respondent) -> bool:
    """A respondent sees results after the reveal; the client side only when shared."""
    if respondent.withdrawn_at is not None or not is_visible(respondent.assessment):
        return False
    return respondent.side is Side.COMPANY or respondent.assessment.share_with_client


def answers_query() -> Select[
    int, Side, int, int | None, int | None, int | None, str, int, bool, bool
]:
    """Answers of submitted, not withdrawn respondents; callers choose the assessments."""
    return (
        select(
            Answer.respondent_id,
            Respondent.side,
            Answer.trait_id,
            Answer.other_rating,
            Answer.self_rating,
            Answer.importance,
            Answer.comment,
            Answer.assessment_id,
            Answer.other_cant_judge,
            Answer.self_cant_judge,
        )
        .join(Respondent, Respondent.id == Answer.respondent_id)
        .where(Respondent.submitted_at.is_not(None), Respondent.withdrawn_at.is_(None))
        .order_by(Answer.trait_id, Answer.id)
    )


def submitted_answers(assessment: Assessment) -> Sequence[AnswerRow]:
    """The answers of the submitted, not withdrawn respondents: one query."""
    return db.session.execute(answers_query().where(Answer.assessment_id == assessment.id)).all()


def compute_fit(assessment: Assessment, rows: Sequence[AnswerRow]) -> fit.FitResult:
    """The fit engine on those answers, with the assessment's scale, k and thresholds."""
    keys = {trait.id: trait.key for trait in assessment.traits}
    workspace = assessment.partner.workspace
    return fit.assess(
        list(keys.values()),
        (
            fit.Rating(
                respondent=row.respondent_id,
                side=row.side,
                trait=keys[row.trait_id],
                other=row.other_rating,
                self_=row.self_rating,
                importance=row.importance,
            )
            for row in rows
        ),
        scale=fit.Scale(assessment.scale_lo, assessment.scale_hi),
        min_responses=assessment.min_responses_per_side,
        thresholds=fit.Thresholds(
            similar=workspace.similarity_threshold, level=workspace.level_threshold
        ),
    )


def check_visible(assessment: Assessment) -> None:
    """Raise `ResultsSealed` before the reveal."""
    if not is_visible(assessment):
        raise ResultsSealed(_l("The results are sealed until the reveal."))


def load_results(assessment: Assessment) -> Results:
    """Every number of a revealed assessment, from its submitted answers: the round alone;
    `rounds.load_round` adds its last round and the change. Two queries."""
    check_visible(assessment)
    return results_of(assessment, submitted_answers(assessment))


def results_of(assessment: Assessment, rows: Sequence[AnswerRow]) -> Results:
    """`load_results` from the round's answers read by the caller (`answers_query`, for
    many rounds at once). Raises `ResultsSealed` before the reveal. No query."""
    check_visible(assessment)
    result = compute_fit(assessment, rows)
    keys = {trait.id: trait.key for trait in assessment.traits}
    withheld = {side for side in Side if result.side(side).withheld}
    comments: dict[tuple[str, Side], list[str]] = defaultdict(list)
    for row in rows:
        if row.comment and row.side not in withheld:
            comments[(keys[row.trait_id], row.side)].append(row.comment)
    # Sorted, so the order says nothing about who wrote what or when.
    return Results(
        assessment=assessment,
        fit=result,
        comments={key: sorted(texts) for key, texts in comments.items()},
    )


def partner_rounds(partner_id: int, workspace_id: int) -> list[tuple[Assessment, fit.FitResult]]:
    """Every revealed round of a partner, oldest first, with its engine result.

    Three queries however many rounds: the rounds with their traits, and all their
    answers at once; the seal and the thresholds apply to each round as everywhere.
    """
    rounds = list(
        db.session.scalars(
            select(Assessment)
            .options(selectinload(Assessment.traits))
            .where(
                Assessment.partner_id == partner_id,
                Assessment.workspace_id == workspace_id,
                Assessment.state.in_(VISIBLE_STATES),
            )
            .order_by(Assessment.revealed_at, Assessment.id)
        )
    )
    if not rounds:
        return []
    rows_by_round: dict[int, list[AnswerRow]] = defaultdict(list)
    for row in db.session.execute(
        answers_query().where(Answer.assessment_id.in_([a.id for a in rounds]))
    ):
        rows_by_round[row.assessment_id].append(row)
    return [(a, compute_fit(a, rows_by_round[a.id])) for a in rounds]
