"""The readings beside the mirror on every door: the distinctive profile correlation
against the workspace's norm (staff only, explained when missing) and each side's response
style, the same on the results page, the API, the exports and the portfolio; the page's
queries do not grow with the workspace's rounds."""

from __future__ import annotations

import html
import io
import json
import re
import statistics
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, select

from fitcheck import norms
from fitcheck.extensions import db
from fitcheck.models import Kind, RoundSummary, Side, TraitSet
from fitcheck.services import api_tokens, assessments, invitations
from fitcheck.services import rounds as rounds_service
from fitcheck.services.answers import AnswerInput, save_answers
from fitcheck.services.respondents import add_respondent
from fitcheck.services.results import load_results

from .support import count_queries

OWNER = "o@example.com"
Profile = Callable[[int], int]


def _same(value: int) -> Profile:
    return lambda i: value


def _revealed(
    partner,
    trait_set,
    *,
    us: Profile,
    them: Profile,
    us_self: Profile = lambda i: 3,
    them_self: Profile = lambda i: 3,
    kind: Kind = Kind.PRE_CONTRACT,
    previous=None,
    reveal: bool = True,
):
    """A round with one respondent a side, each profile given by trait position: the
    client rates the company `us(i)` and itself `them_self(i)`; the company rates the
    client `them(i)` and itself `us_self(i)`."""
    assessment = assessments.create_assessment(partner, trait_set, kind=kind, previous=previous)
    company, _ = add_respondent(assessment, side=Side.COMPANY, name="Company person")
    client, _ = add_respondent(assessment, side=Side.CLIENT, name="Client person")
    assessments.launch(assessment, invite=False)
    for person, other, own in ((company, them, us_self), (client, us, them_self)):
        save_answers(
            person,
            [
                AnswerInput(trait_key=t.key, other=other(i), self_=own(i))
                for i, t in enumerate(assessment.traits)
            ],
            submit=True,
        )
    if reveal:
        assessments.reveal(assessment)
    return assessment


def _varied(j: int) -> dict[str, Profile]:
    """Round j of a workspace: profiles that differ from round to round and trait to trait."""
    return {
        "us": lambda i: 1 + (i * (j % 4 + 1) + j) % 5,
        "them": lambda i: 1 + (3 * i + 2 * j + i * i) % 5,
    }


def _trait_set(user) -> TraitSet:
    return db.session.scalar(select(TraitSet).where(TraitSet.workspace_id == user.workspace_id))


@dataclass
class Workspace:
    """The owner's workspace and the rounds revealed in it so far, in order."""

    user: Any
    trait_set: TraitSet
    make_partner: Callable[..., Any]
    rounds: list[Any] = field(default_factory=list)

    def add(self, count: int) -> list[Any]:
        """Reveal `count` more varied rounds, each with a partner of its own."""
        for _ in range(count):
            j = len(self.rounds)
            partner = self.make_partner(self.user.workspace, f"Partner {j}")
            self.rounds.append(_revealed(partner, self.trait_set, **_varied(j)))
        return self.rounds


@pytest.fixture
def workspace(make_user, make_partner) -> Workspace:
    user = make_user(OWNER)
    trait_set = _trait_set(user)
    assert (trait_set.scale_lo, trait_set.scale_hi) == (1, 5)
    return Workspace(user=user, trait_set=trait_set, make_partner=make_partner)


def _expected(current, rounds) -> norms.Distinctive:
    """The distinctive correlation computed from the rounds' fits, as the engine reads them."""
    fits = [load_results(a).fit for a in rounds]
    mine = norms.Profiles.of(load_results(current).fit)
    return norms.distinctive_correlation(mine, [norms.Profiles.of(f) for f in fits])


def _numpy_r(current, rounds) -> float:
    """The same from the fits with numpy: both profiles minus their means over the rounds."""
    fits = [load_results(a).fit for a in rounds]
    us = np.array([[row.us for row in f.traits] for f in fits], dtype=float)
    them = np.array([[row.them for row in f.traits] for f in fits], dtype=float)
    mine = load_results(current).fit
    us_left = np.array([row.us for row in mine.traits]) - us.mean(axis=0)
    them_left = np.array([row.them for row in mine.traits]) - them.mean(axis=0)
    return float(np.corrcoef(us_left, them_left)[0, 1])


DISTINCTIVE_ROW = re.compile(
    r'<tr id="distinctive" data-missing="([^"]*)">.*?<td class="text-end">(.*?)</td></tr>', re.S
)


