"""A partner's timeline: every revealed round, the trend of the mirror, each verdict."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Kind, Side, TraitSet
from fitcheck.services import assessments
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent
from fitcheck.services.results import load_results, local_date

from .support import count_queries


def _round(partner, trait_set, previous=None, value=4):
    assessment = assessments.create_assessment(
        partner, trait_set, kind=Kind.ANNUAL_REVIEW, previous=previous
    )
    people = [
        add_respondent(assessment, side=side, name=side.value)[0]
        for side in (Side.COMPANY, Side.CLIENT)
    ]
    assessments.launch(assessment, invite=False)
    for person in people:
        save_answers(
            person,
            [
                AnswerInput(trait_key=t.key, other=value - i % 2, self_=4)
                for i, t in enumerate(assessment.traits)
            ],
            submit=True,
        )
    assessments.reveal(assessment)
    return assessment


def test_timeline_shows_every_revealed_round_with_its_trend(
    client, make_user, make_partner, sign_in
):
    user = make_user("o@example.com")
    partner = make_partner(user.workspace, "Kitahama Foods")
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    )
    sign_in("o@example.com")
    counts = []
    rounds = []
    for value in (3, 4, 5):
        rounds.append(_round(partner, trait_set, rounds[-1] if rounds else None, value))
        with count_queries() as statements:
            page = client.get(f"/partners/{partner.id}/timeline").get_data(as_text=True)
        counts.append(len(statements))
    assert counts[0] == counts[1] == counts[2]
    figure = json.loads(re.search(r'class="fc-figure">(.*?)</script>', page, re.S).group(1))
    scores = figure["data"][0]["y"]
    assert scores == [load_results(a).fit.comparisons.mirror.similarity for a in rounds]
    assert len(figure["data"]) == 3
    for assessment in rounds:
        assert f"/assessments/{assessment.id}/results" in page
    # The chart places each round on a date axis at its reveal day, and its hover names
    # the day as the table does.
    cells = re.findall(r'<td class="text-nowrap">([^<]+)</td>', page)
    assert cells == figure["data"][0]["customdata"]
    assert figure["data"][0]["x"] == [local_date(a.revealed_at).isoformat() for a in rounds]
    assert figure["layout"]["xaxis"]["type"] == "date"


def test_timeline_leaves_out_sealed_rounds_and_other_workspaces(
    app, client, make_user, sign_in, make_assessment
):
    user = make_user("o@example.com")
    assessment, _ = make_assessment(user)  # collecting: sealed
    sign_in("o@example.com")
    page = client.get(f"/partners/{assessment.partner_id}/timeline").get_data(as_text=True)
    assert "No revealed round yet" in page
    make_user("x@example.com")
    other = app.test_client()
    from .support import sign_in_with

    sign_in_with(other, "x@example.com")
    assert other.get(f"/partners/{assessment.partner_id}/timeline").status_code == 404
