"""The results page: sealed before the reveal, the engine's numbers after it, escaped
everywhere, a fixed number of queries; commitments; plotly.js served locally."""

from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Commitment, CommitmentStatus, Kind, Side, TraitSet
from fitcheck.services import assessments
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent
from fitcheck.services.results import load_results

from .support import count_queries, csrf_token


def _answer_all(assessment, tokens, *, other=4, own=3, comment=""):
    for number, respondent in enumerate(sorted(tokens, key=lambda r: r.id)):
        save_answers(
            respondent,
            [
                AnswerInput(
                    trait_key=t.key,
                    other=max(1, min(5, other - (number + i) % 3)),
                    self_=max(1, min(5, own + (number + i) % 2)),
                    importance=3,
                    comment=comment,
                )
                for i, t in enumerate(assessment.traits)
            ],
            submit=True,
        )


@pytest.fixture
def revealed(make_user, make_assessment):
    user = make_user("o@example.com")
    assessment, tokens = make_assessment(user, company=2, client=2)
    _answer_all(assessment, tokens, comment="A thoughtful remark")
    assessments.reveal(assessment)
    return assessment, tokens


def test_results_are_sealed_before_the_reveal(client, make_user, sign_in, make_assessment):
    user = make_user("o@example.com")
    assessment, tokens = make_assessment(user)
    _answer_all(assessment, tokens, comment="SEALED-COMMENT")
    sign_in("o@example.com")
    for url in (f"/assessments/{assessment.id}/results", f"/assessments/{assessment.id}/report"):
        response = client.get(url)
        assert response.status_code == 409
        assert "SEALED-COMMENT" not in response.get_data(as_text=True)
    for token in tokens.values():
        page = client.get(f"/r/{token}/results")
        assert page.status_code == 403
        assert "SEALED-COMMENT" not in page.get_data(as_text=True)


def test_page_shows_the_engines_numbers(client, sign_in, revealed):
    assessment, _ = revealed
    sign_in("o@example.com")
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    mirror = load_results(assessment).fit.comparisons.mirror
    assert f"{mirror.similarity:.1f}" in page
    assert f"{mirror.elevation:+.2f}" in page
    assert "A thoughtful remark" in page
    assert "Company 1" not in page and "company1@example.com" not in page


def test_report_is_printable_with_the_same_numbers(client, sign_in, revealed):
    assessment, _ = revealed
    sign_in("o@example.com")
    page = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    mirror = load_results(assessment).fit.comparisons.mirror
    assert f"{mirror.similarity:.1f}" in page
    assert "/assets/results." in page and "data-print" in page


def test_user_text_is_escaped_in_the_page_and_the_charts(client, sign_in, revealed):
    assessment, _ = revealed
    trait = assessment.traits[0]
    trait.label_en = '<img src=x onerror="alert(1)"><b>bold</b>'
    db.session.commit()
    sign_in("o@example.com")
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    assert "<img src=x" not in page and "<b>bold</b>" not in page
    assert "&lt;img src=x" in page  # table
    figures = re.findall(
        r'<script type="application/json" class="fc-figure">(.*?)</script>', page, re.S
    )
    assert len(figures) == 2
    for figure in figures:
        assert "<img" not in figure and "<b>bold" not in figure


def test_respondents_see_results_through_their_link_when_shared(client, revealed):
    assessment, tokens = revealed
    client_token = next(t for r, t in tokens.items() if r.side is Side.CLIENT)
    company_token = next(t for r, t in tokens.items() if r.side is Side.COMPANY)
    response = client.get(f"/r/{client_token}/results")
    assert response.status_code == 200
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assessment.share_with_client = False
    db.session.commit()
    assert client.get(f"/r/{client_token}/results").status_code == 403
    assert client.get(f"/r/{company_token}/results").status_code == 200
    assert client.get("/r/not-a-token/results").status_code == 404


def test_commitments_by_staff_and_by_a_respondent_for_their_own_side(client, sign_in, revealed):
    assessment, tokens = revealed
    trait = assessment.traits[0]
    sign_in("o@example.com")
    url = f"/assessments/{assessment.id}/results"
    response = client.post(
        f"/assessments/{assessment.id}/commitments",
        data={
            "trait_id": trait.id,
            "side": "company",
            "action": "Answer within a day",
            "owner": "Sato",
            "due_on": "2027-03-31",
            "csrf_token": csrf_token(client, url),
        },
    )
    assert response.status_code == 302
    commitment = db.session.scalar(select(Commitment))
    assert commitment.side is Side.COMPANY and commitment.owner == "Sato"
    client.post(f"/commitments/{commitment.id}/done", data={"csrf_token": csrf_token(client, url)})
    db.session.refresh(commitment)
    assert commitment.status is CommitmentStatus.DONE

    visitor = client.application.test_client()
    token = next(t for r, t in tokens.items() if r.side is Side.CLIENT)
    page = f"/r/{token}/results"
    visitor.post(
        f"/r/{token}/commitments",
        data={
            "trait_id": trait.id,
            "side": "company",
            "action": "Share our goals",
            "csrf_token": csrf_token(visitor, page),
        },
    )
    theirs = db.session.scalar(select(Commitment).where(Commitment.action == "Share our goals"))
    assert theirs.side is Side.CLIENT  # a respondent promises for their own side only
    assert "Share our goals" in visitor.get(page).get_data(as_text=True)


