"""The portfolio page: each partner's latest revealed round, a fixed number of queries
whatever the number of partners, filters and sorting, and nothing of another workspace."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Kind, Side, TraitSet
from fitcheck.services import assessments, commitments
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent
from fitcheck.services.results import load_results

from .support import count_queries


def _revealed(partner, trait_set, *, kind=Kind.PRE_CONTRACT, value=4, previous=None):
    assessment = assessments.create_assessment(partner, trait_set, kind=kind, previous=previous)
    people = [
        add_respondent(assessment, side=side, name=side.value)[0]
        for side in (Side.COMPANY, Side.CLIENT)
    ]
    assessments.launch(assessment, invite=False)
    for person in people:
        save_answers(
            person,
            [
                AnswerInput(trait_key=t.key, other=value - i % 2, self_=value)
                for i, t in enumerate(assessment.traits)
            ],
            submit=True,
        )
    assessments.reveal(assessment)
    return assessment


def _figure(page: str) -> dict:
    return json.loads(re.search(r'class="fc-figure">(.*?)</script>', page, re.S).group(1))


def test_portfolio_shows_each_partners_latest_round_in_fixed_queries(
    client, make_user, make_partner, sign_in
):
    user = make_user("o@example.com")
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    )
    sign_in("o@example.com")
    counts = []
    for total in (2, 5):
        while len(user.workspace.partners) < total:
            partner = make_partner(user.workspace, f"<b>Partner {len(user.workspace.partners)}</b>")
            first = _revealed(partner, trait_set, value=3)
            _revealed(partner, trait_set, kind=Kind.ANNUAL_REVIEW, value=5, previous=first)
            db.session.refresh(user.workspace)
        with count_queries() as statements:
            page = client.get("/portfolio/").get_data(as_text=True)
        counts.append(len(statements))
    assert counts[0] == counts[1]
    figure = _figure(page)
    assert len(figure["data"][0]["x"]) == 5
    assert "<b>Partner" not in json.dumps(figure["data"][0]["customdata"])
    assert "&lt;b&gt;Partner 0&lt;/b&gt;" in page  # escaped in the table too
    assert "Annual partnership review" in page


def test_change_overdue_filters_and_sorting(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    )
    rising = make_partner(user.workspace, "Rising")
    first = _revealed(rising, trait_set, value=2)
    second = _revealed(rising, trait_set, kind=Kind.ANNUAL_REVIEW, value=5, previous=first)
    steady = make_partner(user.workspace, "Steady")
    _revealed(steady, trait_set, value=4)
    commitments.add_commitment(
        second,
        trait_id=second.traits[0].id,
        side=Side.COMPANY,
        action="Late promise",
        due_on=date.today() - timedelta(days=3),
    )
    sign_in("o@example.com")
    page = client.get("/portfolio/?sort=overdue").get_data(as_text=True)
    assert page.index("Rising") < page.index("Steady")
    change = (
        load_results(second).fit.comparisons.mirror.similarity
        - load_results(first).fit.comparisons.mirror.similarity
    )
    assert f"{change:+.1f}" in page
    pre_contract = client.get("/portfolio/?kind=pre_contract").get_data(as_text=True)
    table = pre_contract.split("<tbody>")[1]
    assert "Annual partnership review" not in table
    assert "Steady" in table and "Rising" in table
    assert f"/assessments/{first.id}/results" in table


def test_portfolio_shows_nothing_of_another_workspace_or_sealed_rounds(
    client, make_user, make_partner, sign_in, make_assessment
):
    theirs = make_user("theirs@example.com")
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == theirs.workspace_id)
    )
    _revealed(make_partner(theirs.workspace, "Their Secret Client"), trait_set)
    mine = make_user("mine@example.com")
    make_assessment(mine)  # collecting: sealed
    sign_in("mine@example.com")
    page = client.get("/portfolio/").get_data(as_text=True)
    assert "Their Secret Client" not in page
    assert "No revealed round matches" in page
