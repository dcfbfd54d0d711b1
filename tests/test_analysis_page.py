""" "Does like attract like here?": rounds paired with the outcome after them, the stored
round summaries it reads, the page's verdict, warnings and chart, in a fixed number of
queries and within one workspace."""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import delete, select, update

from fitcheck import fit
from fitcheck import portfolio as stats
from fitcheck.extensions import db
from fitcheck.models import (
    Kind,
    RevealPolicy,
    RoundSummary,
    Side,
    TraitSet,
    Workspace,
)
from fitcheck.services import assessments, demo, outcomes, summaries
from fitcheck.services.analysis import Measure, analyse_portfolio
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent
from fitcheck.services.results import load_results

from .support import count_queries

# Ratings (how the client sees the company, how the company sees the client) of rounds
# spread over the plane, so that the six terms of the regression can be told apart.
SPREAD = ((1, 1), (2, 3), (3, 2), (4, 4), (5, 3), (2, 5), (4, 1), (3, 4), (1, 3), (5, 5))


def _day(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, 0, tzinfo=UTC)


def _round(partner, us, them, revealed, *, kind=Kind.ANNUAL_REVIEW, scale=None, client=True):
    """A revealed round where the client rates the company `us` and the company rates the
    client `them` on every trait (one respondent a side), revealed at `revealed`."""
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == partner.workspace_id)
    )
    usual = (trait_set.scale_lo, trait_set.scale_hi)
    if scale is not None:  # the round takes its scale from the set at launch
        trait_set.scale_lo, trait_set.scale_hi = scale
    assessment = assessments.create_assessment(partner, trait_set, kind=kind)
    people = {side: add_respondent(assessment, side=side, name=side.value)[0] for side in Side}
    assessments.launch(assessment, invite=False, now=revealed - timedelta(days=10))
    trait_set.scale_lo, trait_set.scale_hi = usual
    db.session.commit()
    for side, person in people.items():
        if side is Side.CLIENT and not client:
            continue
        rating = us if side is Side.CLIENT else them
        save_answers(
            person,
            [AnswerInput(trait_key=t.key, other=rating, self_=rating) for t in assessment.traits],
            submit=True,
            now=revealed - timedelta(days=5),
        )
    assessments.reveal(assessment, now=revealed)
    return assessment


def _outcome(partner, period, observed_on, **values):
    return outcomes.record_outcome(partner, period=period, observed_on=observed_on, **values)[0]


def _portfolio(make_user, make_partner, rounds, *, email="o@example.com"):
    """A workspace where each of `rounds` (us, them) pairs is one partner's revealed round
    followed by a satisfaction outcome of `us + them - |us - them|`."""
    user = make_user(email)
    for number, (us, them) in enumerate(rounds):
        partner = make_partner(user.workspace, f"Partner {number}")
        _round(partner, us, them, _day(2025, 1, 10))
        _outcome(partner, "2025", date(2025, 6, 1), satisfaction=us + them - abs(us - them))
    return user


def _figure(page: str) -> dict:
    return json.loads(re.search(r'class="fc-figure">(.*?)</script>', page, re.S).group(1))


# --------------------------------------------------------------------------------------------
# Stored summaries
# --------------------------------------------------------------------------------------------


def test_the_reveal_stores_the_rounds_summary(make_user, make_partner):
    user = make_user("o@example.com")
    assessment = _round(make_partner(user.workspace), 4, 2, _day(2025, 1, 10))
    row = db.session.get(RoundSummary, assessment.id)
    result = load_results(assessment).fit
    assert row is not None and row.engine == summaries.ENGINE
    assert row.workspace_id == user.workspace_id
    assert row.similarity == result.mirror.similarity
    assert (row.level_us, row.level_them) == (result.mirror.level_x, result.mirror.level_y)
    assert (row.x, row.y) == fit.portfolio_point(result) == (1.0, -1.0)
    assert (row.company_responses, row.client_responses) == (1, 1)


def test_an_automatic_reveal_stores_the_summary_too(make_user, make_partner):
    user = make_user("o@example.com")
    trait_set = db.session.scalar(
        select(TraitSet).where(TraitSet.workspace_id == user.workspace_id)
    )
    assessment = assessments.create_assessment(
        make_partner(user.workspace), trait_set, kind=Kind.PRE_CONTRACT
    )
    assessment.reveal_policy = RevealPolicy.AUTOMATIC
    people = [add_respondent(assessment, side=s, name=s.value)[0] for s in Side]
    assessments.launch(assessment, invite=False)
    for person in people:
        save_answers(
            person,
            [AnswerInput(trait_key=t.key, other=3, self_=3) for t in assessment.traits],
            submit=True,
        )
    assert assessment.revealed_at is not None
    assert db.session.get(RoundSummary, assessment.id).x == 0.0


