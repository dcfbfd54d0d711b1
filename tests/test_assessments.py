"""Assessments from the staff side: create, invite, launch, follow, extend, reveal, archive."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import Assessment, Respondent, State, TraitSet, utcnow
from fitcheck.services import ServiceError, assessments
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import (
    add_respondent,
    find_respondent,
    reissue_link,
    remove_respondent,
    withdraw_respondent,
)

from .support import count_queries, csrf_token


def _post(client, url, data, form_url):
    return client.post(url, data={**data, "csrf_token": csrf_token(client, form_url)})


def _answers(assessment, value=3):
    return [
        AnswerInput(trait_key=t.key, other=value, self_=value, importance=3)
        for t in assessment.traits
    ]


def test_create_add_respondents_and_launch(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    partner = make_partner(user.workspace, "Aozora")
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    )
    sign_in("o@example.com")
    new_url = f"/partners/{partner.id}/assessments/new"
    response = _post(
        client,
        new_url,
        {
            "kind": "pre_contract",
            "trait_set_id": trait_set.id,
            "deadline": f"{utcnow().year + 1}-12-24T18:00",  # at most 5 years ahead
            "reveal_policy": "manual",
            "min_responses_per_side": 1,
            "share_with_client": "y",
        },
        new_url,
    )
    assert response.status_code == 302
    assessment = db.session.scalar(select(Assessment))
    assert assessment.state is State.DRAFT
    # Typed in Tokyo time, stored in UTC.
    assert assessment.deadline.hour == 9
    show = f"/assessments/{assessment.id}"
    launch = _post(client, f"{show}/launch", {}, show)
    assert "Invite at least one respondent on each side" in client.get(
        launch.headers["Location"]
    ).get_data(as_text=True)
    for side, name, locale in (("company", "Sato", "en"), ("client", "Aoki", "ja")):
        _post(
            client,
            f"{show}/respondents",
            {"side": side, "name": name, "email": "", "language": locale},
            show,
        )
    _post(client, f"{show}/launch", {}, show)
    db.session.refresh(assessment)
    assert assessment.state is State.COLLECTING
    assert len(assessment.traits) == 10
    assert {r.name: r.locale for r in assessment.respondents} == {"Sato": "en", "Aoki": "ja"}
    page = client.get(show).get_data(as_text=True)
    assert "Sato" in page and "Aoki" in page and "/r/" in page


def test_creating_with_errors_keeps_what_was_typed(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    partner = make_partner(user.workspace)
    sign_in("o@example.com")
    url = f"/partners/{partner.id}/assessments/new"
    page = _post(
        client,
        url,
        {"kind": "annual_review", "title": "Review 2026", "min_responses_per_side": 0},
        url,
    ).get_data(as_text=True)
    assert 'value="Review 2026"' in page
    assert '<option selected value="annual_review">' in page
    assert db.session.scalar(select(func.count(Assessment.id))) == 0


def test_state_changes_are_guarded(make_assessment):
    draft, tokens = make_assessment(launch=False)
    with pytest.raises(ServiceError, match="draft cannot be revealed"):
        assessments.reveal(draft)
    with pytest.raises(ServiceError, match="Only a revealed assessment"):
        assessments.archive(draft)
    assessments.launch(draft, invite=False)
    with pytest.raises(ServiceError, match="Only a draft can be launched"):
        assessments.launch(draft, invite=False)
    assessments.reveal(draft)
    with pytest.raises(ServiceError, match="after the reveal"):
        add_respondent(draft, side=next(iter(tokens)).side, name="Late")
    with pytest.raises(ServiceError, match="not collecting"):
        save_answers(next(iter(tokens)), _answers(draft))


def test_automatic_reveal_once_both_sides_reach_the_threshold(make_assessment):
    assessment, tokens = make_assessment(
        company=2,
        client=2,
        reveal_policy=assessments.RevealPolicy.AUTOMATIC,
        min_responses_per_side=2,
    )
    respondents = sorted(tokens, key=lambda r: (r.side.value, r.id))
    for respondent in respondents[:3]:
        save_answers(respondent, _answers(assessment), submit=True)
    assert assessment.state is State.COLLECTING
    save_answers(respondents[3], _answers(assessment), submit=True)
    assert assessment.state is State.REVEALED


def test_deadline_only_moves_forward(make_assessment):
    assessment, _ = make_assessment(deadline=utcnow() + timedelta(days=5))
    later = assessment.deadline + timedelta(days=3)
    assessments.extend_deadline(assessment, later)
    assert assessment.deadline == later
    with pytest.raises(ServiceError, match="only be extended"):
        assessments.extend_deadline(assessment, later - timedelta(days=1))
    with pytest.raises(ServiceError, match="in the future"):
        assessments.extend_deadline(assessment, utcnow() - timedelta(days=1))


def test_withdrawn_and_reissued_links_stop_working(make_assessment):
    assessment, tokens = make_assessment(company=2)
    withdrawn, reissued = [r for r in tokens if r.side.value == "company"]
    withdraw_respondent(withdrawn)
    with pytest.raises(ServiceError, match="withdrawn"):
        save_answers(withdrawn, _answers(assessment))
    new_token = reissue_link(reissued)
    assert find_respondent(tokens[reissued]) is None
    assert find_respondent(new_token) == reissued


def test_progress_shows_statuses_but_no_answers(client, make_user, sign_in, make_assessment):
    user = make_user("o@example.com")
    assessment, tokens = make_assessment(user)
    company = next(r for r in tokens if r.side.value == "company")
    save_answers(
        company,
        [
            AnswerInput(trait_key=t.key, other=4, self_=2, comment="SECRET-COMMENT-XYZ")
            for t in assessment.traits
        ],
        submit=True,
    )
    sign_in("o@example.com")
    page = client.get(f"/assessments/{assessment.id}").get_data(as_text=True)
    assert "1 of 1 answered" in page and "Answered" in page
    assert "SECRET-COMMENT-XYZ" not in page


def test_progress_page_queries_do_not_grow_with_respondents(
    client, make_user, sign_in, make_assessment
):
    counts = []
    user = make_user("o@example.com")
    sign_in("o@example.com")
    for size in (1, 12):
        assessment, _ = make_assessment(user, company=size, client=size)
        with count_queries() as statements:
            assert client.get(f"/assessments/{assessment.id}").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_removing_a_respondent_only_before_launch(make_assessment):
    _, tokens = make_assessment(launch=False, company=2)
    respondent = next(iter(tokens))
    remove_respondent(respondent)
    assert db.session.get(Respondent, respondent.id) is None
    _, more = make_assessment()
    with pytest.raises(ServiceError, match="withdraw"):
        remove_respondent(next(iter(more)))


def test_next_round_is_prefilled_and_carries_open_commitments_by_trait_key(
    client, make_user, sign_in, make_assessment
):
    from fitcheck.models import Commitment, CommitmentStatus, Kind, Side, Trait
    from fitcheck.services import commitments

    user = make_user("o@example.com")
    first, tokens = make_assessment(user, company=2, client=1, min_responses_per_side=1)
    withdrawn = next(r for r in tokens if r.side is Side.COMPANY)
    for respondent in tokens:
        if respondent is not withdrawn:
            save_answers(respondent, _answers(first), submit=True)
    withdraw_respondent(withdrawn)
    assessments.reveal(first)
    by_key = {trait.key: trait for trait in first.traits}
    kept = commitments.add_commitment(
        first, trait_id=by_key["passion"].id, side=Side.COMPANY, action="Reply in a day"
    )
    done = commitments.add_commitment(
        first, trait_id=by_key["dialogue"].id, side=Side.CLIENT, action="Weekly call"
    )
    commitments.set_status(done, CommitmentStatus.DONE)
    retired = commitments.add_commitment(
        first, trait_id=by_key["autonomy"].id, side=Side.CLIENT, action="Decide alone"
    )
    db.session.scalar(select(Trait).where(Trait.key == "autonomy")).retired_at = utcnow()
    db.session.commit()

    sign_in("o@example.com")
    show = f"/assessments/{first.id}"
    response = _post(client, f"{show}/next-round", {}, show)
    second = db.session.scalar(select(Assessment).where(Assessment.previous_id == first.id))
    assert response.headers["Location"] == f"/assessments/{second.id}"
    assert second.kind is Kind.ANNUAL_REVIEW and second.state is State.DRAFT
    assert {r.name for r in second.respondents} == {r.name for r in tokens if r is not withdrawn}
    assessments.launch(second, invite=False)
    carried = db.session.scalars(
        select(Commitment).where(Commitment.assessment_id == second.id)
    ).all()
    # Moved, not copied: the same promise, on the new round's trait with the same key.
    assert [(c.id, c.action, c.trait.key) for c in carried] == [
        (kept.id, "Reply in a day", "passion")
    ]
    assert [(r.assessment_id, r.status) for r in carried[0].reviews] == [
        (first.id, CommitmentStatus.OPEN)
    ]
    assert db.session.get(Commitment, retired.id).assessment_id == first.id
    assert db.session.get(Commitment, done.id).assessment_id == first.id


def test_next_round_needs_a_revealed_round(make_assessment):
    collecting, _ = make_assessment()
    with pytest.raises(ServiceError, match="once this one is revealed"):
        assessments.start_next_round(collecting)
