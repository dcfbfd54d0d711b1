"""Results are read through one door: sealed before the reveal, a side below its
threshold withheld, drafts and withdrawn respondents never counted."""

from __future__ import annotations

import pytest

from fitcheck.extensions import db
from fitcheck.models import Side
from fitcheck.services import assessments
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent, withdraw_respondent
from fitcheck.services.results import ResultsSealed, load_results, respondent_may_see

from .worked_example import respondent


def test_results_are_sealed_until_the_reveal(worked_example):
    assessment, _ = worked_example(reveal=False)
    with pytest.raises(ResultsSealed):
        load_results(assessment)
    assert not respondent_may_see(respondent(assessment, "K1"))


def test_results_read_from_the_database_match_the_worked_example(worked_example):
    assessment, _ = worked_example()
    result = load_results(assessment).fit
    mirror = result.comparisons.mirror
    assert mirror.similarity == pytest.approx(64.1658, abs=1e-4)
    assert mirror.elevation == pytest.approx(-0.4, abs=1e-4)
    assert result.verdict.value == "one_sided" and result.falls_short is Side.CLIENT


def test_a_side_below_its_threshold_is_withheld_with_its_comments(worked_example):
    assessment, _ = worked_example(min_responses=2)
    results = load_results(assessment)
    assert results.fit.client.withheld and not results.fit.company.withheld
    assert all(row.us is None for row in results.fit.traits)
    assert not any(side is Side.CLIENT for _, side in results.comments)
    assert results.comments[("passion", Side.COMPANY)] == ["C1 on passion", "C2 on passion"]


def test_drafts_and_withdrawn_respondents_do_not_count(worked_example):
    assessment, _ = worked_example(reveal=False)
    late, _ = add_respondent(assessment, side=Side.CLIENT, name="Draft only")
    save_answers(late, [AnswerInput(trait_key="passion", other=1, self_=1)], submit=False)
    withdraw_respondent(respondent(assessment, "C2"))
    assessments.reveal(assessment)
    result = load_results(assessment).fit
    assert result.client.responses == 1 and result.company.responses == 1
    assert result.trait("passion").them == 4  # C1 alone


def test_client_respondents_see_results_only_when_shared(worked_example):
    assessment, _ = worked_example()
    assessment.share_with_client = False
    db.session.commit()
    assert respondent_may_see(respondent(assessment, "C1"))
    assert not respondent_may_see(respondent(assessment, "K1"))