def test_missing_or_outdated_summaries_wait_for_the_worker_never_for_a_page(
    client, make_user, make_partner, sign_in, monkeypatch
):
    user = make_user("o@example.com")
    rounds = [_round(make_partner(user.workspace), 4, 3, _day(2025, 1, 10)) for _ in range(3)]
    other_kind = _round(
        make_partner(user.workspace), 2, 3, _day(2025, 1, 10), kind=Kind.PRE_CONTRACT
    )
    db.session.execute(delete(RoundSummary).where(RoundSummary.assessment_id == rounds[0].id))
    db.session.execute(
        update(RoundSummary)
        .where(RoundSummary.assessment_id == rounds[1].id)
        .values(engine=summaries.ENGINE - 1, similarity=0.125)  # an outdated number
    )
    db.session.execute(delete(RoundSummary).where(RoundSummary.assessment_id == other_kind.id))
    db.session.commit()
    woken = []
    monkeypatch.setitem(
        client.application.extensions, "fitcheck.wake_summaries", lambda: woken.append(1)
    )
    sign_in("o@example.com")

    # The page reads no answers and writes nothing: it shows what is summarised, says how
    # many rounds are pending, and wakes the worker.
    with count_queries() as statements:
        page = client.get("/portfolio/?kind=annual_review").get_data(as_text=True)
    assert not any("FROM answers" in s for s in statements)
    assert not any(re.match(r"\s*(INSERT|UPDATE)", s) for s in statements)
    assert 'id="summaries-pending"' in page and "3 revealed rounds are not summarised" in page
    assert woken

    # The worker's step computes every one, whichever page asked, and stores them.
    assert summaries.fill_lacking() == 3
    db.session.expire_all()
    stored = {
        row.assessment_id: row
        for row in db.session.scalars(
            select(RoundSummary).where(RoundSummary.workspace_id == user.workspace_id)
        )
    }
    assert set(stored) == {a.id for a in rounds} | {other_kind.id}
    assert {row.engine for row in stored.values()} == {summaries.ENGINE}
    assert stored[rounds[1].id].similarity == load_results(rounds[1]).fit.mirror.similarity
    assert summaries.fill_lacking() == 0
    page = client.get("/portfolio/").get_data(as_text=True)
    assert 'id="summaries-pending"' not in page

    # However many rounds lack a summary, computing them costs a fixed few statements: the
    # workspaces concerned, the rounds, their traits, their answers and one insert.
    db.session.execute(delete(RoundSummary))
    db.session.commit()
    with count_queries() as statements:
        assert summaries.fill_lacking() == 4
    assert len(statements) == 5, statements


def test_the_portfolio_verdict_follows_the_workspaces_current_thresholds(
    client, make_user, make_partner, sign_in
):
    user = make_user("o@example.com")
    _round(make_partner(user.workspace, "Alike"), 4, 4, _day(2025, 1, 10))
    sign_in("o@example.com")
    assert "Mutual fit" in client.get("/portfolio/").get_data(as_text=True)
    workspace = db.session.get(Workspace, user.workspace_id)
    workspace.level_threshold = 0.9  # both levels are 0.75 now below the bar
    db.session.commit()
    assert "Alike, but not both strong" in client.get("/portfolio/").get_data(as_text=True)


# --------------------------------------------------------------------------------------------
# Pairing rounds with outcomes
# --------------------------------------------------------------------------------------------