def _distinctive(page: str) -> tuple[str, str, str]:
    """(data-missing, the number shown, the note's text) of the page's distinctive row."""
    row = DISTINCTIVE_ROW.search(page)
    note = re.search(r'<p class="[^"]*" id="distinctive-note">(.*?)</p>', page, re.S)
    assert row and note, "the page shows the distinctive correlation"
    return row.group(1), _text(row.group(2)), _text(note.group(1))


def _text(fragment: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def _style_note(page: str, side: str) -> tuple[str, str]:
    found = re.search(
        rf'<(?:p|li)[^>]*id="response-style-{side}" data-leaning="([^"]*)">(.*?)</(?:p|li)>',
        page,
        re.S,
    )
    assert found, f"no response-style note for {side}"
    return found.group(1), _text(found.group(2))


# --------------------------------------------------------------------------------------------
# The distinctive profile correlation on the staff's results page
# --------------------------------------------------------------------------------------------


def test_nine_revealed_rounds_say_why_the_distinctive_r_is_missing_and_ten_show_it(
    client, sign_in, workspace, make_user, make_partner
):
    rounds = workspace.add(9)
    # Neither a round still collecting nor another workspace's rounds count.
    collecting = _revealed(
        make_partner(workspace.user.workspace, "Still collecting"),
        workspace.trait_set,
        reveal=False,
        **_varied(9),
    )
    elsewhere = make_user("other@example.com")
    for j in range(3):
        _revealed(make_partner(elsewhere.workspace), _trait_set(elsewhere), **_varied(20 + j))
    sign_in(OWNER)
    page = client.get(f"/assessments/{rounds[0].id}/results").get_data(as_text=True)
    missing, shown, note = _distinctive(page)
    assert (missing, shown) == ("few_rounds", "—")
    assert "at least 10 revealed rounds" in note and "(9 so far)" in note

    assessments.reveal(collecting)
    expected = _expected(rounds[0], [*rounds, collecting])
    assert expected.missing is None and (expected.rounds, expected.traits) == (10, 10)
    assert expected.r == pytest.approx(_numpy_r(rounds[0], [*rounds, collecting]), abs=1e-12)
    page = client.get(f"/assessments/{rounds[0].id}/results").get_data(as_text=True)
    missing, shown, note = _distinctive(page)
    assert (missing, shown) == ("", f"{expected.r:.2f}")
    assert "from 10 revealed rounds" in note and "over 10 traits" in note


def test_the_distinctive_r_of_every_round_is_the_engines_against_all_revealed_rounds(
    client, sign_in, workspace
):
    rounds = workspace.add(12)
    sign_in(OWNER)
    for current in (rounds[0], rounds[5], rounds[11]):
        expected = _expected(current, rounds)
        assert expected.r is not None
        assert expected.r == pytest.approx(_numpy_r(current, rounds), abs=1e-12)
        page = client.get(f"/assessments/{current.id}/results").get_data(as_text=True)
        assert _distinctive(page)[:2] == ("", f"{expected.r:.2f}")


def test_a_respondent_never_sees_the_distinctive_correlation(client, sign_in, workspace):
    rounds = workspace.add(10)
    current = rounds[3]
    sign_in(OWNER)
    staff = client.get(f"/assessments/{current.id}/results").get_data(as_text=True)
    assert _distinctive(staff)[0] == ""  # computed, for staff
    assert len(current.respondents) == 2
    for respondent in current.respondents:
        response = client.get(f"/r/{invitations.link_token(respondent)}/results")
        assert response.status_code == 200
        page = response.get_data(as_text=True)
        assert 'id="distinctive"' not in page and 'id="distinctive-note"' not in page
        assert "distinctive profile correlation" not in page
        assert 'id="response-style-company"' in page  # the page is the results page


# --------------------------------------------------------------------------------------------
# Response style
# --------------------------------------------------------------------------------------------


def _modest_company(make_partner, workspace):
    """The company rates itself one point below how the client sees it on every trait; the
    client rates itself as the company sees it but one point higher on the first trait."""
    return _revealed(
        make_partner(workspace.user.workspace, "Modest company"),
        workspace.trait_set,
        us=lambda i: 5 - i % 3,
        us_self=lambda i: 4 - i % 3,
        them=lambda i: 2 + i % 2,
        them_self=lambda i: 3 + i % 2 if i == 0 else 2 + i % 2,
    )


def test_a_side_rating_itself_a_point_below_how_it_is_seen_gets_a_modest_note(
    client, sign_in, workspace, make_partner
):
    assessment = _modest_company(make_partner, workspace)
    sign_in(OWNER)
    page = client.get(f"/assessments/{assessment.id}/results").get_data(as_text=True)
    leaning, text = _style_note(page, "company")
    assert leaning == "modest"
    assert "rates itself 1.00 below how the other side sees it (spread 0.00 over 10 traits)" in (
        text
    )
    # The client: +1 on one trait of ten, mean 0.10 and SD sqrt(0.1) = 0.32: neutral.
    leaning, text = _style_note(page, "client")
    assert leaning == "neutral"
    sd = statistics.stdev([1] + [0] * 9)
    assert f"(+0.10, spread {sd:.2f} over 10 traits)" in text and f"{sd:.2f}" == "0.32"
    # The report shows the same notes.
    report = client.get(f"/assessments/{assessment.id}/report").get_data(as_text=True)
    assert _style_note(report, "company")[0] == "modest"


# --------------------------------------------------------------------------------------------
# API and exports: the same documents
# --------------------------------------------------------------------------------------------


def _style_document(style: norms.ResponseStyle) -> dict:
    return {
        "mean": pytest.approx(style.mean, abs=1e-12),
        "sd": pytest.approx(style.sd, abs=1e-12),
        "traits": style.traits,
        "leaning": style.leaning.value,
    }


def test_the_api_and_the_exports_carry_the_same_response_style_and_norms(
    client, sign_in, workspace, make_partner
):
    modest = _modest_company(make_partner, workspace)
    workspace.add(8)
    _, secret = api_tokens.create_token(workspace.user, "norms")
    bearer = {"Authorization": f"Bearer {secret}"}
    sign_in(OWNER)

    def documents(assessment) -> tuple[dict, dict]:
        api = client.get(f"/api/v1/assessments/{assessment.id}/results", headers=bearer)
        assert api.status_code == 200
        exported = client.get(f"/assessments/{assessment.id}/export/results.json")
        assert exported.status_code == 200
        return api.get_json(), json.loads(exported.get_data(as_text=True))

    # Nine revealed rounds: the norm is missing, and says why.
    api, exported = documents(modest)
    assert (
        api["norms"]
        == exported["norms"]
        == {
            "distinctive_r": None,
            "traits": 0,
            "rounds": 9,
            "missing": "few_rounds",
        }
    )

    rounds = workspace.add(1)
    fit = load_results(modest).fit
    expected_styles = {side.value: norms.response_style(fit, side) for side in Side}
    assert expected_styles["company"].mean == -1.0 and expected_styles["company"].sd == 0.0
    distinctive = _expected(modest, [modest, *rounds])
    assert distinctive.r is not None
    api, exported = documents(modest)
    for document in (api, exported):
        assert document["response_style"] == {
            side: _style_document(style) for side, style in expected_styles.items()
        }
        assert document["response_style"]["company"]["leaning"] == "modest"
        assert document["norms"] == {
            "distinctive_r": pytest.approx(distinctive.r, abs=1e-12),
            "traits": 10,
            "rounds": 10,
            "missing": None,
        }
    assert api["response_style"] == exported["response_style"]
    assert api["norms"] == exported["norms"]

    # The workbook's Fit sheet: the same numbers, one row each.
    workbook = load_workbook(
        io.BytesIO(client.get(f"/assessments/{modest.id}/export/results.xlsx").data)
    )
    measures = {row[0]: row[1] for row in workbook["Fit"].iter_rows(min_row=2, values_only=True)}
    assert measures["response_style_company"] == pytest.approx(-1.0)
    assert measures["response_style_company_sd"] == pytest.approx(0.0)
    assert measures["response_style_client"] == pytest.approx(expected_styles["client"].mean)
    assert measures["response_style_client_sd"] == pytest.approx(expected_styles["client"].sd)
    assert measures["distinctive_r"] == pytest.approx(distinctive.r)


# --------------------------------------------------------------------------------------------
# The portfolio: a workspace-wide figure per side
# --------------------------------------------------------------------------------------------


def _index_profiles(company: Callable[[int], int], client: Callable[[int], int]) -> dict:
    """Profiles whose self-minus-seen is `company(i)` for the company, `client(i)` for the
    client, on every trait i."""
    return {
        "us": lambda i: 5 - i % 2,
        "us_self": lambda i: 5 - i % 2 + company(i),
        "them": lambda i: 3 - i % 2,
        "them_self": lambda i: 3 - i % 2 + client(i),
    }


def test_the_portfolio_shows_each_sides_response_style_over_the_partners_latest_rounds(
    client, sign_in, workspace, make_partner
):
    user, trait_set = workspace.user, workspace.trait_set
    a, b, c = (make_partner(user.workspace, name) for name in ("Asahi", "Bunka", "Chidori"))
    # Asahi's first round (−2 on every trait) is followed by a review: only the latest counts.
    first = _revealed(a, trait_set, **_index_profiles(_same(-2), _same(0)))
    latest = [
        # Company −1, client +0.5 (half the traits one point higher).
        _revealed(
            a,
            trait_set,
            kind=Kind.ANNUAL_REVIEW,
            previous=first,
            **_index_profiles(_same(-1), lambda i: i % 2),
        ),
        # Company −0.5, client 0.
        _revealed(b, trait_set, **_index_profiles(lambda i: -(i % 2), _same(0))),
        # Company −0.2 (two traits a point below), client +0.3.
        _revealed(c, trait_set, **_index_profiles(lambda i: -int(i < 2), lambda i: int(i < 3))),
    ]
    sign_in(OWNER)
    page = client.get("/portfolio/").get_data(as_text=True)
    assert 'id="response-styles"' in page

    # Each round's index as a share of its range (R = 4), then mean and SD over partners.
    shares = {
        side: [
            statistics.fmean(
                row.side(side).self_minus_seen for row in load_results(round_).fit.traits
            )
            / 4
            for round_ in latest
        ]
        for side in Side
    }
    assert shares[Side.COMPANY] == pytest.approx([-0.25, -0.125, -0.05])
    assert shares[Side.CLIENT] == pytest.approx([0.125, 0.0, 0.075])
    for side, label, suffix in (
        (Side.COMPANY, "-14% of the scale (spread 10% over 3 partners)", " — modest"),
        (Side.CLIENT, "+7% of the scale (spread 6% over 3 partners)", ""),
    ):
        mean, sd = statistics.fmean(shares[side]), statistics.stdev(shares[side])
        computed = f"{mean * 100:+.0f}% of the scale (spread {sd * 100:.0f}% over 3 partners)"
        assert computed == label
        leaning, text = _style_note(page, side.value)
        assert text.endswith(label + suffix), text
        assert leaning == ("modest" if suffix else "neutral")


# --------------------------------------------------------------------------------------------
# Queries
# --------------------------------------------------------------------------------------------


def test_the_results_pages_queries_do_not_grow_with_the_workspaces_rounds(
    client, sign_in, workspace
):
    rounds = workspace.add(10)
    sign_in(OWNER)
    url = f"/assessments/{rounds[0].id}/results"
    counts, shown = [], []
    for more in (0, 10):
        workspace.add(more)
        client.get(url)  # the same warm state for both counts
        with count_queries() as statements:
            page = client.get(url).get_data(as_text=True)
        counts.append(len(statements))
        shown.append(_distinctive(page))
    assert counts[0] == counts[1]
    assert [missing for missing, _, _ in shown] == ["", ""]
    assert "from 10 revealed rounds" in shown[0][2] and "from 20 revealed rounds" in shown[1][2]


def test_the_norm_read_once_for_every_round_gives_each_the_distinctive_r_of_its_page(
    workspace,
):
    """The workspace export reads the norm once for all its rounds (`rounds.rounds_among`);
    each round gets what its results page shows (`load_round`), and a round whose summary
    is not stored yet still counts itself, from its answers, as on its page."""
    rounds = workspace.add(11)
    pending = rounds[3]
    db.session.execute(delete(RoundSummary).where(RoundSummary.assessment_id == pending.id))
    db.session.commit()
    summarised = [a for a in rounds if a is not pending]

    norm = rounds_service.workspace_norm(workspace.user.workspace_id)
    together = {
        shown.assessment.id: shown.distinctive
        for shown in rounds_service.rounds_among([load_results(a) for a in rounds], norm)
    }
    assert set(together) == {a.id for a in rounds}
    for current in rounds:
        expected = _expected(current, rounds if current is pending else summarised)
        assert together[current.id] == expected == rounds_service.load_round(current).distinctive
        assert rounds_service.load_round(current, norm=norm).distinctive == expected
    assert together[pending.id].rounds == 11 and together[rounds[0].id].rounds == 10
    assert together[rounds[0].id].r is not None
