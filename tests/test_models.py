"""The schema keeps its invariants by itself, on SQLite and PostgreSQL alike."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from fitcheck.extensions import db
from fitcheck.models import (
    Answer,
    Assessment,
    AssessmentTrait,
    Contact,
    Kind,
    Partner,
    Respondent,
    Side,
    TraitSet,
    Workspace,
)
from fitcheck.services import assessments
from fitcheck.services.respondents import add_respondent


@pytest.fixture
def launched(make_user, make_partner):
    """A launched assessment with one respondent per side."""
    user = make_user()
    partner = make_partner(user.workspace)
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    )
    assessment = assessments.create_assessment(partner, trait_set, kind=Kind.PRE_CONTRACT)
    company, _ = add_respondent(assessment, side=Side.COMPANY, name="Sato")
    client, _ = add_respondent(assessment, side=Side.CLIENT, name="Aoki")
    assessments.launch(assessment, invite=False)
    return assessment, company, client


def _answer(assessment: Assessment, respondent: Respondent, trait: AssessmentTrait, **values):
    return Answer(
        workspace_id=assessment.workspace_id,
        assessment_id=assessment.id,
        respondent_id=respondent.id,
        trait_id=trait.id,
        scale_lo=assessment.scale_lo,
        scale_hi=assessment.scale_hi,
        **values,
    )


def _rejected(*rows) -> None:
    db.session.add_all(rows)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_ratings_outside_the_scale_are_rejected(launched):
    assessment, company, _ = launched
    trait = assessment.traits[0]
    _rejected(_answer(assessment, company, trait, other_rating=6))
    _rejected(_answer(assessment, company, trait, self_rating=0))
    _rejected(_answer(assessment, company, trait, importance=9))


def test_answers_cannot_claim_another_scale(launched):
    assessment, company, _ = launched
    row = _answer(assessment, company, assessment.traits[0], other_rating=7)
    row.scale_hi = 7
    _rejected(row)


def test_cant_judge_holds_no_number(launched):
    assessment, company, _ = launched
    _rejected(
        _answer(assessment, company, assessment.traits[0], other_rating=3, other_cant_judge=True)
    )


def test_one_answer_per_respondent_and_trait(launched):
    assessment, company, _ = launched
    trait = assessment.traits[0]
    db.session.add(_answer(assessment, company, trait, other_rating=3))
    db.session.commit()
    _rejected(_answer(assessment, company, trait, other_rating=4))


def test_an_answer_cannot_mix_assessments(launched, make_partner):
    assessment, company, _ = launched
    trait_set = db.session.get(TraitSet, assessment.source_trait_set_id)
    other = assessments.create_assessment(
        make_partner(assessment.partner.workspace), trait_set, kind=Kind.PRE_CONTRACT
    )
    stranger, _ = add_respondent(other, side=Side.CLIENT, name="Stranger")
    row = _answer(assessment, company, assessment.traits[0], other_rating=3)
    row.respondent_id = stranger.id
    _rejected(row)


def test_rows_cannot_point_into_another_workspace(make_user, make_partner):
    mine, theirs = make_user(), make_user()
    their_partner = make_partner(theirs.workspace)
    _rejected(Contact(workspace_id=mine.workspace_id, partner_id=their_partner.id, name="Spy"))


def test_deleting_a_workspace_removes_everything_it_owns(launched):
    assessment, company, _ = launched
    db.session.add(_answer(assessment, company, assessment.traits[0], other_rating=3))
    db.session.commit()
    workspace_id = assessment.workspace_id
    db.session.delete(db.session.get(Workspace, workspace_id))
    db.session.commit()
    for model in (Partner, Assessment, AssessmentTrait, Respondent, Answer, TraitSet):
        assert db.session.scalar(select(func.count()).select_from(model)) == 0, model


def test_a_partner_with_assessments_cannot_be_deleted(launched):
    assessment, _, _ = launched
    db.session.delete(assessment.partner)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_threshold_and_scale_checks(make_user, make_partner):
    user = make_user()
    partner = make_partner(user.workspace)
    _rejected(
        Assessment(
            workspace_id=user.workspace_id,
            partner_id=partner.id,
            kind=Kind.PRE_CONTRACT,
            min_responses_per_side=0,
        )
    )
    _rejected(TraitSet(workspace_id=user.workspace_id, name="Bad", scale_lo=5, scale_hi=5))


def test_a_respondent_cannot_both_submit_and_decline(launched):
    _, company, _ = launched
    now = datetime.now(UTC)
    company.submitted_at = now
    company.declined_at = now
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_datetimes_come_back_aware_in_utc(launched):
    assessment, _, _ = launched
    deadline = datetime(2026, 12, 1, 18, 0, tzinfo=UTC) + timedelta(hours=9)
    assessment.deadline = deadline
    db.session.commit()
    db.session.expire_all()
    stored = db.session.get(Assessment, assessment.id).deadline
    assert stored == deadline and stored.tzinfo is not None


def test_naive_datetimes_are_refused(launched):
    assessment, _, _ = launched
    assessment.deadline = datetime(2026, 12, 1, 18, 0)
    with pytest.raises(Exception, match="naive datetime"):
        db.session.commit()
    db.session.rollback()