def test_each_round_takes_the_first_outcome_after_it_and_before_the_next_round(
    make_user, make_partner
):
    user = make_user("o@example.com")
    partner = make_partner(user.workspace, "Kept")
    first = _round(partner, 4, 3, _day(2024, 1, 10), kind=Kind.PRE_CONTRACT)
    _outcome(partner, "2023", date(2023, 12, 1), satisfaction=1)  # before any round
    _outcome(partner, "2024-H1", date(2024, 3, 1), renewed=True)  # no satisfaction recorded
    _outcome(partner, "2024", date(2024, 6, 1), satisfaction=7)  # first round's
    _outcome(partner, "2024-H2", date(2024, 11, 1), satisfaction=2)  # a later one: unused
    second = _round(partner, 2, 5, _day(2025, 1, 10))
    _outcome(partner, "2025", date(2025, 1, 10), satisfaction=9)  # the day of the reveal
    untouched = make_partner(user.workspace, "No outcome")
    _round(untouched, 3, 3, _day(2025, 1, 10))

    result = analyse_portfolio(user.workspace_id)
    paired = {r.assessment.id: (r.outcome.period, r.observation) for r in result.rounds}
    assert paired[first.id][0] == "2024" and paired[second.id][0] == "2025"
    assert (paired[first.id][1].x, paired[first.id][1].y, paired[first.id][1].z) == (1, 0, 7)
    assert (paired[second.id][1].x, paired[second.id][1].y, paired[second.id][1].z) == (-1, 2, 9)
    assert paired[first.id][1].s == load_results(first).fit.mirror.similarity
    assert result.left_out.no_outcome == 1
    assert result.analysis.n == 2 and result.analysis.partners == 1
    assert result.analysis.reason is stats.NotFitted.TOO_FEW_ROUNDS

    renewed = analyse_portfolio(user.workspace_id, measure=Measure.RENEWED)
    assert [(r.outcome.period, r.observation.z) for r in renewed.rounds] == [("2024-H1", 1.0)]
    annual = analyse_portfolio(user.workspace_id, kind=Kind.ANNUAL_REVIEW)
    assert [r.assessment.id for r in annual.rounds] == [second.id]


def test_rounds_on_another_scale_or_without_a_mirror_are_left_out(
    client, make_user, make_partner, sign_in
):
    user = make_user("o@example.com")
    for number in range(2):
        partner = make_partner(user.workspace)
        _round(partner, 3, 4, _day(2025, 1, 10))
        _outcome(partner, "2025", date(2025, 5, 1), satisfaction=6 + number)
    seven = make_partner(user.workspace, "Seven points")
    _round(seven, 6, 2, _day(2025, 1, 10), scale=(1, 7))
    _outcome(seven, "2025", date(2025, 5, 1), satisfaction=5)
    withheld = make_partner(user.workspace, "Client silent")
    _round(withheld, 3, 3, _day(2025, 1, 10), client=False)
    _outcome(withheld, "2025", date(2025, 5, 1), satisfaction=5)

    result = analyse_portfolio(user.workspace_id)
    assert result.scale == (1, 5) and result.scales == ((1, 5), (1, 7))
    assert result.left_out.other_scale == 1 and result.left_out.no_mirror == 1
    assert result.analysis.n == 2
    on_seven = analyse_portfolio(user.workspace_id, scale=(1, 7))
    assert [(r.observation.x, r.observation.y) for r in on_seven.rounds] == [(2.0, -2.0)]
    assert on_seven.left_out.other_scale == 3

    sign_in("o@example.com")
    page = client.get("/portfolio/analysis").get_data(as_text=True)
    left = re.search(r'id="rounds-left-out">(.*?)</p>', page, re.S).group(1)
    assert left == (
        "Revealed rounds left out: 1 on another rating scale; "
        "1 without a mirror (a side withheld, or no trait both sides rated)."
    )
    assert '<option value="1-7" >1–7</option>' in page or 'value="1-7"' in page


def test_the_analysis_is_the_regression_of_the_paired_rounds(make_user, make_partner):
    user = _portfolio(make_user, make_partner, SPREAD)
    result = analyse_portfolio(user.workspace_id)
    expected = stats.analyse(
        [
            stats.Observation(x=us - 3, y=them - 3, z=us + them - abs(us - them), partner=0)
            for us, them in SPREAD
        ]
    )
    assert result.analysis.n == 10 and result.analysis.fitted
    assert result.analysis.regression.b.values() == pytest.approx(expected.regression.b.values())
    assert result.analysis.surface.a4.value == pytest.approx(expected.surface.a4.value)


# --------------------------------------------------------------------------------------------
# The page
# --------------------------------------------------------------------------------------------


def test_below_six_rounds_nothing_is_fitted_and_the_page_says_so(
    client, make_user, make_partner, sign_in
):
    _portfolio(make_user, make_partner, SPREAD[:5])
    sign_in("o@example.com")
    page = client.get("/portfolio/analysis").get_data(as_text=True)
    assert 'data-verdict="too_few"' in page
    assert "Nothing is fitted below 6 rounds with an outcome." in page
    assert "fc-figure" not in page and 'id="coefficients"' not in page
    assert 'id="small-sample"' in page  # the counts shown are a small sample too


