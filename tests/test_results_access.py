"""Results are read through one door: sealed before the reveal, a side below its
threshold withheld, drafts and withdrawn respondents never counted."""

from __future__ import annotations

import pytest

from fitcheck.extensions import db
from fitcheck.models import Kind, Side
from fitcheck.services import assessments, traits
from fitcheck.services.assessments import AnswerInput
from fitcheck.services.results import ResultsSealed, load_results, respondent_may_see

# FIT_MODEL.md's worked example: other / self / importance per trait, None = can't judge.
WORKED = {
    "C1": {"passion": (4, 5, 5), "response": (3, 5, 4), "dialogue": (5, 4, 3), "growth": (2, 4, 3)},
    "C2": {
        "passion": (5, 4, 4),
        "response": (2, 5, 5),
        "dialogue": (4, 3, 3),
        "growth": (None, 3, 2),
    },
    "K1": {
        "passion": (4, 4, 3),
        "response": (4, 3, 4),
        "dialogue": (3, 5, None),
        "growth": (4, 1, 3),
    },
}


@pytest.fixture
def worked_example(make_user, make_partner):
    user = make_user()
    trait_set = traits.create_trait_set(
        user.workspace_id,
        name="Worked example",
        scale_lo=1,
        scale_hi=5,
        point_labels={"en": list("12345"), "ja": list("12345")},
    )
    for key in ("passion", "response", "dialogue", "growth"):
        traits.add_trait(
            trait_set,
            traits.TraitText(
                label_en=key,
                label_ja=key,
                question_other_en="{partner}?",
                question_other_ja="{partner}?",
                question_self_en="we?",
                question_self_ja="we?",
            ),
            key=key,
        )
    assessment = assessments.create_assessment(
        make_partner(user.workspace), trait_set, kind=Kind.PRE_CONTRACT
    )
    respondents = {
        name: assessments.add_respondent(
            assessment, side=Side.CLIENT if name == "K1" else Side.COMPANY, name=name
        )[0]
        for name in WORKED
    }
    assessments.launch(assessment)
    for name, answers in WORKED.items():
        assessments.save_answers(
            respondents[name],
            [
                AnswerInput(
                    trait_key=key,
                    other=other,
                    other_cant_judge=other is None,
                    self_=own,
                    importance=importance,
                    comment=f"{name} on {key}",
                )
                for key, (other, own, importance) in answers.items()
            ],
            submit=True,
        )
    return assessment, respondents


def test_results_are_sealed_until_the_reveal(worked_example):
    assessment, respondents = worked_example
    with pytest.raises(ResultsSealed):
        load_results(assessment)
    assert not respondent_may_see(respondents["K1"])


def test_results_read_from_the_database_match_the_worked_example(worked_example):
    assessment, _ = worked_example
    assessments.reveal(assessment)
    result = load_results(assessment).fit
    mirror = result.comparisons.mirror
    assert mirror.similarity == pytest.approx(64.1658, abs=1e-4)
    assert mirror.elevation == pytest.approx(-0.4, abs=1e-4)
    assert result.verdict.value == "one_sided" and result.falls_short is Side.CLIENT


def test_a_side_below_its_threshold_is_withheld_with_its_comments(worked_example):
    assessment, _ = worked_example
    assessment.min_responses_per_side = 2
    db.session.commit()
    assessments.reveal(assessment)
    results = load_results(assessment)
    assert results.fit.client.withheld and not results.fit.company.withheld
    assert all(row.us is None for row in results.fit.traits)
    assert not any(side is Side.CLIENT for _, side in results.comments)
    assert results.comments[("passion", Side.COMPANY)] == ["C1 on passion", "C2 on passion"]


def test_drafts_and_withdrawn_respondents_do_not_count(worked_example, make_user):
    assessment, respondents = worked_example
    late, _ = assessments.add_respondent(assessment, side=Side.CLIENT, name="Draft only")
    assessments.save_answers(
        late, [AnswerInput(trait_key="passion", other=1, self_=1)], submit=False
    )
    assessments.withdraw_respondent(respondents["C2"])
    assessments.reveal(assessment)
    result = load_results(assessment).fit
    assert result.client.responses == 1 and result.company.responses == 1
    assert result.trait("passion").them == 4  # C1 alone


def test_client_respondents_see_results_only_when_shared(worked_example):
    assessment, respondents = worked_example
    assessment.share_with_client = False
    db.session.commit()
    assessments.reveal(assessment)
    assert respondent_may_see(respondents["C1"])
    assert not respondent_may_see(respondents["K1"])
