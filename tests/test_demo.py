"""`flask demo` loads a realistic workspace once, however often it runs."""

from __future__ import annotations

from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import (
    Answer,
    Assessment,
    MailStatus,
    OutboxMessage,
    Outcome,
    Partner,
    Respondent,
    State,
    User,
    Workspace,
)
from fitcheck.portfolio import SMALL_SAMPLE_BELOW
from fitcheck.services import demo
from fitcheck.services.demo_plans import MEETING_PROMISES


def _counts() -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Workspace, User, Partner, Assessment, Respondent, Answer)
    }


def test_demo_command_loads_once_and_prints_how_to_sign_in(runner):
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert demo.DEMO_EMAIL in first.output and demo.DEMO_PASSWORD in first.output
    counts = _counts()
    second = runner.invoke(args=["demo"])
    assert second.exit_code == 0
    assert "Already loaded" in second.output
    assert _counts() == counts
    assert counts["Partner"] == len(demo.PLANS) + len(demo.GENERATED_PLANS)


def test_demo_has_rounds_of_both_kinds_answered_by_both_sides(app):
    demo.load_demo()
    rounds = db.session.scalars(select(Assessment)).all()
    assert {a.kind.value for a in rounds} == {"pre_contract", "annual_review"}
    assert {a.state for a in rounds} == {State.REVEALED, State.COLLECTING}
    for assessment in rounds:
        sides = {r.side.value for r in assessment.respondents if r.submitted_at}
        assert sides == {"company", "client"}
        assert len(assessment.traits) == 10
    annual = [a for a in rounds if a.kind.value == "annual_review" and a.previous_id]
    assert annual, "an annual review continues an earlier round"


def _generated() -> tuple[list, list]:
    ratings = db.session.execute(
        select(Answer.other_rating, Answer.self_rating).order_by(Answer.id)
    ).all()
    outcomes = db.session.execute(
        select(
            Outcome.period,
            Outcome.observed_on,
            Outcome.satisfaction,
            Outcome.renewed,
            Outcome.contract_signed,
            Outcome.revenue,
            Outcome.is_demo,
        ).order_by(Outcome.id)
    ).all()
    return ratings, outcomes


def test_demo_answers_and_outcomes_are_reproducible_and_outcomes_marked_demo(app):
    demo.load_demo()
    ratings, outcomes = _generated()
    assert len(outcomes) >= SMALL_SAMPLE_BELOW, "enough for the portfolio analysis"
    assert all(row.is_demo for row in outcomes)
    db.session.delete(db.session.scalar(select(Workspace)))
    db.session.commit()
    demo.load_demo()
    assert _generated() == (ratings, outcomes)


def test_demo_user_signs_in_and_sees_the_partners(client, app, sign_in):
    demo.load_demo()
    assert sign_in(demo.DEMO_EMAIL, demo.DEMO_PASSWORD).status_code == 302
    assert demo.GENERATED_PLANS[0].name in client.get("/partners/").get_data(as_text=True)
    for plan in demo.PLANS:
        assert plan.name in client.get("/partners/", query_string={"q": plan.name}).get_data(
            as_text=True
        )


def test_the_demo_review_shows_last_years_promises_and_carries_the_open_ones(client, app, sign_in):
    demo.load_demo()
    partner = db.session.scalar(select(Partner).where(Partner.name == "Kitahama Foods"))
    first, review = sorted(partner.assessments, key=lambda a: a.id)
    # Kept and given up stay with 2024; the two still open moved into 2025, each the same
    # promise with its 2024 status as a review.
    assert {c.status.value for c in first.commitments} == {"done", "dropped"}
    carried = {c.id: c for c in review.commitments if c.reviews}
    assert len(carried) == 2
    # Beside them, what the review meeting agreed on this round.
    made_here = {c.action for c in review.commitments if not c.reviews}
    assert made_here == {promise.action for promise in MEETING_PROMISES}
    assert {(r.assessment_id, r.status.value) for c in carried.values() for r in c.reviews} == {
        (first.id, "in_progress"),
        (first.id, "open"),
    }
    assert all(r.recorded_at == review.launched_at for c in carried.values() for r in c.reviews)
    sign_in(demo.DEMO_EMAIL, demo.DEMO_PASSWORD)
    page = client.get(f"/assessments/{review.id}/results").get_data(as_text=True)
    since = page.split('id="since"')[1].split("</section>")[0]
    for commitment in [*first.commitments, *carried.values()]:
        assert commitment.action in since
    assert since.count("carried into this round") == 2
    listed = page.split('id="commitments"')[1].split("</section>")[0]
    assert listed.count("Carried from") == 2


def test_the_demo_sends_no_mail_to_its_invented_people(app):
    demo.load_demo()

    statuses = dict(
        db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.status
            )
        ).all()
    )
    assert statuses.get(MailStatus.CANCELLED, 0) > 0, "its reveals queued results-ready mail"
    assert MailStatus.QUEUED not in statuses