def test_a_small_sample_is_fitted_with_a_warning_beside_every_number(
    client, make_user, make_partner, sign_in
):
    _portfolio(make_user, make_partner, SPREAD)
    sign_in("o@example.com")
    page = client.get("/portfolio/analysis").get_data(as_text=True)
    assert 'id="small-sample"' in page and "With 10 rounds (fewer than 30)" in page
    for table in ("coefficients", "surface-parameters", "principal-axis"):
        body = re.search(rf'<table[^>]*id="{table}".*?</table>', page, re.S).group(0)
        for cell in re.findall(r'<td class="text-end[^"]*">(.*?)</td>', body, re.S):
            assert cell.strip() == "—" or "fc-small-sample" in cell, (table, cell)
    assert re.search(r'id="verdict" data-verdict="(\w+)"', page).group(1) in {
        v.value for v in stats.PortfolioVerdict
    }


def test_the_demo_analysis_has_no_warning_and_draws_the_surface(client, sign_in):
    demo.load_demo()
    sign_in(demo.DEMO_EMAIL, demo.DEMO_PASSWORD)
    page = client.get("/portfolio/analysis").get_data(as_text=True)
    workspace = db.session.scalar(select(Workspace).where(Workspace.name == demo.DEMO_WORKSPACE))
    found = analyse_portfolio(workspace.id).analysis
    assert found.n >= stats.SMALL_SAMPLE_BELOW and found.fitted
    assert 'id="small-sample"' not in page and "fc-small-sample" not in page
    assert f'data-verdict="{found.verdict.value}"' in page
    # Generated outcomes say so, and every paired round is listed with its outcome.
    assert 'id="demo-outcomes"' in page
    listed = page.split('id="paired-rounds"')[1].split("</details>")[0]
    assert listed.count("<tr>") == found.n + 1  # the header and one row per round
    assert listed.count("demo data") == found.n
    assert f"n = {found.n}" in page
    figure = _figure(page)
    kinds = [trace["type"] for trace in figure["data"]]
    assert kinds == ["surface", "scatter3d", "scatter3d", "scatter3d"]
    assert len(figure["data"][1]["x"]) == found.n
    congruence = figure["data"][2]
    assert congruence["x"] == congruence["y"]
    b0, b1, b2, b3, b4, b5 = found.regression.b.values()
    x = congruence["x"][3]
    assert congruence["z"][3] == pytest.approx(b0 + (b1 + b2) * x + (b3 + b4 + b5) * x * x)
    assert all(y == -x for x, y in zip(figure["data"][3]["x"], figure["data"][3]["y"], strict=True))


