"""A promise is one commitment for its whole life: the next round's launch moves it rather
than copying it, each round it passes through keeps its status then, and every count (the
portfolio, the weekly digest) meets it once however often it is carried."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import (
    Commitment,
    CommitmentReview,
    CommitmentStatus,
    OutboxMessage,
    Side,
    utcnow,
)
from fitcheck.services import (
    assessments,
    commitments,
    deletion,
    notifications,
    portfolio_view,
    workspace_export,
)
from fitcheck.services.answers import AnswerInput, save_answers

from .support import csrf_token

LATE = date.today() - timedelta(days=30)


def _reveal(assessment):
    for respondent in assessment.respondents:
        save_answers(
            respondent,
            [
                AnswerInput(trait_key=trait.key, other=4, self_=3, importance=3)
                for trait in assessment.traits
            ],
            submit=True,
        )
    assessments.reveal(assessment)


def _next_round(previous, *, reveal=True):
    following = assessments.start_next_round(previous)
    assessments.launch(following, invite=False)
    if reveal:
        _reveal(following)
    return following


@pytest.fixture
def owner(make_user):
    return make_user("o@example.com")


@pytest.fixture
def first(owner, make_assessment):
    """A revealed round with a late promise, still in progress."""
    assessment, _ = make_assessment(owner)
    _reveal(assessment)
    promise = commitments.add_commitment(
        assessment,
        trait_id=assessment.traits[0].id,
        side=Side.COMPANY,
        action="Answer every request within a day",
        owner="Sato",
        due_on=LATE,
    )
    commitments.set_status(promise, CommitmentStatus.IN_PROGRESS)
    return assessment


def _section(page: str, anchor: str) -> str:
    return page.split(f'id="{anchor}"')[1].split("</section>")[0]


def test_a_promise_carried_twice_is_counted_once_as_overdue(app, owner, first):
    second = _next_round(first)
    third = _next_round(second)
    assert db.session.scalar(select(func.count(Commitment.id))) == 1
    [row] = portfolio_view.portfolio(owner.workspace_id)
    assert row.latest.id == third.id
    assert row.overdue == 1
    digest = notifications.digest_for(owner, date.today())
    assert [c.action for c in digest.overdue] == ["Answer every request within a day"]


def test_the_portfolio_page_and_the_digest_mail_list_it_once(app, client, owner, first, sign_in):
    third = _next_round(_next_round(first))
    sign_in("o@example.com")
    page = client.get("/portfolio/").get_data(as_text=True)
    cells = page.split("<tbody>")[1].split("</tr>")[0]
    assert '<td class="text-end">1</td>' in cells
    notifications.queue_commitment_digests(week="2026-W49", today=date.today(), now=utcnow())
    db.session.commit()
    [message] = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == "commitment_digest")
    )
    rendered = notifications.render_commitment_digest(message)
    assert rendered is not None
    assert rendered.text.count("Answer every request within a day") == 1
    assert f"/assessments/{third.id}/results#commitments" in rendered.text


def test_each_round_shows_where_the_promise_came_from_and_its_status_then(
    app, client, owner, first, sign_in
):
    second = _next_round(first)
    third = _next_round(second)
    promise = db.session.scalar(select(Commitment))
    commitments.set_status(promise, CommitmentStatus.OPEN)  # it slipped back in year three
    reviews = db.session.scalars(
        select(CommitmentReview).order_by(CommitmentReview.recorded_at, CommitmentReview.id)
    ).all()
    assert [(r.assessment_id, r.status) for r in reviews] == [
        (first.id, CommitmentStatus.IN_PROGRESS),
        (second.id, CommitmentStatus.IN_PROGRESS),
    ]
    assert promise.assessment_id == third.id
    assert promise.trait.assessment_id == third.id

    sign_in("o@example.com")
    pages = {
        a.id: client.get(f"/assessments/{a.id}/results").get_data(as_text=True)
        for a in (first, second, third)
    }
    latest = _section(pages[third.id], "commitments")
    assert "Answer every request within a day" in latest
    assert "Carried from" in latest and "status then: in progress" in latest
    assert f"/assessments/{second.id}/results#commitments" in latest
    assert f"/commitments/{promise.id}/done" in latest, "changed in the round it stands in"

    made_in = _section(pages[first.id], "commitments")
    assert "Answer every request within a day" in made_in
    assert "Status then: in progress. Carried into" in made_in
    assert "now: open" in made_in
    assert f"/assessments/{second.id}/results#commitments" in made_in
    assert f"/commitments/{promise.id}/done" not in made_in, "not changed from the past"

    # What became of last year's promises: the same promise, with its status then.
    since = _section(pages[third.id], "since")
    assert "Answer every request within a day" in since
    assert "in progress" in since and "carried into this round" in since


def test_closing_a_carried_promise_in_the_latest_round_closes_it_once(
    app, client, owner, first, sign_in
):
    third = _next_round(_next_round(first))
    promise = db.session.scalar(select(Commitment))
    sign_in("o@example.com")
    url = f"/assessments/{third.id}/results"
    response = client.post(
        f"/commitments/{promise.id}/done", data={"csrf_token": csrf_token(client, url)}
    )
    assert response.headers["Location"].endswith(f"{url}#commitments")
    [row] = portfolio_view.portfolio(owner.workspace_id)
    assert row.overdue == 0
    assert not notifications.digest_for(owner, date.today())
    assert db.session.scalars(select(Commitment.status)).all() == [CommitmentStatus.DONE]
    page = client.get(f"/assessments/{first.id}/results").get_data(as_text=True)
    assert "now: done" in _section(page, "commitments")


def test_while_the_next_round_collects_its_promises_are_kept_from_the_round_they_left(
    app, client, owner, first, sign_in
):
    second = _next_round(first, reveal=False)
    promise = db.session.scalar(select(Commitment))
    assert promise.assessment_id == second.id
    assert commitments.shown_in(promise) == first.id
    # Still in the digest, linked to the page where it can be seen.
    [listed] = notifications.digest_for(owner, date.today()).overdue
    assert listed.id == promise.id
    sign_in("o@example.com")
    url = f"/assessments/{first.id}/results"
    page = _section(client.get(url).get_data(as_text=True), "commitments")
    assert f"/commitments/{promise.id}/done" in page
    response = client.post(
        f"/commitments/{promise.id}/done", data={"csrf_token": csrf_token(client, url)}
    )
    assert response.headers["Location"].endswith(f"{url}#commitments")
    db.session.refresh(promise)
    assert promise.status is CommitmentStatus.DONE


def test_deleting_the_partner_takes_the_history_with_it(app, owner, first):
    _next_round(_next_round(first))
    archive = workspace_export.workspace_archive(owner.workspace_id)
    with zipfile.ZipFile(io.BytesIO(archive)) as files:
        document = json.loads(files.read("workspace.json"))
    assert [r["status"] for r in document["commitment_reviews"]] == ["in_progress"] * 2
    assert len(document["commitments"]) == 1

    partner = first.partner
    deletion.delete_partner(partner, confirm_name=partner.name)
    assert db.session.scalar(select(func.count(Commitment.id))) == 0
    assert db.session.scalar(select(func.count(CommitmentReview.id))) == 0
