"""Reading a round as every page shows it: its fit, its comments, the round before it and
what changed since.

"The last round" of a round R is decided once, by `previous_round` (pure, no database):
the round R continues (`Assessment.previous_id`) when that round is revealed, else the
partner's latest round revealed before R; either way on R's rating scale, since means on
different scales cannot be compared. The results page and its report (`load_round`), the
web and API timelines (`timeline`), the portfolio's change column (`previous_rounds`,
`similarity_change`) and the exports all read it here, and `fit.compare_rounds` is called
here only. The seal and the anonymity threshold stay where the answers are read
(`services.results`): a round reaches this module already withheld where it must be.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from .. import fit, norms
from ..extensions import db
from ..fit import FitResult, RoundChange
from ..models import Assessment, Partner, Side
from .results import (
    VISIBLE_STATES,
    Results,
    check_visible,
    is_visible,
    load_results,
    partner_rounds,
)
from .summaries import Summary, workspace_summaries

# --------------------------------------------------------------------------------------------
# The rule: which round is "the last round" (pure)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RoundFacts:
    """What choosing the previous round needs to know of a round, and nothing more."""

    id: int
    partner_id: int
    previous_id: int | None  # the round this one continues (an annual review's link)
    revealed_at: datetime | None  # None: not revealed (a draft, or still collecting)
    scale: tuple[int, int]  # (lo, hi)

    @classmethod
    def of(cls, assessment: Assessment) -> RoundFacts:
        return cls(
            id=assessment.id,
            partner_id=assessment.partner_id,
            previous_id=assessment.previous_id,
            revealed_at=assessment.revealed_at if is_visible(assessment) else None,
            scale=(assessment.scale_lo, assessment.scale_hi),
        )


def _order(facts: RoundFacts) -> tuple[datetime, int]:
    assert facts.revealed_at is not None
    # The id breaks ties of rounds revealed in the same instant, as `partner_rounds` orders.
    return facts.revealed_at, facts.id


def previous_round(current: RoundFacts, candidates: Iterable[RoundFacts]) -> RoundFacts | None:
    """The round `current` is compared with, among `candidates`: the round it continues
    (`previous_id`) if that one is revealed, else the partner's latest round revealed
    before it (by reveal time). Only revealed rounds of the same partner on the same scale,
    revealed before `current` (any, if `current` is not revealed yet), qualify; None when
    none does."""
    comparable = [
        other
        for other in candidates
        if other.id != current.id
        and other.partner_id == current.partner_id
        and other.revealed_at is not None
        and other.scale == current.scale
        and (current.revealed_at is None or _order(other) < _order(current))
    ]
    for other in comparable:
        if other.id == current.previous_id:
            return other
    return max(comparable, key=_order, default=None)


# --------------------------------------------------------------------------------------------
# Reading
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Round(Results):
    """A revealed round with the round before it (`previous_round`) and the change since
    (`fit.compare_rounds`); both None for a partner's first round. `distinctive`: the
    distinctive profile correlation against the workspace's norm (`fitcheck.norms`), for
    staff only (None for a respondent: it rests on the workspace's other partners)."""

    previous: Results | None = None
    change: fit.RoundChange | None = None
    distinctive: norms.Distinctive | None = None

    def style(self, side: Side) -> norms.ResponseStyle:
        """The response style of one side of this round (`fitcheck.norms`)."""
        return norms.response_style(self.fit, side)


def _compare(previous: fit.FitResult | None, current: fit.FitResult) -> fit.RoundChange | None:
    # `previous_round` only picks rounds on the same scale, which `compare_rounds` requires.
    return None if previous is None else fit.compare_rounds(previous, current)


def _revealed_rounds_of_partner(assessment: Assessment) -> list[Assessment]:
    # With the partner and its workspace, which the engine reads next for the thresholds:
    # the query that finds the last round saves the two that would load them.
    return list(
        db.session.scalars(
            select(Assessment)
            .options(joinedload(Assessment.partner).joinedload(Partner.workspace))
            .where(
                Assessment.workspace_id == assessment.workspace_id,
                Assessment.partner_id == assessment.partner_id,
                Assessment.state.in_(VISIBLE_STATES),
            )
        )
    )


def previous_among(assessment: Assessment, candidates: Sequence[Assessment]) -> Assessment | None:
    """The last round of `assessment` (`previous_round`) among `candidates`. No query."""
    by_id = {other.id: other for other in candidates}
    chosen = previous_round(
        RoundFacts.of(assessment), [RoundFacts.of(other) for other in candidates]
    )
    return None if chosen is None else by_id[chosen.id]


def find_previous(assessment: Assessment) -> Assessment | None:
    """The last round of `assessment` (`previous_round`), read in one query."""
    return previous_among(assessment, _revealed_rounds_of_partner(assessment))


def load_round(
    assessment: Assessment, *, viewer: Side | None = None, norm: WorkspaceNorm | None = None
) -> Round:
    """Everything shown about a revealed round: its fit and comments (`load_results`, which
    raises `ResultsSealed` before the reveal), its last round's and the change since.

    `viewer`: the side of a respondent reading through their link (None: staff). A client
    respondent sees the last round only if it was shared with the client too, as they
    would see that round itself; otherwise the page shows none.

    `norm`: the workspace's norm when the caller has read it already (`workspace_norm`);
    otherwise it is read here, for staff.

    Queries: one for the partner's revealed rounds (with the partner and the workspace),
    then those of `load_results` for the round and for its last round if there is one,
    and for staff one for the workspace's stored summaries (the norm) unless `norm` is
    given; however many respondents and rounds there are.
    """
    check_visible(assessment)
    before = find_previous(assessment)
    if before is not None and viewer is Side.CLIENT and not before.share_with_client:
        before = None
    results = load_results(assessment)
    previous = None if before is None else load_results(before)
    if viewer is not None:
        return _round(results, previous, None)
    return _round(
        results, previous, norm if norm is not None else workspace_norm(assessment.workspace_id)
    )


def _round(results: Results, previous: Results | None, norm: WorkspaceNorm | None) -> Round:
    return Round(
        assessment=results.assessment,
        fit=results.fit,
        comments=results.comments,
        previous=previous,
        change=_compare(previous.fit if previous else None, results.fit),
        distinctive=None if norm is None else norm.distinctive(results.assessment.id, results.fit),
    )


def rounds_among(results: Sequence[Results], norm: WorkspaceNorm) -> Iterator[Round]:
    """Each of these rounds as `load_round` reads it for staff, from the `Results` of every
    revealed round of a workspace (those of the rounds' last rounds among them): the last
    round chosen among the partner's rounds by the same rule, the change since and the
    distinctive correlation against `norm`. No query: the workspace export reads every
    round this way, in a number of queries that does not grow with its rounds."""
    by_id = {result.assessment.id: result for result in results}
    by_partner: dict[int, list[Assessment]] = defaultdict(list)
    for result in results:
        by_partner[result.assessment.partner_id].append(result.assessment)
    for result in results:
        assessment = result.assessment
        check_visible(assessment)
        before = previous_among(assessment, by_partner[assessment.partner_id])
        yield _round(result, None if before is None else by_id[before.id], norm)


@dataclass(frozen=True)
class WorkspaceNorm:
    """The mirror profiles of every revealed round of a workspace from their stored
    summaries, by assessment id, and their norm (`norms.Norm`), computed once: a results
    page reads it for its round, a workspace export once for all its rounds."""

    profiles: Mapping[int, norms.Profiles]
    norm: norms.Norm

    def distinctive(self, assessment_id: int, result: FitResult) -> norms.Distinctive:
        """The round's distinctive profile correlation against the norm of every revealed
        round of its workspace, the round's own profiles counted from `result` (a round
        not summarised yet counts too). No query."""
        current = norms.Profiles.of(result)
        if self.profiles.get(assessment_id) == current:  # as stored: the norm holds it
            return norms.distinctive_against(current, self.norm)
        others = [p for other, p in self.profiles.items() if other != assessment_id]
        return norms.distinctive_correlation(current, [current, *others])


def workspace_norm(workspace_id: int) -> WorkspaceNorm:
    """The norm of the workspace's revealed rounds, from their stored summaries: one query,
    whatever their number."""
    profiles = {
        summary.assessment_id: summary.mirror_profiles()
        for summary in workspace_summaries(workspace_id)
    }
    return WorkspaceNorm(profiles=profiles, norm=norms.Norm.of(profiles.values()))


def previous_rounds(rounds: Sequence[Assessment]) -> dict[int, Assessment | None]:
    """The last round of each of `rounds`, chosen among them, by assessment id: pass every
    revealed round of the partners concerned. No query."""
    return {assessment.id: previous_among(assessment, rounds) for assessment in rounds}


@dataclass(frozen=True)
class TimelineRound:
    """A row of a partner's timeline: the round, its fit, its last round and the change."""

    assessment: Assessment
    fit: FitResult
    previous: Assessment | None
    change: RoundChange | None


def timeline(partner_id: int, workspace_id: int) -> list[TimelineRound]:
    """Every revealed round of a partner, oldest first, each with its last round and the
    change since. The queries of `partner_rounds` (three), however many rounds."""
    rounds = partner_rounds(partner_id, workspace_id)
    results = {assessment.id: result for assessment, result in rounds}
    before = previous_rounds([assessment for assessment, _ in rounds])
    rows = []
    for assessment, result in rounds:
        previous = before[assessment.id]
        rows.append(
            TimelineRound(
                assessment=assessment,
                fit=result,
                previous=previous,
                change=_compare(results[previous.id] if previous else None, result),
            )
        )
    return rows


# The mirror score is shown with one decimal everywhere.
SHOWN_DIGITS = 1


def similarity_change(previous: Summary | None, current: Summary) -> float | None:
    """The change of the mirror score from a round's stored summary to the next one's,
    without reading either round's answers: the difference of the scores as every page
    shows them (one decimal), so the portfolio's +6.5 is the results page's 63.0 → 69.5."""
    if previous is None or previous.similarity is None or current.similarity is None:
        return None
    return round(
        round(current.similarity, SHOWN_DIGITS) - round(previous.similarity, SHOWN_DIGITS),
        SHOWN_DIGITS,
    )