def test_partner_names_in_the_chart_are_escaped(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    for number, (us, them) in enumerate(SPREAD):
        partner = make_partner(user.workspace, f"<img src=x onerror=alert({number})>")
        _round(partner, us, them, _day(2025, 1, 10))
        _outcome(partner, "2025", date(2025, 6, 1), satisfaction=us + them)
    sign_in("o@example.com")
    page = client.get("/portfolio/analysis").get_data(as_text=True)
    labels = _figure(page)["data"][1]["customdata"]
    assert labels[0].startswith("&lt;img src=x onerror=alert(")
    assert "<img" not in page


def test_the_outcome_measure_can_be_chosen(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    for number, (us, them) in enumerate(SPREAD):
        partner = make_partner(user.workspace)
        _round(partner, us, them, _day(2025, 1, 10))
        _outcome(partner, "2025", date(2025, 6, 1), renewed=number % 3 != 0)
    sign_in("o@example.com")
    page = client.get("/portfolio/analysis").get_data(as_text=True)
    assert "0 rounds with an outcome" in page
    renewed = client.get("/portfolio/analysis?measure=renewed").get_data(as_text=True)
    assert "10 rounds with an outcome" in renewed and "(10 partners)" in renewed
    assert '<option value="renewed" selected>' in renewed
    bad = client.get("/portfolio/analysis?measure=<x>&kind=nonsense&scale=a-b")
    assert bad.status_code == 200  # unknown choices fall back to the defaults


def test_the_page_queries_do_not_grow_with_the_rounds(client, make_user, make_partner, sign_in):
    user = make_user("o@example.com")
    sign_in("o@example.com")
    counts = []
    for total in (6, 9):
        for number in range(len(user.workspace.partners), total):
            us, them = SPREAD[number]
            partner = make_partner(user.workspace)
            _round(partner, us, them, _day(2025, 1, 10))
            _outcome(partner, "2025", date(2025, 6, 1), satisfaction=us * them % 7)
        db.session.refresh(user.workspace)
        client.get("/portfolio/analysis")  # summaries are stored at the reveal already
        with count_queries() as statements:
            assert client.get("/portfolio/analysis").status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1]


def test_another_workspace_sees_nothing_of_these_rounds(client, make_user, make_partner, sign_in):
    _portfolio(make_user, make_partner, SPREAD)
    make_user("stranger@example.com")
    sign_in("stranger@example.com")
    page = client.get("/portfolio/analysis").get_data(as_text=True)
    assert "0 rounds with an outcome" in page and "(0 partners)" in page
    assert "Partner 0" not in page


def test_the_analysis_needs_a_signed_in_user(client):
    assert client.get("/portfolio/analysis").status_code == 302


def test_reveal_and_outcome_days_are_compared_in_the_apps_timezone(make_user, make_partner, app):
    """Revealed at 20:00 UTC on 9 January is 05:00 on 10 January in Tokyo: an outcome
    dated the 9th came before the reveal, one dated the 10th after it."""
    assert app.config["BABEL_DEFAULT_TIMEZONE"] == "Asia/Tokyo"
    user = make_user("o@example.com")
    partner = make_partner(user.workspace)
    _round(partner, 4, 3, datetime(2025, 1, 9, 20, 0, tzinfo=UTC))
    _outcome(partner, "before", date(2025, 1, 9), satisfaction=1)
    _outcome(partner, "after", date(2025, 1, 10), satisfaction=9)
    result = analyse_portfolio(user.workspace_id)
    assert [r.outcome.period for r in result.rounds] == ["after"]


def test_the_summarise_command_fills_in_every_missing_summary(runner, make_user, make_partner):
    user = make_user("o@example.com")
    rounds = [_round(make_partner(user.workspace), 4, 3, _day(2025, 1, 10)) for _ in range(2)]
    db.session.execute(delete(RoundSummary))
    db.session.commit()
    result = runner.invoke(args=["summarise"])
    assert result.exit_code == 0, result.output
    assert "Computed 2 round summaries." in result.output
    stored = db.session.scalars(select(RoundSummary.assessment_id)).all()
    assert sorted(stored) == sorted(a.id for a in rounds)
    assert "Computed 0 round summaries." in runner.invoke(args=["summarise"]).output


def test_a_reveal_of_another_kind_still_ends_a_rounds_window(make_user, make_partner):
    user = make_user("o@example.com")
    partner = make_partner(user.workspace)
    before = _round(partner, 4, 3, _day(2024, 1, 10), kind=Kind.PRE_CONTRACT)
    review = _round(partner, 3, 3, _day(2024, 6, 10))
    _outcome(partner, "2024", date(2024, 8, 1), satisfaction=7)
    # Filtered to pre-contract rounds, the August outcome still belongs to June's review.
    only_before = analyse_portfolio(user.workspace_id, kind=Kind.PRE_CONTRACT)
    assert only_before.rounds == () and only_before.left_out.no_outcome == 1
    both = analyse_portfolio(user.workspace_id)
    assert [r.assessment.id for r in both.rounds] == [review.id]
    assert before.id not in {r.assessment.id for r in both.rounds}


def test_of_two_rounds_revealed_the_same_day_only_the_later_takes_the_outcome(
    make_user, make_partner
):
    user = make_user("o@example.com")
    partner = make_partner(user.workspace)
    _round(partner, 4, 3, _day(2025, 3, 3), kind=Kind.PRE_CONTRACT)
    later = _round(partner, 2, 4, _day(2025, 3, 3) + timedelta(hours=2))
    _outcome(partner, "2025", date(2025, 3, 3), satisfaction=5)
    result = analyse_portfolio(user.workspace_id)
    assert [r.assessment.id for r in result.rounds] == [later.id]
    assert result.left_out.no_outcome == 1


def test_the_portfolio_year_is_the_year_the_pages_show(client, make_user, make_partner, sign_in):
    """20:00 UTC on 31 December 2025 is New Year's morning in Tokyo: a 2026 round."""
    user = make_user("o@example.com")
    _round(make_partner(user.workspace, "New Year"), 4, 4, datetime(2025, 12, 31, 20, tzinfo=UTC))
    sign_in("o@example.com")
    assert "New Year" in client.get("/portfolio/?year=2026").get_data(as_text=True)
    assert "New Year" not in client.get("/portfolio/?year=2025").get_data(as_text=True)


# --------------------------------------------------------------------------------------------
# Saying no more than the data show
# --------------------------------------------------------------------------------------------

# Words of cause, and "adds nothing" where a CI merely contains a value (FIT_MODEL.md
# §"Portfolio"), in both languages.
CAUSAL = {
    "en": ("leads to", "lead to", "predicts", "causes", "makes ", "adds nothing", "turn out"),
    "ja": ("つながる", "もたらす", "予測", "何も加え", "原因"),
}


@pytest.mark.parametrize("locale", ["en", "ja"])
def test_the_verdicts_speak_of_association_only(app, locale):
    from flask_babel import force_locale

    from fitcheck import labels

    texts = [
        *labels.PORTFOLIO_VERDICTS.values(),
        *labels.ONE_SIDE_MATTERS.values(),
        *labels.FAILURES.values(),
        labels.UNTESTABLE_ONE_PARTNER,
    ]
    with app.test_request_context(), force_locale(locale):
        rendered = [str(text) for text in texts]
    assert rendered and all(rendered)
    for text in rendered:
        for word in CAUSAL[locale]:
            assert word not in text, (word, text)
    # Every verdict of the table has its sentence; `one_side_matters` names the side.
    assert set(labels.PORTFOLIO_VERDICTS) | {stats.PortfolioVerdict.ONE_SIDE_MATTERS} == set(
        stats.PortfolioVerdict
    )
    assert set(labels.ONE_SIDE_MATTERS) == set(stats.View)


def test_the_demo_analysis_says_which_standard_errors_it_used(client, sign_in):
    demo.load_demo()
    sign_in(demo.DEMO_EMAIL, demo.DEMO_PASSWORD)
    page = client.get("/portfolio/analysis").get_data(as_text=True)
    workspace = db.session.scalar(select(Workspace).where(Workspace.name == demo.DEMO_WORKSPACE))
    found = analyse_portfolio(workspace.id).analysis
    # The demo's partners have annual reviews: several rounds each, so clustered by partner.
    assert found.regression.standard_errors is stats.StandardErrors.CLUSTER
    note = re.search(r'id="standard-errors"[^>]*>(.*?)</p>', page, re.S)
    assert note and 'data-standard-errors="cluster"' in page
    assert f"{found.regression.df_inference} degrees of freedom" in note.group(1)
    assert f"{found.regression.clusters} partners" in note.group(1)
    assert "resamples of the partners" in page  # the bootstrap draws partners too
    renewed = client.get("/portfolio/analysis?measure=renewed").get_data(as_text=True)
    assert "linear probability model" in renewed


def test_one_side_matters_names_the_side_whose_view_goes_with_the_outcome(app):
    import numpy as np

    from fitcheck import labels

    for view, outcome in (
        (stats.View.US, lambda x, y: 5 + 2 * x),
        (stats.View.THEM, lambda x, y: 5 + 2 * y),
    ):
        rng = np.random.default_rng(3)
        rounds = [
            stats.Observation(x=x, y=y, z=outcome(x, y) + rng.normal(0, 0.3), partner=i)
            for i, (x, y) in enumerate(rng.uniform(-2, 2, size=(80, 2)))
        ]
        found = stats.analyse(rounds, bootstrap=200)
        assert (found.verdict, found.view) == (stats.PortfolioVerdict.ONE_SIDE_MATTERS, view)
        with app.test_request_context():
            assert labels.portfolio_verdict(found) == str(labels.ONE_SIDE_MATTERS[view])


def test_the_analysis_counts_a_round_not_summarised_yet_as_pending(
    client, make_user, make_partner, sign_in
):
    user = _portfolio(make_user, make_partner, SPREAD[:7])
    db.session.execute(delete(RoundSummary).where(RoundSummary.workspace_id == user.workspace_id))
    db.session.commit()
    result = analyse_portfolio(user.workspace_id)
    assert (result.left_out.pending, result.analysis.n) == (7, 0)
    sign_in("o@example.com")
    page = client.get("/portfolio/analysis").get_data(as_text=True)
    assert "7 not summarised yet" in page
    summaries.fill_lacking()
    assert analyse_portfolio(user.workspace_id).left_out.pending == 0