def test_a_commitment_without_text_keeps_what_was_typed(client, sign_in, revealed):
    assessment, _ = revealed
    sign_in("o@example.com")
    url = f"/assessments/{assessment.id}/results"
    page = client.post(
        f"/assessments/{assessment.id}/commitments",
        data={
            "trait_id": assessment.traits[0].id,
            "side": "client",
            "action": "",
            "owner": "Aoki-san",
            "csrf_token": csrf_token(client, url),
        },
    ).get_data(as_text=True)
    assert 'value="Aoki-san"' in page
    assert db.session.scalar(select(Commitment)) is None


def test_results_page_queries_do_not_grow_with_respondents(
    client, make_user, sign_in, make_assessment
):
    user = make_user("o@example.com")
    sign_in("o@example.com")
    counts = []
    for size in (1, 6):
        assessment, tokens = make_assessment(user, company=size, client=size)
        _answer_all(assessment, tokens)
        assessments.reveal(assessment)
        with count_queries() as statements:
            assert client.get(f"/assessments/{assessment.id}/results").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_results_page_of_300_respondents_and_40_traits_costs_a_fixed_number_of_queries(
    app, client, sign_in
):
    from bench.synthetic import BENCH_PASSWORD, large_assessment

    assessment = large_assessment(respondents=300, trait_count=40, email="big@example.com")
    small = large_assessment(respondents=6, trait_count=3, seed=2, email="small@example.com")
    counts = {}
    for email, target in (("small@example.com", small), ("big@example.com", assessment)):
        sign_in(email, BENCH_PASSWORD)
        with count_queries() as statements:
            response = client.get(f"/assessments/{target.id}/results")
        assert response.status_code == 200
        counts[email] = len(statements)
        client.post("/sign-out", data={"csrf_token": csrf_token(client, "/partners/")})
    # Two of them read the workspace's stored summaries, for the norm (fitcheck.norms).
    assert counts["big@example.com"] == counts["small@example.com"] <= 10


def test_an_annual_review_ghosts_the_previous_round_on_the_radar(
    client, make_user, sign_in, make_assessment
):
    user = make_user("o@example.com")
    first, first_tokens = make_assessment(user)
    _answer_all(first, first_tokens)
    assessments.reveal(first)
    from fitcheck.services import commitments

    commitments.add_commitment(
        first, trait_id=first.traits[0].id, side=Side.COMPANY, action="PROMISE-LAST-YEAR"
    )
    trait_set = db.session.get(TraitSet, first.source_trait_set_id)
    second = assessments.create_assessment(
        first.partner, trait_set, kind=Kind.ANNUAL_REVIEW, previous=first
    )
    tokens = {
        add_respondent(second, side=side, name=side.value)[0]: ""
        for side in (Side.COMPANY, Side.CLIENT)
    }
    assessments.launch(second, invite=False)
    _answer_all(second, tokens, other=5)
    assessments.reveal(second)
    sign_in("o@example.com")
    page = client.get(f"/assessments/{second.id}/results").get_data(as_text=True)
    names = [trace.get("name") for trace in json.loads(_radar_json(page))["data"]]
    assert "Client as seen by the company, last round" in names
    assert "Company as seen by the client, last round" in names
    since = page.split('id="since"')[1].split("</section>")[0]
    assert "PROMISE-LAST-YEAR" in since and "carried into this round" in since
    previous = load_results(first).fit.comparisons.mirror.similarity
    current = load_results(second).fit.comparisons.mirror.similarity
    # The numbers are always there; "no change" (below R/8) is at most a note beside them.
    shown = f"{previous:.1f} → {current:.1f} ({round(current, 1) - round(previous, 1):+.1f})"
    assert shown in since
    # Levels are shown as whole percentages, and their change is that of the shown values.
    levels = re.findall(r"(\d+)% → (\d+)% \(([+-]\d+)\)", since)
    assert levels, "both rounds' levels differ, so at least one change is shown"
    assert all(int(after) - int(before) == int(delta) for before, after, delta in levels)


def _radar_json(page: str) -> str:
    return re.findall(
        r'<script type="application/json" class="fc-figure">(.*?)</script>', page, re.S
    )[0]
