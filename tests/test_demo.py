"""`flask demo` loads a realistic workspace once, however often it runs."""

from __future__ import annotations

from sqlalchemy import func, select

from fitcheck.extensions import db
from fitcheck.models import Answer, Assessment, Partner, Respondent, State, User, Workspace
from fitcheck.services import demo


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
    assert counts["Partner"] == 3


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


def test_demo_answers_are_reproducible(app):
    demo.load_demo()
    ratings = db.session.execute(
        select(Answer.other_rating, Answer.self_rating).order_by(Answer.id)
    ).all()
    db.session.delete(db.session.scalar(select(Workspace)))
    db.session.commit()
    demo.load_demo()
    again = db.session.execute(
        select(Answer.other_rating, Answer.self_rating).order_by(Answer.id)
    ).all()
    assert ratings == again


def test_demo_user_signs_in_and_sees_the_partners(client, app, sign_in):
    demo.load_demo()
    assert sign_in(demo.DEMO_EMAIL, demo.DEMO_PASSWORD).status_code == 302
    page = client.get("/partners/").get_data(as_text=True)
    for plan in demo.PLANS:
        assert plan.name in page
