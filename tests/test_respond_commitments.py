"""A respondent's commitment form after the reveal: an expired session or CSRF token shows
the page again with what was typed, as the survey and decline forms do."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from fitcheck.extensions import db
from fitcheck.models import Commitment, Side
from fitcheck.services import assessments
from fitcheck.services.answers import AnswerInput, save_answers

from .support import CSRF_FIELD, csrf_token

REFRESHED = "For your security this page needed refreshing"


@pytest.fixture
def link(make_user, make_assessment):
    """A revealed round and the link of one of the company's respondents."""
    assessment, tokens = make_assessment(make_user("o@example.com"), company=1, client=1)
    for respondent in tokens:
        save_answers(
            respondent,
            [
                AnswerInput(trait_key=t.key, other=4, self_=3, importance=3, comment="")
                for t in assessment.traits
            ],
            submit=True,
        )
    assessments.reveal(assessment)
    token = next(t for r, t in tokens.items() if r.side is Side.COMPANY)
    return assessment, token


def _typed(assessment, **extra):
    return {
        "trait_id": str(assessment.traits[1].id),
        "action": "Call every Friday — 毎週金曜に電話する",
        "owner": "Aoki-san",
        "due_on": "2027-03-31",
        **extra,
    }


@pytest.mark.parametrize("csrf", [None, "expired-or-forged"])
def test_an_expired_csrf_token_shows_the_form_again_with_what_was_typed(client, link, csrf):
    assessment, token = link
    data = _typed(assessment) if csrf is None else _typed(assessment, csrf_token=csrf)
    response = client.post(f"/r/{token}/commitments", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert REFRESHED in page
    assert "Call every Friday — 毎週金曜に電話する</textarea>" in page
    assert 'value="Aoki-san"' in page and 'value="2027-03-31"' in page
    assert f'<option selected value="{assessment.traits[1].id}"' in page
    assert db.session.scalar(select(Commitment)) is None
    # The page carries a fresh token: sending it again saves what was typed.
    fresh = csrf_token_from(page)
    again = client.post(f"/r/{token}/commitments", data=_typed(assessment, csrf_token=fresh))
    assert again.status_code == 302
    saved = db.session.scalar(select(Commitment))
    assert saved.action == "Call every Friday — 毎週金曜に電話する"
    assert saved.owner == "Aoki-san" and saved.side is Side.COMPANY


def test_a_valid_csrf_token_saves_the_commitment(client, link):
    assessment, token = link
    fresh = csrf_token(client, f"/r/{token}/results")
    response = client.post(f"/r/{token}/commitments", data=_typed(assessment, csrf_token=fresh))
    assert response.status_code == 302
    assert db.session.scalar(select(Commitment)).trait_id == assessment.traits[1].id


def test_an_unknown_link_posting_a_commitment_is_a_404(client, link):
    assessment, _ = link
    assert client.post("/r/no-such-link/commitments", data=_typed(assessment)).status_code == 404
    assert db.session.scalar(select(Commitment)) is None


def csrf_token_from(page: str) -> str:
    match = CSRF_FIELD.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)
